"""DCGAN generator and discriminator (Radford, Metz & Chintala, 2016).

The architecture guidelines of the paper (section 3), followed here:

- no pooling: strided convolutions in D, fractionally-strided
  (`Conv2DTranspose`) convolutions in G;
- batch normalisation in both nets, except on G's output layer and D's
  input layer;
- no fully-connected hidden layers: z is projected to a 4x4 map by a 4x4
  transposed convolution of the 1x1 "image" z, and D's last layer is a 4x4
  valid convolution to one number;
- ReLU in G (tanh on its output), LeakyReLU(0.2) in D.

D returns a logit (no sigmoid): the losses in `ganlab.losses` take logits.
The layer shapes, initialisation (weights N(0, 0.02), batchnorm scale
N(1, 0.02)), batchnorm momentum 0.1 (PyTorch's convention; 0.9 in Keras's)
and epsilon 1e-5, and the absence of convolution biases follow the PyTorch
DCGAN tutorial (Inkawhich, "DCGAN Tutorial", pytorch.org/tutorials,
`beginner/dcgan_faces_tutorial`), the common reference implementation: at
64x64x3, `latent_dim=100` and `width=64` its generator has 3,576,704 and its
discriminator 2,765,568 trainable parameters, and so do these.

Both builders take `condition_dim` for conditional GANs (Mirza & Osindero,
2014): G then takes `[z, c]` and concatenates `c` to z; D takes
`[image, c]` and concatenates `c` to the image as constant channels.

Batchnorm under `tf.distribute`: a net built in the scope of a strategy with
more than one replica gets synchronised batchnorm
(`BatchNormalization(synchronized=True)`): in training mode each layer
normalises by the mean and variance of the *global* batch, all-reduced
across replicas, so N replicas train the model one device would for the
same global batch. Without it each replica normalises its own slice: in
tests/nets/mirrored_batchnorm_check.py two SGD steps on 2 replicas then
differ from the one-device steps by 2e-4 (GAN) to 4e-2 (WGAN-GP) in the
weights, and with it by 1e-7 at most (float32 round-off). On one device the
layers are Keras's plain batchnorm, as before. `synchronized_batchnorm=False` turns synchronisation
off (per-replica statistics, no all-reduce in the forward pass; its cost is
in benchmarks/results/distribute.md).
"""

import keras
import numpy as np  # noqa: F401 (used in the docstring examples)
import tensorflow as tf
from keras import layers

_MIN_SIZE = 8

SYNCHRONIZED_BATCHNORM = ("auto", True, False)
"""Values of the builders' `synchronized_batchnorm` argument."""


def resolve_synchronized_batchnorm(synchronized_batchnorm="auto"):
    """Whether the batchnorm layers of a net built now synchronise across replicas.

    Args:
        synchronized_batchnorm: "auto" (synchronise when the current
            `tf.distribute` strategy, the one whose scope the net is built
            in, has more than one replica), True (always) or False (never:
            each replica normalises its own slice of the batch).

    Returns:
        bool, the `synchronized` argument of `keras.layers.BatchNormalization`.

    Raises:
        ValueError: for another value.

    Example:
        >>> resolve_synchronized_batchnorm("auto")  # no strategy: one replica
        False
    """
    if isinstance(synchronized_batchnorm, bool):
        return synchronized_batchnorm
    if synchronized_batchnorm != "auto":
        raise ValueError(
            f"synchronized_batchnorm must be one of {SYNCHRONIZED_BATCHNORM}. "
            f"Received: synchronized_batchnorm={synchronized_batchnorm!r}"
        )
    return tf.distribute.get_strategy().num_replicas_in_sync > 1


def _conv_init():
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def _batchnorm(name, synchronized=False):
    return layers.BatchNormalization(
        momentum=0.9,
        epsilon=1e-5,
        synchronized=synchronized,
        gamma_initializer=keras.initializers.RandomNormal(mean=1.0, stddev=0.02),
        name=name,
    )


def _check_int(arg, value, minimum):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(
            f"`{arg}` must be an integer >= {minimum}. Received: {arg}={value!r}"
        )


def _num_stages(image_size):
    """(side of the first map, number of 2x up/down-sampling stages) for a size."""
    if isinstance(image_size, bool) or not isinstance(image_size, int):
        ok = False
    elif image_size == 28:
        return 7, 2
    else:
        ok = image_size >= _MIN_SIZE and image_size & (image_size - 1) == 0
    if not ok:
        raise ValueError(
            "`image_size` must be a power of 2 that is at least "
            f"{_MIN_SIZE} (8, 16, 32, 64, ...) or 28. Received: image_size={image_size!r}"
        )
    return 4, image_size.bit_length() - 1 - 2  # log2(size) - log2(4)


def dcgan_generator(
    latent_dim=100,
    image_size=64,
    channels=3,
    width=64,
    condition_dim=None,
    name="dcgan_generator",
    synchronized_batchnorm="auto",
):
    """Build a DCGAN generator: z -> image in [-1, 1].

    A 4x4 (7x7 for 28x28 images) transposed convolution projects the 1x1
    "image" z to `width * 2**(stages - 1)` feature maps; each following
    stride-2 `Conv2DTranspose` (kernel 4) doubles the side and halves the
    filters, down to `channels` at `image_size`, where a tanh squashes the
    output into [-1, 1]. Every hidden layer is batchnorm + ReLU; there are no
    convolution biases (batchnorm's offset replaces them).

    Args:
        latent_dim: size of the latent vector z.
        image_size: side of the square output: a power of 2 >= 8, or 28.
        channels: number of image channels (1 for gray, 3 for RGB).
        width: base number of filters (the last hidden layer's; the
            tutorial's `ngf`).
        condition_dim: if an int, the generator takes two inputs
            `[z, c]`, with c of shape `(condition_dim,)` (e.g. a one-hot
            label), concatenated to z (conditional GAN, Mirza & Osindero
            2014). `None` builds the unconditional net with the single input z.
        name: name of the model.
        synchronized_batchnorm: "auto" (default: synchronise the batchnorm
            statistics across replicas when built under a strategy with
            more than one replica), True or False (see
            `resolve_synchronized_batchnorm`).

    Returns:
        A functional `keras.Model` from `(batch, latent_dim)` (and
        `(batch, condition_dim)`) to `(batch, image_size, image_size,
        channels)`.

    Raises:
        ValueError: if `image_size` is neither a power of 2 >= 8 nor 28, or
            `latent_dim`, `channels`, `width` or `condition_dim` is not a
            positive integer, or `synchronized_batchnorm` is not "auto" or a
            bool.

    Example:

    >>> g = dcgan_generator(latent_dim=100, image_size=64, channels=3, width=64)
    >>> sum(int(np.prod(w.shape)) for w in g.trainable_weights)  # the tutorial's netG
    3576704
    >>> tuple(g(keras.random.normal((2, 100))).shape)
    (2, 64, 64, 3)
    """
    _check_int("latent_dim", latent_dim, 1)
    _check_int("channels", channels, 1)
    _check_int("width", width, 1)
    if condition_dim is not None:
        _check_int("condition_dim", condition_dim, 1)
    start, stages = _num_stages(image_size)
    sync = resolve_synchronized_batchnorm(synchronized_batchnorm)

    z = keras.Input((latent_dim,), name="z")
    inputs = z
    x = z
    if condition_dim is not None:
        c = keras.Input((condition_dim,), name="condition")
        inputs = [z, c]
        x = layers.Concatenate(name="z_and_condition")([z, c])
    x = layers.Reshape((1, 1, x.shape[-1]), name="z_as_1x1_image")(x)
    x = layers.Conv2DTranspose(
        width * 2 ** (stages - 1),
        start,
        strides=1,
        padding="valid",
        use_bias=False,
        kernel_initializer=_conv_init(),
        name="project",
    )(x)
    x = _batchnorm("project_bn", sync)(x)
    x = layers.ReLU(name="project_relu")(x)
    for i in range(stages - 1):
        x = layers.Conv2DTranspose(
            width * 2 ** (stages - 2 - i),
            4,
            strides=2,
            padding="same",
            use_bias=False,
            kernel_initializer=_conv_init(),
            name=f"up{i + 1}",
        )(x)
        x = _batchnorm(f"up{i + 1}_bn", sync)(x)
        x = layers.ReLU(name=f"up{i + 1}_relu")(x)
    x = layers.Conv2DTranspose(
        channels,
        4,
        strides=2,
        padding="same",
        use_bias=False,
        kernel_initializer=_conv_init(),
        name="to_image",
    )(x)
    image = layers.Activation("tanh", name="tanh", dtype="float32")(x)
    return keras.Model(inputs, image, name=name)


def dcgan_discriminator(
    image_size=64,
    channels=3,
    width=64,
    condition_dim=None,
    name="dcgan_discriminator",
    synchronized_batchnorm="auto",
):
    """Build a DCGAN discriminator: image -> one logit.

    Stride-2 convolutions (kernel 4) halve the side and double the filters,
    from `width` at `image_size / 2` down to a 4x4 map (7x7 for 28x28
    images), which a valid convolution of that size reduces to one number.
    Hidden layers are batchnorm + LeakyReLU(0.2), except the first, which has
    no batchnorm; no convolution biases; no sigmoid.

    Args:
        image_size: side of the square input: a power of 2 >= 8, or 28.
        channels: number of image channels.
        width: number of filters of the first convolution (the tutorial's
            `ndf`).
        condition_dim: if an int, the discriminator takes two inputs
            `[image, c]`, with c of shape `(condition_dim,)`, broadcast to
            `condition_dim` constant channels concatenated to the image
            (conditional GAN, Mirza & Osindero 2014). `None`: one input.
        name: name of the model.
        synchronized_batchnorm: "auto" (default: synchronise the batchnorm
            statistics across replicas when built under a strategy with
            more than one replica), True or False (see
            `resolve_synchronized_batchnorm`).

    Returns:
        A functional `keras.Model` from `(batch, image_size, image_size,
        channels)` (and `(batch, condition_dim)`) to logits `(batch, 1)`.

    Raises:
        ValueError: if `image_size` is neither a power of 2 >= 8 nor 28, or
            `channels`, `width` or `condition_dim` is not a positive integer,
            or `synchronized_batchnorm` is not "auto" or a bool.

    Example:

    >>> d = dcgan_discriminator(image_size=64, channels=3, width=64)
    >>> sum(int(np.prod(w.shape)) for w in d.trainable_weights)  # the tutorial's netD
    2765568
    >>> tuple(d(keras.random.normal((2, 64, 64, 3))).shape)
    (2, 1)
    """
    _check_int("channels", channels, 1)
    _check_int("width", width, 1)
    if condition_dim is not None:
        _check_int("condition_dim", condition_dim, 1)
    end, stages = _num_stages(image_size)
    sync = resolve_synchronized_batchnorm(synchronized_batchnorm)

    image = keras.Input((image_size, image_size, channels), name="image")
    inputs = image
    x = image
    if condition_dim is not None:
        c = keras.Input((condition_dim,), name="condition")
        inputs = [image, c]
        maps = layers.Reshape((1, 1, condition_dim), name="condition_as_1x1")(c)
        maps = layers.UpSampling2D(size=image_size, name="condition_as_maps")(maps)
        x = layers.Concatenate(name="image_and_condition")([image, maps])
    for i in range(stages):
        x = layers.Conv2D(
            width * 2**i,
            4,
            strides=2,
            padding="same",
            use_bias=False,
            kernel_initializer=_conv_init(),
            name=f"down{i + 1}",
        )(x)
        if i > 0:  # no batchnorm on the input layer (Radford 2016, section 3)
            x = _batchnorm(f"down{i + 1}_bn", sync)(x)
        x = layers.LeakyReLU(negative_slope=0.2, name=f"down{i + 1}_lrelu")(x)
    x = layers.Conv2D(
        1,
        end,
        strides=1,
        padding="valid",
        use_bias=False,
        kernel_initializer=_conv_init(),
        name="to_logit",
    )(x)
    logit = layers.Flatten(name="logit", dtype="float32")(x)
    return keras.Model(inputs, logit, name=name)
