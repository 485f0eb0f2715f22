"""The InceptionV3 extractor: it builds offline, and missing weights are one clear line."""

import numpy as np
import pytest

from ganlab.nets import inception


def test_builds_with_random_weights_and_gives_2048_features_of_gray_images():
    model = inception.inception_extractor(weights=None)
    assert model.output_shape == (None, inception.FEATURE_DIM)
    gray = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 1)).astype("float32")
    features = inception.inception_features(model, gray)
    assert features.shape == (2, 2048) and np.all(np.isfinite(features))


def test_resize_is_antialiased_gray_to_rgb_in_range():
    x = np.zeros((1, 8, 8, 1), "float32")
    x[0, ::2, :, 0] = 1.0  # stripes of one pixel: antialiasing averages them
    y = np.asarray(inception.to_inception_input(x))
    assert y.shape == (1, 299, 299, 3)
    np.testing.assert_array_equal(y[..., 0], y[..., 2])
    assert y.min() >= -1 and y.max() <= 1
    with pytest.raises(ValueError, match="images.shape"):
        inception.to_inception_input(np.zeros((1, 8, 8, 2)))


def test_missing_weights_path_is_one_line_naming_where_to_put_them(tmp_path):
    missing = tmp_path / "nope.h5"
    with pytest.raises(inception.WeightsUnavailableError) as e:
        inception.inception_extractor(weights=missing)
    message = str(e.value)
    assert "\n" not in message and str(missing) in message and inception.WEIGHTS_FILE in message


def test_missing_keras_cache_says_where_the_cache_is(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(inception.WeightsUnavailableError, match=str(tmp_path / "models")):
        inception.inception_weights_path("imagenet")
