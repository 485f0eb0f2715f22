"""The Wasserstein losses and the gradient penalty against hand-computed values."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlab import losses


def test_wasserstein_losses_by_hand():
    real = np.array([1.0, 3.0, 2.0], "float32")
    fake = np.array([[0.5], [-0.5]], "float32")
    # E[f(fake)] - E[f(real)] = 0 - 2
    assert float(losses.wasserstein_discriminator_loss(real, fake)) == pytest.approx(-2.0)
    assert float(losses.wasserstein_generator_loss(np.array([1.0, 2.0]))) == pytest.approx(-1.5)


class Linear:
    """D(x) = w . x over the flattened example, with a record of what it saw."""

    def __init__(self, w):
        self.w = tf.constant(np.asarray(w, "float32").reshape(-1))
        self.seen = []

    def __call__(self, x, training=False):
        self.seen.append(np.asarray(x))
        flat = tf.reshape(x, (tf.shape(x)[0], -1))
        return tf.linalg.matvec(flat, self.w)


@pytest.mark.parametrize("w", [[3.0, 4.0], [0.6, 0.8], [0.1, -0.2], [0.0, 0.0]])
def test_linear_critic_penalty_is_norm_minus_one_squared(w):
    rng = np.random.default_rng(1)
    real = rng.normal(size=(64, 2)).astype("float32")
    fake = rng.normal(3.0, 2.0, size=(64, 2)).astype("float32")
    expected = (np.linalg.norm(w) - 1.0) ** 2
    # Whatever the interpolation: drawn, all-real, all-fake, or arbitrary.
    for eps in (None, np.zeros((64, 1)), np.ones((64, 1)), rng.uniform(size=(64, 1))):
        gp = losses.gradient_penalty(Linear(w), real, fake, epsilon=eps, seed=3)
        assert float(gp) == pytest.approx(expected, rel=1e-5, abs=1e-5)


def test_linear_critic_penalty_on_images():
    w = np.full((4, 4, 3), 0.1, "float32")  # ||w|| = 0.1 * sqrt(48)
    real = np.zeros((8, 4, 4, 3), "float32")
    fake = np.ones((8, 4, 4, 3), "float32")
    gp = losses.gradient_penalty(Linear(w), real, fake, seed=0)
    assert float(gp) == pytest.approx((0.1 * np.sqrt(48) - 1.0) ** 2, rel=1e-5)


def test_epsilon_drawn_uniform_per_example_with_broadcast_shape():
    critic = Linear(np.ones((2, 2, 1)))
    real = np.ones((512, 2, 2, 1), "float32")
    fake = np.zeros((512, 2, 2, 1), "float32")
    losses.gradient_penalty(critic, real, fake, seed=keras.random.SeedGenerator(5))
    x_hat = critic.seen[-1]  # = eps * 1 + (1 - eps) * 0 = eps, broadcast per example
    eps = x_hat[:, 0, 0, 0]
    # One eps per example: constant over the example's pixels.
    np.testing.assert_array_equal(x_hat, np.broadcast_to(eps[:, None, None, None], x_hat.shape))
    assert eps.min() >= 0.0 and eps.max() <= 1.0
    assert len(np.unique(eps)) == 512
    # U[0, 1] (not the normal of the keras-io example): mean 1/2, variance 1/12, no mass outside.
    assert abs(eps.mean() - 0.5) < 0.04 and abs(eps.var() - 1 / 12) < 0.015


def test_penalty_gradient_is_finite_where_the_critic_gradient_is_zero():
    # A critic whose input gradient is exactly zero at every point: relu of a
    # negative pre-activation. The plain norm sqrt(0) has a NaN derivative.
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="relu")])
    critic.layers[0].kernel.assign(np.ones((2, 1), "float32"))
    critic.layers[0].bias.assign(np.array([-100.0], "float32"))
    real = np.zeros((4, 2), "float32")
    fake = np.ones((4, 2), "float32")
    with tf.GradientTape() as tape:
        gp = losses.gradient_penalty(critic, real, fake, seed=0)
    grads = tape.gradient(gp, critic.trainable_variables)
    assert float(gp) == pytest.approx(1.0, abs=1e-5)
    for g in grads:
        assert g is None or np.all(np.isfinite(np.asarray(g)))


def test_penalty_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"real.shape=\(4, 2\), fake.shape=\(4, 3\)"):
        losses.gradient_penalty(Linear([1, 1]), np.zeros((4, 2)), np.zeros((4, 3)))
