"""The data-copying test (Meehan 2020) and improved precision/recall (Kynkäänniemi 2019)."""

import numpy as np
import pytest
from scipy import ndimage, stats

from ganlab.data.images import load_image_arrays
from ganlab.metrics import copying
from ganlab.metrics.precision_recall import knn_radii, manifold_share, precision_recall


def test_mann_whitney_z_matches_scipy():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, 40), rng.normal(0.5, 1, 60)
    u = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=False)
    z = copying.mann_whitney_z(x, y)
    assert z < 0  # x tends to be smaller
    assert 2 * stats.norm.cdf(-abs(z)) == pytest.approx(u.pvalue, rel=1e-9)


@pytest.fixture(scope="module")
def digits():
    train, _ = load_image_arrays("digits", "train", 16)
    heldout, _ = load_image_arrays("digits", "test", 16)
    return train, heldout


def c_t(train, heldout, samples):
    return copying.data_copying_statistic(train, heldout, samples,
                                          distance=copying.shift_invariant_distances)["c_t"]


def test_new_real_digits_are_not_copies(digits):
    """Half the held-out digits against the other half: C_T is a z-score near 0."""
    train, heldout = digits
    for seed in range(3):
        order = np.random.default_rng(seed).permutation(len(heldout))
        a, b = heldout[order[:180]], heldout[order[180:]]
        assert abs(c_t(train, b, a)) < 3


@pytest.mark.parametrize("perturb", ["verbatim", "noise_0.15", "noise_0.3", "shift_1px", "shift_2px",
                                     "contrast_0.8"])
def test_perturbed_training_digits_are_copies(digits, perturb):
    train, heldout = digits
    rng = np.random.default_rng(1)
    x = train[rng.integers(0, len(train), 1000)]
    x = {
        "verbatim": lambda: x,
        "noise_0.15": lambda: np.clip(x + rng.normal(0, 0.15, x.shape), -1, 1),
        "noise_0.3": lambda: np.clip(x + rng.normal(0, 0.3, x.shape), -1, 1),
        "shift_1px": lambda: np.roll(x, 1, axis=2),
        "shift_2px": lambda: np.roll(x, 2, axis=1),
        "contrast_0.8": lambda: 0.8 * x,
    }[perturb]()
    assert c_t(train, heldout, x) < -3


def test_plain_pixel_distance_misses_a_shifted_copy(digits):
    """Why the shift search: moved by 2 px, a copy is far from its source in plain pixels."""
    train, heldout = digits
    x = np.roll(train[np.random.default_rng(2).integers(0, len(train), 1000)], 2, axis=1)
    flat = copying.data_copying_statistic(train, heldout, x)["c_t"]
    assert flat > 0 > c_t(train, heldout, x)


def test_blur_is_a_copy_in_some_space(digits):
    train, heldout = digits
    x = ndimage.gaussian_filter(train[:1000], (0, 0.8, 0.8, 0))
    assert c_t(train, heldout, x) < -3


def test_bad_shapes_are_value_errors(digits):
    train, heldout = digits
    with pytest.raises(ValueError, match="samples.shape"):
        copying.data_copying_statistic(train, heldout, np.zeros((5, 8, 8, 1)))
    with pytest.raises(ValueError, match="pool=2"):
        copying.shift_invariant_distances(np.zeros((2, 15, 15, 1)), np.zeros((2, 15, 15, 1)))


def test_knn_radii_and_manifold_by_hand():
    line = np.array([[0.0], [1.0], [3.0], [6.0]])
    np.testing.assert_allclose(knn_radii(line, k=1), [1, 1, 2, 3])
    # balls: [-1, 1], [0, 2], [1, 5], [3, 9]: 10 is outside, 8 inside, -0.5 inside
    assert manifold_share([[10.0], [8.0], [-0.5]], line, k=1) == pytest.approx(2 / 3)


def test_precision_recall_of_collapse_and_of_a_match():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 8))
    p, r = precision_recall(real, np.repeat(real[:5], 80, axis=0))  # five styles
    assert p == 1.0 and r < 0.05
    p, r = precision_recall(real, rng.normal(size=(400, 8)))
    assert p > 0.8 and r > 0.8
