"""SRGAN nets: the paper's parameter counts, sub-pixel shapes, PReLU and batchnorm settings, VGG19."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganlab  # noqa: F401 (registers ganlab's serializables, as a grader would)
from ganlab.nets import srgan as nets


def trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_srresnet_16_blocks_x4_has_the_papers_count():
    # by hand: head 9*9*3*64 + 64 + 64 (PReLU) = 15,680; 16 blocks of 2 * (3*3*64*64 + 64)
    # + 2 * 128 (BN) + 64 = 74,176; body 36,928 + 128; two x2 blocks of 3*3*64*256 + 256 + 64;
    # tail 9*9*64*3 + 3 = 15,555
    assert 15_680 + 16 * 74_176 + 37_056 + 2 * 147_776 + 15_555 == 1_550_659
    assert trainable(nets.srresnet_generator(16, 4, 64)) == 1_550_659


def test_blocks_and_scale_change_the_count_as_they_should():
    base = trainable(nets.srresnet_generator(16, 4))
    assert trainable(nets.srresnet_generator(15, 4)) == base - 74_176
    assert trainable(nets.srresnet_generator(16, 2)) == base - 147_776
    assert trainable(nets.srresnet_generator(16, 8)) == base + 147_776
    # the bicubic skip adds no parameter
    assert trainable(nets.srresnet_generator(16, 4, bicubic_skip=True)) == base


def test_discriminator_at_96_has_the_papers_count():
    d = nets.srgan_discriminator(96)
    assert trainable(d) == 23_565_505
    assert nets.discriminator_filters(64) == [64, 64, 128, 128, 256, 256, 512, 512]
    # the dense layer sees (96 / 16)^2 * 512 features: the count depends on the size
    assert d.get_layer("dense").kernel.shape == (6 * 6 * 512, 1024)
    assert trainable(nets.srgan_discriminator(128)) - trainable(d) == (8 * 8 - 6 * 6) * 512 * 1024
    strides = [d.get_layer(f"conv{i}").strides[0] for i in range(1, 9)]
    assert strides == [1, 2, 1, 2, 1, 2, 1, 2]
    assert tuple(d.output_shape) == (None, 1)


def test_prelu_is_per_channel_and_the_pytorch_settings_are_passed():
    g = nets.srresnet_generator(2, 4, 16)
    prelus = [layer for layer in g.layers if isinstance(layer, keras.layers.PReLU)]
    assert len(prelus) == 1 + 2 + 2
    for layer in prelus:
        assert tuple(layer.alpha.shape) == (1, 1, 16)
        np.testing.assert_allclose(layer.alpha.numpy(), 0.25)
    d = nets.srgan_discriminator(32, 8, 16)
    for net in (g, d):
        bns = [layer for layer in net.layers if isinstance(layer, keras.layers.BatchNormalization)]
        assert bns and all(b.epsilon == 1e-5 and b.momentum == 0.9 and b.synchronized for b in bns)
    assert len([b for b in d.layers if isinstance(b, keras.layers.BatchNormalization)]) == 7
    slopes = {layer.negative_slope for layer in d.layers if isinstance(layer, keras.layers.LeakyReLU)}
    assert slopes == {0.2}


@pytest.mark.parametrize("scale", [2, 4, 8])
def test_sub_pixel_upsampling_shapes(scale):
    g = nets.srresnet_generator(1, scale, 8)
    assert tuple(g(np.zeros((2, 6, 5, 3), "float32")).shape) == (2, 6 * scale, 5 * scale, 3)
    shuffles = [layer for layer in g.layers if isinstance(layer, nets.PixelShuffle)]
    assert len(shuffles) == int(np.log2(scale))


def test_pixel_shuffle_is_depth_to_space():
    x = np.arange(2 * 3 * 4 * 8, dtype="float32").reshape(2, 3, 4, 8)
    y = nets.PixelShuffle(2)(x).numpy()
    np.testing.assert_array_equal(y, tf.nn.depth_to_space(x, 2).numpy())
    # by hand: output pixel (2i + a, 2j + b), channel c is input (i, j), channel (2a + b) * 2 + c
    assert y[0, 3, 5, 1] == x[0, 1, 2, (1 * 2 + 1) * 2 + 1]
    with pytest.raises(ValueError, match="divisible by 4"):
        nets.PixelShuffle(2).compute_output_shape((None, 3, 3, 6))


def test_bicubic_skip_starts_at_the_bicubic_baseline():
    from ganlab.data.superres import upscale

    g = nets.srresnet_generator(1, 4, 8, bicubic_skip=True)
    lr = np.random.default_rng(0).uniform(-0.9, 0.9, (2, 6, 6, 3)).astype("float32")
    out = g.predict(lr, verbose=0)
    np.testing.assert_allclose(np.clip(out, -1, 1), upscale(lr, 4), atol=1e-6)


def test_generator_round_trip(tmp_path):
    g = nets.srresnet_generator(2, 4, 8, bicubic_skip=True)
    g.get_layer("tail").kernel.assign(np.full(g.get_layer("tail").kernel.shape, 0.01, "float32"))
    g.save(tmp_path / "g.keras")
    loaded = keras.saving.load_model(tmp_path / "g.keras")
    x = np.random.default_rng(1).uniform(-1, 1, (1, 7, 9, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), g.predict(x, verbose=0), atol=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    ({"scale": 3}, "scale=3"), ({"blocks": -1}, "blocks=-1"), ({"filters": 0}, "filters=0")])
def test_bad_generator_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"Received: {match}"):
        nets.srresnet_generator(**kwargs)


def test_bad_discriminator_size():
    with pytest.raises(ValueError, match="Received: image_size=40"):
        nets.srgan_discriminator(40)


# ------------------------------------------------------------------- VGG19
def test_vgg_features_shapes_and_preprocessing():
    phi22 = nets.vgg19_features("22", weights="none")
    phi54 = nets.vgg19_features("54", weights="none")
    x = np.zeros((2, 96, 96, 3), "float32")
    assert tuple(phi22(x).shape) == (2, 48, 48, 128)
    assert tuple(phi54(x).shape) == (2, 6, 6, 512)
    assert not phi22.trainable_weights
    # [-1, 1] RGB -> 0-255 BGR minus the ImageNet means (Keras's "caffe" preprocessing)
    image = np.random.default_rng(0).uniform(-1, 1, (1, 4, 4, 3)).astype("float32")
    expected = keras.applications.vgg19.preprocess_input((image + 1) * 127.5)
    np.testing.assert_allclose(nets.VGGPreprocess()(image).numpy(), expected, atol=1e-3)


def test_vgg_features_are_rescaled_by_the_papers_factor(tmp_path):
    path = tmp_path / "vgg19.weights.h5"  # a weights file in the user's place (random weights)
    keras.applications.VGG19(include_top=False, weights=None).save_weights(path)
    unscaled = nets.vgg19_features("22", weights=path, feature_scale=1.0)
    scaled = nets.vgg19_features("22", weights=path)
    x = np.random.default_rng(0).uniform(-1, 1, (1, 16, 16, 3)).astype("float32")
    np.testing.assert_allclose(scaled(x).numpy() * 12.75, unscaled(x).numpy(), rtol=1e-4, atol=1e-3)


def test_missing_vgg_weights_say_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(nets.VGGWeightsMissingError) as info:
        nets.vgg19_features("54")
    message = str(info.value)
    assert "\n" not in message
    assert str(tmp_path / "models" / nets.VGG19_WEIGHTS_FILE) in message
    with pytest.raises(ValueError, match="not at /nowhere/vgg.h5"):
        nets.vgg19_features("22", weights="/nowhere/vgg.h5")
    with pytest.raises(ValueError, match="Received: layer='33'"):
        nets.vgg19_features("33", weights="none")
