"""CycleGAN's generator (Zhu, Park, Isola & Efros, 2017): a ResNet that keeps the image's size.

The paper's Appendix 7.2 names the layers (after Johnson et al. 2016):
c7s1-64, d128, d256, R256 x 9 (6 at 128x128), u128, u64, c7s1-3, where

- c7s1-k: reflection padding 3, a 7x7 stride-1 convolution with k filters,
  instance norm and ReLU;
- dk: a 3x3 stride-2 convolution with k filters (zero padding 1), instance
  norm, ReLU;
- Rk: a residual block, x + (reflect-pad 1, 3x3 conv k, norm, ReLU,
  reflect-pad 1, 3x3 conv k, norm)(x);
- uk: a 3x3 stride-1/2 (transposed) convolution with k filters, norm, ReLU;
- the last c7s1-3 has no norm and ends in tanh.

It follows the reference code layer for layer (junyanz/pytorch-CycleGAN-and-
pix2pix, `models/networks.py`, `ResnetGenerator` and `ResnetBlock`), so its
parameter counts are the reference's: 11,378,179 with 9 blocks (`resnet_9blocks`)
and 7,837,699 with 6 (`resnet_6blocks`), at any image size (it is fully
convolutional). With instance norm the convolutions keep their biases, as
in the reference (`use_bias = norm_layer == InstanceNorm2d`); instance norm
is `GroupNormalization(groups=-1, center=False, scale=False, epsilon=1e-5)`,
PyTorch's `InstanceNorm2d` default (no affine parameters). The transposed
convolutions reproduce PyTorch's `ConvTranspose2d(3, stride=2, padding=1,
output_padding=1)` exactly: a "valid" transposed convolution (2H + 1 rows)
with its first row and column cropped. Weights are N(0, 0.02), the
reference's `init_weights("normal")`.

CycleGAN's discriminator is the 70x70 PatchGAN of pix2pix with instance
norm on the 3 channels of one image:
`ganlab.nets.patchgan_discriminator(size, 3, n_layers=3, norm="instance")`
(2,764,737 parameters).
"""

import keras
from keras import layers

from ganlab.nets.layers import ReflectionPadding2D
from ganlab.nets.pix2pix import _check_int, _conv_init, _norm

GENERATOR_NORMS = ("instance", "batch")


def _conv(filters, kernel, stride, name, bias):
    return layers.Conv2D(filters, kernel, strides=stride, padding="valid", use_bias=bias,
                         kernel_initializer=_conv_init(), name=name)


def resnet_generator(
    image_size=256,
    in_channels=3,
    out_channels=3,
    ngf=64,
    n_blocks=9,
    norm="instance",
    name="resnet_generator",
):
    """Build CycleGAN's ResNet generator: image -> image of the same size.

    Args:
        image_size: side of the square input, a multiple of 4 (two
            stride-2 down-samplings) of at least 8.
        in_channels: channels of the input image.
        out_channels: channels of the output image.
        ngf: filters of the first convolution (the reference's `ngf`).
        n_blocks: residual blocks at the bottleneck (9 for 256x256, 6 for
            128x128 in the paper).
        norm: "instance" (the paper's) or "batch".
        name: name of the model.

    Returns:
        A functional `keras.Model` from `(batch, image_size, image_size,
        in_channels)` to `(batch, image_size, image_size, out_channels)`
        in [-1, 1].

    Raises:
        ValueError: for an image_size that is not a multiple of 4 (>= 8),
            channels, ngf or n_blocks that are not positive integers
            (n_blocks may be 0), or an unknown norm.

    Example:

    >>> g = resnet_generator(256, 3, 3, ngf=64, n_blocks=9)
    >>> sum(int(w.numpy().size) for w in g.trainable_weights)
    11378179
    """
    _check_int("image_size", image_size, 8)
    if image_size % 4:
        raise ValueError(
            "`image_size` must be a multiple of 4 (the generator down-samples twice). "
            f"Received: image_size={image_size!r}"
        )
    _check_int("in_channels", in_channels, 1)
    _check_int("out_channels", out_channels, 1)
    _check_int("ngf", ngf, 1)
    _check_int("n_blocks", n_blocks, 0)
    if norm not in GENERATOR_NORMS:
        raise ValueError(f"`norm` must be one of {GENERATOR_NORMS}. Received: norm={norm!r}")
    bias = norm == "instance"

    def norm_relu(h, prefix):
        h = _norm(norm, f"{prefix}_norm")(h)
        return layers.ReLU(name=f"{prefix}_relu")(h)

    image = keras.Input((image_size, image_size, in_channels), name="image")
    h = ReflectionPadding2D(3, name="c7s1_pad")(image)
    h = norm_relu(_conv(ngf, 7, 1, "c7s1", bias)(h), "c7s1")
    for i in range(2):  # d128, d256
        f = ngf * 2 ** (i + 1)
        h = layers.ZeroPadding2D(1, name=f"d{f}_pad")(h)
        h = norm_relu(_conv(f, 3, 2, f"d{f}", bias)(h), f"d{f}")
    f = ngf * 4
    for b in range(n_blocks):
        r = ReflectionPadding2D(1, name=f"R{b}_pad1")(h)
        r = norm_relu(_conv(f, 3, 1, f"R{b}_conv1", bias)(r), f"R{b}_1")
        r = ReflectionPadding2D(1, name=f"R{b}_pad2")(r)
        r = _norm(norm, f"R{b}_2_norm")(_conv(f, 3, 1, f"R{b}_conv2", bias)(r))
        h = layers.Add(name=f"R{b}_add")([h, r])
    for i in range(2):  # u128, u64
        f = ngf * 2 ** (1 - i)
        h = layers.Conv2DTranspose(f, 3, strides=2, padding="valid", use_bias=bias,
                                   kernel_initializer=_conv_init(), name=f"u{f}")(h)
        h = layers.Cropping2D(((1, 0), (1, 0)), name=f"u{f}_crop")(h)
        h = norm_relu(h, f"u{f}")
    h = ReflectionPadding2D(3, name="out_pad")(h)
    h = _conv(out_channels, 7, 1, "out", True)(h)
    out = layers.Activation("tanh", name="tanh", dtype="float32")(h)
    return keras.Model(image, out, name=name)
