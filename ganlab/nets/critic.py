"""A DCGAN-shaped critic without batch normalisation, for WGAN-GP (Gulrajani 2017).

The gradient penalty is taken per example; batch normalisation mixes the
examples of a batch, so the critic's gradient with respect to one input
depends on the others and the penalty is no longer the one of Eq. 3.
Gulrajani 2017 (Section 4) therefore drops it from the critic and
recommends layer normalisation instead. This builder is the DCGAN
discriminator's layout (`ganlab.nets.dcgan`: stride-2 4x4 convolutions that
double the filters, LeakyReLU(0.2), a final valid convolution to one score)
with layer normalisation (over each example's height, width and channels) or
no normalisation in place of batch normalisation; it reuses the DCGAN
module's size rules and initialiser rather than copying them.

Under `tf.distribute` there is nothing to synchronise: layer normalisation
uses each example's own statistics, so a critic step on N replicas equals
the one-device step without any cross-replica traffic (the DCGAN nets'
batchnorm, by contrast, synchronises; see `ganlab.nets.dcgan`).
"""

import keras
from keras import layers

from ganlab.nets.dcgan import _check_int, _conv_init, _num_stages

NORMALIZATIONS = ("layer", None)


def dcgan_critic(image_size=64, channels=3, width=64, normalization="layer",
                 name="dcgan_critic"):
    """Build a DCGAN-layout critic: image -> one unbounded score.

    Args:
        image_size: side of the square input: a power of 2 >= 8, or 28.
        channels: number of image channels.
        width: filters of the first convolution (doubling at each stage).
        normalization: "layer" (LayerNormalization over H, W, C of each
            example, after every convolution but the first) or None.
        name: name of the model.

    Returns:
        A functional `keras.Model` from (batch, image_size, image_size,
        channels) to scores (batch, 1).

    Raises:
        ValueError: for a bad size, channel count, width or normalization.

    Example:
        >>> c = dcgan_critic(image_size=16, channels=1, width=8)
        >>> tuple(c(keras.ops.zeros((2, 16, 16, 1))).shape)
        (2, 1)
        >>> any("batch" in type(l).__name__.lower() for l in c.layers)
        False
    """
    _check_int("channels", channels, 1)
    _check_int("width", width, 1)
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"normalization must be one of {NORMALIZATIONS}. "
            f"Received: normalization={normalization!r}"
        )
    end, stages = _num_stages(image_size)
    image = keras.Input((image_size, image_size, channels), name="image")
    x = image
    for i in range(stages):
        normalised = normalization == "layer" and i > 0
        x = layers.Conv2D(width * 2**i, 4, strides=2, padding="same",
                          use_bias=not normalised, kernel_initializer=_conv_init(),
                          name=f"down{i + 1}")(x)
        if normalised:
            x = layers.LayerNormalization(axis=(1, 2, 3), epsilon=1e-5,
                                          name=f"down{i + 1}_ln")(x)
        x = layers.LeakyReLU(negative_slope=0.2, name=f"down{i + 1}_lrelu")(x)
    x = layers.Conv2D(1, end, padding="valid", kernel_initializer=_conv_init(),
                      name="to_score")(x)
    score = layers.Flatten(name="score", dtype="float32")(x)
    return keras.Model(image, score, name=name)
