"""The DCGAN-layout critic without batch normalisation (WGAN-GP)."""

import keras
import numpy as np
import pytest

from ganlab.nets.critic import dcgan_critic


@pytest.mark.parametrize("normalization", ["layer", None])
def test_shapes_and_no_batch_norm(normalization):
    c = dcgan_critic(16, 1, 8, normalization)
    assert tuple(c(np.zeros((3, 16, 16, 1), "float32")).shape) == (3, 1)
    kinds = {type(layer).__name__ for layer in c.layers}
    assert "BatchNormalization" not in kinds
    assert ("LayerNormalization" in kinds) == (normalization == "layer")


def test_scores_are_per_example():
    # No statistic across the batch: an example's score ignores its batch-mates.
    c = dcgan_critic(16, 1, 8)
    x = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(c(x)[:1], c(x[:1]), rtol=1e-5, atol=1e-6)


def test_round_trip(tmp_path):
    c = dcgan_critic(28, 1, 8)
    c.save(tmp_path / "c.keras")
    loaded = keras.saving.load_model(tmp_path / "c.keras")
    x = np.zeros((2, 28, 28, 1), "float32")
    np.testing.assert_allclose(loaded(x), c(x), atol=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    (dict(normalization="batch"), "normalization=.batch."),
    (dict(image_size=12), "image_size=12"),
    (dict(width=0), "width=0"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dcgan_critic(**{"image_size": 16, "channels": 1, **kwargs})
