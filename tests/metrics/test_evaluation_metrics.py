"""Lab 11's metrics against closed forms and independent computations.

Fréchet distance, Inception Score, Parzen window, KID and precision/recall
(`ganlab.metrics`). Measured values are stated where the test relies on
them (e.g. the Fréchet distance's 1/n bias).
"""

import warnings

import numpy as np
import pytest
from scipy import linalg

from ganlab.metrics.frechet import (
    SingularCovarianceWarning,
    cached_statistics,
    frechet_distance,
    frechet_from_statistics,
    kernel_inception_distance,
)
from ganlab.metrics.inception_score import inception_score
from ganlab.metrics.parzen import SIGMAS, parzen_estimate, parzen_log_likelihoods, table1
from ganlab.metrics.precision_recall import precision_recall


def _random_spd(rng, d, scale=1.0):
    a = rng.normal(size=(d, d))
    return scale * (a @ a.T / d + 0.5 * np.eye(d))


# ------------------------------------------------------------ Fréchet distance
def test_frechet_closed_form_of_two_gaussians():
    """Diagonal covariances: d^2 = |mu_a - mu_b|^2 + sum (sqrt(a_i) - sqrt(b_i))^2."""
    mu_a, mu_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, -1.0])
    va, vb = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = 1 + 0 + 9 + (1 - 2) ** 2 + (2 - 1) ** 2 + (3 - 1) ** 2  # 16
    assert frechet_from_statistics(mu_a, np.diag(va), mu_b, np.diag(vb)) == pytest.approx(expected)
    rng = np.random.default_rng(0)
    a = rng.normal(mu_a, np.sqrt(va), size=(200_000, 3))
    b = rng.normal(mu_b, np.sqrt(vb), size=(200_000, 3))
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.01)


def test_frechet_of_a_set_against_itself_is_zero():
    x = np.random.default_rng(1).normal(size=(3000, 20))
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-8)


def test_frechet_agrees_with_plain_sqrtm_on_well_conditioned_features():
    rng = np.random.default_rng(2)
    d = 32
    a = rng.multivariate_normal(np.zeros(d), _random_spd(rng, d), size=4000)
    b = rng.multivariate_normal(np.full(d, 0.3), _random_spd(rng, d, 2.0), size=4000)
    ma, sa = a.mean(0), np.cov(a, rowvar=False)
    mb, sb = b.mean(0), np.cov(b, rowvar=False)
    root = linalg.sqrtm(sa @ sb)
    expected = np.sum((ma - mb) ** 2) + np.trace(sa + sb - 2 * np.real(root))
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)


def test_frechet_accepts_precomputed_statistics():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(500, 4)), rng.normal(1.0, 1.0, size=(500, 4))
    stats = (b.mean(0), np.cov(b, rowvar=False))
    assert frechet_distance(a, stats) == pytest.approx(frechet_distance(a, b))


def test_frechet_bias_falls_as_one_over_n():
    """Two samples of N(0, I_16): E[d^2] is about c / n; n * d^2 stays flat.

    Measured (mean of 20 pairs): n = 250: 0.635, 1,000: 0.164, 4,000:
    0.042, i.e. n * d^2 = 159 / 164 / 169. The mean term alone is
    2d/n = 32/n; the covariance term makes the rest.
    """
    d, reps = 16, 20
    rng = np.random.default_rng(4)
    bias = {}
    for n in (250, 1000, 4000):
        bias[n] = np.mean([frechet_distance(rng.normal(size=(n, d)), rng.normal(size=(n, d)))
                           for _ in range(reps)])
    assert bias[250] > bias[1000] > bias[4000] > 0
    scaled = [n * bias[n] for n in bias]
    assert max(scaled) / min(scaled) < 1.25, bias  # 1/n: 16x more samples, 16x less bias


def test_frechet_of_singular_features_warns_and_stays_finite_and_real():
    rng = np.random.default_rng(5)
    ten = rng.normal(size=(10, 64))
    cheat = np.repeat(ten, 100, axis=0)  # rank 9 covariance in 64-d
    real = rng.normal(size=(2000, 64))
    with pytest.warns(SingularCovarianceWarning, match="singular"):
        d = frechet_distance(cheat, real)
    assert isinstance(d, float) and np.isfinite(d) and d > 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a regular pair warns nothing
        frechet_distance(real, rng.normal(size=(2000, 64)))


def test_frechet_rejects_different_dimensions():
    with pytest.raises(ValueError, match="same dimension"):
        frechet_distance(np.zeros((10, 3)), np.zeros((10, 4)))


def test_reference_statistics_are_computed_once(tmp_path):
    calls = []
    x = np.random.default_rng(6).normal(size=(100, 5))

    def features():
        calls.append(1)
        return x

    path = tmp_path / "digits-train-judge.npz"
    mu, sigma, n = cached_statistics(path, features)
    mu2, sigma2, n2 = cached_statistics(path, features)
    assert len(calls) == 1 and n == n2 == 100
    np.testing.assert_allclose(mu2, x.mean(0))
    np.testing.assert_allclose(sigma2, np.cov(x, rowvar=False))
    assert [p.name for p in tmp_path.iterdir()] == ["digits-train-judge.npz"]  # no temp left


# ------------------------------------------------------------ Inception Score
def test_inception_score_of_identical_uniform_predictions_is_one():
    mean, std = inception_score(np.full((1000, 10), 0.1))
    assert mean == pytest.approx(1.0) and std == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("classes", [2, 10, 37])
def test_inception_score_of_n_one_hot_classes_is_n(classes):
    probs = np.eye(classes)[np.arange(1000 * classes) % classes]
    assert inception_score(probs, shuffle=False)[0] == pytest.approx(classes)  # balanced splits
    # shuffled, each split's class counts vary: about (K - 1) / (2 * split size) below log K
    assert inception_score(probs)[0] == pytest.approx(classes, rel=0.01)


def test_unshuffled_splits_of_class_sorted_samples_give_one():
    """The trap: 10 splits of 1,000 samples sorted by class each hold one class."""
    probs = np.eye(10)[np.repeat(np.arange(10), 1000)]
    assert inception_score(probs, shuffle=False)[0] == pytest.approx(1.0)
    assert inception_score(probs)[0] == pytest.approx(10.0, rel=0.01)


def test_inception_score_rejects_logits():
    with pytest.raises(ValueError, match="not logits"):
        inception_score(np.random.default_rng(0).normal(size=(100, 10)))


# ------------------------------------------------------------ Parzen window
def test_parzen_of_one_point_is_the_gaussian_density():
    x = np.array([[0.3, -0.4]])
    got = parzen_log_likelihoods(np.zeros((1, 2)), x, 0.5)[0]
    assert got == pytest.approx(-np.log(2 * np.pi * 0.25) - 0.25 / (2 * 0.25))


def test_parzen_blocks_agree_with_a_dense_computation():
    rng = np.random.default_rng(7)
    s, x = rng.normal(size=(230, 6)), rng.normal(size=(170, 6))
    d2 = ((x[:, None, :] - s[None]) ** 2).sum(-1)
    from scipy.special import logsumexp

    dense = logsumexp(-d2 / (2 * 0.7**2), axis=1) - np.log(230) - 3 * np.log(2 * np.pi * 0.49)
    np.testing.assert_allclose(parzen_log_likelihoods(s, x, 0.7, block=64), dense, rtol=1e-10)


def test_parzen_approaches_the_expected_log_density_of_a_known_gaussian():
    """N(0, 0.3^2 I_2): E[log p(x)] = -log(2 pi 0.09) - 1 = -0.430 nats.

    With sigma chosen on a validation split, the estimate's error against
    the true log-density of the same test points shrinks as the samples
    grow: measured 0.049 (n=100), 0.011 (n=1,000), 0.006 (n=10,000); and the
    closed-form expectation lies within 3 standard errors.
    """
    s = 0.3
    expected = -np.log(2 * np.pi * s**2) - 1.0
    rng = np.random.default_rng(8)
    validation, test = rng.normal(0, s, (1000, 2)), rng.normal(0, s, (2000, 2))
    true_mean = np.mean(-np.log(2 * np.pi * s**2) - (test**2).sum(1) / (2 * s**2))
    errors = {}
    for n in (100, 1000, 10_000):
        est = parzen_estimate(rng.normal(0, s, (n, 2)), validation, test,
                              sigmas=np.logspace(-1.5, -0.5, 8))
        errors[n] = abs(est["mean"] - true_mean)
    assert errors[100] > errors[1000] > errors[10_000], errors
    assert errors[10_000] < 0.01, errors
    assert abs(est["mean"] - expected) < 3 * est["std_error"]


def test_parzen_estimate_reports_table_1():
    rng = np.random.default_rng(9)
    est = parzen_estimate(rng.uniform(size=(300, 16)), rng.uniform(size=(50, 16)),
                          rng.uniform(size=(80, 16)))
    assert est["sigmas"] == pytest.approx(list(SIGMAS)) and est["sigma"] in est["sigmas"]
    assert len(est["validation"]) == 10 and est["test_points"] == 80
    assert est["std_error"] > 0 and "±" in table1(est)


# ------------------------------------------------------------ KID
def test_kid_of_two_samples_of_one_distribution_is_about_zero():
    rng = np.random.default_rng(10)
    a, b = rng.normal(size=(3000, 16)), rng.normal(size=(3000, 16))
    mean, std = kernel_inception_distance(a, b, subsets=20, subset_size=500)
    assert abs(mean) < 3 * std / np.sqrt(20) + 1e-3


def test_kid_of_shifted_samples_is_positive():
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=(1000, 16)), rng.normal(0.5, 1.0, size=(1000, 16))
    same = kernel_inception_distance(a, rng.normal(size=(1000, 16)), subsets=10, subset_size=500)
    shifted = kernel_inception_distance(a, b, subsets=10, subset_size=500)
    assert shifted[0] > 0.05 and shifted[0] > 20 * abs(same[0])


def test_kid_is_unbiased_by_hand_on_a_tiny_case():
    """Two 2-point sets in 1-d: k(x, y) = (x y + 1)^3, computed by hand."""
    a, b = np.array([[0.0], [1.0]]), np.array([[1.0], [2.0]])
    kxx = (0 * 1 + 1) ** 3  # the only off-diagonal pair
    kyy = (1 * 2 + 1) ** 3
    kxy = np.mean([(0 * 1 + 1) ** 3, (0 * 2 + 1) ** 3, (1 * 1 + 1) ** 3, (1 * 2 + 1) ** 3])
    mean, _ = kernel_inception_distance(a, b, subsets=3, subset_size=2)
    assert mean == pytest.approx(kxx + kyy - 2 * kxy)  # = -0.5: it can be negative


# ------------------------------------------------------------ precision & recall
def test_precision_recall_of_the_same_array_is_one_one():
    x = np.random.default_rng(12).normal(size=(500, 8))
    assert precision_recall(x, x) == (1.0, 1.0)


def test_precision_recall_of_disjoint_sets_is_about_zero():
    rng = np.random.default_rng(13)
    p, r = precision_recall(rng.normal(size=(500, 8)), rng.normal(20.0, 1.0, size=(500, 8)))
    assert p < 0.01 and r < 0.01


def test_precision_recall_chunks_beyond_one_block():
    """2,500 points cross the 1,000-row blocks; the answer equals the dense one."""
    from ganlab.metrics import precision_recall as pr

    rng = np.random.default_rng(14)
    a, b = rng.normal(size=(2500, 3)), rng.normal(0.2, 1.0, size=(2500, 3))
    chunked = pr.precision_recall(a, b)
    d_bb = np.sort(pr._distances(b, b), axis=1)[:, 3]
    dense_precision = (pr._distances(b, a) <= np.sort(pr._distances(a, a), axis=1)[:, 3]).any(1)
    dense_recall = (pr._distances(a, b) <= d_bb).any(1)
    assert chunked == (dense_precision.mean(), dense_recall.mean())
