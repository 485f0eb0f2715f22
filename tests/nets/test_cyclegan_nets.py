"""CycleGAN's ResNet generator and reflection padding against the reference and numpy."""

import keras
import numpy as np
import pytest

from ganlab.nets import ReflectionPadding2D, patchgan_discriminator, resnet_generator


def count(net):
    return sum(int(np.prod(w.shape)) for w in net.trainable_weights)


@pytest.mark.parametrize("size, blocks, expected", [(256, 9, 11_378_179), (128, 6, 7_837_699)])
def test_reference_parameter_counts(size, blocks, expected):
    # resnet_9blocks / resnet_6blocks of junyanz/pytorch-CycleGAN-and-pix2pix (ngf 64, instance norm)
    assert count(resnet_generator(size, 3, 3, ngf=64, n_blocks=blocks)) == expected


def test_discriminator_is_the_instance_norm_patchgan():
    assert count(patchgan_discriminator(256, 3, n_layers=3, norm="instance")) == 2_764_737


@pytest.mark.parametrize("size", [16, 32, 64])
def test_output_keeps_the_size_and_range(size):
    g = resnet_generator(size, 3, 1, ngf=4, n_blocks=2)
    x = np.random.default_rng(0).uniform(-1, 1, (2, size, size, 3)).astype("float32")
    y = g.predict(x, verbose=0)
    assert y.shape == (2, size, size, 1)
    assert np.all(np.abs(y) <= 1.0)


def test_layers_follow_the_paper():
    g = resnet_generator(64, 3, 3, ngf=8, n_blocks=3)
    kinds = [type(layer).__name__ for layer in g.layers]
    assert kinds.count("ReflectionPadding2D") == 2 + 2 * 3  # c7s1 in and out, two per block
    assert kinds.count("Add") == 3
    assert [layer.get_config()["kernel_size"] for layer in g.layers
            if type(layer).__name__ in ("Conv2D", "Conv2DTranspose")] == [(7, 7)] + [(3, 3)] * 10 + [(7, 7)]
    norms = [layer for layer in g.layers if type(layer).__name__ == "GroupNormalization"]
    assert norms and all(n.groups == n.input.shape[-1] and not n.center and not n.scale and n.epsilon == 1e-5
                         for n in norms)
    assert g.layers[-1].get_config()["activation"] == "tanh"


def test_transposed_convolution_matches_pytorch_alignment():
    # PyTorch's ConvTranspose2d(k=3, s=2, padding=1, output_padding=1): input pixel i
    # reaches output rows 2i - 1, 2i, 2i + 1 (kernel taps 0, 1, 2). With a one-hot
    # input at (2, 2) and a kernel whose taps are 1, 2, 3 along rows, output row 3 holds
    # tap 0, row 4 tap 1, row 5 tap 2.
    g = resnet_generator(8, 1, 1, ngf=1, n_blocks=0, norm="batch")
    up = g.get_layer("u2")
    crop = g.get_layer("u2_crop")
    x = np.zeros((1, 4, 4, up.input.shape[-1]), "float32")
    x[0, 2, 2, 0] = 1.0
    kernel = np.zeros(up.kernel.shape, "float32")
    kernel[:, 1, 0, 0] = [1.0, 2.0, 3.0]  # (rows, cols, out, in)
    up.kernel.assign(kernel)
    assert up.bias is None  # batchnorm follows: no bias, as the reference
    out = keras.ops.convert_to_numpy(crop(up(x)))[0, :, :, 0]
    assert out.shape == (8, 8)
    assert out[3:6, 4].tolist() == [1.0, 2.0, 3.0]
    assert np.count_nonzero(out) == 3


@pytest.mark.parametrize("padding", [1, 3, (2, 1)])
def test_reflection_padding_matches_numpy(padding):
    x = np.random.default_rng(1).normal(size=(2, 5, 6, 3)).astype("float32")
    r, c = (padding, padding) if isinstance(padding, int) else padding
    expected = np.pad(x, ((0, 0), (r, r), (c, c), (0, 0)), mode="reflect")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(ReflectionPadding2D(padding)(x)), expected)


def test_reflection_padding_bad_input():
    with pytest.raises(ValueError, match="Received: padding=-1"):
        ReflectionPadding2D(-1)
    with pytest.raises(ValueError, match="padding < the input's rows"):
        ReflectionPadding2D(4)(np.zeros((1, 4, 8, 1), "float32"))


@pytest.mark.parametrize("kwargs, argument", [({"image_size": 30}, "image_size"),
                                              ({"n_blocks": -1}, "n_blocks"),
                                              ({"norm": "layer"}, "norm"),
                                              ({"ngf": 0}, "ngf")])
def test_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=f"{argument}="):
        resnet_generator(**{"image_size": 32, **kwargs})


def test_round_trip(tmp_path):
    g = resnet_generator(16, 3, 3, ngf=4, n_blocks=1)
    g.save(tmp_path / "g.keras")
    again = keras.saving.load_model(tmp_path / "g.keras")
    x = np.random.default_rng(2).uniform(-1, 1, (1, 16, 16, 3)).astype("float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), g.predict(x, verbose=0), atol=1e-6)
