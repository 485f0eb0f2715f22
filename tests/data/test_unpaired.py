"""Unpaired sources: TFDS cycle_gan under mock_data, two folders, and bad tasks."""

import numpy as np
import pytest
from PIL import Image

from ganlab.data.unpaired import load_unpaired_arrays


def write_images(folder, n, size=(40, 30), seed=0):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(folder / f"{i:03d}.jpg")


def test_cycle_gan_under_mock_data():
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=5, policy=tfds.testing.MockPolicy.USE_CODE):
        domains = load_unpaired_arrays("cycle_gan/horse2zebra", "test", 16)
    assert set(domains) == {"x", "y"}  # no ground truth for real unpaired data
    for images in domains.values():
        assert images.shape == (5, 16, 16, 3) and images.dtype == np.float32
        assert images.min() >= -1 and images.max() <= 1


def test_folders_hold_out_the_last_tenth(tmp_path):
    write_images(tmp_path / "A", 20, seed=1)
    write_images(tmp_path / "B", 10, size=(25, 50), seed=2)
    task = f"folders:{tmp_path / 'A'},{tmp_path / 'B'}"
    train = load_unpaired_arrays(task, "train", 16)
    test = load_unpaired_arrays(task, "test", 16)
    assert train["x"].shape == (18, 16, 16, 3) and test["x"].shape == (2, 16, 16, 3)
    assert train["y"].shape == (9, 16, 16, 3) and test["y"].shape == (1, 16, 16, 3)


def test_folders_with_their_own_splits(tmp_path):
    for side in ("A", "B"):
        write_images(tmp_path / side / "train", 4)
        write_images(tmp_path / side / "test", 3)
    task = f"folders:{tmp_path / 'A'},{tmp_path / 'B'}"
    assert load_unpaired_arrays(task, "test", 8)["y"].shape == (3, 8, 8, 3)


@pytest.mark.parametrize("task, match", [
    ("horse2zebra", "task='horse2zebra'"),
    ("folders:only_one", "two folders"),
    ("folders:/no/such/A,/no/such/B", "is not a folder"),
])
def test_bad_tasks(task, match):
    with pytest.raises(ValueError, match=match):
        load_unpaired_arrays(task, "train", 16)


def test_empty_folder(tmp_path):
    (tmp_path / "A").mkdir()
    (tmp_path / "B").mkdir()
    with pytest.raises(ValueError, match="no train images"):
        load_unpaired_arrays(f"folders:{tmp_path / 'A'},{tmp_path / 'B'}", "train", 16)
