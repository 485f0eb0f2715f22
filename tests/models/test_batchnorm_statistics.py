"""GAN, WGAN and ConditionalGAN treat the other network's batchnorm statistics alike.

In every variant both networks run in training mode in both steps, as in the
reference implementations (the PyTorch DCGAN example, Arjovsky's WGAN code):
a D-step changes G's moving statistics exactly as one training-mode pass of G
on the step's noise would, and leaves G's trainable weights bit-identical;
a G-step does the same to D. Before, ConditionalGAN froze them (stateless
calls) while GAN and WGAN updated them and said "untouched".
"""

import keras
import numpy as np
import pytest

import ganlab
from ganlab.models import GAN, WGAN, ConditionalGAN
from ganlab.nets import dcgan_discriminator, dcgan_generator
from ganlab.nets.conditional import conditional_dcgan_discriminator, conditional_dcgan_generator

LATENT, SIZE, CLASSES, N = 4, 16, 3, 16  # 16x16: D has a batchnorm layer


def make(kind):
    ganlab.seed(0)
    if kind == "ConditionalGAN":
        model = ConditionalGAN(conditional_dcgan_generator(LATENT, CLASSES, SIZE, 1, 4),
                               conditional_dcgan_discriminator(CLASSES, SIZE, 1, 4),
                               num_classes=CLASSES, seed=0)
    else:
        cls = GAN if kind == "GAN" else WGAN
        model = cls(dcgan_generator(LATENT, SIZE, 1, 4), dcgan_discriminator(SIZE, 1, 4), seed=0)
    model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    return model


def clone(net):
    copy = keras.models.clone_model(net)
    copy.set_weights(net.get_weights())
    return copy


def split(net, values):
    trainable = [np.array(v) for v, w in zip(values, net.weights, strict=True) if w.trainable]
    statistics = [np.array(v) for v, w in zip(values, net.weights, strict=True) if not w.trainable]
    return trainable, statistics


def inputs():
    rng = np.random.default_rng(1)
    real = rng.uniform(-1, 1, (N, SIZE, SIZE, 1)).astype("float32")
    z = rng.normal(size=(N, LATENT)).astype("float32")
    y = (np.arange(N) % CLASSES).astype("int32")
    return tuple(keras.ops.convert_to_tensor(a) for a in (real, z, y))


def d_step(model, kind, real, z, y):
    if kind == "GAN":
        model.discriminator_step(real, z=z)
    elif kind == "WGAN":
        model.critic_step(real, z=z)
    else:
        model.discriminator_step(real, y, z=z, fake_labels=y)


def g_step(model, kind, z, y):
    if kind == "ConditionalGAN":
        model.generator_step(y, z=z, fake_labels=y)
    else:
        model.generator_step(N, z=z)


def g_inputs(kind, z, y):
    return [z, y] if kind == "ConditionalGAN" else z


def d_inputs(kind, images, y):
    return [images, y] if kind == "ConditionalGAN" else images


@pytest.mark.parametrize("kind", ["GAN", "WGAN", "ConditionalGAN"])
def test_d_step_updates_g_statistics_as_one_training_pass_and_no_g_weight(kind):
    model = make(kind)
    real, z, y = inputs()
    before = model.generator.get_weights()
    expected = clone(model.generator)
    expected(g_inputs(kind, z, y), training=True)
    d_step(model, kind, real, z, y)
    g_trainable, g_stats = split(model.generator, model.generator.get_weights())
    b_trainable, b_stats = split(model.generator, before)
    e_trainable, e_stats = split(model.generator, expected.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(g_trainable, b_trainable, strict=True))
    assert g_stats and all(not np.array_equal(a, b) for a, b in zip(g_stats, b_stats, strict=True))
    for a, b in zip(g_stats, e_stats, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kind", ["GAN", "WGAN", "ConditionalGAN"])
def test_g_step_updates_d_statistics_as_one_training_pass_and_no_d_weight(kind):
    model = make(kind)
    _, z, y = inputs()
    before = model.discriminator.get_weights()
    g, expected = clone(model.generator), clone(model.discriminator)
    expected(d_inputs(kind, g(g_inputs(kind, z, y), training=True), y), training=True)
    g_step(model, kind, z, y)
    d_trainable, d_stats = split(model.discriminator, model.discriminator.get_weights())
    b_trainable, b_stats = split(model.discriminator, before)
    _, e_stats = split(model.discriminator, expected.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(d_trainable, b_trainable, strict=True))
    assert d_stats and all(not np.array_equal(a, b) for a, b in zip(d_stats, b_stats, strict=True))
    for a, b in zip(d_stats, e_stats, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
