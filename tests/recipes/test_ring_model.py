"""Lab 05's ring models (`wasserstein.ring_model`): the optimizers the lab relies on."""

import pytest

from ganlab.recipes import wasserstein


def rate(optimizer, step):
    """The optimizer's learning rate after `step` of its own updates."""
    optimizer.iterations.assign(step)
    return float(optimizer.learning_rate)


def test_wgan_gp_generator_learns_slower_than_its_critic():
    # Two time-scale update rule (Heusel 2017): without it WGAN-GP's first
    # steps on the ring can cycle for good (ring_model's docstring).
    m = wasserstein.ring_model("wgan_gp", total_steps=1000, lr=1e-3, generator_lr=3e-4)
    assert rate(m.g_optimizer, 0) == pytest.approx(3e-4)
    assert rate(m.d_optimizer, 0) == pytest.approx(1e-3)
    # Each decays by a cosine to 5% over its own steps: G's 1,000 and the
    # critic's 5 x 1,000 (n_critic = 5).
    assert rate(m.g_optimizer, 1000) == pytest.approx(0.05 * 3e-4)
    assert rate(m.d_optimizer, 1000) > 0.5 * 1e-3
    assert rate(m.d_optimizer, 5000) == pytest.approx(0.05 * 1e-3)
    assert m.n_critic == 5
    assert m.g_optimizer.beta_1 == 0.0 and m.g_optimizer.beta_2 == 0.9
    lab = wasserstein.ring_model("wgan_gp")  # the lab's defaults
    assert rate(lab.g_optimizer, 0) < rate(lab.d_optimizer, 0)
    # The authors' toy script lowers lambda on 2D data; 1 keeps the critic
    # 1-Lipschitz (ring_model's docstring has the measurements).
    assert lab.gp_weight == 1.0


def test_wgan_keeps_the_papers_constant_rmsprop():
    m = wasserstein.ring_model("wgan")
    assert rate(m.d_optimizer, 0) == rate(m.d_optimizer, 10_000) == pytest.approx(5e-5)
    assert m.clip_value == 0.01


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        wasserstein.ring_model("lsgan")
