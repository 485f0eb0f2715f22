"""`ganlab eval`'s InceptionV3 figures: computed when an extractor is there, the reference once."""

import keras
import numpy as np

from ganlab.grading import evaluation
from ganlab.nets import inception


def test_inception_figures_cache_the_reference(tmp_path, monkeypatch):
    """A stand-in extractor (mean colour of the 299x299 input) replaces InceptionV3's weights."""
    tiny = keras.Sequential([keras.Input((299, 299, 3)), keras.layers.GlobalAveragePooling2D()])
    monkeypatch.setattr(inception, "inception_extractor", lambda weights="imagenet": tiny)
    calls = []
    real_features = inception.inception_features

    def counting(model, images, batch_size=50):
        calls.append(len(images))
        return real_features(model, images, batch_size)

    monkeypatch.setattr(inception, "inception_features", counting)
    rng = np.random.default_rng(0)
    samples, reference = rng.uniform(-1, 1, (20, 8, 8, 1)), rng.uniform(-1, 1, (30, 8, 8, 1))
    cache = tmp_path / "digits-8-inception.npz"
    first = evaluation.inception_figures(samples, reference, cache)
    second = evaluation.inception_figures(samples, reference, cache)
    assert calls == [30, 20, 20]  # the reference's features once, then from the cache
    assert first == second and first["frechet_distance"]["reference_samples"] == 30
    assert first["frechet_distance"]["extractor"] == inception.EXTRACTOR_NAME
    assert first["kid"]["samples"] == 20


def test_inception_figures_skip_in_one_line_without_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    lines = []
    out = evaluation.inception_figures(np.zeros((4, 8, 8, 1)), np.zeros((4, 8, 8, 1)),
                                       tmp_path / "c.npz", log=lines.append)
    assert len(lines) == 1 and "\n" not in lines[0] and out == {"skipped": lines[0]}
    assert not (tmp_path / "c.npz").exists()
