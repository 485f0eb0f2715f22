"""The 1D and 2D figures against values known in closed form."""

import math

import numpy as np
import pytest
from scipy import stats

from ganlab.data import grid_of_gaussians, ring_of_gaussians
from ganlab.metrics import (
    js_divergence,
    js_to_normal,
    ks_to_normal,
    mode_report,
    normal_fit_report,
    wasserstein1_to_normal,
)


def test_w1_of_a_point_mass_is_the_mean_absolute_deviation():
    # W1(delta_mu, N(mu, s^2)) = E|X - mu| = s sqrt(2 / pi)
    assert wasserstein1_to_normal([4.0], 4.0, 0.5) == pytest.approx(0.5 * math.sqrt(2 / math.pi))


def test_w1_of_a_shift_is_the_shift():
    # Quantiles of N(mu, s^2) shifted by d: W1 = d exactly (up to the sample's own error).
    q = stats.norm.ppf((np.arange(20000) + 0.5) / 20000, 4.0, 0.5)
    assert wasserstein1_to_normal(q + 0.3, 4.0, 0.5) == pytest.approx(0.3, abs=2e-3)


def test_w1_agrees_with_scipy_against_a_large_reference_sample():
    x = np.random.default_rng(0).normal(4.2, 0.7, 500)
    ref = np.random.default_rng(1).normal(4.0, 0.5, 2_000_000)
    assert wasserstein1_to_normal(x, 4.0, 0.5) == pytest.approx(
        stats.wasserstein_distance(x, ref), abs=2e-3)


def test_ks_and_js_of_exact_samples_are_small_and_of_far_samples_large():
    x = np.random.default_rng(0).normal(4.0, 0.5, 100_000)
    assert ks_to_normal(x, 4.0, 0.5) < 0.01
    assert js_to_normal(x, 4.0, 0.5) < 0.002
    assert js_to_normal(x + 100, 4.0, 0.5) == pytest.approx(math.log(2), abs=1e-6)


def test_js_divergence_hand_value():
    # P = (1, 0), Q = (0, 1): disjoint, JS = log 2; P = Q: 0.
    assert js_divergence([1, 0], [0, 1]) == pytest.approx(math.log(2))
    assert js_divergence([0.3, 0.7], [0.3, 0.7]) == pytest.approx(0.0)


def test_normal_fit_report_units_of_sigma():
    x = np.random.default_rng(0).normal(4.5, 1.0, 50_000)
    r = normal_fit_report(x, 4.0, 0.5)
    assert r["mean_error_over_sigma"] == pytest.approx(1.0, abs=0.03)
    assert r["std_error_over_sigma"] == pytest.approx(1.0, abs=0.03)


@pytest.mark.parametrize("bad", [{"sigma": 0}, {"sigma": -1}])
def test_bad_sigma(bad):
    with pytest.raises(ValueError, match="sigma"):
        wasserstein1_to_normal([1.0], 0.0, **bad)


def test_mode_report_on_exact_samples_and_on_collapse():
    ring = ring_of_gaussians()
    exact = mode_report(ring.sample(8000, seed=0), ring.centers, ring.std)
    assert exact["modes_covered"] == 8
    assert exact["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.01)  # P(r < 3 sd), 2D
    one = mode_report(np.tile(ring.centers[:1], (1000, 1)), ring.centers, ring.std)
    assert one["modes_covered"] == 1 and one["high_quality"] == 1.0
    assert one["mode_counts"][0] == 1000


def test_mode_report_min_share_and_non_finite_samples():
    grid = grid_of_gaussians()
    assert grid.num_modes == 25 and grid.centers.min() == -4 and grid.centers.max() == 4
    x = np.concatenate([np.tile(grid.centers[:1], (990, 1)), grid.centers[1:11]])
    assert mode_report(x, grid.centers, grid.std)["modes_covered"] == 1  # 1 sample < 1%
    assert mode_report(x, grid.centers, grid.std, min_share=0.001)["modes_covered"] == 11
    bad = np.array([[np.nan, 0.0], [0.0, 0.0]])
    assert mode_report(bad, grid.centers, grid.std)["high_quality"] == 0.5


def test_mode_report_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="shape"):
        mode_report(np.zeros((5, 3)), ring_of_gaussians().centers, 0.02)
