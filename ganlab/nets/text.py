"""Text-to-image nets (Reed et al. 2016): a small text encoder and text-conditioned DCGAN nets.

- `text_encoder`: word ids `(batch, words)` -> a text embedding phi(t):
  a learned word embedding, a 1D convolution over words (kernel 3, ReLU),
  global max pooling over the words, a linear layer. Small (about 10,000
  weights); Reed et al. used a char-CNN-RNN, a much larger net for real
  sentences.
- `image_encoder`: the image side of the symmetric structured joint
  embedding (Reed et al. 2016a) the text encoder is pretrained with; a
  small convnet to the same embedding size.
- `text_generator`: G(z, phi(t)): phi(t) is compressed by a dense layer
  with LeakyReLU(0.2) (the paper's 128-unit projection, here `condition_dim`)
  and joined to z, then the DCGAN generator.
- `text_discriminator`: D(x, phi(t)): the same projection of phi(t), joined
  to the image as constant channels (the paper joins it at D's 4x4 map), then
  the DCGAN discriminator body.
"""

import keras
import numpy as np
from keras import layers

from ganlab.nets.dcgan import dcgan_discriminator, dcgan_generator

TEXT_PROJECTION = "text_projection"
"""Name of G's and D's dense layer that compresses phi(t)."""


def _check_int(arg, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{arg}` must be an integer >= {minimum}. Received: {arg}={value!r}")
    return int(value)


def text_encoder(vocabulary_size, max_words=12, embedding_dim=32, word_dim=32, filters=64,
                 normalize=False, name="text_encoder"):
    """phi: word ids (batch, max_words), 0 = padding, -> embeddings (batch, embedding_dim).

    With `normalize`, the embedding is scaled to unit length: the joint
    embedding compares directions only (cosine scores), so the length is
    free to carry the phrasing, which a generator should not see.

    Example:
        >>> enc = text_encoder(48)
        >>> tuple(enc(np.zeros((2, 12), "int32")).shape)
        (2, 32)
    """
    vocabulary_size = _check_int("vocabulary_size", vocabulary_size, 2)
    max_words = _check_int("max_words", max_words, 1)
    ids = keras.Input((max_words,), dtype="int32", name="words")
    h = layers.Embedding(vocabulary_size, _check_int("word_dim", word_dim, 1), name="words_embedding")(ids)
    h = layers.Conv1D(_check_int("filters", filters, 1), 3, padding="same", activation="relu",
                      name="conv")(h)
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
                   name="text_generator", synchronized_batchnorm="auto"):
    """G(z, phi(t)): `[z (batch, latent_dim), phi(t) (batch, text_dim)]` -> images in [-1, 1].

    Example:
        >>> g = text_generator(8, 32, 16, 1, 8)
        >>> tuple(g([np.zeros((2, 8)), np.zeros((2, 32))]).shape)
        (2, 16, 16, 1)
    """
    latent_dim = _check_int("latent_dim", latent_dim, 1)
    text_dim = _check_int("text_dim", text_dim, 1)
    condition_dim = _check_int("condition_dim", condition_dim, 1)
    body = dcgan_generator(latent_dim, image_size, channels, width, condition_dim=condition_dim,
                           synchronized_batchnorm=synchronized_batchnorm)
    z = keras.Input((latent_dim,), name="z")
    t = keras.Input((text_dim,), name="text")
    return keras.Model([z, t], body([z, _projection(t, condition_dim)]), name=name)


def text_discriminator(text_dim, image_size=16, channels=1, width=32, condition_dim=32,
                       name="text_discriminator", synchronized_batchnorm="auto"):
    """D(x, phi(t)): `[images, phi(t) (batch, text_dim)]` -> logits (batch, 1).

    Example:
        >>> d = text_discriminator(32, 16, 1, 8)
        >>> tuple(d([np.zeros((2, 16, 16, 1)), np.zeros((2, 32))]).shape)
        (2, 1)
    """
    text_dim = _check_int("text_dim", text_dim, 1)
    condition_dim = _check_int("condition_dim", condition_dim, 1)
    body = dcgan_discriminator(image_size, channels, width, condition_dim=condition_dim,
                               synchronized_batchnorm=synchronized_batchnorm)
    x = keras.Input((image_size, image_size, channels), name="images")
    t = keras.Input((text_dim,), name="text")
    return keras.Model([x, t], body([x, _projection(t, condition_dim)]), name=name)
