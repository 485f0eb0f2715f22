"""ProGAN / StyleGAN layers, each against its formula computed with numpy."""

import math

import keras
import numpy as np
import pytest

import ganlab  # noqa: F401  (registers the layers)
from ganlab.nets.layers import MinibatchStddev
from ganlab.nets.style_layers import (
    AdaIN,
    EqualizedConv2D,
    EqualizedDense,
    LearnedConstant,
    NoiseInput,
    PixelNorm,
)

RNG = np.random.default_rng(0)


def test_pixel_norm_is_eq_1_of_karras_2018():
    a = RNG.normal(size=(2, 3, 3, 5)).astype("float32") * 3
    expected = a / np.sqrt(np.mean(a**2, axis=-1, keepdims=True) + 1e-8)
    np.testing.assert_allclose(PixelNorm()(a), expected, rtol=1e-5)
    # a hand value: (3, 4) has mean square 12.5
    np.testing.assert_allclose(PixelNorm()(np.array([[3.0, 4.0]], "float32")),
                               [[3 / math.sqrt(12.5), 4 / math.sqrt(12.5)]], rtol=1e-6)


def test_equalized_dense_scales_by_he_constant_at_run_time():
    layer = EqualizedDense(4, gain=math.sqrt(2), lr_multiplier=0.01, bias_init=0.5)
    x = RNG.normal(size=(3, 6)).astype("float32")
    y = np.asarray(layer(x))
    w, b = np.asarray(layer.kernel), np.asarray(layer.bias)
    c = math.sqrt(2) / math.sqrt(6) * 0.01  # He's constant times the lr multiplier
    np.testing.assert_allclose(y, x @ (w * c) + b * 0.01, rtol=1e-5, atol=1e-6)
    # stored N(0, 1/lr_mul^2) weights and bias_init / lr_mul: effective weights are He's
    np.testing.assert_allclose(b, 50.0)
    big = EqualizedDense(512, lr_multiplier=0.01)
    big.build((None, 512))
    assert abs(np.std(np.asarray(big.kernel)) - 100.0) < 2.0
    assert abs(np.std(np.asarray(big.kernel) * big.scale) - math.sqrt(2 / 512)) < 0.002


def test_lr_multiplier_shrinks_the_parameter_gradient():
    """d y / d W is lr_mul * (He constant) * x: a step of Adam (scale-free) moves the
    effective weight lr_mul times as far as with lr_mul 1."""
    import tensorflow as tf

    x = np.ones((1, 4), "float32")
    grads = {}
    for mult in (1.0, 0.01):
        layer = EqualizedDense(1, lr_multiplier=mult, use_bias=False)
        layer.build((None, 4))
        with tf.GradientTape() as tape:
            y = layer(x)
        grads[mult] = float(tape.gradient(y, layer.kernel).numpy()[0, 0])
    assert grads[1.0] == pytest.approx(math.sqrt(2) / 2)
    assert grads[0.01] == pytest.approx(0.01 * math.sqrt(2) / 2)


def test_equalized_conv_is_a_conv_with_scaled_kernel():
    layer = EqualizedConv2D(3, 3, gain=1.0)
    x = RNG.normal(size=(2, 5, 5, 2)).astype("float32")
    y = np.asarray(layer(x))
    w = np.asarray(layer.kernel) / math.sqrt(3 * 3 * 2)
    padded = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)])
    expected = np.zeros((2, 5, 5, 3), "float32")
    for i in range(5):
        for j in range(5):
            expected[:, i, j] = np.einsum("nabc,abcd->nd", padded[:, i:i + 3, j:j + 3], w)
    np.testing.assert_allclose(y, expected + np.asarray(layer.bias), rtol=1e-4, atol=1e-5)


def test_adain_is_the_slide_formula():
    x = RNG.normal(2.0, 3.0, size=(2, 4, 4, 3)).astype("float32")
    y_s = RNG.normal(size=(2, 3)).astype("float32")
    y_b = RNG.normal(size=(2, 3)).astype("float32")
    out = np.asarray(AdaIN()([x, y_s, y_b]))
    mu = x.mean(axis=(1, 2), keepdims=True)
    sigma = np.sqrt(x.var(axis=(1, 2), keepdims=True) + 1e-8)
    expected = y_s[:, None, None] * (x - mu) / sigma + y_b[:, None, None]
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    # each output map has exactly the style's mean and standard deviation
    np.testing.assert_allclose(out.mean(axis=(1, 2)), y_b, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(1, 2)), np.abs(y_s), rtol=1e-4)


def test_noise_input_adds_per_channel_scaled_noise():
    layer = NoiseInput()
    x = RNG.normal(size=(2, 3, 3, 4)).astype("float32")
    noise = RNG.normal(size=(2, 3, 3, 1)).astype("float32")
    np.testing.assert_array_equal(layer([x, noise]), x)  # B starts at 0
    strength = np.array([0.0, 1.0, -2.0, 0.5], "float32")
    layer.strength.assign(strength)
    np.testing.assert_allclose(layer([x, noise]), x + strength * noise, rtol=1e-6)
    assert [w.name for w in layer.trainable_weights] == ["strength"]


def test_learned_constant_is_one_tensor_for_every_sample():
    layer = LearnedConstant(4, 6)
    out = np.asarray(layer(np.zeros((3, 10), "float32")))
    assert out.shape == (3, 4, 4, 6)
    np.testing.assert_array_equal(out, 1.0)
    layer.constant.assign(RNG.normal(size=(1, 4, 4, 6)).astype("float32"))
    out = np.asarray(layer(np.zeros((2, 10), "float32")))
    np.testing.assert_array_equal(out[0], out[1])
    np.testing.assert_array_equal(out[0], np.asarray(layer.constant)[0])


def test_minibatch_stddev_whole_batch_and_groups():
    x = RNG.normal(size=(8, 2, 2, 3)).astype("float32")
    whole = np.asarray(MinibatchStddev()(x))
    stat = np.mean(np.sqrt(x.var(axis=0) + 1e-8))
    np.testing.assert_allclose(whole[..., -1], stat, rtol=1e-5)
    np.testing.assert_array_equal(whole[..., :3], x)
    grouped = np.asarray(MinibatchStddev(group_size=4)(x))
    for g in range(2):  # groups of consecutive samples
        part = x[4 * g:4 * g + 4]
        np.testing.assert_allclose(grouped[4 * g:4 * g + 4, ..., -1],
                                   np.mean(np.sqrt(part.var(axis=0) + 1e-8)), rtol=1e-5)
    # the statistic of a batch's first half does not depend on its second half
    other = x.copy()
    other[4:] *= 10
    np.testing.assert_allclose(np.asarray(MinibatchStddev(group_size=4)(other))[:4], grouped[:4])


@pytest.mark.parametrize("layer, inputs", [
    (PixelNorm(), [np.ones((2, 3), "float32")]),
    (EqualizedDense(3, lr_multiplier=0.01, bias_init=1.0), [np.ones((2, 5), "float32")]),
    (EqualizedConv2D(2, 1, gain=1.0), [np.ones((1, 4, 4, 3), "float32")]),
    (AdaIN(), [[np.ones((2, 4, 4, 3), "float32"), np.ones((2, 3), "float32"),
                np.zeros((2, 3), "float32")]]),
    (NoiseInput(), [[np.ones((2, 4, 4, 3), "float32"), np.ones((2, 4, 4, 1), "float32")]]),
    (LearnedConstant(4, 2), [np.ones((2, 8), "float32")]),
    (MinibatchStddev(group_size=2), [np.ones((4, 2, 2, 3), "float32")]),
])
def test_registered_and_round_trips(layer, inputs, tmp_path):
    first = keras.Input(np.shape(inputs[0])[1:]) if not isinstance(inputs[0], list) else [
        keras.Input(np.shape(a)[1:]) for a in inputs[0]]
    model = keras.Model(first, layer(first))
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.layers[-1]) is type(layer)
    np.testing.assert_allclose(loaded.predict(inputs[0], verbose=0),
                               model.predict(inputs[0], verbose=0), rtol=1e-6)
    assert keras.saving.get_registered_name(type(layer)).startswith("ganlab>")


@pytest.mark.parametrize("make, match", [
    (lambda: EqualizedDense(0), "units must be an integer >= 1. Received: units=0"),
    (lambda: EqualizedDense(3, lr_multiplier=0), "lr_multiplier must be a number > 0"),
    (lambda: EqualizedConv2D(3, 2), "kernel_size must be odd"),
    (lambda: PixelNorm(epsilon=-1), "epsilon"),
    (lambda: LearnedConstant(0, 3), "size"),
    (lambda: MinibatchStddev(group_size=0), "group_size must be None"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
