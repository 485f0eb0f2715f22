"""Mixed precision (a LossScaleOptimizer around each optimizer) keeps G's weight average.

Under mixed_float16 `ganlab.training.Runtime.prepare` wraps each optimizer in
a `keras.optimizers.LossScaleOptimizer`, which reports `use_ema=False`
whatever it wraps. Before the fix `GANBase.fit` therefore never applied G's
average and `GAN.fit` never recalibrated batchnorm: after 100 steps G
differed from its average by ~0.06.
"""

import keras
import numpy as np
import pytest

import ganlab
from ganlab.models import GAN
from ganlab.models.base import uses_ema
from ganlab.nets import dcgan_discriminator, dcgan_generator, mlp_discriminator, mlp_generator


@pytest.fixture
def mixed_float16():
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    yield
    keras.config.set_dtype_policy(before)


def _toy_gan(wrap):
    ganlab.seed(0)
    gan = GAN(mlp_generator(2, 1, (16,)), mlp_discriminator(1, (16,)), seed=0)
    g_opt = keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.9)
    d_opt = keras.optimizers.Adam(1e-2)
    if wrap:
        g_opt, d_opt = keras.optimizers.LossScaleOptimizer(g_opt), keras.optimizers.LossScaleOptimizer(d_opt)
    gan.compile(g_opt, d_opt)
    return gan


def _distance_to_average(gan):
    inner = gan.g_optimizer
    while isinstance(inner, keras.optimizers.LossScaleOptimizer):
        inner = inner.inner_optimizer
    averages = inner._model_variables_moving_average
    return max(float(np.max(np.abs(np.asarray(w) - np.asarray(a))))
               for w, a in zip(gan.generator.trainable_variables, averages, strict=True))


def _fit_100_steps(gan):
    data = np.random.default_rng(0).normal(4.0, 0.5, (1600, 1)).astype("float32")
    gan.fit(data, batch_size=16, epochs=1, verbose=0)  # 100 steps


def test_uses_ema_sees_through_the_loss_scale_wrapper():
    plain = keras.optimizers.Adam(use_ema=True)
    wrapped = keras.optimizers.LossScaleOptimizer(plain)
    assert not wrapped.use_ema  # what hid the average
    assert uses_ema(wrapped) and uses_ema(plain)
    assert not uses_ema(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam()))


def test_mixed_float16_generator_ends_equal_to_its_average(mixed_float16):
    gan = _toy_gan(wrap=True)
    assert gan.generator.layers[1].compute_dtype == "float16"
    _fit_100_steps(gan)
    assert int(gan.g_optimizer.iterations) == 100
    assert _distance_to_average(gan) == 0.0


def test_float32_generator_ends_equal_to_its_average_and_the_check_can_fail():
    gan = _toy_gan(wrap=False)
    _fit_100_steps(gan)
    assert _distance_to_average(gan) == 0.0
    # Negative control: without finalising, the live weights are far from the average.
    gan = _toy_gan(wrap=False)
    keras.Model.fit(gan, np.random.default_rng(0).normal(4.0, 0.5, (1600, 1)).astype("float32"),
                    batch_size=16, epochs=1, verbose=0)
    assert _distance_to_average(gan) > 1e-3


def test_mixed_float16_recalibrates_batchnorm_of_the_averaged_generator(mixed_float16):
    ganlab.seed(0)
    gan = GAN(dcgan_generator(2, 8, 1, 4), dcgan_discriminator(8, 1, 4), seed=0)
    gan.compile(
        keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.05, use_ema=True, ema_momentum=0.99)),
        keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-3)),
    )
    calls = []
    original = gan.recalibrate_batchnorm
    gan.recalibrate_batchnorm = lambda *a, **k: calls.append(original(*a, **k))
    images = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    gan.fit(images, batch_size=16, epochs=1, verbose=0)
    assert calls == [1]  # the generator's one batchnorm layer
