"""DCGAN nets: the reference parameter counts, shapes, guidelines, round-trips."""

import keras
import numpy as np
import pytest

import ganlab  # noqa: F401 (registers ganlab's serializables, as a grader would)
from ganlab.nets.dcgan import dcgan_discriminator, dcgan_generator


def trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_reference_parameter_counts():
    # PyTorch DCGAN tutorial, 64x64x3, nz=100, ngf=ndf=64, no conv biases.
    g = dcgan_generator(latent_dim=100, image_size=64, channels=3, width=64)
    d = dcgan_discriminator(image_size=64, channels=3, width=64)
    assert trainable(g) == 3_576_704
    assert trainable(d) == 2_765_568


@pytest.mark.parametrize("size", [8, 16, 28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_shapes(size, channels):
    g = dcgan_generator(latent_dim=8, image_size=size, channels=channels, width=4)
    d = dcgan_discriminator(image_size=size, channels=channels, width=4)
    z = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")
    images = g(z)
    assert tuple(images.shape) == (3, size, size, channels)
    assert tuple(d(images).shape) == (3, 1)


def test_generator_output_in_range_and_logit_unbounded():
    g = dcgan_generator(latent_dim=8, image_size=16, channels=1, width=8)
    z = 50.0 * np.random.default_rng(1).normal(size=(16, 8)).astype("float32")
    x = keras.ops.convert_to_numpy(g(z, training=True))
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert g.layers[-1].get_config()["activation"] == "tanh"
    d = dcgan_discriminator(image_size=16, channels=1, width=8)
    assert isinstance(d.layers[-1], keras.layers.Flatten)  # no sigmoid


def test_architecture_guidelines():
    g = dcgan_generator(image_size=64)
    d = dcgan_discriminator(image_size=64)
    for net in (g, d):
        banned = (keras.layers.Dense, keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
        assert not any(isinstance(layer, banned) for layer in net.layers)
        conv_types = (keras.layers.Conv2D, keras.layers.Conv2DTranspose)
        convs = [layer for layer in net.layers if isinstance(layer, conv_types)]
        assert convs and not any(c.use_bias for c in convs)
    g_kinds = [type(layer).__name__ for layer in g.layers]
    # batchnorm after every transposed conv but the output one
    assert g_kinds[-2:] == ["Conv2DTranspose", "Activation"]
    assert g_kinds.count("BatchNormalization") == g_kinds.count("Conv2DTranspose") - 1
    assert g_kinds.count("ReLU") == g_kinds.count("BatchNormalization")
    d_kinds = [type(layer).__name__ for layer in d.layers]
    # no batchnorm on the input layer: the first conv goes straight to LeakyReLU
    first = d_kinds.index("Conv2D")
    assert d_kinds[first + 1] == "LeakyReLU"
    assert d_kinds.count("BatchNormalization") == d_kinds.count("Conv2D") - 2
    slopes = {layer.negative_slope for layer in d.layers if isinstance(layer, keras.layers.LeakyReLU)}
    assert slopes == {0.2}
    strides = [layer.strides for layer in d.layers if isinstance(layer, keras.layers.Conv2D)]
    assert strides[:-1] == [(2, 2)] * 4


def test_conditional_variant():
    g = dcgan_generator(latent_dim=8, image_size=28, channels=1, width=4, condition_dim=10)
    d = dcgan_discriminator(image_size=28, channels=1, width=4, condition_dim=10)
    z = keras.ops.zeros((2, 8))
    c = keras.ops.convert_to_tensor(np.eye(10, dtype="float32")[[3, 7]])
    x = g([z, c])
    assert tuple(x.shape) == (2, 28, 28, 1)
    assert tuple(d([x, c]).shape) == (2, 1)
    # the condition changes the output
    assert not np.allclose(keras.ops.convert_to_numpy(x[0]), keras.ops.convert_to_numpy(x[1]))


@pytest.mark.parametrize("condition_dim", [None, 4])
def test_save_load_round_trip(tmp_path, condition_dim):
    g = dcgan_generator(latent_dim=8, image_size=16, channels=3, width=4, condition_dim=condition_dim)
    d = dcgan_discriminator(image_size=16, channels=3, width=4, condition_dim=condition_dim)
    z = np.random.default_rng(2).normal(size=(4, 8)).astype("float32")
    c = np.eye(4, dtype="float32")
    g_in = z if condition_dim is None else [z, c]
    images = keras.ops.convert_to_numpy(g(g_in, training=False))
    d_in = images if condition_dim is None else [images, c]
    logits = keras.ops.convert_to_numpy(d(d_in, training=False))
    g.save(tmp_path / "g.keras")
    d.save(tmp_path / "d.keras")
    g2 = keras.saving.load_model(tmp_path / "g.keras")
    d2 = keras.saving.load_model(tmp_path / "d.keras")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(g2(g_in, training=False)), images)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(d2(d_in, training=False)), logits)


@pytest.mark.parametrize(
    "builder, kwargs, argument",
    [
        (dcgan_generator, dict(image_size=48), "image_size=48"),
        (dcgan_generator, dict(image_size=4), "image_size=4"),
        (dcgan_generator, dict(image_size=32.0), "image_size=32.0"),
        (dcgan_generator, dict(width=0), "width=0"),
        (dcgan_generator, dict(latent_dim=0), "latent_dim=0"),
        (dcgan_generator, dict(channels=0), "channels=0"),
        (dcgan_generator, dict(condition_dim=0), "condition_dim=0"),
        (dcgan_discriminator, dict(image_size=100), "image_size=100"),
        (dcgan_discriminator, dict(width=-1), "width=-1"),
        (dcgan_discriminator, dict(channels=2.5), "channels=2.5"),
    ],
)
def test_bad_arguments(builder, kwargs, argument):
    with pytest.raises(ValueError, match=f"Received: {argument}"):
        builder(**kwargs)
