"""Text-to-image nets (Reed et al. 2016): a small text encoder and text-conditioned DCGAN nets.

- `text_encoder`: word ids `(batch, words)` -> a text embedding phi(t):
  a learned word embedding, a 1D convolution over words (window
  `kernel_size`, ReLU), global max pooling over the words, a linear layer.
  Small (5,728 weights with lab 13's window of 1, 9,824 with 3); Reed et
  al. used a char-CNN-RNN, a much larger net for real sentences.
- `image_encoder`: the image side of the symmetric structured joint
  embedding (Reed et al. 2016a) the text encoder is pretrained with; a
  small convnet to the same embedding size.
- `text_generator`: G(z, phi(t)): phi(t) is compressed by a dense layer
  with LeakyReLU(0.2) (the paper's 128-unit projection, here `condition_dim`)
  and joined to z, then the DCGAN generator; with `inject="every"` the
  projected text also joins every hidden map as constant channels.
- `text_discriminator`: D(x, phi(t)): the same projection of phi(t), joined
  to the image as constant channels (`join="input"`), or, as in the paper
  (`join="features"`), replicated over D's 4x4 feature map and concatenated
  there, followed by a 1x1 convolution and the 4x4 convolution to a logit.

A GANCLS step with either option on 2 replicas equals one on one device
(tests/models/mirrored_lab13_check.py). The "collective shape mismatch" seen
with them before came from the check, not the nets: it built a new
MirroredStrategy per variant, and a second one in a process reuses collective
instance keys, so once two variants' graphs differed their all-reduces met
tensors of other shapes.
"""

import keras
import numpy as np
from keras import layers

from ganlab.nets.dcgan import (
    _batchnorm,
    _conv_init,
    dcgan_discriminator,
    dcgan_generator,
    resolve_synchronized_batchnorm,
)

TEXT_PROJECTION = "text_projection"
"""Name of G's and D's dense layer that compresses phi(t)."""

TEXT_INJECTIONS = ("input", "every")
"""Where `text_generator` feeds the projected text: with z only, or also every hidden map."""

TEXT_JOINS = ("input", "features")
"""Where `text_discriminator` joins the projected text: the image, or the 4x4 feature map."""


def _check_int(arg, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{arg}` must be an integer >= {minimum}. Received: {arg}={value!r}")
    return int(value)


def text_encoder(vocabulary_size, max_words=12, embedding_dim=32, word_dim=32, filters=64,
                 normalize=False, kernel_size=3, name="text_encoder"):
    """phi: word ids (batch, max_words), 0 = padding, -> embeddings (batch, embedding_dim).

    With `normalize`, the embedding is scaled to unit length: the joint
    embedding compares directions only (cosine scores), so the length is
    free to carry the phrasing, which a generator should not see. With
    `kernel_size=1` phi depends on the caption's words, not on their order
    (a new phrasing of known words lands where the training phrasings do).

    Example:
        >>> enc = text_encoder(48)
        >>> tuple(enc(np.zeros((2, 12), "int32")).shape)
        (2, 32)
    """
    vocabulary_size = _check_int("vocabulary_size", vocabulary_size, 2)
    max_words = _check_int("max_words", max_words, 1)
    ids = keras.Input((max_words,), dtype="int32", name="words")
    h = layers.Embedding(vocabulary_size, _check_int("word_dim", word_dim, 1), name="words_embedding")(ids)
    h = layers.Conv1D(_check_int("filters", filters, 1), _check_int("kernel_size", kernel_size, 1),
                      padding="same", activation="relu", name="conv")(h)
    h = layers.GlobalMaxPooling1D(name="pool")(h)
    out = layers.Dense(_check_int("embedding_dim", embedding_dim, 1), name="embedding")(h)
    if normalize:
        out = layers.UnitNormalization(axis=-1, name="unit")(out)
    return keras.Model(ids, out, name=name)


def image_encoder(image_size=16, channels=1, embedding_dim=32, width=32, name="image_encoder"):
    """theta: images -> embeddings, for the joint-embedding pretraining of `text_encoder`."""
    x = keras.Input((image_size, image_size, channels), name="images")
    h = x
    for i, f in enumerate((width, 2 * width)):
        h = layers.Conv2D(f, 3, padding="same", activation="relu", name=f"conv{i}a")(h)
        h = layers.Conv2D(f, 3, padding="same", activation="relu", name=f"conv{i}b")(h)
        h = layers.MaxPooling2D(2)(h)
    h = layers.Flatten()(h)
    h = layers.Dense(128, activation="relu")(h)
    return keras.Model(x, layers.Dense(embedding_dim, name="embedding")(h), name=name)


def _projection(text, condition_dim):
    h = layers.Dense(condition_dim, name=TEXT_PROJECTION)(text)
    return layers.LeakyReLU(0.2)(h)


def text_generator(latent_dim, text_dim, image_size=16, channels=1, width=32, condition_dim=32,
                   inject="input", name="text_generator", synchronized_batchnorm="auto"):
    """G(z, phi(t)): `[z (batch, latent_dim), phi(t) (batch, text_dim)]` -> images in [-1, 1].

    Args:
        inject: "input" (Reed et al. 2016: the projected text joins z at
            the input) or "every": it also joins every hidden feature map
            as constant channels, before each fractionally-strided
            convolution.

    Example:
        >>> g = text_generator(8, 32, 16, 1, 8)
        >>> tuple(g([np.zeros((2, 8)), np.zeros((2, 32))]).shape)
        (2, 16, 16, 1)
    """
    latent_dim = _check_int("latent_dim", latent_dim, 1)
    text_dim = _check_int("text_dim", text_dim, 1)
    condition_dim = _check_int("condition_dim", condition_dim, 1)
    if inject not in TEXT_INJECTIONS:
        raise ValueError(f"`inject` must be one of {TEXT_INJECTIONS}. Received: inject={inject!r}")
    z = keras.Input((latent_dim,), name="z")
    t = keras.Input((text_dim,), name="text")
    body = dcgan_generator(latent_dim, image_size, channels, width, condition_dim=condition_dim,
                           synchronized_batchnorm=synchronized_batchnorm)
    c = _projection(t, condition_dim)
    if inject == "input":
        return keras.Model([z, t], body([z, c]), name=name)
    c_map = layers.Reshape((1, 1, condition_dim), name="text_as_1x1")(c)
    x = body.get_layer("z_and_condition")([z, c])
    for layer in body.layers[body.layers.index(body.get_layer("z_as_1x1_image")):]:
        if isinstance(layer, layers.Conv2DTranspose) and layer.name != "project":
            side = x.shape[1]
            x = layers.Concatenate(name=f"{layer.name}_text")(
                [x, layers.UpSampling2D(size=side, name=f"{layer.name}_text_maps")(c_map)])
            layer = layers.Conv2DTranspose(layer.filters, layer.kernel_size, strides=layer.strides,
                                           padding=layer.padding, use_bias=False,
                                           kernel_initializer=_conv_init(), name=layer.name)
        x = layer(x)
    return keras.Model([z, t], x, name=name)


def text_discriminator(text_dim, image_size=16, channels=1, width=32, condition_dim=32,
                       join="input", name="text_discriminator", synchronized_batchnorm="auto"):
    """D(x, phi(t)): `[images, phi(t) (batch, text_dim)]` -> logits (batch, 1).

    Args:
        join: where the projected text meets the image. "input": as constant
            channels of the image (the conditional DCGAN of lab 06). "features":
            Reed et al. 2016's D (Sec. 3.1): the DCGAN convolutions take the
            image alone down to the 4x4 map, the projected text is replicated
            spatially and concatenated there, then a 1x1 convolution
            (batchnorm, LeakyReLU 0.2) and the 4x4 convolution to one logit.

    Example:
        >>> d = text_discriminator(32, 16, 1, 8)
        >>> tuple(d([np.zeros((2, 16, 16, 1)), np.zeros((2, 32))]).shape)
        (2, 1)
    """
    text_dim = _check_int("text_dim", text_dim, 1)
    condition_dim = _check_int("condition_dim", condition_dim, 1)
    if join not in TEXT_JOINS:
        raise ValueError(f"`join` must be one of {TEXT_JOINS}. Received: join={join!r}")
    x = keras.Input((image_size, image_size, channels), name="images")
    t = keras.Input((text_dim,), name="text")
    if join == "input":
        body = dcgan_discriminator(image_size, channels, width, condition_dim=condition_dim,
                                   synchronized_batchnorm=synchronized_batchnorm)
        return keras.Model([x, t], body([x, _projection(t, condition_dim)]), name=name)
    body = dcgan_discriminator(image_size, channels, width,
                               synchronized_batchnorm=synchronized_batchnorm)
    features = keras.Model(body.input, body.get_layer("to_logit").input, name="image_features")(x)
    side, filters = features.shape[1], features.shape[-1]
    maps = layers.Reshape((1, 1, condition_dim))(_projection(t, condition_dim))
    maps = layers.UpSampling2D(size=side, name="text_as_maps")(maps)
    h = layers.Concatenate(name="features_and_text")([features, maps])
    h = layers.Conv2D(filters, 1, use_bias=False, kernel_initializer=_conv_init(), name="joint")(h)
    h = _batchnorm("joint_bn", resolve_synchronized_batchnorm(synchronized_batchnorm))(h)
    h = layers.LeakyReLU(negative_slope=0.2, name="joint_lrelu")(h)
    h = layers.Conv2D(1, side, padding="valid", use_bias=False, kernel_initializer=_conv_init(),
                      name="to_logit")(h)
    return keras.Model([x, t], layers.Flatten(name="logit", dtype="float32")(h), name=name)
