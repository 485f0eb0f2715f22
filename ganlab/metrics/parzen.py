"""The Parzen window (Gaussian kernel density) log-likelihood of Goodfellow et al. 2014.

Goodfellow et al. 2014 (Section 5, Table 1) fit a mixture of isotropic
Gaussians, one of width sigma at each generated sample, and report the mean
log-likelihood of the test set under it with its standard error (MNIST:
225 +- 2 nats), sigma being chosen by cross-validation on the validation
set (their script searches `numpy.logspace(-1, 0, 10)`). They warn that the
estimate has high variance and does not scale to high dimensions; lab 11
shows how it moves with sigma and with the number of samples.

    log p(x) = logsumexp_i(-|x - s_i|^2 / (2 sigma^2)) - log n - (d / 2) log(2 pi sigma^2)

Distances are computed block by block (test rows x sample rows) with
|x|^2 + |s|^2 - 2 x.s and the log-sum-exp is accumulated across blocks, so
10,000 x 10,000 pairs of 784-d points never make a dense n x m x d tensor.
"""

import numpy as np

SIGMAS = np.logspace(-1, 0, 10)
"""The grid of Goodfellow et al.'s script (parzen_ll.py): 0.1 to 1, log-spaced."""


def _flat(x, name):
    x = np.asarray(x, "float64")
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"{name} must be a non-empty batch (n, ...). Received: {name}.shape={x.shape}")
    return x.reshape(len(x), -1)


def parzen_log_likelihoods(samples, points, sigma, block=1000):
    """log p(x) of each point under the Gaussian Parzen window on `samples`.

    Args:
        samples: the kernel centres, generated samples `(n, ...)`.
        points: the points to score `(m, ...)`, same shape per point.
        sigma: the kernel's standard deviation, > 0.
        block: rows of each distance block (memory ~ block x block floats).

    Returns:
        A float64 array `(m,)` of log-densities (nats).

    Raises:
        ValueError: for empty sets, different shapes per point or sigma <= 0.

    Example:
        >>> round(float(parzen_log_likelihoods(np.zeros((1, 1)), np.zeros((1, 1)), 1.0)[0]), 4)
        -0.9189
    """
    s, x = _flat(samples, "samples"), _flat(points, "points")
    if s.shape[1] != x.shape[1]:
        raise ValueError(f"samples and points must have the same shape per point. "
                         f"Received: {samples.shape} and {points.shape}")
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0. Received: sigma={sigma!r}")
    n, d = s.shape
    s2 = (s * s).sum(1)
    out = np.empty(len(x))
    for i in range(0, len(x), block):
        xb = x[i:i + block]
        x2 = (xb * xb).sum(1)
        running_max = np.full(len(xb), -np.inf)
        running_sum = np.zeros(len(xb))
        for j in range(0, n, block):
            e = -np.maximum(x2[:, None] + s2[None, j:j + block] - 2.0 * xb @ s[j:j + block].T,
                            0.0) / (2 * sigma**2)
            new_max = np.maximum(running_max, e.max(1))
            running_sum = running_sum * np.exp(running_max - new_max) + np.exp(
                e - new_max[:, None]).sum(1)
            running_max = new_max
        out[i:i + block] = running_max + np.log(running_sum)
    return out - np.log(n) - d / 2 * np.log(2 * np.pi * sigma**2)


def parzen_estimate(samples, validation, test, sigmas=SIGMAS, block=1000):
    """Goodfellow et al. 2014's figure: mean test log-likelihood +- standard error.

    sigma is the grid value with the highest mean log-likelihood of
    `validation` (points the generator never saw, apart from `test`).

    Args:
        samples: generated samples `(n, ...)` (Goodfellow: pixels in [0, 1]).
        validation: real points for choosing sigma.
        test: real points for the reported figure.
        sigmas: the grid of kernel widths.

    Returns:
        dict: `mean` and `std_error` (std / sqrt(m) of the per-point
        log-likelihoods, in nats), `sigma`, `sigmas` and `validation`
        (the mean validation log-likelihood per sigma), `samples`, `test_points`.
    """
    sigmas = [float(s) for s in np.atleast_1d(sigmas)]
    curve = [float(parzen_log_likelihoods(samples, validation, s, block).mean()) for s in sigmas]
    best = sigmas[int(np.argmax(curve))]
    ll = parzen_log_likelihoods(samples, test, best, block)
    return {"mean": float(ll.mean()), "std_error": float(ll.std() / np.sqrt(len(ll))),
            "sigma": best, "sigmas": sigmas, "validation": curve,
            "samples": int(len(samples)), "test_points": int(len(ll))}


def table1(estimate):
    """The estimate as Goodfellow et al.'s Table 1 prints it: "225 +- 2"."""
    return f"{estimate['mean']:.0f} ± {estimate['std_error']:.0f}" if abs(
        estimate["mean"]) >= 10 else f"{estimate['mean']:.2f} ± {estimate['std_error']:.2f}"
