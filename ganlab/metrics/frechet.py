"""Feature-set distances: the Fréchet distance (FID's formula) and KID.

Both compare two sets of feature vectors, e.g. an extractor's features of
real and of generated images. The extractor decides what the number means:
the judge's 64-d features (`ganlab.nets.judge`) for digits, InceptionV3's
2048-d pool features (`ganlab.nets.inception`) for natural images. Numbers
from different extractors, or from different sample counts, are not
comparable; `figure` records both beside each value.

- `frechet_distance`: Heusel et al. 2017, Eq. 6 (after Dowson & Landau 1982),
  with a symmetric eigendecomposition square root;
- `cached_statistics`: a dataset's reference mean and covariance, computed
  once and kept in a file;
- `kernel_inception_distance`: Bińkowski et al. 2018 (KID), the unbiased
  MMD^2 with the cubic polynomial kernel, averaged over subsets.
"""

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np


class SingularCovarianceWarning(RuntimeWarning):
    """A covariance of the Fréchet distance was singular; a diagonal offset was added."""


def feature_statistics(features):
    """Mean and covariance (unbiased) of feature vectors `(n, d)`, n >= 2."""
    f = np.asarray(features, dtype="float64")
    if f.ndim != 2 or f.shape[0] < 2:
        raise ValueError(
            f"features must be (n, d) with n >= 2. Received: features.shape={f.shape}"
        )
    return f.mean(axis=0), np.atleast_2d(np.cov(f, rowvar=False))


def _psd_sqrt(matrix):
    """Square root of a symmetric PSD matrix through its eigendecomposition."""
    w, v = np.linalg.eigh((matrix + matrix.T) / 2)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def trace_sqrt_product(s_a, s_b):
    """Tr((S_a S_b)^(1/2)) through the symmetric sqrt(S_a) S_b sqrt(S_a).

    S_a S_b is not symmetric, but it is similar to sqrt(S_a) S_b sqrt(S_a),
    which is symmetric positive semi-definite: the two share their
    eigenvalues, so the trace of the root is the sum of the square roots of
    the eigenvalues of the symmetric form (real, clipped at 0 against
    round-off). No general `sqrtm`, no complex residue.
    """
    root_a = _psd_sqrt(s_a)
    w = np.linalg.eigvalsh(root_a @ s_b @ root_a)
    return float(np.sqrt(np.clip(w, 0.0, None)).sum())


def frechet_from_statistics(mu_a, s_a, mu_b, s_b, eps=1e-6, rcond=1e-10):
    """The Fréchet distance d^2 of two Gaussians N(mu_a, S_a), N(mu_b, S_b).

        d^2 = |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))

    Heusel et al. 2017, Eq. 6. When either covariance is singular (its
    smallest eigenvalue below `rcond` times its largest, e.g. fewer samples
    than dimensions, or repeated samples), `eps * I` is added to both, as in
    the reference code, and a `SingularCovarianceWarning` says so.

    Returns:
        d^2, a float >= 0 (what "FID" reports).

    Raises:
        ValueError: if the statistics' dimensions differ.
    """
    mu_a, mu_b = np.atleast_1d(np.asarray(mu_a, "float64")), np.atleast_1d(np.asarray(mu_b, "float64"))
    s_a, s_b = np.atleast_2d(np.asarray(s_a, "float64")), np.atleast_2d(np.asarray(s_b, "float64"))
    if mu_a.shape != mu_b.shape or s_a.shape != s_b.shape or s_a.shape != (len(mu_a),) * 2:
        raise ValueError(
            "The two feature sets must have the same dimension. "
            f"Received: means {mu_a.shape} and {mu_b.shape}, covariances {s_a.shape} and {s_b.shape}"
        )
    singular = False
    for s in (s_a, s_b):
        w = np.linalg.eigvalsh(s)
        singular |= bool(w.min() <= rcond * max(w.max(), 0.0)) or w.max() <= 0
    if singular:
        warnings.warn(
            f"A feature covariance is singular (fewer samples than dimensions, or repeated "
            f"samples); adding {eps:g} * I to both", SingularCovarianceWarning, stacklevel=3)
        offset = np.eye(len(s_a)) * eps
        s_a, s_b = s_a + offset, s_b + offset
    diff = mu_a - mu_b
    d2 = diff @ diff + np.trace(s_a) + np.trace(s_b) - 2.0 * trace_sqrt_product(s_a, s_b)
    return float(max(d2, 0.0))


def frechet_distance(features_a, features_b, eps=1e-6):
    """Fréchet distance between Gaussians fitted to two sets of features.

    `frechet_from_statistics` of the two sets' means and (unbiased)
    covariances. Either argument may also be a `(mu, sigma)` pair of
    precomputed statistics (e.g. `cached_statistics` of a dataset).

    The estimate is biased upwards with few samples: for two samples of
    one distribution it is about proportional to 1/n (measured in
    tests/metrics/test_evaluation_metrics.py); compare figures made from
    the same number of samples only.

    Args:
        features_a, features_b: arrays `(n_a, d)` and `(n_b, d)`, n >= 2,
            or `(mu, sigma)` tuples.
        eps: the diagonal offset used when a covariance is singular.

    Returns:
        The squared distance d^2 (what "FID" reports), a float >= 0.

    Raises:
        ValueError: for feature sets of different dimension or fewer than 2 rows.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> a = rng.normal(size=(2000, 3))
        >>> round(frechet_distance(a, a + [2.0, 0.0, 0.0]), 6)  # only the means differ
        4.0
    """
    stats = [f if isinstance(f, tuple) else feature_statistics(f) for f in (features_a, features_b)]
    return frechet_from_statistics(*stats[0], *stats[1], eps=eps)


def cached_statistics(path, features):
    """A dataset's reference (mu, sigma), computed once and kept in `path` (.npz).

    Args:
        path: the cache file; name it after the dataset, the extractor and
            the sample count (e.g. `digits-train-judge.npz`).
        features: a callable () -> features `(n, d)`, called only when the
            file does not exist yet.

    Returns:
        (mu, sigma, n): the statistics and the number of samples behind them.
    """
    path = Path(path)
    if path.is_file():
        with np.load(path) as f:
            return f["mu"], f["sigma"], int(f["n"])
    x = np.asarray(features(), "float64")
    mu, sigma = feature_statistics(x)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    with os.fdopen(fd, "wb") as out:
        np.savez(out, mu=mu, sigma=sigma, n=len(x))
    os.replace(tmp, path)  # atomic: a half-written cache is never read
    return mu, sigma, len(x)


def _polynomial_mmd2(x, y):
    """Unbiased MMD^2 of two equal-size sets, kernel k(a, b) = (a.b / d + 1)^3."""
    d, m = x.shape[1], len(x)

    def cubic(a, b):
        k = a @ b.T / d + 1
        return k * k * k  # not k ** 3: numpy's float power is 30x slower

    kxx, kyy, kxy = cubic(x, x), cubic(y, y), cubic(x, y)
    off = m * (m - 1)
    return ((kxx.sum() - np.trace(kxx)) / off + (kyy.sum() - np.trace(kyy)) / off
            - 2 * kxy.mean())


def kernel_inception_distance(features_a, features_b, subsets=100, subset_size=1000, seed=0):
    """KID (Bińkowski et al. 2018): the unbiased MMD^2 with a cubic polynomial kernel.

    k(x, y) = (x.y / d + 1)^3, averaged over `subsets` random subsets of
    `subset_size` features from each set (the reference code's defaults,
    100 of 1,000; capped by the smaller set). Unbiased: for two samples of
    one distribution it scatters around 0, and can be slightly negative.

    Args:
        features_a, features_b: arrays `(n_a, d)`, `(n_b, d)`.
        subsets: number of subsets.
        subset_size: features per subset and set, >= 2.
        seed: seed of the subset draws.

    Returns:
        (mean, std) over the subsets.

    Raises:
        ValueError: for sets of different dimension or fewer than 2 rows.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> a, b = rng.normal(size=(500, 8)), rng.normal(size=(500, 8))
        >>> abs(kernel_inception_distance(a, b, subsets=10)[0]) < 0.01
        True
    """
    a, b = np.asarray(features_a, "float64"), np.asarray(features_b, "float64")
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(
            "features_a and features_b must be (n, d) arrays of one d with n >= 2. "
            f"Received: {a.shape} and {b.shape}"
        )
    m = min(int(subset_size), len(a), len(b))
    if m < 2:
        raise ValueError(f"subset_size must be >= 2. Received: subset_size={subset_size!r}")
    rng = np.random.default_rng(seed)
    values = [_polynomial_mmd2(a[rng.choice(len(a), m, replace=False)],
                               b[rng.choice(len(b), m, replace=False)]) for _ in range(subsets)]
    return float(np.mean(values)), float(np.std(values))


def figure(value, extractor, samples, reference_samples=None, **more):
    """A figure as eval.json and the labs record it: the value, the extractor, the sample counts."""
    out = {"value": value, "extractor": extractor, "samples": int(samples)}
    if reference_samples is not None:
        out["reference_samples"] = int(reference_samples)
    out.update(more)
    return out
