"""Conditional DCGAN nets (Mirza & Osindero, 2014): the DCGAN builders with a label front end.

A conditional GAN feeds the extra information y (here a class label) to both
networks, G(z|y) and D(x|y), and plays

    min_G max_D V(D, G) = E_{x,y ~ p_data}[log D(x|y)]
                          + E_{z ~ p_z, y ~ p_y}[log(1 - D(G(z|y)|y))]

(Mirza & Osindero 2014, Eq. 2). These builders do not copy the DCGAN nets:
they wrap `dcgan_generator` / `dcgan_discriminator` (built with their
`condition_dim` hook) in a functional model whose inputs are `[z, labels]`
and `[images, labels]`, with integer labels of shape `(batch,)`. What turns a
label into the condition vector c is the *conditioning*:

- `"onehot"`: c = one_hot(y), the paper's choice. G concatenates c to z, D
  appends c to the image as `num_classes` constant channels.
- `"embedding"`: c = E[y], a learned `embedding_dim`-vector per class, joined
  the same way.
- `"projection"` (discriminator only; Miyato & Koyama 2018, Eq. 3): D does
  not see y at its input; its logit is
  `psi(phi(x)) + <V[y], pool(phi(x))>`, where phi is the DCGAN
  discriminator's body (up to its last feature map), psi its own final 4x4
  convolution, pool global average pooling (the paper's global sum pooling,
  up to a constant absorbed by V), and V a learned embedding of the labels.

The front-end layer is named `"label_encoder"` and the wrapped DCGAN net
keeps its name, so `condition_vectors` and `generate_from_conditions` can
mix classes (interpolation between classes at a fixed z).
"""

import keras
import numpy as np
from keras import layers

from ganlab.nets.dcgan import dcgan_discriminator, dcgan_generator
from ganlab.nets.inference import infer

GENERATOR_CONDITIONINGS = ("onehot", "embedding")
"""Conditionings `conditional_dcgan_generator` accepts."""

DISCRIMINATOR_CONDITIONINGS = ("onehot", "embedding", "projection")
"""Conditionings `conditional_dcgan_discriminator` accepts."""

LABEL_ENCODER = "label_encoder"
"""Name of the layer that maps integer labels to condition vectors."""


def _check_choice(arg, value, allowed):
    if value not in allowed:
        raise ValueError(f"`{arg}` must be one of {allowed}. Received: {arg}={value!r}")


def _check_int(arg, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{arg}` must be an integer >= {minimum}. Received: {arg}={value!r}")
    return int(value)


def _label_encoder(conditioning, num_classes, embedding_dim):
    """The front end: integer labels (batch,) -> condition vectors (batch, dim)."""
    if conditioning == "onehot":
        return layers.CategoryEncoding(num_classes, output_mode="one_hot", name=LABEL_ENCODER), num_classes
    dim = num_classes if embedding_dim is None else _check_int("embedding_dim", embedding_dim, 1)
    # N(0, 1) rows: the condition starts as loud as z ~ N(0, I) (Keras's default,
    # U(-0.05, 0.05), starts it near zero and G learns to ignore y).
    init = keras.initializers.RandomNormal(stddev=1.0)
    return layers.Embedding(num_classes, dim, embeddings_initializer=init, name=LABEL_ENCODER), dim


def conditional_dcgan_generator(
    latent_dim=100,
    num_classes=10,
    image_size=64,
    channels=3,
    width=64,
    conditioning="onehot",
    embedding_dim=None,
    name="conditional_dcgan_generator",
    synchronized_batchnorm="auto",
):
    """Build a conditional DCGAN generator G(z|y): `[z, labels]` -> images.

    Args:
        latent_dim: size of the latent vector z.
        num_classes: number of classes; labels are integers in
            [0, num_classes).
        image_size, channels, width: as for `dcgan_generator`.
        conditioning: `"onehot"` (c = one_hot(y) joined to z, the paper) or
            `"embedding"` (c = a learned embedding of y joined to z).
        embedding_dim: size of the learned embedding (default:
            `num_classes`); ignored for `"onehot"`.
        name: name of the model.
        synchronized_batchnorm: "auto", True or False: whether the DCGAN
            body's batchnorm synchronises across replicas (see
            `ganlab.nets.dcgan.resolve_synchronized_batchnorm`).

    Returns:
        A functional `keras.Model` from `[(batch, latent_dim) float,
        (batch,) int32 labels]` to `(batch, image_size, image_size,
        channels)` in [-1, 1].

    Raises:
        ValueError: for an unknown conditioning, `num_classes` < 2, or any
            argument `dcgan_generator` rejects.

    Example:

    >>> g = conditional_dcgan_generator(8, 10, image_size=16, channels=1, width=8)
    >>> tuple(g([np.zeros((3, 8), "float32"), np.array([0, 4, 9])]).shape)
    (3, 16, 16, 1)
    """
    _check_choice("conditioning", conditioning, GENERATOR_CONDITIONINGS)
    num_classes = _check_int("num_classes", num_classes, 2)
    encoder, dim = _label_encoder(conditioning, num_classes, embedding_dim)
    body = dcgan_generator(latent_dim, image_size, channels, width, condition_dim=dim,
                           synchronized_batchnorm=synchronized_batchnorm)
    z = keras.Input((latent_dim,), name="z")
    y = keras.Input((), dtype="int32", name="labels")
    images = body([z, encoder(y)])
    return keras.Model([z, y], images, name=name)


def conditional_dcgan_discriminator(
    num_classes=10,
    image_size=64,
    channels=3,
    width=64,
    conditioning="onehot",
    embedding_dim=None,
    name="conditional_dcgan_discriminator",
    synchronized_batchnorm="auto",
):
    """Build a conditional DCGAN discriminator D(x|y): `[images, labels]` -> logits.

    Args:
        num_classes: number of classes; labels are integers in
            [0, num_classes).
        image_size, channels, width: as for `dcgan_discriminator`.
        conditioning: `"onehot"` (one_hot(y) as constant channels, the
            paper), `"embedding"` (a learned embedding of y as constant
            channels) or `"projection"` (Miyato & Koyama 2018: logit =
            psi(phi(x)) + <V[y], pool(phi(x))>; see the module docstring).
        embedding_dim: size of the learned embedding for `"embedding"`
            (default: `num_classes`); ignored otherwise (the projection's
            embedding has the size of phi's last feature map).
        name: name of the model.
        synchronized_batchnorm: "auto", True or False: whether the DCGAN
            body's batchnorm synchronises across replicas (see
            `ganlab.nets.dcgan.resolve_synchronized_batchnorm`).

    Returns:
        A functional `keras.Model` from `[(batch, image_size, image_size,
        channels), (batch,) int32 labels]` to logits `(batch, 1)`.

    Raises:
        ValueError: for an unknown conditioning, `num_classes` < 2, or any
            argument `dcgan_discriminator` rejects.

    Example:

    >>> d = conditional_dcgan_discriminator(10, image_size=16, channels=1, width=8,
    ...                                     conditioning="projection")
    >>> tuple(d([np.zeros((3, 16, 16, 1), "float32"), np.array([0, 4, 9])]).shape)
    (3, 1)
    """
    _check_choice("conditioning", conditioning, DISCRIMINATOR_CONDITIONINGS)
    num_classes = _check_int("num_classes", num_classes, 2)
    x = keras.Input((image_size, image_size, channels), name="images")
    y = keras.Input((), dtype="int32", name="labels")
    if conditioning != "projection":
        encoder, dim = _label_encoder(conditioning, num_classes, embedding_dim)
        body = dcgan_discriminator(image_size, channels, width, condition_dim=dim,
                                   synchronized_batchnorm=synchronized_batchnorm)
        return keras.Model([x, y], body([x, encoder(y)]), name=name)
    # Projection: split the unconditional DCGAN discriminator into its body phi
    # and its last convolution psi, and add the label's inner product with phi.
    net = dcgan_discriminator(image_size, channels, width,
                              synchronized_batchnorm=synchronized_batchnorm)
    head = net.get_layer("to_logit")
    phi = keras.Model(net.input, head.input, name="dcgan_discriminator_body")
    features = phi(x)
    unconditional = layers.Flatten(name="psi", dtype="float32")(head(features))
    pooled = layers.GlobalAveragePooling2D(name="pool")(features)
    v = layers.Embedding(
        num_classes,
        features.shape[-1],
        embeddings_initializer="glorot_uniform",
        name=LABEL_ENCODER,
    )(y)
    projection = layers.Dot(axes=1, name="projection", dtype="float32")([v, pooled])
    logit = layers.Add(name="logit", dtype="float32")([unconditional, projection])
    return keras.Model([x, y], logit, name=name)


def condition_vectors(generator, labels):
    """The condition vectors c(y) a conditional generator joins to z.

    Args:
        generator: a net built by `conditional_dcgan_generator` (or loaded
            from its `.keras` file).
        labels: integer labels, shape `(n,)`.

    Returns:
        A float32 numpy array `(n, condition_dim)`.
    """
    encoder = generator.get_layer(LABEL_ENCODER)
    return keras.ops.convert_to_numpy(encoder(np.asarray(labels, "int32"))).astype("float32")


def generate_from_conditions(generator, z, conditions):
    """G(z|c) for arbitrary condition vectors c, e.g. a mix of two classes.

    Args:
        generator: a net built by `conditional_dcgan_generator`.
        z: latent vectors `(n, latent_dim)`.
        conditions: condition vectors `(n, condition_dim)` (see
            `condition_vectors`).

    Returns:
        Numpy images `(n, H, W, C)` (inference mode).
    """
    body = next(layer for layer in generator.layers if isinstance(layer, keras.Model))
    return infer(body, [np.asarray(z, "float32"), np.asarray(conditions, "float32")], 32)
