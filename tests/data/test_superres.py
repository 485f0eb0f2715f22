"""Super-resolution data: the bicubic calls, held-out tiles, batches, folders, DIV2K under mock_data."""

import numpy as np
import pytest
import tensorflow as tf

from ganlab.data import superres
from ganlab.data.images import load_photo_sources


def test_lr_and_the_baseline_are_the_same_bicubic_call():
    hr = np.random.default_rng(0).uniform(-1, 1, (2, 16, 12, 3)).astype("float32")
    lr = superres.downscale(hr, 4)
    want = tf.clip_by_value(tf.image.resize(hr, (4, 3), "bicubic", antialias=True), -1, 1).numpy()
    np.testing.assert_array_equal(lr, want)
    up = superres.upscale(lr, 4)
    want = tf.clip_by_value(tf.image.resize(lr, (16, 12), "bicubic", antialias=True), -1, 1).numpy()
    np.testing.assert_array_equal(up, want)
    # antialiasing matters when downsampling: without it the LR differs
    plain = tf.image.resize(hr, (4, 3), "bicubic", antialias=False).numpy()
    assert np.abs(plain - lr).max() > 0.05
    near = superres.nearest_upscale(lr, 4)
    assert near.shape == hr.shape and near[0, 3, 3, 0] == lr[0, 0, 0, 0] == near[0, 0, 0, 0]
    with pytest.raises(ValueError, match="multiples of scale=4"):
        superres.downscale(hr[:, :15], 4)
    with pytest.raises(ValueError, match="Received: scale=3"):
        superres.upscale(lr, 3)


def test_held_out_tiles_come_from_the_test_photos():
    lr, hr = superres.held_out_pairs(4)
    assert lr.shape == (36, 24, 24, 3) and hr.shape == (36, 96, 96, 3)
    chelsea = load_photo_sources("test")["chelsea"]
    np.testing.assert_allclose(hr[1], chelsea[:96, 96:192] / 127.5 - 1, atol=1e-6)
    np.testing.assert_array_equal(lr, superres.downscale(hr, 4))
    lr2, hr2 = superres.held_out_pairs(2, tile=48)
    assert lr2.shape[1:] == (24, 24, 3) and hr2.shape[1:] == (48, 48, 3)
    # training crops come from the other photos: no held-out tile among them
    train = superres.training_hr(64)
    assert train.shape == (1280, 64, 64, 3)
    assert not any(np.allclose(train[0], tile[:64, :64]) for tile in hr)


def test_sr_dataset_batches_pairs_with_lr_made_from_hr():
    hr = superres.training_hr(32)[:40]
    lr_b, hr_b = next(iter(superres.sr_dataset(hr, 8, 4, seed=3)))
    assert tuple(lr_b.shape) == (8, 8, 8, 3) and tuple(hr_b.shape) == (8, 32, 32, 3)
    np.testing.assert_allclose(lr_b.numpy(), superres.downscale(hr_b.numpy(), 4), atol=1e-6)
    again = next(iter(superres.sr_dataset(hr, 8, 4, seed=3)))[1].numpy()
    np.testing.assert_array_equal(again, hr_b.numpy())  # seeded
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        superres.sr_dataset(hr, 0)


def test_a_folder_of_hr_images(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (37, 50, 3), dtype=np.uint8)).save(tmp_path / "a.png")
    Image.fromarray(rng.integers(0, 255, (16, 16), dtype=np.uint8)).save(tmp_path / "b.png")
    lrs, hrs = superres.load_folder_hr(tmp_path, 4)
    assert [h.shape for h in hrs] == [(1, 36, 48, 3), (1, 16, 16, 3)]
    assert [lr.shape for lr in lrs] == [(1, 9, 12, 3), (1, 4, 4, 3)]
    with pytest.raises(ValueError, match="Received: root="):
        superres.load_folder_hr(tmp_path / "missing")


def test_div2k_under_mock_data():
    tfds = pytest.importorskip("tensorflow_datasets")
    rng = np.random.default_rng(0)
    lr = rng.integers(0, 255, (3, 20, 30, 3), dtype=np.uint8)
    hr = np.repeat(np.repeat(lr, 4, axis=1), 4, axis=2)  # aligned: hr pixel (4i, 4j) is lr (i, j)

    def as_dataset(self, *args, **kwargs):
        assert self.name == "div2k" and self.builder_config.name == "bicubic_x4"
        return tf.data.Dataset.from_tensor_slices({"lr": lr, "hr": hr})

    with tfds.testing.mock_data(as_dataset_fn=as_dataset):
        lr_b, hr_b = next(iter(superres.load_div2k("train", hr_size=32, batch_size=3)))
    assert tuple(lr_b.shape) == (3, 8, 8, 3) and tuple(hr_b.shape) == (3, 32, 32, 3)
    np.testing.assert_allclose(hr_b.numpy()[:, ::4, ::4], lr_b.numpy(), atol=1e-6)
    assert float(tf.reduce_min(lr_b)) >= -1 and float(tf.reduce_max(lr_b)) <= 1
    with pytest.raises(ValueError, match="Received: hr_size=30"):
        superres.load_div2k("train", hr_size=30)


def test_div2k_offline_fails_in_seconds_in_one_line(monkeypatch, tmp_path):
    import socket
    import time

    pytest.importorskip("tensorflow_datasets")
    from ganlab.data.tfds import DatasetUnavailableError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the socket closes
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(var, f"http://127.0.0.1:{port}")
    start = time.perf_counter()
    with pytest.raises(DatasetUnavailableError) as info:
        superres.load_div2k("train", data_dir=str(tmp_path))
    assert time.perf_counter() - start < 15
    assert "\n" not in str(info.value) and "data.vision.ee.ethz.ch" in str(info.value)
