"""ganlab.metrics.judge: confidence share, class histogram, Fréchet distance, nearest neighbours."""

import numpy as np
import pytest
from scipy import linalg

from ganlab.data import load_image_arrays
from ganlab.metrics import judge as jm
from ganlab.nets import load_judge


def test_confident_share_and_histogram():
    probs = np.array([[0.95, 0.05, 0.0], [0.5, 0.4, 0.1], [0.0, 0.05, 0.95], [0.0, 0.91, 0.09]])
    assert jm.confident_share(probs) == 0.75
    assert jm.confident_share(probs, threshold=0.94) == 0.5
    np.testing.assert_allclose(jm.class_histogram(probs), [0.5, 0.25, 0.25])
    np.testing.assert_allclose(jm.class_histogram(probs, 4), [0.5, 0.25, 0.25, 0.0])
    with pytest.raises(ValueError, match="threshold"):
        jm.confident_share(probs, threshold=1.0)
    with pytest.raises(ValueError, match="probs"):
        jm.class_histogram(np.zeros((0, 10)))


def test_frechet_distance_closed_form():
    # Diagonal Gaussians: d^2 = |mu_a - mu_b|^2 + sum (sqrt(va) - sqrt(vb))^2.
    rng = np.random.default_rng(0)
    a = rng.standard_normal((20000, 3)) * [1.0, 2.0, 3.0]
    b = rng.standard_normal((20000, 3)) * [2.0, 2.0, 1.0] + [1.0, 0.0, 0.0]
    expected = 1.0 + (1 - 2) ** 2 + 0 + (3 - 1) ** 2
    assert jm.frechet_distance(a, b) == pytest.approx(expected, rel=0.03)
    assert jm.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_matches_the_formula_on_correlated_features():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((500, 4)) @ rng.standard_normal((4, 4))
    b = rng.standard_normal((400, 4)) @ rng.standard_normal((4, 4)) + 0.5
    ma, sa, mb, sb = a.mean(0), np.cov(a.T), b.mean(0), np.cov(b.T)
    root = linalg.sqrtm(sa @ sb).real
    expected = np.sum((ma - mb) ** 2) + np.trace(sa + sb - 2 * root)
    assert jm.frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_of_degenerate_features_is_finite():
    a = np.zeros((100, 5))  # a constant generator: singular covariance
    b = np.random.default_rng(2).standard_normal((100, 5))
    d = jm.frechet_distance(a, b)
    assert np.isfinite(d) and d > 3.0
    with pytest.raises(ValueError, match="same dimension"):
        jm.frechet_distance(a, b[:, :4])


def test_nearest_neighbour_distances():
    ref = np.array([[0.0, 0.0], [3.0, 4.0]])
    d = jm.nearest_neighbour_distances([[3.0, 4.0], [0.0, 1.0], [6.0, 8.0]], ref, chunk=2)
    np.testing.assert_allclose(d, [0.0, 1.0, 5.0])
    with pytest.raises(ValueError, match="same image shape"):
        jm.nearest_neighbour_distances(np.zeros((2, 3)), ref)


def test_digit_report_on_real_digits():
    judge = load_judge()
    train, _ = load_image_arrays("digits", "train", 16)
    test, _ = load_image_arrays("digits", "test", 16)
    real = jm.digit_report(judge, test, train)
    assert real["confident_share"] > 0.9
    assert real["classes_covered"] == 10 and real["min_class_share"] > 0.08
    noise = np.random.default_rng(0).uniform(-1, 1, test.shape).astype("float32")
    fake = jm.digit_report(judge, noise, train)
    assert fake["frechet_distance"] > 10 * real["frechet_distance"]
