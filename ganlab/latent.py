"""Walking the latent space: interpolation and vector arithmetic on z.

Pure numpy, like `ganlab.losses` it knows nothing of models: it makes the
latent vectors, and a lab maps them through its generator.

- `lerp` and `slerp`: the path between two latent vectors. Radford et al.
  2016 (section 6.1) walk the latent space to show that a DCGAN has learnt
  smooth transitions rather than memorised images. White 2016 ("Sampling
  Generative Networks") points out that under a Gaussian prior in many
  dimensions almost all the mass lies near a sphere of radius sqrt(d), and a
  straight line between two samples cuts through the improbable inside of
  it (its midpoint has norm about sqrt(d / 2)); the spherical interpolation
  of Shoemake 1985 stays on the sphere.
- `kind_means` and `latent_arithmetic`: Radford et al. 2016 (section 6.3,
  Fig. 7) average the z of three samples of one kind ("smiling woman") and
  add and subtract such means ("smiling woman" - "neutral woman" +
  "neutral man" = "smiling man"): single samples are unstable, averages
  are not.
"""

import numpy as np

PRIORS = ("normal", "uniform")
"""The latent priors a run's config.json may name: N(0, I) or U(-1, 1)^d."""


def check_prior(distribution):
    """Raise ValueError unless `distribution` is one of `PRIORS`."""
    if distribution not in PRIORS:
        raise ValueError(
            f"latent distribution must be one of {PRIORS}. Received: distribution={distribution!r}"
        )


def draw(n, dim, distribution="normal", seed=0):
    """Draw `n` latent vectors from a run's prior with numpy (what graders and samplers use).

    Args:
        n: number of vectors.
        dim: dimension of z.
        distribution: `"normal"` (N(0, I)) or `"uniform"` (U(-1, 1) per coordinate).
        seed: seed of `numpy.random.default_rng`.

    Returns:
        float32 array of shape `(n, dim)`.

    Raises:
        ValueError: for another distribution.

    Example:

    >>> draw(3, 2, "uniform", seed=0).shape
    (3, 2)
    """
    check_prior(distribution)
    rng = np.random.default_rng(seed)
    shape = (int(n), int(dim))
    z = rng.standard_normal(shape) if distribution == "normal" else rng.uniform(-1.0, 1.0, shape)
    return z.astype("float32")


def _pair(z0, z1):
    a = np.asarray(z0, dtype="float64")
    b = np.asarray(z1, dtype="float64")
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise ValueError(
            "z0 and z1 must be latent vectors of the same shape (d,). "
            f"Received: z0.shape={a.shape}, z1.shape={b.shape}"
        )
    return a, b


def _fractions(steps):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2. Received: steps={steps!r}")
    return np.linspace(0.0, 1.0, int(steps))


def lerp(z0, z1, steps):
    """Linear interpolation: `steps` evenly spaced points from z0 to z1.

    z(t) = (1 - t) z0 + t z1, for t = 0, 1/(steps-1), ..., 1.

    Args:
        z0, z1: latent vectors of shape (d,).
        steps: number of points, >= 2 (both ends included).

    Returns:
        A float32 array (steps, d); row 0 is z0 and the last row is z1.

    Raises:
        ValueError: for vectors of different shape, or steps < 2.

    Example:
        >>> lerp([0.0, 0.0], [2.0, 4.0], 3).tolist()
        [[0.0, 0.0], [1.0, 2.0], [2.0, 4.0]]
    """
    a, b = _pair(z0, z1)
    t = _fractions(steps)[:, None]
    return ((1.0 - t) * a + t * b).astype("float32")


def slerp(z0, z1, steps):
    """Spherical linear interpolation from z0 to z1 (Shoemake 1985; White 2016).

    With omega the angle between z0 and z1:

        z(t) = sin((1 - t) omega) / sin(omega) z0 + sin(t omega) / sin(omega) z1

    The direction turns at constant angular speed in the plane of z0 and z1
    (the angle to z0 is t * omega), and for vectors of equal norm every
    point keeps that norm. When z0 and z1 are parallel (omega ~ 0) it is
    `lerp`.

    Args:
        z0, z1: non-zero latent vectors of shape (d,).
        steps: number of points, >= 2 (both ends included).

    Returns:
        A float32 array (steps, d); row 0 is z0 and the last row is z1.

    Raises:
        ValueError: for vectors of different shape, a zero vector, opposite
            vectors (no unique great circle joins them), or steps < 2.

    Example:
        >>> slerp([1.0, 0.0], [0.0, 1.0], 3).astype(float).round(4).tolist()
        [[1.0, 0.0], [0.7071, 0.7071], [0.0, 1.0]]
    """
    a, b = _pair(z0, z1)
    t = _fractions(steps)[:, None]
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        raise ValueError(
            f"slerp needs non-zero vectors. Received: |z0|={na:.3g}, |z1|={nb:.3g}"
        )
    cos = np.clip(a @ b / (na * nb), -1.0, 1.0)
    omega = np.arccos(cos)
    if omega < 1e-6:
        return lerp(a, b, steps)
    if np.pi - omega < 1e-6:
        raise ValueError(
            "slerp is undefined for opposite vectors (z1 = -c z0): no unique "
            "great circle joins them. Received: angle between z0 and z1 = pi"
        )
    s = np.sin(omega)
    return (np.sin((1.0 - t) * omega) / s * a + np.sin(t * omega) / s * b).astype("float32")


def interpolate(z0, z1, steps, method="slerp"):
    """`slerp` or `lerp` by name ("slerp" or "linear")."""
    if method == "slerp":
        return slerp(z0, z1, steps)
    if method == "linear":
        return lerp(z0, z1, steps)
    raise ValueError(f"method must be 'slerp' or 'linear'. Received: method={method!r}")


def kind_means(z, kinds, per_kind=None, scores=None):
    """The mean latent vector of each kind of sample (Radford 2016, section 6.3).

    Args:
        z: latent vectors (n, d) of the samples.
        kinds: a label per sample (n,), any hashable values; None (or -1
            for integer labels) marks a sample of no kind, left out.
        per_kind: if given, average only this many samples of each kind,
            those with the highest `scores` (Radford averaged three), or the
            first ones when `scores` is None.
        scores: optional (n,) ranking of the samples (e.g. the judge's
            confidence), used with `per_kind`.

    Returns:
        A dict kind -> float32 mean vector (d,), for every kind with at
        least one sample (at least `per_kind` samples when it is given).

    Raises:
        ValueError: if the lengths of z, kinds and scores differ, or per_kind < 1.

    Example:
        >>> means = kind_means([[0.0, 2.0], [2.0, 0.0], [4.0, 4.0]], ["a", "a", "b"])
        >>> means["a"].tolist(), means["b"].tolist()
        ([1.0, 1.0], [4.0, 4.0])
    """
    z = np.asarray(z, dtype="float64")
    kinds = np.asarray(kinds, dtype=object)
    if z.ndim != 2 or len(kinds) != len(z) or (scores is not None and len(scores) != len(z)):
        raise ValueError(
            "z must be (n, d) with one kind (and score) per row. Received: "
            f"z.shape={z.shape}, len(kinds)={len(kinds)}"
            + ("" if scores is None else f", len(scores)={len(scores)}")
        )
    if per_kind is not None and (not isinstance(per_kind, (int, np.integer)) or per_kind < 1):
        raise ValueError(f"per_kind must be an integer >= 1. Received: per_kind={per_kind!r}")
    order = np.arange(len(z)) if scores is None else np.argsort(-np.asarray(scores), kind="stable")
    means = {}
    for kind in dict.fromkeys(kinds[order].tolist()):
        if kind is None or (isinstance(kind, (int, np.integer)) and kind == -1):
            continue
        rows = order[kinds[order] == kind]
        if per_kind is not None:
            if len(rows) < per_kind:
                continue
            rows = rows[:per_kind]
        means[kind] = z[rows].mean(axis=0).astype("float32")
    return means


def latent_arithmetic(plus, minus=()):
    """Vector arithmetic on latent vectors: sum(plus) - sum(minus).

    Radford et al. 2016, Fig. 7: mean z("smiling woman") - mean z("neutral
    woman") + mean z("neutral man") gives a z whose image is a smiling man.

    Args:
        plus: latent vectors (d,) to add (at least one).
        minus: latent vectors (d,) to subtract.

    Returns:
        A float32 vector (d,).

    Raises:
        ValueError: for no `plus` term or vectors of different shapes.

    Example:
        >>> latent_arithmetic([[1.0, 2.0], [0.0, 1.0]], [[1.0, 1.0]]).tolist()
        [0.0, 2.0]
    """
    terms = [np.asarray(v, dtype="float64") for v in list(plus) + list(minus)]
    if not len(plus) or any(t.ndim != 1 or t.shape != terms[0].shape for t in terms):
        raise ValueError(
            "latent_arithmetic needs at least one `plus` vector and vectors of one "
            f"shape (d,). Received shapes: {[t.shape for t in terms]}"
        )
    k = len(plus)
    return (sum(terms[:k]) - sum(terms[k:], np.zeros_like(terms[0]))).astype("float32")
