"""Exact KL, JS and Earth-Mover distances; the parallel-lines example; the reports."""

import keras
import numpy as np
import pytest
from scipy import stats

from ganlab.metrics import divergences as dv


def test_kl_by_hand_and_infinite_off_support():
    assert dv.kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(
        0.5 * np.log(2) + 0.5 * np.log(2 / 3))
    assert dv.kl_divergence([1, 1], [2, 2]) == 0.0  # weights are normalised
    assert dv.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert dv.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(np.log(2))


def test_js_of_disjoint_supports_is_log2():
    assert dv.js_divergence([1, 0, 0], [0, 0.5, 0.5]) == pytest.approx(np.log(2))
    assert dv.js_divergence([0.2, 0.8], [0.2, 0.8]) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_lp_emd_equals_scipy_in_1d(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=25), rng.normal(0.5, 2.0, size=40)
    wa, wb = rng.uniform(size=25), rng.uniform(size=40)
    lp = dv.earth_movers_distance(a, b, wa, wb, method="lp")
    assert lp == pytest.approx(stats.wasserstein_distance(a, b, wa, wb), rel=1e-7, abs=1e-9)
    # Uniform weights, one size: the LP, the assignment problem and scipy agree.
    x, y = rng.normal(size=30), rng.normal(1.0, 1.0, size=30)
    exact = stats.wasserstein_distance(x, y)
    assert dv.earth_movers_distance(x, y, method="lp") == pytest.approx(exact, rel=1e-7)
    assert dv.earth_movers_distance(x, y, method="assignment") == pytest.approx(exact, rel=1e-9)


def test_lp_and_assignment_agree_in_2d_and_plan_is_a_coupling():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 2)), rng.normal(1.0, 1.0, size=(40, 2))
    assert dv.earth_movers_distance(x, y, method="lp") == pytest.approx(
        dv.earth_movers_distance(x, y, method="assignment"), rel=1e-7)
    p, q = rng.uniform(size=40), rng.uniform(size=40)
    value, plan = dv.earth_movers_distance(x, y, p, q, return_plan=True)
    np.testing.assert_allclose(plan.sum(axis=1), p / p.sum(), atol=1e-8)
    np.testing.assert_allclose(plan.sum(axis=0), q / q.sum(), atol=1e-8)
    assert plan.min() >= -1e-12
    cost = np.linalg.norm(x[:, None] - y[None], axis=-1)
    assert value == pytest.approx(float((plan * cost).sum()), rel=1e-7)


def test_emd_of_a_translated_sample_is_the_shift():
    x = np.random.default_rng(1).normal(size=(50, 2))
    assert dv.earth_movers_distance(x, x + [3.0, 4.0]) == pytest.approx(5.0)
    assert dv.wasserstein1_samples(x, x + [3.0, 4.0], max_points=50) == pytest.approx(5.0)
    # Subsampled to 20 points each: a smaller problem, a different value.
    assert dv.wasserstein1_samples(x, x, max_points=20) > 0


def test_parallel_lines_exact_values():
    assert dv.parallel_lines_divergences(-0.3) == {"w": 0.3, "js": np.log(2), "kl": np.inf}
    assert dv.parallel_lines_divergences(0.0) == {"w": 0.0, "js": 0.0, "kl": 0.0}
    pts = dv.parallel_lines(0.7, 1000, seed=0)
    assert pts.shape == (1000, 2) and np.all(pts[:, 0] == np.float32(0.7))
    assert 0 <= pts[:, 1].min() and pts[:, 1].max() <= 1
    # The empirical W1 of the two segments (same Z) is exactly |theta|.
    assert dv.earth_movers_distance(dv.parallel_lines(0.0, 200, 3),
                                    dv.parallel_lines(0.7, 200, 3)) == pytest.approx(0.7, rel=1e-6)


def test_js_from_discriminator_value():
    assert dv.js_from_discriminator_value(-np.log(4)) == pytest.approx(0.0)
    assert dv.js_from_discriminator_value(0.0) == pytest.approx(np.log(2))


def _linear_net(w, b=0.0):
    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    net.layers[0].set_weights([np.asarray(w, "float32").reshape(2, 1), np.array([b], "float32")])
    return net


def test_critic_report_of_the_optimal_critic():
    # f(x) = -2 x1 is 2-Lipschitz; E_P0 f - E_Ptheta f = 2 theta; grad_theta = 2.
    r = dv.critic_report(_linear_net([-2.0, 0.0]), 0.5, n=500)
    assert r["estimate"] == pytest.approx(1.0, rel=1e-5)
    assert r["lipschitz"] == pytest.approx(2.0, rel=1e-5)
    assert r["normalised"] == pytest.approx(0.5, rel=1e-5)
    assert r["grad_theta"] == pytest.approx(2.0, rel=1e-5)


def test_discriminator_report_vanishing_gradient():
    # logit = -40 x1 + 10: D ~ 1 on P0, ~ 0 on P_1: JS_hat ~ log 2, gradient ~ 0.
    r = dv.discriminator_report(_linear_net([-40.0, 0.0], 10.0), 1.0, n=500)
    assert r["js"] == pytest.approx(np.log(2), abs=1e-3)
    assert abs(r["grad_theta"]) < 1e-8
    assert r["grad_theta_non_saturating"] == pytest.approx(40.0, rel=1e-3)


@pytest.mark.parametrize("call, match", [
    (lambda: dv.kl_divergence([0.5, -0.5], [0.5, 0.5]), "p must be .* non-negative"),
    (lambda: dv.kl_divergence([1, 0], [1, 0, 0]), "len\\(p\\)=2, len\\(q\\)=3"),
    (lambda: dv.earth_movers_distance(np.zeros((3, 2)), np.zeros((3, 3))), "x.shape=\\(3, 2\\)"),
    (lambda: dv.earth_movers_distance([0, 1], [0, 1], p=[1, 1, 1]), "len\\(p\\)=3"),
    (lambda: dv.earth_movers_distance([0, 1], [0, 1, 2], method="assignment"), "assignment"),
    (lambda: dv.earth_movers_distance([0, 1], [0, 1], method="sinkhorn"), "method=.sinkhorn."),
    (lambda: dv.parallel_lines(np.inf, 3), "theta=inf"),
])
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
