"""Small fully connected networks for the toy distributions (labs 01, 02)."""

import keras

from ganlab.nets.layers import MinibatchDiscrimination, MinibatchStddev

MINIBATCH_FEATURES = (None, "discrimination", "stddev")


def _check_units(hidden_units):
    units = tuple(int(u) for u in hidden_units)
    if not units or min(units) < 1:
        raise ValueError(
            "hidden_units must be a non-empty sequence of positive integers. "
            f"Received: hidden_units={hidden_units}"
        )
    return units


def mlp_generator(
    latent_dim, output_dim, hidden_units=(32, 32), activation="relu", name="generator"
):
    """Build an MLP generator G: z -> x with a linear output.

    The output is linear (no tanh) because the toy targets are unbounded.

    Args:
        latent_dim: dimension of z.
        output_dim: dimension of a sample (1 for lab 01, 2 for lab 02).
        hidden_units: sizes of the hidden layers.
        activation: hidden activation.
        name: model name.

    Returns:
        A `keras.Model` from (batch, latent_dim) to (batch, output_dim).

    Raises:
        ValueError: for a non-positive dimension or empty hidden_units.

    Example:
        >>> g = mlp_generator(1, 1)
        >>> g(keras.ops.zeros((3, 1))).shape
        (3, 1)
    """
    if latent_dim < 1 or output_dim < 1:
        raise ValueError(
            "latent_dim and output_dim must be >= 1. "
            f"Received: latent_dim={latent_dim}, output_dim={output_dim}"
        )
    units = _check_units(hidden_units)
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, u in enumerate(units):
        h = keras.layers.Dense(u, activation=activation, name=f"dense_{i}")(h)
    x = keras.layers.Dense(output_dim, name="out", dtype="float32")(h)
    return keras.Model(z, x, name=name)


def mlp_discriminator(
    input_dim,
    hidden_units=(32, 32),
    activation="relu",
    minibatch_features=None,
    minibatch_kernels=5,
    name="discriminator",
):
    """Build an MLP discriminator D: x -> logit.

    Args:
        input_dim: dimension of a sample.
        hidden_units: sizes of the hidden layers.
        activation: hidden activation.
        minibatch_features: None, "discrimination" (Salimans 2016) or
            "stddev" (Karras 2018): a layer before the logit that lets D
            compare a sample with the rest of its minibatch, the stabiliser
            against mode and variance collapse.
        minibatch_kernels: number of minibatch-discrimination features.
        name: model name.

    Returns:
        A `keras.Model` from (batch, input_dim) to (batch, 1) logits.

    Raises:
        ValueError: for an unknown `minibatch_features` or bad sizes.
    """
    if input_dim < 1:
        raise ValueError(f"input_dim must be >= 1. Received: input_dim={input_dim}")
    if minibatch_features not in MINIBATCH_FEATURES:
        raise ValueError(
            f"minibatch_features must be one of {MINIBATCH_FEATURES}. "
            f"Received: minibatch_features={minibatch_features!r}"
        )
    units = _check_units(hidden_units)
    x = keras.Input((input_dim,), name="x")
    h = x
    for i, u in enumerate(units):
        h = keras.layers.Dense(u, activation=activation, name=f"dense_{i}")(h)
    if minibatch_features == "discrimination":
        h = MinibatchDiscrimination(minibatch_kernels, 3, name="minibatch")(h)
    elif minibatch_features == "stddev":
        h = MinibatchStddev(name="minibatch")(h)
    logit = keras.layers.Dense(1, name="logit", dtype="float32")(h)
    return keras.Model(x, logit, name=name)
