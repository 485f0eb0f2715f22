"""The toy recipes: which stabilisers each configuration turns on, and errors."""

import numpy as np
import pytest

from ganlab.recipes import toy


def layer_kinds(model):
    return [type(layer).__name__ for layer in model.layers]


def test_stabilised_has_minibatch_discrimination_decay_and_average():
    gan = toy.toy_gan(1, "stabilised", total_steps=100)
    assert "MinibatchDiscrimination" in layer_kinds(gan.discriminator)
    assert gan.g_optimizer.use_ema and gan.g_optimizer.ema_momentum == 0.999
    lr = gan.g_optimizer.learning_rate
    assert float(lr) == pytest.approx(1e-3)  # iteration 0 of the cosine decay


def test_plain_has_none_of_them():
    gan = toy.toy_gan(1, "plain", total_steps=100)
    assert "MinibatchDiscrimination" not in layer_kinds(gan.discriminator)
    assert not gan.g_optimizer.use_ema
    assert not gan.d_optimizer.use_ema


def test_minibatch_config_has_no_weight_average():
    gan = toy.toy_gan(2, "minibatch", total_steps=100)
    assert "MinibatchDiscrimination" in layer_kinds(gan.discriminator)
    assert not gan.g_optimizer.use_ema


@pytest.mark.parametrize("kwargs, match", [
    ({"config": "fancy"}, "config"),
    ({"d_steps": 0}, "d_steps"),
    ({"generator_loss": "hinge"}, "generator_loss"),
])
def test_bad_configuration(kwargs, match):
    with pytest.raises(ValueError, match=match):
        toy.toy_gan(1, total_steps=10, **kwargs)


def test_saturation_curves_are_the_analytic_gradients():
    curves = toy.saturation_curves(num=11)
    d, g_mm = curves["minimax"]
    _, g_ns = curves["non_saturating"]
    np.testing.assert_allclose(g_mm, d, atol=1e-6)       # |d/dl log(1 - D)| = D
    np.testing.assert_allclose(g_ns, 1 - d, atol=1e-6)   # |d/dl -log D| = 1 - D


def test_discriminator_curve_shape_and_range():
    gan = toy.toy_gan(1, "stabilised", total_steps=10)
    d = toy.discriminator_curve(gan, np.linspace(0, 8, 7)[:, None], context=7)
    assert d.shape == (7,) and np.all((d >= 0) & (d <= 1))
