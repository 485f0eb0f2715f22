"""Paired data: the embedded tasks, held-out photos, identical augmentation, side-by-side folders."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from ganlab.data import paired
from ganlab.data.images import load_photo_sources


@pytest.mark.parametrize("task, c_out", [("colorize", 2), ("edges2photo", 3)])
@pytest.mark.parametrize("split, n", [("train", 1280), ("test", 128)])
def test_embedded_tasks_contract(task, c_out, split, n):
    x, y = paired.load_pair_arrays(task, split, 32)
    assert x.shape == (n, 32, 32, 1) and y.shape == (n, 32, 32, c_out)
    assert x.dtype == y.dtype == np.float32
    for a in (x, y):
        assert a.min() >= -1 and a.max() <= 1
    assert x.min() < -0.5 and x.max() > 0.5  # uses the range
    photos = paired.as_photos(task, x, y)
    assert photos.shape == (n, 32, 32, 3) and photos.min() < -0.5 and photos.max() > 0.5
    if task == "colorize":  # L in, (a, b) out: together they are the photo
        np.testing.assert_allclose(photos, paired._photo_crops(split, 32), atol=2e-3)
        assert 0.02 < np.abs(y).mean() < 0.5
    else:  # black edges on white, a minority of the pixels
        assert set(np.unique(x)) == {-1.0, 1.0} and 0.02 < (x < 0).mean() < 0.4


def test_zero_chroma_is_the_gray_photo():
    x, y = paired.load_pair_arrays("colorize", "test", 16)
    gray = paired.lab_to_rgb(x, np.zeros_like(y))
    np.testing.assert_allclose(gray[..., 0], gray[..., 1], atol=1e-4)
    np.testing.assert_allclose(gray[..., 0], gray[..., 2], atol=1e-4)
    with pytest.raises(ValueError, match="Received: lightness.shape"):
        paired.lab_to_rgb(x, y[..., :1])


def test_held_out_photos_are_never_trained_on():
    train = paired.load_pair_arrays("edges2photo", "train", 16)[1]
    test = paired.load_pair_arrays("edges2photo", "test", 16)[1]
    assert set(load_photo_sources("train")).isdisjoint(load_photo_sources("test"))
    # no held-out crop is (nearly) a training crop
    d = ((test.reshape(len(test), 1, -1) - train.reshape(1, len(train), -1)) ** 2).mean(-1)
    assert d.min() > 1e-3


def test_arrays_are_fixed():
    a = paired.load_pair_arrays("edges2photo", "test", 32)
    b = paired.load_pair_arrays("edges2photo", "test", 32)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_augmentation_is_identical_for_input_and_target():
    # the input is a copy of the target's red channel: any difference would show
    rng = np.random.default_rng(0)
    y = rng.uniform(-1, 1, (64, 16, 16, 3)).astype("float32")
    x = y[..., :1].copy()
    ds = paired.paired_dataset(x, y, batch_size=64, seed=3)
    bx, by = next(iter(ds))
    np.testing.assert_allclose(bx.numpy(), by.numpy()[..., :1], atol=1e-6)
    assert bx.shape == (64, 16, 16, 1)
    # and it does something: jittered or flipped pairs are not the originals
    orig = {a.tobytes() for a in y}
    assert sum(b.tobytes() not in orig for b in by.numpy()) > 32


def test_mirroring_alone_flips_both():
    y = np.tile(np.linspace(-1, 1, 8, dtype="float32")[None, None, :, None], (32, 8, 1, 3))
    x = y[..., :1].copy()
    bx, by = next(iter(paired.paired_dataset(x, y, 32, seed=1, shuffle=False, jitter=False)))
    flipped = by.numpy()[:, 0, 0, 0] > 0
    assert 0 < flipped.sum() < 32
    np.testing.assert_array_equal(bx.numpy()[..., 0], by.numpy()[..., 0])


def test_augmentation_is_seeded():
    x, y = paired.load_pair_arrays("colorize", "test", 16)
    a = next(iter(paired.paired_dataset(x, y, 8, seed=5)))
    b = next(iter(paired.paired_dataset(x, y, 8, seed=5)))
    np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())


def write_pairs(folder, n, size=(20, 40), seed=0):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    pairs = []
    for i in range(n):
        a = np.zeros((size[0], size[1] // 2, 3), np.uint8)
        a[..., 0] = 40 + 10 * i  # A: a flat red level
        b = np.full((size[0], size[1] // 2, 3), 200, np.uint8)  # B: light gray
        b[..., 2] = rng.integers(0, 50)
        Image.fromarray(np.concatenate([a, b], 1)).save(folder / f"{i}.jpg", quality=95)
        pairs.append((a, b))
    return pairs


def test_side_by_side_folder(tmp_path):
    write_pairs(tmp_path / "facades" / "train", 3)
    write_pairs(tmp_path / "facades" / "val", 2)
    task = f"folder:{tmp_path / 'facades'}"
    x, y = paired.load_pair_arrays(task, "train", 16)
    assert x.shape == y.shape == (3, 16, 16, 3)
    assert np.all(x[..., 0] < y[..., 0])  # A (dark red) on the left is the input
    assert abs(float(x[0, ..., 0].mean()) - (40 / 127.5 - 1)) < 0.05
    xb, yb = paired.load_pair_arrays(task, "train", 16, direction="BtoA")
    np.testing.assert_array_equal(xb, y)
    assert paired.load_pair_arrays(task, "test", 16)[0].shape[0] == 2  # val/ stands in for test/
    batch = next(iter(paired.load_pairs(task, image_size=16, batch_size=2)))
    assert batch[0].shape == (2, 16, 16, 3)


def test_a_pair_whose_halves_differ_is_an_error(tmp_path):
    folder = tmp_path / "bad" / "train"
    folder.mkdir(parents=True)
    Image.fromarray(np.zeros((20, 41, 3), np.uint8)).save(folder / "odd.jpg")
    with pytest.raises(ValueError, match=r"Received: an image of size 20x41"):
        paired.load_pair_arrays(f"folder:{tmp_path / 'bad'}", "train", 16)


def test_inputs_and_targets_of_different_sizes_are_an_error():
    with pytest.raises(ValueError, match=r"Received: x.shape=\(4, 16, 16, 1\), y.shape=\(4, 32, 32, 3\)"):
        paired.paired_dataset(np.zeros((4, 16, 16, 1)), np.zeros((4, 32, 32, 3)))
    with pytest.raises(ValueError, match="Received: x.shape"):
        paired.paired_dataset(np.zeros((4, 16, 16, 1)), np.zeros((5, 16, 16, 3)))


@pytest.mark.parametrize("kwargs, match", [
    ({"task": "colorise"}, "task='colorise'"),
    ({"task": 3}, "task=3"),
    ({"split": "val"}, "split='val'"),
    ({"image_size": 4}, "image_size=4"),
    ({"task": "folder:/nonexistent/ganlab"}, "task='folder:/nonexistent/ganlab'"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"Received: {match}"):
        paired.load_pair_arrays(**{"task": "colorize", "split": "train", "image_size": 32, **kwargs})


def test_jitter_crops_from_an_enlarged_pair():
    x = np.zeros((1, 32, 32, 1), "float32")
    x[:, :, 16:] = 1.0  # a vertical edge in the middle
    y = np.repeat(x, 3, -1)
    bx, by = paired.augment_pairs(tf.constant(x[0]), tf.constant(y[0]), tf.constant([1, 2]),
                                  mirror=False)
    assert bx.shape == (32, 32, 1) and by.shape == (32, 32, 3)
    np.testing.assert_allclose(bx.numpy()[..., 0], by.numpy()[..., 0], atol=1e-6)


def test_an_unreachable_download_fails_at_once_in_one_line(monkeypatch, tmp_path):
    import time

    from ganlab.data.tfds import DatasetUnavailableError

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(paired, "PIX2PIX_URL", "http://127.0.0.1:9/")  # nothing listens there
    start = time.perf_counter()
    with pytest.raises(DatasetUnavailableError, match="cannot download the pix2pix dataset 'facades'") as err:
        paired.load_pair_arrays("facades", "train", 16)
    assert time.perf_counter() - start < 10
    assert len(str(err.value).splitlines()) == 1


def test_a_downloaded_dataset_is_read_as_a_folder_in_its_usual_direction(monkeypatch, tmp_path):
    import keras

    root = tmp_path / "facades.tar.gz_extracted"
    write_pairs(root / "facades" / "train", 2)
    write_pairs(root / "facades" / "test", 1)
    monkeypatch.setattr(keras.utils, "get_file", lambda *args, **kwargs: str(root))
    x, y = paired.load_pair_arrays("facades", "train", 16)  # BtoA: the right half is the input
    assert np.all(x[..., 0] > y[..., 0])
    xa, ya = paired.load_pair_arrays("facades", "train", 16, direction="AtoB")
    np.testing.assert_array_equal(xa, y)
