"""pix2pix nets: reference parameter counts, U-Net skips, PatchGAN receptive fields."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganlab  # noqa: F401 (registers ganlab's serializables, as a grader would)
from ganlab.nets.pix2pix import (
    GlobalBatchDropout,
    patchgan_discriminator,
    receptive_field,
    unet_filters,
    unet_generator,
)


def trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@pytest.fixture(scope="module")
def unet_256():
    """The reference's unet_256, built once (54M parameters)."""
    return unet_generator(256, 3, 3, ngf=64)


# ----------------------------------------------------------------- counts
def test_unet_256_has_the_reference_parameter_count(unet_256):
    assert trainable(unet_256) == 54_413_955


def test_unet_256_with_instance_norm():
    # the reference's --norm instance: InstanceNorm2d without affine parameters, and a
    # bias on every convolution: 54,413,955 + 3,008 (down-conv biases) + 2,496 (up-conv
    # biases) - 4,864 - 4,992 (batchnorm scales and offsets) = 54,409,603
    g = unet_generator(256, 3, 3, ngf=64, norm="instance")
    assert trainable(g) == 54_409_603
    norms = [layer for layer in g.layers if isinstance(layer, keras.layers.GroupNormalization)]
    assert len(norms) == 13 and not any(isinstance(layer, keras.layers.BatchNormalization)
                                        for layer in g.layers)
    assert all(c.use_bias for c in g.layers if isinstance(c, keras.layers.Conv2D))


def test_instance_norm_unet_translates_each_image_alone():
    g = unet_generator(32, 1, 2, ngf=4, norm="instance")
    x = np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 1)).astype("float32")
    together = keras.ops.convert_to_numpy(g(x, training=True))
    alone = np.concatenate([keras.ops.convert_to_numpy(g(x[i:i + 1], training=True)) for i in range(4)])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(g(x)), together, atol=1e-5)


def test_patchgan_70_has_the_reference_parameter_count_and_a_30x30_map():
    d = patchgan_discriminator(256, 6, n_layers=3, norm="batch", ndf=64)
    assert trainable(d) == 2_768_705
    assert tuple(d.output_shape) == (None, 30, 30, 1)


def test_patchgan_70_with_instance_norm_is_cyclegans_discriminator():
    d = patchgan_discriminator(256, 3, n_layers=3, norm="instance", ndf=64)
    assert trainable(d) == 2_764_737
    assert tuple(d.output_shape) == (None, 30, 30, 1)
    norms = [layer for layer in d.layers if isinstance(layer, keras.layers.GroupNormalization)]
    assert len(norms) == 3
    for layer in norms:
        # groups=-1: one group per channel (set to the channel count when built)
        assert layer.groups == layer.get_build_config()["input_shape"][-1]
        assert not layer.center and not layer.scale
        assert layer.epsilon == 1e-5


# ----------------------------------------------------------------- U-Net
def test_unet_layers_follow_the_reference(unet_256):
    g = unet_256
    slopes = {layer.negative_slope for layer in g.layers if isinstance(layer, keras.layers.LeakyReLU)}
    assert slopes == {0.2}
    assert len([layer for layer in g.layers if isinstance(layer, keras.layers.LeakyReLU)]) == 7
    assert len([layer for layer in g.layers if isinstance(layer, keras.layers.ReLU)]) == 8
    for layer in g.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            assert (layer.epsilon, layer.momentum, layer.synchronized) == (1e-5, 0.9, True)
    # no norm on the outermost and the innermost down-convolutions
    names = {layer.name for layer in g.layers}
    assert "down1_bn" not in names and "down8_bn" not in names
    assert {f"down{i}_bn" for i in range(2, 8)} <= names
    # no bias on any down-conv, nor on the up-convs followed by batchnorm
    conv_types = (keras.layers.Conv2D, keras.layers.Conv2DTranspose)
    convs = [layer for layer in g.layers if isinstance(layer, conv_types)]
    assert [c.name for c in convs if c.use_bias] == ["up1"]
    assert g.get_layer("up1").filters == 3
    assert g.layers[-1].get_config()["activation"] == "tanh"
    # dropout 0.5 on the three middle decoder blocks (the reference's num_downs - 5)
    drops = [layer for layer in g.layers if isinstance(layer, GlobalBatchDropout)]
    assert [layer.name for layer in drops] == ["up7_dropout", "up6_dropout", "up5_dropout"]
    assert {layer.rate for layer in drops} == {0.5}
    init = g.get_layer("down3").kernel_initializer
    assert isinstance(init, keras.initializers.RandomNormal) and init.stddev == 0.02


@pytest.mark.parametrize("size", [32, 64, 256])
def test_unet_skip_shapes(size, unet_256):
    g = unet_256 if size == 256 else unet_generator(size, 1, 2, ngf=8)
    ngf, c_in, c_out = (64, 3, 3) if size == 256 else (8, 1, 2)
    filters = unet_filters(size, ngf)
    depth = len(filters)
    assert depth == int(np.log2(size))
    assert tuple(g.get_layer("bottleneck").output.shape) == (None, 1, 1, filters[-1])
    for i in range(1, depth + 1):
        side = size // 2**i
        assert tuple(g.get_layer(f"down{i}").output.shape) == (None, side, side, filters[i - 1])
        # up{i} undoes down{i}
        out = c_out if i == 1 else filters[i - 2]
        assert tuple(g.get_layer(f"up{i}").output.shape) == (None, 2 * side, 2 * side, out)
        if i < depth:  # skip{i}: the encoder's level i next to the decoder's
            assert tuple(g.get_layer(f"skip{i}").output.shape) == (
                None, side, side, 2 * filters[i - 1])
    assert tuple(g.input.shape) == (None, size, size, c_in)
    assert tuple(g.output.shape) == (None, size, size, c_out)


def test_unet_skip_carries_the_encoder_activation():
    g = unet_generator(32, 1, 3, ngf=4)
    skip = g.get_layer("skip2")
    sources = [t._keras_history[0].name for t in skip.input]
    assert sources == ["down2_lrelu", "up3_bn"]


def test_bottleneck_carries_information_at_batch_1():
    g = unet_generator(64, 1, 3, ngf=8)
    probe = keras.Model(g.input, g.get_layer("bottleneck").output)
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1, 1, (1, 64, 64, 1)).astype("float32") for _ in range(2))
    za = keras.ops.convert_to_numpy(probe(a, training=True))
    zb = keras.ops.convert_to_numpy(probe(b, training=True))
    assert za.shape == (1, 1, 1, 64)
    assert np.abs(za - zb).max() > 1e-3
    assert np.std(za) > 1e-3  # and it is not a constant map
    # the whole net, in training mode at batch 1, tells the inputs apart too
    ga = keras.ops.convert_to_numpy(g(a, training=True))
    gb = keras.ops.convert_to_numpy(g(b, training=True))
    assert np.abs(ga - gb).max() > 1e-3


def test_unet_output_is_in_range():
    g = unet_generator(16, 3, 3, ngf=4)
    x = 30 * np.random.default_rng(1).normal(size=(2, 16, 16, 3)).astype("float32")
    y = keras.ops.convert_to_numpy(g(x, training=True))
    assert y.shape == (2, 16, 16, 3) and y.min() >= -1 and y.max() <= 1


# ------------------------------------------------------------- dropout
def test_global_batch_dropout_scales_kept_units_and_is_off_at_inference():
    layer = GlobalBatchDropout(0.5, seed=0)
    x = np.ones((64, 16), "float32")
    y = keras.ops.convert_to_numpy(layer(x, training=True))
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.4 < (y == 0).mean() < 0.6
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=False)), x)
    always = GlobalBatchDropout(0.5, at_inference=True, seed=0)
    assert (keras.ops.convert_to_numpy(always(x, training=False)) == 0).any()


def test_dropout_at_inference_makes_the_generator_stochastic():
    g = unet_generator(64, 1, 1, ngf=4, dropout_at_inference=True, seed=1)
    x = np.random.default_rng(2).uniform(-1, 1, (2, 64, 64, 1)).astype("float32")
    a = keras.ops.convert_to_numpy(g(x, training=False))
    b = keras.ops.convert_to_numpy(g(x, training=False))
    assert np.abs(a - b).max() > 0
    plain = unet_generator(64, 1, 1, ngf=4, seed=1)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(plain(x)), keras.ops.convert_to_numpy(plain(x)))


# ------------------------------------------------------------- PatchGAN
def gradient_extent(d, size, channels, training=False):
    """Rows and columns of the input that the centre cell of D's map depends on."""
    x = tf.Variable(np.random.default_rng(0).normal(size=(1, size, size, channels)).astype("float32"))
    with tf.GradientTape() as tape:
        out = d(x, training=training)
        m = out.shape[1]
        cell = out[0, m // 2, m // 2, 0]
    grad = np.abs(tape.gradient(cell, x).numpy()[0]).sum(axis=-1)
    rows = np.nonzero(grad.sum(axis=1))[0]
    cols = np.nonzero(grad.sum(axis=0))[0]
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1, rows.min(), rows.max()


@pytest.mark.parametrize("n_layers, field, size", [(1, 16, 64), (2, 34, 96), (3, 70, 160),
                                                   (4, 142, 320)])
def test_patchgan_receptive_field_by_gradient(n_layers, field, size):
    d = patchgan_discriminator(size, 2, n_layers=n_layers, norm=None, ndf=2)
    h, w, top, bottom = gradient_extent(d, size, 2)
    assert 0 < top and bottom < size - 1  # the patch lies inside the image
    assert (h, w) == (field, field) == (receptive_field(n_layers),) * 2


def test_patchgan_receptive_field_with_batchnorm_in_inference_mode():
    d = patchgan_discriminator(160, 2, n_layers=3, norm="batch", ndf=2)
    assert gradient_extent(d, 160, 2, training=False)[:2] == (70, 70)


def test_pixelgan_judges_single_pixels():
    d = patchgan_discriminator(32, 6, n_layers=0, norm="batch", ndf=64)
    assert tuple(d.output_shape) == (None, 32, 32, 1)
    # the reference's PixelDiscriminator: 6*64+64, 64*128 (no bias) + bn, 128*1 (no bias)
    assert trainable(d) == 6 * 64 + 64 + 64 * 128 + 2 * 128 + 128
    assert gradient_extent(d, 32, 6)[:2] == (1, 1)


def test_patchgan_strides_kernels_and_map():
    d = patchgan_discriminator(64, 4, n_layers=3, norm="batch", ndf=8)
    convs = [layer for layer in d.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.strides for c in convs] == [(2, 2)] * 3 + [(1, 1)] * 2
    assert {c.kernel_size for c in convs} == {(4, 4)}
    assert [c.use_bias for c in convs] == [True, False, False, False, True]
    assert tuple(d.output_shape) == (None, 6, 6, 1)
    assert isinstance(d.layers[-1], keras.layers.Activation)  # linear: logits, no sigmoid


# ---------------------------------------------------------- round trips
@pytest.mark.parametrize("build", [
    lambda: unet_generator(64, 1, 3, ngf=4, dropout_at_inference=False, seed=3),
    lambda: patchgan_discriminator(32, 4, n_layers=2, norm="batch", ndf=4),
    lambda: patchgan_discriminator(32, 3, n_layers=2, norm="instance", ndf=4),
    lambda: patchgan_discriminator(16, 6, n_layers=0, norm=None, ndf=4),
])
def test_save_load_round_trip(tmp_path, build):
    net = build()
    x = np.random.default_rng(4).uniform(-1, 1, (2, *net.input_shape[1:])).astype("float32")
    path = tmp_path / "net.keras"
    net.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)),
                               keras.ops.convert_to_numpy(net(x)), atol=1e-6)
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in net.layers]


def test_dropout_round_trip_keeps_its_options():
    g = unet_generator(64, 1, 1, ngf=4, dropout=0.3, dropout_at_inference=True, seed=5)
    loaded = keras.Model.from_config(g.get_config())
    layer = loaded.get_layer("up5_dropout")
    assert (layer.rate, layer.at_inference, layer.seed) == (0.3, True, 10)


# ------------------------------------------------------------ bad inputs
@pytest.mark.parametrize("kwargs, match", [
    ({"image_size": 48}, "image_size=48"),
    ({"image_size": 8}, "image_size=8"),
    ({"image_size": "32"}, "image_size='32'"),
    ({"image_size": True}, "image_size=True"),
    ({"in_channels": 0}, "in_channels=0"),
    ({"out_channels": 2.0}, "out_channels=2.0"),
    ({"ngf": -1}, "ngf=-1"),
    ({"dropout": 1.0}, "dropout=1.0"),
    ({"norm": None}, "norm=None"),
])
def test_unet_bad_inputs(kwargs, match):
    args = {"image_size": 32, "in_channels": 1, "out_channels": 3, "ngf": 4, **kwargs}
    with pytest.raises(ValueError, match=f"Received: {match}"):
        unet_generator(**args)


@pytest.mark.parametrize("kwargs, match", [
    ({"norm": "layer"}, "norm='layer'"),
    ({"n_layers": -1}, "n_layers=-1"),
    ({"image_size": 16, "n_layers": 3}, "image_size=16"),  # a map smaller than 1x1
    ({"image_size": 100, "n_layers": 3}, "image_size=100"),  # not a multiple of 8
    ({"in_channels": 0}, "in_channels=0"),
    ({"ndf": 0}, "ndf=0"),
])
def test_patchgan_bad_inputs(kwargs, match):
    args = {"image_size": 64, "in_channels": 6, **kwargs}
    with pytest.raises(ValueError, match=f"Received: {match}"):
        patchgan_discriminator(**args)


def test_dropout_bad_rate():
    with pytest.raises(ValueError, match="Received: rate=1.5"):
        GlobalBatchDropout(1.5)
