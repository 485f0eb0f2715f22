"""SRGAN nets (Ledig et al., 2017): the SRResNet generator, the discriminator, VGG19 features.

- `srresnet_generator`: Ledig 2017, Fig. 4 (top): a 9x9 convolution and
  PReLU, B residual blocks (3x3 conv, batchnorm, PReLU, 3x3 conv,
  batchnorm, skip), a 3x3 convolution and batchnorm with the long skip,
  log2(scale) sub-pixel x2 upsampling blocks (conv to 4 * filters,
  `depth_to_space`, PReLU; Shi et al. 2016) and a 9x9 convolution to 3
  channels. With 16 blocks and 64 filters at x4: 1,550,659 trainable
  parameters (every convolution with a bias, as PyTorch's default).
- `srgan_discriminator`: Fig. 4 (bottom): eight 3x3 convolutions with
  64-64-128-128-256-256-512-512 filters and strides 1, 2, 1, 2, ...,
  batchnorm after all but the first, LeakyReLU(0.2), dense 1024,
  LeakyReLU(0.2), dense 1 (a logit; no sigmoid). At 96x96: 23,565,505
  trainable parameters (the dense layer's count depends on the size).
- `vgg19_features`: phi_{i,j} of a VGG19 (Simonyan 2015), "the feature map
  obtained by the j-th convolution (after activation) before the i-th
  maxpooling layer" (Ledig 2017, Section 2.2.2): phi_{2,2} is
  `block2_conv2`, phi_{5,4} `block5_conv4`, from images in [-1, 1] with
  VGG's own preprocessing inside.

PReLU has one alpha per channel (`shared_axes=[1, 2]`, initial 0.25,
PyTorch's `nn.PReLU(64)`): Keras's default of one alpha per pixel inflates
the count and ties the net to one input size. Batchnorm takes PyTorch's
values explicitly (epsilon 1e-5; PyTorch's momentum 0.1 is Keras's 0.9) and
is synchronised across replicas (`synchronized=True`), so N replicas train
the model one device would. The generator is fully convolutional (input
`(None, None, 3)`): it super-resolves images of any size, so the grader
runs it on the held-out photos' tiles whatever size it trained on.
"""

import os
from pathlib import Path

import keras
import numpy as np
from keras import layers

SCALES = (2, 4, 8)
"""Upscaling factors of the generator: log2(scale) sub-pixel x2 blocks."""

VGG_LAYERS = {"22": "block2_conv2", "54": "block5_conv4"}
"""phi_{i,j} of Ledig 2017 (the j-th conv before the i-th max-pooling) -> the Keras layer."""

VGG19_WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
"""The ImageNet weights `keras.applications.VGG19(include_top=False)` loads (Keras cache)."""

VGG_MEAN_BGR = (103.939, 116.779, 123.68)
"""ImageNet channel means, BGR, on 0-255: `keras.applications.vgg19.preprocess_input` ("caffe")."""


def _check_int(arg, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{arg}` must be an integer >= {minimum}. Received: {arg}={value!r}")


def _bn(name):
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True, name=name)


def _prelu(name):
    return layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25), shared_axes=[1, 2],
                        name=name)


@keras.saving.register_keras_serializable("ganlab")
class PixelShuffle(layers.Layer):
    """Sub-pixel convolution's rearrangement (Shi 2016): (H, W, r*r*C) -> (rH, rW, C).

    `tf.nn.depth_to_space` (`keras.ops` has no such op). Channel order is
    TensorFlow's (depth-major within each r x r block), which differs from
    PyTorch's `PixelShuffle`; the learned convolution before it absorbs that.

    Args:
        block_size: r, the upscaling factor of this layer.

    Example:
        >>> PixelShuffle(2)(np.zeros((1, 3, 5, 8), "float32")).shape
        TensorShape([1, 6, 10, 2])
    """

    def __init__(self, block_size=2, **kwargs):
        super().__init__(**kwargs)
        _check_int("block_size", block_size, 2)
        self.block_size = int(block_size)

    def call(self, inputs):
        import tensorflow as tf

        return tf.nn.depth_to_space(inputs, self.block_size)

    def compute_output_shape(self, input_shape):
        r = self.block_size
        h, w, c = input_shape[1:]
        if c % (r * r):
            raise ValueError(
                f"PixelShuffle({r}) needs channels divisible by {r * r}. Received: {c} channels")
        return (input_shape[0], None if h is None else h * r, None if w is None else w * r,
                c // (r * r))

    def get_config(self):
        return {**super().get_config(), "block_size": self.block_size}


@keras.saving.register_keras_serializable("ganlab")
class BicubicUpsample(layers.Layer):
    """Images -> `scale` times larger: `tf.image.resize(..., "bicubic", antialias=True)`.

    The call that makes the lab's bicubic baseline (`ganlab.data.superres.upscale`).

    Args:
        scale: the upscaling factor.
    """

    def __init__(self, scale=4, **kwargs):
        super().__init__(**kwargs)
        _check_int("scale", scale, 2)
        self.scale = int(scale)

    def call(self, inputs):
        import tensorflow as tf

        shape = tf.shape(inputs)
        size = (shape[1] * self.scale, shape[2] * self.scale)
        return tf.image.resize(inputs, size, method="bicubic", antialias=True)

    def compute_output_shape(self, input_shape):
        h, w = input_shape[1:3]
        return (input_shape[0], None if h is None else h * self.scale,
                None if w is None else w * self.scale, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def srresnet_generator(blocks=16, scale=4, filters=64, channels=3, bicubic_skip=False,
                       name="srresnet"):
    """Build the SRResNet generator: an LR image -> the HR image, `scale` times larger.

    Ledig 2017, Fig. 4: conv 9x9 (filters) + PReLU; `blocks` residual blocks
    [conv 3x3, BN, PReLU, conv 3x3, BN, + input]; conv 3x3 + BN, plus the
    output of the first PReLU (the long skip); log2(scale) blocks [conv 3x3
    to 4 * filters, PixelShuffle(2), PReLU]; conv 9x9 to `channels`. The
    output is linear, as in the paper's figure (the lab's images are in
    [-1, 1]; PSNR clips).

    Args:
        blocks: residual blocks B (16 in the paper).
        scale: 2, 4 or 8.
        filters: width (64 in the paper).
        channels: image channels (3).
        name: the model's name.

    Returns:
        A functional `keras.Model` (batch, h, w, channels) -> (batch,
        scale * h, scale * w, channels), any h and w. Layers: `head`,
        `block{b}_conv1`, ..., `body_conv`, `body_bn`, `up{k}_conv`,
        `up{k}_shuffle`, `up{k}_prelu`, `tail`.

    Raises:
        ValueError: for a scale outside (2, 4, 8), or blocks < 0, filters or
            channels < 1.

    Example:

    >>> g = srresnet_generator(16, 4)
    >>> sum(int(np.prod(w.shape)) for w in g.trainable_weights)
    1550659
    >>> tuple(srresnet_generator(2, 4, 8)(np.zeros((1, 6, 5, 3))).shape)
    (1, 24, 20, 3)
    """
    _check_int("blocks", blocks, 0)
    _check_int("filters", filters, 1)
    _check_int("channels", channels, 1)
    if scale not in SCALES or isinstance(scale, bool):
        raise ValueError(f"`scale` must be one of {SCALES}. Received: scale={scale!r}")

    def conv(f, k, n):
        return layers.Conv2D(f, k, padding="same", name=n)

    lr = keras.Input((None, None, channels), name="lr_image")
    head = _prelu("head_prelu")(conv(filters, 9, "head")(lr))
    h = head
    for b in range(1, blocks + 1):
        r = _bn(f"block{b}_bn1")(conv(filters, 3, f"block{b}_conv1")(h))
        r = _prelu(f"block{b}_prelu")(r)
        r = _bn(f"block{b}_bn2")(conv(filters, 3, f"block{b}_conv2")(r))
        h = layers.Add(name=f"block{b}_skip")([h, r])
    h = _bn("body_bn")(conv(filters, 3, "body_conv")(h))
    h = layers.Add(name="long_skip")([head, h])
    for k in range(1, int(scale).bit_length()):
        h = conv(4 * filters, 3, f"up{k}_conv")(h)
        h = PixelShuffle(2, name=f"up{k}_shuffle")(h)
        h = _prelu(f"up{k}_prelu")(h)
    if bicubic_skip:
        h = layers.Conv2D(channels, 9, padding="same", kernel_initializer="zeros", name="tail")(h)
        sr = layers.Add(name="bicubic_skip", dtype="float32")([BicubicUpsample(scale, name="bicubic")(lr), h])
    else:
        sr = layers.Conv2D(channels, 9, padding="same", name="tail", dtype="float32")(h)
    return keras.Model(lr, sr, name=name)


def discriminator_filters(filters=64):
    """Filters of the discriminator's eight convolutions (the paper's 64 .. 512).

    Example:
        >>> discriminator_filters(64)
        [64, 64, 128, 128, 256, 256, 512, 512]
    """
    return [filters * 2 ** (i // 2) for i in range(8)]


def srgan_discriminator(image_size=96, filters=64, dense=1024, channels=3, name="srgan_discriminator"):
    """Build the SRGAN discriminator: an HR image -> one logit (real = 1).

    Ledig 2017, Fig. 4: eight 3x3 convolutions (`discriminator_filters`),
    strides 1, 2, 1, 2, ... ("same" padding, so the side halves four
    times), batchnorm after all but the first, LeakyReLU(0.2) after each;
    then dense `dense` units, LeakyReLU(0.2), dense 1. The paper ends with a
    sigmoid; here the logit is returned and the losses apply it.

    Args:
        image_size: side of the square HR input, a multiple of 16 (96 in the paper).
        filters: filters of the first convolutions (64).
        dense: units of the hidden dense layer (1024).
        channels: image channels.
        name: the model's name.

    Raises:
        ValueError: for an image_size that is not a positive multiple of 16,
            or filters, dense or channels < 1.

    Example:

    >>> d = srgan_discriminator(96)
    >>> sum(int(np.prod(w.shape)) for w in d.trainable_weights)
    23565505
    """
    _check_int("filters", filters, 1)
    _check_int("dense", dense, 1)
    _check_int("channels", channels, 1)
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)) \
            or image_size < 16 or image_size % 16:
        raise ValueError(
            f"`image_size` must be a positive multiple of 16 (four stride-2 convolutions). "
            f"Received: image_size={image_size!r}")
    image = keras.Input((image_size, image_size, channels), name="hr_image")
    h = image
    for i, f in enumerate(discriminator_filters(filters), start=1):
        h = layers.Conv2D(f, 3, strides=1 if i % 2 else 2, padding="same", name=f"conv{i}")(h)
        if i > 1:
            h = _bn(f"conv{i}_bn")(h)
        h = layers.LeakyReLU(negative_slope=0.2, name=f"conv{i}_lrelu")(h)
    h = layers.Flatten(name="flatten")(h)
    h = layers.LeakyReLU(negative_slope=0.2, name="dense_lrelu")(layers.Dense(dense, name="dense")(h))
    logit = layers.Dense(1, name="logit", dtype="float32")(h)
    return keras.Model(image, logit, name=name)


# ------------------------------------------------------------------ VGG19
class VGGWeightsMissingError(ValueError):
    """The VGG19 ImageNet weights are not on this machine (they are never downloaded here)."""


def vgg19_weights_path(weights=None):
    """Where the VGG19 ImageNet weights are: `weights` if given, else the Keras cache.

    Raises:
        VGGWeightsMissingError: in one line, naming where to put the file.
    """
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    path = Path(weights) if weights else home / "models" / VGG19_WEIGHTS_FILE
    if not path.is_file():
        raise VGGWeightsMissingError(
            f"the VGG19 ImageNet weights are not at {path}: put {VGG19_WEIGHTS_FILE} there "
            "(keras.applications.VGG19(include_top=False) downloads it once online) or pass "
            "its path; offline, use the MSE content loss (--content mse, SRGAN-MSE)")
    return path


@keras.saving.register_keras_serializable("ganlab")
class VGGPreprocess(layers.Layer):
    """Images in [-1, 1], RGB -> VGG's input: 0-255, BGR, ImageNet mean subtracted ("caffe")."""

    def call(self, images):
        x = (images + 1.0) * 127.5
        x = keras.ops.flip(x, axis=-1)
        return x - keras.ops.convert_to_tensor(VGG_MEAN_BGR, dtype=x.dtype)


def vgg19_features(layer="54", weights=None, feature_scale=1 / 12.75, name=None):
    """phi_{i,j} of VGG19 (ImageNet weights, frozen): images in [-1, 1] -> feature maps.

    The VGG losses of Ledig 2017 (Eq. 5) compare these maps; "we rescaled
    the VGG feature maps by a factor of 1/12.75" (Section 3.2), which the
    net applies (`feature_scale`), so the MSE of its outputs is the paper's
    VGG loss: the MSE of the raw maps divided by 12.75^2 (about 163), not
    by 12.75 (the paper rescales the maps, and the loss is quadratic in them).

    Args:
        layer: "22" (phi_{2,2}, `block2_conv2`) or "54" (phi_{5,4},
            `block5_conv4`).
        weights: a path to the weights file; None: the Keras cache
            (~/.keras/models/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5);
            "none": random weights (tests, shapes only).
        feature_scale: the factor the maps are multiplied by.

    Returns:
        A non-trainable functional `keras.Model` (batch, H, W, 3) ->
        (batch, H / 2, W / 2, 128) for phi_{2,2}, (batch, H / 16, W / 16,
        512) for phi_{5,4}.

    Raises:
        ValueError: for an unknown layer.
        VGGWeightsMissingError: when the weights are not there (one line;
            they are never downloaded and nothing else is put in their place).
    """
    if layer not in VGG_LAYERS:
        raise ValueError(f"`layer` must be one of {tuple(VGG_LAYERS)} (phi_2,2 or phi_5,4). "
                         f"Received: layer={layer!r}")
    path = None if weights == "none" else vgg19_weights_path(weights)
    base = keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))
    if path is not None:
        base.load_weights(str(path))
    image = keras.Input((None, None, 3), name="image")
    features = keras.Model(base.input, base.get_layer(VGG_LAYERS[layer]).output)
    features.trainable = False
    out = features(VGGPreprocess(name="vgg_preprocess")(image)) * feature_scale
    return keras.Model(image, out, name=name or f"vgg19_phi{layer}")
