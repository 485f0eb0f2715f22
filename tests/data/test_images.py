"""The image loaders' contract: embedded datasets, and TFDS ones under mock data."""

import sys

import numpy as np
import pytest
import tensorflow as tf

from ganlab.data import images
from ganlab.data import tfds as gtfds

EXPECTED = {
    # name: (default size, channels, has labels, train count, test count)
    "digits": (16, 1, True, 1437, 360),
    "faces": (32, 1, False, 80, 20),
    "photos": (64, 3, False, 1280, 256),
    "printed_digits": (16, 1, True, 2000, 500),
}


def first_batches(ds, n=2):
    return [tf.nest.map_structure(lambda t: t.numpy(), b) for b in ds.take(n)]


@pytest.mark.parametrize("name", images.EMBEDDED_DATASETS)
@pytest.mark.parametrize("split", images.SPLITS)
def test_arrays_contract(name, split):
    size, channels, labelled, n_train, n_test = EXPECTED[name]
    x, y = images.load_image_arrays(name, split)
    n = n_train if split == "train" else n_test
    assert x.shape == (n, size, size, channels)
    assert x.dtype == np.float32
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert x.min() < -0.5 and x.max() > 0.5  # uses the range, not a sliver of it
    if labelled:
        assert y.dtype == np.int32 and y.shape == (n,)
        assert set(np.unique(y)) == set(range(10))
    else:
        assert y is None


@pytest.mark.parametrize("name", images.EMBEDDED_DATASETS)
def test_loader_contract(name):
    size, channels, labelled, _, _ = EXPECTED[name]
    ds = images.load_images(name, batch_size=16, with_labels=labelled)
    assert ds.element_spec is not None
    batch = next(iter(ds))
    x, y = batch if labelled else (batch, None)
    assert x.dtype == tf.float32 and x.shape == (16, size, size, channels)
    x = x.numpy()
    assert x.min() >= -1.0 and x.max() <= 1.0
    if labelled:
        assert y.dtype == tf.int32 and y.shape == (16,)
        assert np.all((y.numpy() >= 0) & (y.numpy() < 10))


def test_loader_yields_the_arrays():
    x, y = images.load_image_arrays("digits", "test")
    ds = images.load_images("digits", "test", batch_size=7, with_labels=True, shuffle=False,
                           drop_remainder=False)
    xs, ys = zip(*[(a.numpy(), b.numpy()) for a, b in ds], strict=True)
    np.testing.assert_array_equal(np.concatenate(xs), x)
    np.testing.assert_array_equal(np.concatenate(ys), y)


@pytest.mark.parametrize("name, sizes", [("digits", (8, 16, 28, 32)), ("printed_digits", (8, 28, 32)),
                                         ("faces", (16, 25, 64)), ("photos", (8, 96))])
def test_sizes(name, sizes):
    for size in sizes:
        x, _ = images.load_image_arrays(name, "test", size)
        assert x.shape[1:3] == (size, size)
        assert x.min() >= -1.0 and x.max() <= 1.0


def test_same_seed_same_batches_different_seed_different():
    a = first_batches(images.load_images("digits", batch_size=32, seed=3, with_labels=True))
    b = first_batches(images.load_images("digits", batch_size=32, seed=3, with_labels=True))
    c = first_batches(images.load_images("digits", batch_size=32, seed=4, with_labels=True))
    for (xa, ya), (xb, yb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a[0][1], c[0][1])


def test_reshuffles_each_epoch_repeatably():
    ds = images.load_images("faces", batch_size=8, seed=1)
    epoch1, epoch2 = next(iter(ds)).numpy(), next(iter(ds)).numpy()
    assert not np.array_equal(epoch1, epoch2)
    again = images.load_images("faces", batch_size=8, seed=1)
    np.testing.assert_array_equal(next(iter(again)).numpy(), epoch1)
    np.testing.assert_array_equal(next(iter(again)).numpy(), epoch2)


def test_no_shuffle_keeps_order_and_drop_remainder():
    ds = images.load_images("faces", "test", batch_size=8, shuffle=False, drop_remainder=True)
    assert [b.shape[0] for b in ds] == [8, 8]
    ds = images.load_images("faces", "test", batch_size=8, shuffle=False, drop_remainder=False)
    assert [b.shape[0] for b in ds] == [8, 8, 4]


def test_digits_split_is_fixed_disjoint_and_stratified():
    digits, idx = images._digits_split_indices()
    train, test = set(idx["train"]), set(idx["test"])
    assert not train & test
    assert len(train | test) == len(digits.target) == 1797
    counts = np.bincount(digits.target[idx["test"]], minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # 20% of ~180 per class
    # The same split every time (a grader and a student see the same test set).
    _, again = images._digits_split_indices()
    np.testing.assert_array_equal(idx["test"], again["test"])


def test_photos_test_sources_are_never_trained_on():
    train, test = images.load_photo_sources("train"), images.load_photo_sources("test")
    assert set(train) == set(images.PHOTO_SOURCES["train"])
    assert set(test) == set(images.PHOTO_SOURCES["test"])
    assert not set(train) & set(test)
    for t in test.values():
        for s in train.values():
            assert t.shape != s.shape or not np.array_equal(t, s)
    # Crops of the test split come only from test photos: a test crop's
    # colours match a window of one of the test sources.
    x, _ = images.load_image_arrays("photos", "test", 16)
    crop = np.round((x[0] + 1) * 127.5).astype(np.uint8)
    first = test[images.PHOTO_SOURCES["test"][0]]
    windows = np.lib.stride_tricks.sliding_window_view(first, (16, 16, 3))[..., 0, :, :, :]
    assert np.any(np.all(windows == crop, axis=(-3, -2, -1)))


def test_photos_are_deterministic():
    a, _ = images.load_image_arrays("photos", "train", 32)
    images._cached_arrays.cache_clear()
    b, _ = images.load_image_arrays("photos", "train", 32)
    np.testing.assert_array_equal(a, b)


def test_faces_split_disjoint():
    train, _ = images.load_image_arrays("faces", "train", 25)
    test, _ = images.load_image_arrays("faces", "test", 25)
    flat_train = {t.tobytes() for t in train}
    assert not any(t.tobytes() in flat_train for t in test)


def test_printed_digits_balanced_and_ink_is_bright():
    x, y = images.load_image_arrays("printed_digits", "train")
    assert np.all(np.bincount(y) == 200)
    # Background is -1 (paper), like digits; the centre holds the ink.
    assert np.median(x[:, 0, :, 0]) == pytest.approx(-1.0)
    assert x[:, 4:12, 4:12].mean() > x[:, :2].mean()


def test_arrays_are_copies():
    x, y = images.load_image_arrays("digits", "test")
    x[:] = 0
    y[:] = 0
    x2, y2 = images.load_image_arrays("digits", "test")
    assert x2.min() == -1.0 and y2.max() == 9


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        (dict(name="foo"), "name='foo'"),
        (dict(name="digits", split="validation"), "split='validation'"),
        (dict(name="digits", image_size=64), "image_size=64"),
        (dict(name="digits", image_size=16.0), "image_size=16.0"),
        (dict(name="faces", image_size=128), "image_size=128"),
        (dict(name="photos", image_size=4), "image_size=4"),
        (dict(name="photos", image_size=512), "image_size=512"),
        (dict(name="printed_digits", image_size=20), "image_size=20"),
        (dict(name="digits", batch_size=0), "batch_size=0"),
        (dict(name="faces", split="test", batch_size=64), "batch_size=64"),
        (dict(name="faces", with_labels=True), "with_labels=True"),
        (dict(name="photos", with_labels=True), "with_labels=True"),
        (dict(name="mnist", split="valid"), "split='valid'"),
        (dict(name="cifar10", image_size=3), "image_size=3"),
        (dict(name="celeb_a", with_labels=True), "with_labels=True"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, argument):
    with pytest.raises(ValueError, match=f"Received: .*{argument}"):
        images.load_images(**kwargs)


def test_bad_array_arguments():
    with pytest.raises(ValueError, match="Received: name='mnist'"):
        images.load_image_arrays("mnist", "train")
    with pytest.raises(ValueError, match="Received: split='val'"):
        images.load_image_arrays("digits", "val")
    with pytest.raises(ValueError, match="Received: image_size=12"):
        images.load_image_arrays("digits", "train", 12)


# ---------------------------------------------------------------- TFDS


@pytest.fixture
def mock_tfds():
    tfds = pytest.importorskip("tensorflow_datasets")
    # USE_CODE builds random examples from the builders' feature specs, so no
    # metadata files (which would need a download) are required.
    with tfds.testing.mock_data(num_examples=24, policy=tfds.testing.MockPolicy.USE_CODE):
        yield tfds


@pytest.mark.parametrize(
    "name, shape, labelled",
    [
        ("mnist", (28, 28, 1), True),
        ("fashion_mnist", (28, 28, 1), True),
        ("cifar10", (32, 32, 3), True),
        ("celeb_a", (64, 64, 3), False),
    ],
)
def test_tfds_contract(mock_tfds, name, shape, labelled):
    ds = images.load_images(name, batch_size=8, with_labels=labelled)
    batches = list(ds)
    assert len(batches) == 3  # 24 examples, drop_remainder
    x, y = batches[0] if labelled else (batches[0], None)
    assert x.dtype == tf.float32 and tuple(x.shape) == (8, *shape)
    assert x.numpy().min() >= -1.0 and x.numpy().max() <= 1.0
    if labelled:
        assert y.dtype == tf.int32 and y.shape == (8,)
        assert np.all((y.numpy() >= 0) & (y.numpy() < 10))


def test_tfds_resize_and_determinism(mock_tfds):
    a = first_batches(images.load_images("mnist", image_size=32, batch_size=8, seed=5), 1)[0]
    b = first_batches(images.load_images("mnist", image_size=32, batch_size=8, seed=5), 1)[0]
    assert a.shape == (8, 32, 32, 1)
    np.testing.assert_array_equal(a, b)


def test_tfds_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)
    with pytest.raises(gtfds.DatasetUnavailableError, match="pip install tensorflow-datasets"):
        images.load_images("mnist")


def test_tfds_download_failure_is_one_line(monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")

    def offline(*args, **kwargs):
        raise ConnectionError("Failed to establish a new connection\nsecond line")

    monkeypatch.setattr(tfds, "load", offline)
    with pytest.raises(gtfds.DatasetUnavailableError) as info:
        images.load_images("cifar10")
    message = str(info.value)
    assert "\n" not in message
    assert "cifar10" in message and "internet" in message and "digits" in message
