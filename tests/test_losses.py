"""Loss values against numbers computed by hand from fixed logits."""

import math

import numpy as np
import pytest
import tensorflow as tf

from ganlab import losses

LOG2 = math.log(2.0)


def sp(x):  # softplus, by hand
    return math.log1p(math.exp(x))


def test_minimax_discriminator_loss_at_chance_is_2_log_2():
    assert float(losses.minimax_discriminator_loss([0.0, 0.0], [0.0])) == pytest.approx(2 * LOG2)


def test_minimax_discriminator_loss_hand_values():
    # D(x) = sigmoid(2), D(G(z)) = sigmoid(-1) and sigmoid(3):
    # -log sigmoid(2) - mean(log(1 - sigmoid(-1)), log(1 - sigmoid(3)))
    expected = sp(-2.0) + 0.5 * (sp(-1.0) + sp(3.0))
    got = losses.minimax_discriminator_loss([2.0], [-1.0, 3.0])
    assert float(got) == pytest.approx(expected, rel=1e-6)


def test_one_sided_label_smoothing_hand_values():
    # real target 0.9 (Salimans 2016): -[0.9 log sigmoid(2) + 0.1 log(1 - sigmoid(2))]
    # on the real side; the fake side keeps its target 0.
    expected = 0.9 * sp(-2.0) + 0.1 * sp(2.0) + 0.5 * (sp(-1.0) + sp(3.0))
    got = losses.minimax_discriminator_loss([2.0], [-1.0, 3.0], real_label=0.9)
    assert float(got) == pytest.approx(expected, rel=1e-6)
    # D(x) = 0.9 is now optimal on real data: the real term's gradient is 0 there
    logit = tf.constant([math.log(9.0)])
    with tf.GradientTape() as tape:
        tape.watch(logit)
        loss = losses.minimax_discriminator_loss(logit, [0.0], real_label=0.9)
    assert float(tape.gradient(loss, logit)[0]) == pytest.approx(0.0, abs=1e-6)
    assert float(losses.minimax_discriminator_loss([2.0], [-1.0, 3.0], real_label=1.0)) == (
        pytest.approx(sp(-2.0) + 0.5 * (sp(-1.0) + sp(3.0)), rel=1e-6))


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.1])
def test_one_sided_label_smoothing_rejects_targets_outside_0_1(bad):
    with pytest.raises(ValueError, match="real_label"):
        losses.minimax_discriminator_loss([0.0], [0.0], real_label=bad)


def test_generator_losses_hand_values():
    logits = [-2.0, 0.5]
    assert float(losses.minimax_generator_loss(logits)) == pytest.approx(
        -0.5 * (sp(-2.0) + sp(0.5)), rel=1e-6)  # mean log(1 - D)
    assert float(losses.non_saturating_generator_loss(logits)) == pytest.approx(
        0.5 * (sp(2.0) + sp(-0.5)), rel=1e-6)  # -mean log D


def test_losses_are_finite_for_extreme_logits():
    big = [1e4, -1e4]
    for value in (
        losses.minimax_discriminator_loss(big, big),
        losses.minimax_generator_loss(big),
        losses.non_saturating_generator_loss(big),
    ):
        assert np.isfinite(float(value))
    # -log sigmoid(-1e4) = 1e4 exactly in the limit
    assert float(losses.non_saturating_generator_loss([-1e4])) == pytest.approx(1e4)


def test_minimax_gradient_saturates_where_non_saturating_does_not():
    logits = tf.constant([-8.0])  # D(G(z)) = 0.0003: D rejects the sample
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(logits)
        mm = losses.minimax_generator_loss(logits)
        ns = losses.non_saturating_generator_loss(logits)
    g_mm = float(tape.gradient(mm, logits)[0])
    g_ns = float(tape.gradient(ns, logits)[0])
    assert g_mm == pytest.approx(-1 / (1 + math.exp(8.0)), rel=1e-5)  # -D(G(z))
    assert g_ns == pytest.approx(-(1 - 1 / (1 + math.exp(8.0))), rel=1e-5)  # -(1 - D)
    assert abs(g_ns) > 1000 * abs(g_mm)


def test_wasserstein_and_least_squares_hand_values():
    real, fake = [1.0, 3.0], [-2.0, 0.0]
    assert float(losses.wasserstein_discriminator_loss(real, fake)) == pytest.approx(-1.0 - 2.0)
    assert float(losses.wasserstein_generator_loss(fake)) == pytest.approx(1.0)
    # 1/2 mean((r - 1)^2) + 1/2 mean(f^2) = 1/2 * (0 + 4)/2 + 1/2 * (4 + 0)/2
    assert float(losses.least_squares_discriminator_loss(real, fake)) == pytest.approx(2.0)
    # 1/2 mean((f - 1)^2) = 1/2 * (9 + 1) / 2
    assert float(losses.least_squares_generator_loss(fake)) == pytest.approx(2.5)


@pytest.mark.parametrize("shape", [(4,), (4, 1), (2, 3, 3, 1), (2, 4, 4, 2)])
def test_losses_accept_any_rank_and_average_every_element(shape):
    rng = np.random.default_rng(0)
    real = rng.normal(size=shape).astype("float32")
    fake = rng.normal(size=shape).astype("float32")
    flat = losses.minimax_discriminator_loss(real.reshape(-1), fake.reshape(-1))
    assert float(losses.minimax_discriminator_loss(real, fake)) == pytest.approx(float(flat), rel=1e-6)
    for fn in (losses.non_saturating_generator_loss, losses.minimax_generator_loss,
               losses.wasserstein_generator_loss, losses.least_squares_generator_loss):
        out = fn(fake)
        assert out.shape == ()
        assert float(out) == pytest.approx(float(fn(fake.reshape(-1))), rel=1e-6)


def test_losses_compute_in_float32_from_float16_logits():
    out = losses.non_saturating_generator_loss(tf.constant([0.0, 1.0], tf.float16))
    assert out.dtype == tf.float32


def test_gradient_penalty_of_linear_critic_is_norm_minus_one_squared():
    w = tf.constant([[3.0], [4.0]])  # ||w|| = 5

    def critic(x, training=False):
        return tf.matmul(x, w)

    real = tf.random.normal((8, 2), seed=1)
    fake = tf.random.normal((8, 2), seed=2)
    assert float(losses.gradient_penalty(critic, real, fake, seed=3)) == pytest.approx(16.0, rel=1e-5)


def test_gradient_penalty_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="real.shape"):
        losses.gradient_penalty(lambda x, training=False: x, tf.zeros((2, 3)), tf.zeros((2, 4)))
