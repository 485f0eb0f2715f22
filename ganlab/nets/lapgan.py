"""LAPGAN's level networks (Denton et al. 2015, Sec. 3.2 and 4).

Level 0 of a LAPGAN is an ordinary GAN at the coarsest size (here the DCGAN
nets of `ganlab.nets.dcgan`). Each finer level k is a *conditional* GAN
whose condition is the upsampled coarser image l_k = u(I_{k-1}):

- `residual_generator`: G_k(z_k, l_k) -> h_k, the band-pass residual. As in
  the paper's level generators, the noise enters as an extra image plane
  (here z is projected by a dense layer to one H x W plane) stacked with
  l_k, followed by a small ReLU convnet; the output is linear, because a
  residual is signed and not bounded by the image range.
- `residual_discriminator`: D_k(h_k, l_k) -> logit. The paper adds l_k to
  the residual before D's first convolution, so D judges the whole image
  l_k + h_k; it also sees l_k itself (the condition), stacked as a channel.

The nets hold no batchnorm, so a step on several replicas needs no
synchronised statistics. Sizes (filters, kernel 5, two hidden layers) follow
the spirit of the paper's small CIFAR-10 level nets, not its exact counts.
"""

import keras
import numpy as np
from keras import layers


def _check_int(arg, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{arg}` must be an integer >= {minimum}. Received: {arg}={value!r}")
    return int(value)


def residual_generator(latent_dim, image_size, channels=1, width=32, name="residual_generator"):
    """G_k: `[z (batch, latent_dim), l_k (batch, S, S, channels)]` -> h_k (batch, S, S, channels).

    Args:
        latent_dim: size of z_k.
        image_size: side S of this level.
        channels: image channels.
        width: filters of the two hidden 5x5 convolutions.
        name: the model's name.

    Raises:
        ValueError: for a non-positive size, width or latent_dim.

    Example:
        >>> g = residual_generator(8, 16)
        >>> tuple(g([np.zeros((2, 8)), np.zeros((2, 16, 16, 1))]).shape)
        (2, 16, 16, 1)
    """
    latent_dim = _check_int("latent_dim", latent_dim, 1)
    size = _check_int("image_size", image_size, 2)
    channels = _check_int("channels", channels, 1)
    width = _check_int("width", width, 1)
    z = keras.Input((latent_dim,), name="z")
    low = keras.Input((size, size, channels), name="coarse")
    plane = layers.Reshape((size, size, 1))(layers.Dense(size * size, name="noise_plane")(z))
    h = layers.Concatenate()([low, plane])
    for i in range(2):
        h = layers.Conv2D(width, 5, padding="same", activation="relu", name=f"conv{i}")(h)
    out = layers.Conv2D(channels, 5, padding="same", name="residual", dtype="float32")(h)
    return keras.Model([z, low], out, name=name)


def residual_discriminator(image_size, channels=1, width=32, name="residual_discriminator"):
    """D_k: `[h (batch, S, S, c), l_k (batch, S, S, c)]` -> logits (batch, 1).

    D sees l_k + h (the image, as the paper) and l_k stacked; two stride-2
    5x5 convolutions with LeakyReLU(0.2), then a dense logit.

    Example:
        >>> d = residual_discriminator(16)
        >>> tuple(d([np.zeros((2, 16, 16, 1)), np.zeros((2, 16, 16, 1))]).shape)
        (2, 1)
    """
    size = _check_int("image_size", image_size, 4)
    channels = _check_int("channels", channels, 1)
    width = _check_int("width", width, 1)
    res = keras.Input((size, size, channels), name="residual")
    low = keras.Input((size, size, channels), name="coarse")
    h = layers.Concatenate()([layers.Add()([res, low]), low])
    for i, filters in enumerate((width, 2 * width)):
        h = layers.Conv2D(filters, 5, strides=2, padding="same", name=f"conv{i}")(h)
        h = layers.LeakyReLU(0.2)(h)
    logit = layers.Dense(1, name="logit", dtype="float32")(layers.Flatten()(h))
    return keras.Model([res, low], logit, name=name)


def coarse_generator(latent_dim, image_size=8, channels=1, hidden_units=(1200, 1200),
                     name="coarse_generator"):
    """G_0 at the coarsest level: a fully connected net z -> I_0 in [-1, 1].

    Denton et al.'s coarse (8x8) level is a fully connected GAN (Sec. 4);
    the two ReLU hidden layers of 1,200 units here (600 in D) are our
    reading of the paper, not checked against its reference code; a tanh
    output.

    Example:
        >>> tuple(coarse_generator(8)(np.zeros((2, 8))).shape)
        (2, 8, 8, 1)
    """
    latent_dim = _check_int("latent_dim", latent_dim, 1)
    size = _check_int("image_size", image_size, 1)
    channels = _check_int("channels", channels, 1)
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, units in enumerate(hidden_units):
        h = layers.Dense(_check_int("hidden_units", units, 1), activation="relu", name=f"dense{i}")(h)
    x = layers.Dense(size * size * channels, activation="tanh", name="image", dtype="float32")(h)
    return keras.Model(z, layers.Reshape((size, size, channels))(x), name=name)


def coarse_discriminator(image_size=8, channels=1, hidden_units=(600, 600),
                         name="coarse_discriminator"):
    """D_0: a fully connected net I_0 -> logit, LeakyReLU(0.2) hidden layers of 600 units.

    Example:
        >>> tuple(coarse_discriminator()(np.zeros((2, 8, 8, 1))).shape)
        (2, 1)
    """
    size = _check_int("image_size", image_size, 1)
    channels = _check_int("channels", channels, 1)
    x = keras.Input((size, size, channels), name="images")
    h = layers.Flatten()(x)
    for i, units in enumerate(hidden_units):
        h = layers.Dense(_check_int("hidden_units", units, 1), name=f"dense{i}")(h)
        h = layers.LeakyReLU(0.2)(h)
    return keras.Model(x, layers.Dense(1, name="logit", dtype="float32")(h), name=name)
