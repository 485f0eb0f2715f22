"""The committed judge: held-out accuracy recomputed from its weights."""

import numpy as np
import pytest

from ganlab.data.images import load_image_arrays
from ganlab.nets.judge import (
    DEFAULT_JUDGE_PATH,
    build_judge,
    judge_features,
    judge_predict,
    load_judge,
)


@pytest.fixture(scope="module")
def judge():
    return load_judge()


def test_committed_file_is_small():
    assert DEFAULT_JUDGE_PATH.is_file()
    assert DEFAULT_JUDGE_PATH.stat().st_size < 500_000


@pytest.mark.parametrize("size", [16, 32])
def test_heldout_accuracy(judge, size):
    x, y = load_image_arrays("digits", "test", size)
    probs = judge_predict(judge, x)
    assert probs.shape == (360, 10) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    accuracy = (probs.argmax(axis=1) == y).mean()
    assert accuracy >= 0.97, accuracy


def test_features(judge):
    x, _ = load_image_arrays("digits", "test", 16)
    features = judge_features(judge, x[:50])
    assert features.shape == (50, 64) and features.dtype == np.float32
    assert features.min() >= 0.0  # ReLU activations
    # batching does not change the answer
    np.testing.assert_allclose(judge_features(judge, x[:50], batch_size=7), features, rtol=1e-5, atol=1e-6)
    assert judge_features(judge, x[:0]).shape == (0, 64)


def test_accepts_three_dimensional_batches(judge):
    x, _ = load_image_arrays("digits", "test", 16)
    np.testing.assert_allclose(judge_predict(judge, x[:5, ..., 0]), judge_predict(judge, x[:5]), rtol=1e-6)


def test_bad_images(judge):
    with pytest.raises(ValueError, match="Received: images.shape"):
        judge_predict(judge, np.zeros((2, 16, 16, 3), "float32"))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="build_judge.py"):
        load_judge(tmp_path / "nope.keras")


def test_architecture_matches_committed(judge):
    assert build_judge().count_params() == judge.count_params()
