"""pix2pix nets (Isola, Zhu, Zhou & Efros, 2017): a U-Net generator and a PatchGAN.

Both follow the reference code (junyanz/pytorch-CycleGAN-and-pix2pix,
`models/networks.py`: `UnetGenerator` with `UnetSkipConnectionBlock`, and
`NLayerDiscriminator` / `PixelDiscriminator`) layer for layer, so their
parameter counts are the reference's:

- `unet_generator(256, 3, 3)` is the reference's `unet_256` (8 down- and 8
  up-sampling blocks, ngf = 64): 54,413,955 trainable parameters;
- `patchgan_discriminator(256, 6)` is its `basic` 70x70 PatchGAN
  (n_layers = 3, ndf = 64, batchnorm) on (input, output) pairs: 2,768,705
  trainable parameters and a 30x30 map of logits; with instance norm on 3
  channels (CycleGAN's discriminator) 2,764,737.

Where Keras's defaults differ from PyTorch's, the reference's values are
passed explicitly: LeakyReLU slope 0.2 (Keras: 0.3), batchnorm epsilon 1e-5
and momentum 0.9 (PyTorch's 0.1 is the weight of the new batch, Keras's
momentum the weight of the old statistics), weights N(0, 0.02) and
batchnorm scales N(1, 0.02) (the reference's `init_weights("normal")`).
Convolutions followed by batchnorm have no bias (batchnorm's offset replaces
it); with instance norm, which has no offset here, they keep it, as in the
reference (`use_bias = norm_layer == InstanceNorm2d`).

Batchnorm is synchronised across replicas (`synchronized=True`): under a
`tf.distribute` strategy the batch statistics are those of the global
batch, so N replicas train the model one device would. The U-Net's dropout
draws the mask of the global batch and keeps its replica's slice, for the
same reason (`GlobalBatchDropout`).

Instance norm is `GroupNormalization(groups=-1, center=False, scale=False,
epsilon=1e-5)`: PyTorch's `InstanceNorm2d` default (no affine parameters).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ganlab.nets.layers import ReplicaSafeSeedGenerator

NORMS = ("batch", "instance", None)
"""The discriminator's normalisation choices."""

_MIN_UNET_SIZE = 16


# ---------------------------------------------------------------- helpers
def _conv_init():
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def _check_int(arg, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{arg}` must be an integer >= {minimum}. Received: {arg}={value!r}")


def _norm(kind, name):
    """The normalisation layer of a kind ("batch" or "instance")."""
    if kind == "batch":
        return layers.BatchNormalization(
            momentum=0.9,
            epsilon=1e-5,
            gamma_initializer=keras.initializers.RandomNormal(mean=1.0, stddev=0.02),
            synchronized=True,
            name=name,
        )
    return layers.GroupNormalization(
        groups=-1, center=False, scale=False, epsilon=1e-5, name=name
    )


def _unet_depth(image_size):
    """Number of down-sampling blocks: log2(image_size), so the bottleneck is 1x1."""
    ok = (
        not isinstance(image_size, bool)
        and isinstance(image_size, (int, np.integer))
        and image_size >= _MIN_UNET_SIZE
        and image_size & (image_size - 1) == 0
    )
    if not ok:
        raise ValueError(
            f"`image_size` must be a power of 2 that is at least {_MIN_UNET_SIZE} "
            f"(16, 32, 64, ..., 256). Received: image_size={image_size!r}"
        )
    return int(image_size).bit_length() - 1


@keras.saving.register_keras_serializable("ganlab")
class GlobalBatchDropout(layers.Layer):
    """Dropout that draws the mask of the global batch and keeps its replica's slice.

    Keras's `Dropout` draws, on each replica, a mask for that replica's
    share from the same seed, so every replica drops the same units: N
    replicas then do not train the model one device would. This layer draws
    the mask of the whole global batch (`batch * num_replicas`) and each
    replica keeps its own rows, so the masks are exactly one device's.

    The pix2pix generator's only noise is its dropout, which the paper keeps
    at test time ("we apply dropout at test time", Isola 2017, Section 3.1):
    `at_inference=True` does that (outside training too).

    Args:
        rate: fraction of the units dropped, in [0, 1).
        at_inference: also drop units when called with `training=False`.
        seed: integer seed of the layer's `SeedGenerator`.

    Example:
        >>> layer = GlobalBatchDropout(0.5, seed=0)
        >>> y = layer(keras.ops.ones((2, 4)), training=True)
        >>> sorted(set(np.unique(keras.ops.convert_to_numpy(y))) - {0.0, 2.0})
        []
    """

    def __init__(self, rate=0.5, at_inference=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"`rate` must be a number in [0, 1). Received: rate={rate!r}")
        self.rate = float(rate)
        self.at_inference = bool(at_inference)
        self.seed = seed
        self.seed_generator = ReplicaSafeSeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if self.rate == 0 or not (training or self.at_inference):
            return inputs
        ctx = tf.distribute.get_replica_context()
        replica, replicas = (0, 1) if ctx is None else (
            ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync)
        batch = keras.ops.shape(inputs)[0]
        shape = (batch * replicas, *keras.ops.shape(inputs)[1:])
        keep = keras.random.uniform(shape, seed=self.seed_generator) >= self.rate
        if replicas > 1:
            keep = keep[replica * batch : (replica + 1) * batch]
        scale = keras.ops.cast(1.0 / (1.0 - self.rate), inputs.dtype)
        return keras.ops.where(keep, inputs * scale, keras.ops.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "at_inference": self.at_inference, "seed": self.seed}


# -------------------------------------------------------------- generator
def unet_filters(image_size, ngf=64):
    """Filters of each down-convolution of the U-Net, outermost first.

    Level i (1-based) has ngf * min(2**(i - 1), 8) filters; there are
    log2(image_size) levels, the last one 1x1.

    Example:
        >>> unet_filters(256, 64)
        [64, 128, 256, 512, 512, 512, 512, 512]
    """
    depth = _unet_depth(image_size)
    return [ngf * min(2**i, 8) for i in range(depth)]


def unet_generator(
    image_size=256,
    in_channels=3,
    out_channels=3,
    ngf=64,
    dropout=0.5,
    dropout_at_inference=False,
    norm="batch",
    seed=None,
    name="unet_generator",
):
    """Build the pix2pix U-Net generator: image x -> image G(x) in [-1, 1].

    The encoder has log2(image_size) stride-2 4x4 convolutions (so the
    bottleneck is 1x1; 8 at 256x256, the reference's `unet_256`), level i
    with ngf * min(2**(i - 1), 8) filters; the decoder mirrors it with
    stride-2 4x4 transposed convolutions, and the input of each decoder
    block is the previous decoder output concatenated (on channels) with the
    encoder's activation at the same level (the skip connections). As in
    the reference (`UnetSkipConnectionBlock`):

    - encoder: conv, then batchnorm and LeakyReLU(0.2); no batchnorm on the
      first (outermost) convolution, nor on the innermost one (1x1):
      normalising a 1x1 map at batch 1 would make it a constant, and the
      bottleneck would carry nothing;
    - decoder: ReLU, transposed conv, batchnorm; the outermost block ends
      with a transposed conv with bias (to `out_channels`) and tanh;
    - no bias on the convolutions followed by batchnorm; the outermost and
      innermost down-convolutions have none either (the reference's
      `bias=use_bias` on every down-convolution);
    - dropout (rate 0.5) on the output of the decoder blocks between two
      ngf * 8 levels (the reference's `num_downs - 5` middle blocks, with
      `use_dropout`): the three above the innermost one at 256x256, one at
      64x64, none at 32x32 and below.

    The skip carries the encoder's activation after its LeakyReLU: the
    reference's LeakyReLU runs in place on the tensor that it then
    concatenates, so its skip is activated too.

    `norm="instance"` is the reference's `--norm instance`: every batchnorm
    becomes an instance norm (no affine parameters) and every convolution
    gets a bias. The paper trains with batch size 1, where batchnorm in
    training mode *is* instance norm, and tests the same way; instance norm
    computes that per-image normalisation in batches of any size, and the
    same at inference.

    Args:
        image_size: side of the square input and output: a power of 2 >= 16.
        in_channels: channels of the input x (e.g. 1 for a gray image).
        out_channels: channels of the output (e.g. 3 for color).
        ngf: filters of the outermost convolution (the reference's `ngf`).
        dropout: dropout rate of the middle decoder blocks, in [0, 1);
            0 turns dropout off (the reference's `--no_dropout`).
        dropout_at_inference: keep dropout on when the net is called with
            `training=False`, as the paper does at test time.
        norm: "batch" (the reference's default) or "instance".
        seed: integer seed of the dropout masks.
        name: name of the model.

    Returns:
        A functional `keras.Model` from `(batch, image_size, image_size,
        in_channels)` to `(batch, image_size, image_size, out_channels)`.
        Layers are named `down{i}` (convs), `down{i}_bn` (`_in` for
        instance norm), `down{i}_lrelu`, `up{i}` (transposed convs, up{i}
        undoing down{i}), `up{i}_bn` (`_in`),
        `up{i}_dropout`, `skip{i}` (the concatenation fed to up{i}) and
        `bottleneck` (the innermost 1x1 map).

    Raises:
        ValueError: if `image_size` is not a power of 2 >= 16, or
            `in_channels`, `out_channels` or `ngf` is not a positive
            integer, `dropout` is not in [0, 1), or `norm` is neither
            "batch" nor "instance".

    Example:

    >>> g = unet_generator(256, 3, 3, ngf=64)  # the reference's unet_256
    >>> sum(int(np.prod(w.shape)) for w in g.trainable_weights)
    54413955
    >>> tuple(unet_generator(32, 1, 3, ngf=8)(np.zeros((2, 32, 32, 1))).shape)
    (2, 32, 32, 3)
    """
    _check_int("in_channels", in_channels, 1)
    _check_int("out_channels", out_channels, 1)
    _check_int("ngf", ngf, 1)
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"`dropout` must be a number in [0, 1). Received: dropout={dropout!r}")
    if norm not in ("batch", "instance"):
        raise ValueError(f"`norm` must be 'batch' or 'instance'. Received: norm={norm!r}")
    filters = unet_filters(image_size, ngf)
    depth = len(filters)
    bias = norm == "instance"  # the reference: use_bias = (norm is InstanceNorm2d)
    suffix = "bn" if norm == "batch" else "in"

    def conv(f, i):
        return layers.Conv2D(f, 4, strides=2, padding="same", use_bias=bias,
                             kernel_initializer=_conv_init(), name=f"down{i}")

    def upconv(f, i, bias=bias):
        return layers.Conv2DTranspose(f, 4, strides=2, padding="same", use_bias=bias,
                                      kernel_initializer=_conv_init(), name=f"up{i}")

    image = keras.Input((image_size, image_size, in_channels), name="input_image")
    skips = []  # the encoder's activation at levels 1 .. depth - 1
    h = conv(filters[0], 1)(image)
    h = layers.LeakyReLU(negative_slope=0.2, name="down1_lrelu")(h)
    skips.append(h)
    for i in range(2, depth):
        h = conv(filters[i - 1], i)(h)
        h = _norm(norm, f"down{i}_{suffix}")(h)
        h = layers.LeakyReLU(negative_slope=0.2, name=f"down{i}_lrelu")(h)
        skips.append(h)
    h = conv(filters[-1], depth)(h)  # innermost: no norm
    h = layers.Identity(name="bottleneck")(h)

    for i in range(depth, 1, -1):  # up{i} undoes down{i}, to level i - 1
        if i < depth:
            h = layers.Concatenate(name=f"skip{i}")([skips[i - 1], h])
        h = layers.ReLU(name=f"up{i}_relu")(h)
        h = upconv(filters[i - 2], i)(h)
        h = _norm(norm, f"up{i}_{suffix}")(h)
        if dropout and 5 <= i < depth:  # a middle ngf*8 block of the reference
            h = GlobalBatchDropout(
                dropout, at_inference=dropout_at_inference,
                seed=None if seed is None else seed + i, name=f"up{i}_dropout")(h)
    h = layers.Concatenate(name="skip1")([skips[0], h])
    h = layers.ReLU(name="up1_relu")(h)
    h = upconv(out_channels, 1, bias=True)(h)
    output = layers.Activation("tanh", name="tanh", dtype="float32")(h)
    return keras.Model(image, output, name=name)


# ---------------------------------------------------------- discriminator
def patchgan_discriminator(
    image_size=256,
    in_channels=6,
    n_layers=3,
    norm="batch",
    ndf=64,
    name="patchgan_discriminator",
):
    """Build a PatchGAN discriminator: image -> a map of logits, one per patch.

    The reference's `NLayerDiscriminator`: a 4x4 stride-2 convolution with
    bias and LeakyReLU(0.2) (no norm), n_layers - 1 more stride-2 4x4
    convolutions with ndf * min(2**n, 8) filters, one stride-1 4x4
    convolution, each followed by norm and LeakyReLU(0.2), and a stride-1
    4x4 convolution (with bias) to 1 channel. The stride-1 convolutions pad
    by 1 (PyTorch's `padding=1`), so each shrinks the map by one pixel. Each
    output cell is the logit of one patch of the input, whose side is the
    receptive field: 16, 34, 70 and 142 pixels for n_layers 1, 2, 3, 4
    (70x70 is the paper's default). There is no sigmoid.

    `n_layers=0` builds the reference's `PixelDiscriminator` (PixelGAN):
    1x1 convolutions ndf, 2 * ndf (with norm) and 1, so each cell judges one
    pixel.

    For pix2pix, D judges (input, output) pairs concatenated on channels:
    `in_channels` is the sum of both (6 for RGB to RGB).

    Args:
        image_size: side of the square input: a multiple of 2**n_layers
            large enough for a map of at least 1x1 (3 * 2**n_layers).
        in_channels: channels of the input (both images of a pair).
        n_layers: number of stride-2 convolutions (3: the 70x70 PatchGAN);
            0: the PixelGAN.
        norm: "batch" (pix2pix), "instance" (CycleGAN: GroupNormalization
            with one group per channel, no affine parameters) or None.
        ndf: filters of the first convolution (the reference's `ndf`).
        name: name of the model.

    Returns:
        A functional `keras.Model` from `(batch, image_size, image_size,
        in_channels)` to logits `(batch, m, m, 1)`, m = image_size /
        2**n_layers - 2 (image_size for the PixelGAN).

    Raises:
        ValueError: for an unknown `norm`, an `n_layers` that is not an
            integer >= 0, an `image_size` too small or not a multiple of
            2**n_layers, or `in_channels` or `ndf` not a positive integer.

    Example:

    >>> d = patchgan_discriminator(256, 6, n_layers=3, norm="batch", ndf=64)
    >>> sum(int(np.prod(w.shape)) for w in d.trainable_weights)
    2768705
    >>> tuple(d.output_shape)
    (None, 30, 30, 1)
    """
    if norm not in NORMS:
        raise ValueError(f"`norm` must be one of {NORMS}. Received: norm={norm!r}")
    _check_int("n_layers", n_layers, 0)
    _check_int("in_channels", in_channels, 1)
    _check_int("ndf", ndf, 1)
    step = 2**n_layers
    minimum = 1 if n_layers == 0 else 3 * step
    if (isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer))
            or image_size < minimum or image_size % step):
        raise ValueError(
            f"`image_size` must be a multiple of 2**n_layers = {step} that is at least "
            f"{minimum} (n_layers={n_layers}). Received: image_size={image_size!r}"
        )
    bias = norm != "batch"  # the reference: use_bias = (norm is InstanceNorm2d)

    def conv(f, kernel, stride, i, use_bias):
        return layers.Conv2D(f, kernel, strides=stride, padding="same" if stride == 2 else "valid",
                             use_bias=use_bias, kernel_initializer=_conv_init(), name=f"conv{i}")

    def normalise(h, i):
        return h if norm is None else _norm(norm, f"conv{i}_norm")(h)

    def lrelu(h, i):
        return layers.LeakyReLU(negative_slope=0.2, name=f"conv{i}_lrelu")(h)

    image = keras.Input((image_size, image_size, in_channels), name="pair")
    if n_layers == 0:  # PixelDiscriminator
        h = lrelu(conv(ndf, 1, 1, 1, True)(image), 1)
        h = lrelu(normalise(conv(2 * ndf, 1, 1, 2, bias)(h), 2), 2)
        h = conv(1, 1, 1, 3, bias)(h)
    else:
        h = lrelu(conv(ndf, 4, 2, 1, True)(image), 1)
        for i in range(2, n_layers + 1):
            h = conv(ndf * min(2 ** (i - 1), 8), 4, 2, i, bias)(h)
            h = lrelu(normalise(h, i), i)
        i = n_layers + 1
        h = layers.ZeroPadding2D(1, name=f"conv{i}_pad")(h)
        h = conv(ndf * min(2**n_layers, 8), 4, 1, i, bias)(h)
        h = lrelu(normalise(h, i), i)
        h = layers.ZeroPadding2D(1, name=f"conv{i + 1}_pad")(h)
        h = conv(1, 4, 1, i + 1, True)(h)
    logits = layers.Activation("linear", name="logits", dtype="float32")(h)
    return keras.Model(image, logits, name=name)


def receptive_field(n_layers):
    """Side in pixels of the patch each PatchGAN cell sees (1 for the PixelGAN).

    Example:
        >>> [receptive_field(n) for n in (0, 1, 2, 3, 4)]
        [1, 16, 34, 70, 142]
    """
    _check_int("n_layers", n_layers, 0)
    if n_layers == 0:
        return 1
    field = 1 + 3 + 3  # the two stride-1 4x4 convolutions, from the output back
    for _ in range(n_layers):
        field = (field - 1) * 2 + 4
    return field
