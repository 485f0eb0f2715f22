"""Lab 05's per-snapshot figures (`wgan.critic_figures`) by hand."""

import numpy as np
import pytest

from ganlab.grading import wgan
from ganlab.metrics import divergences as dv


def shift(offset):
    return lambda z, training=False: np.asarray(z, "float32") + offset


def linear(slope):
    """The critic f(x) = slope * x_0, a keras net (the figures differentiate it)."""
    import keras

    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
    net.set_weights([np.array([[slope], [0.0]], "float32")])
    return net


linear_critic = linear(1.0)  # f(x) = x_0, 1-Lipschitz


def test_figures_by_hand():
    rng = np.random.default_rng(3)
    real = rng.standard_normal((5000, 2)).astype("float32")
    figs = wgan.critic_figures(shift(1.5), linear_critic, real, "wgan", 2, n=3000,
                                      seed=7, w1_points=100, w1_repeats=4)
    # Redo the draws: z first, then the data subsample, from one generator.
    draw = np.random.default_rng(7)
    fake = draw.standard_normal((3000, 2)).astype("float32") + 1.5
    data = real[draw.choice(5000, 3000, replace=False)]
    assert figs["estimate"] == pytest.approx(data[:, 0].mean() - fake[:, 0].mean())
    w1 = np.mean([dv.earth_movers_distance(fake[i:i + 100], data[i:i + 100], method="lp")
                  for i in range(0, 400, 100)])
    assert figs["w1"] == pytest.approx(w1, rel=1e-6)
    # A generator shifted by 1.5 along x_0 is 1.5 away; 100 points per side
    # overstate W1 in 2D (the matching also pays for the sampling), by ~0.4
    # here. The linear critic, f = x_0, certifies about -1.5.
    assert 1.4 < figs["w1"] < 2.4
    assert figs["estimate"] == pytest.approx(-1.5, abs=0.1)
    assert figs["lipschitz"] == pytest.approx(1.0) and figs["normalised"] == pytest.approx(
        figs["estimate"])


def test_normalised_estimate_divides_by_the_slope():
    """f = 3 x_0 certifies 3 times as much; divided by its slope K = 3 it is x_0's estimate."""
    real = np.random.default_rng(1).standard_normal((4000, 2)).astype("float32")
    one = wgan.critic_figures(shift(-1.0), linear_critic, real, "wgan", 2, n=4000, seed=2)
    three = wgan.critic_figures(shift(-1.0), linear(3.0), real, "wgan", 2, n=4000, seed=2)
    assert three["estimate"] == pytest.approx(3 * one["estimate"], rel=1e-5)
    assert three["lipschitz"] == pytest.approx(3.0, rel=1e-5)
    assert three["normalised"] == pytest.approx(one["normalised"], rel=1e-5)
    assert one["normalised"] == pytest.approx(1.0, abs=0.06)  # W1 of a shift by 1 along x_0


def test_same_seed_same_figures_and_averaging_steadies_w1():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((8000, 2)).astype("float32")
    a = wgan.critic_figures(shift(0.0), linear_critic, real, "wgan", 2, seed=1, n=4000)
    b = wgan.critic_figures(shift(0.0), linear_critic, real, "wgan", 2, seed=1, n=4000)
    assert a == b
    # Over evaluation seeds, the mean of 8 W1s spreads less than one W1.
    one = [wgan.critic_figures(shift(0.0), linear_critic, real, "wgan", 2, n=500,
                                      seed=s, w1_repeats=1)["w1"] for s in range(8)]
    eight = [wgan.critic_figures(shift(0.0), linear_critic, real, "wgan", 2, n=4000,
                                        seed=s, w1_repeats=8)["w1"] for s in range(8)]
    assert np.std(eight) < 0.6 * np.std(one)


def test_too_few_data_points_is_an_error():
    real = np.zeros((1000, 2), "float32")
    with pytest.raises(ValueError, match="len\\(real\\)=1000"):
        wgan.critic_figures(shift(0.0), linear_critic, real, "wgan", 2, n=500,
                                   w1_points=500, w1_repeats=4)
