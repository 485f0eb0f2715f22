"""Distances between a generator's samples and a known toy distribution.

Figures for lab 01 (a 1D Gaussian target) and lab 02 (2D mixtures). All take
numpy arrays and return Python floats or dicts of them, so they serve the
labs, the callbacks and the graders alike.
"""

import numpy as np
from scipy import special, stats


def _as_1d(samples):
    x = np.asarray(samples, dtype="float64").reshape(-1)
    if x.size == 0:
        raise ValueError("samples must not be empty. Received: 0 samples")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples must be finite. Received: NaN or inf values")
    return x


def _check_sigma(sigma):
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0. Received: sigma={sigma}")


def wasserstein1_to_normal(samples, mu, sigma):
    """Exact Wasserstein-1 distance between the empirical law of `samples` and N(mu, sigma^2).

    In 1D, W1(P, Q) = int_0^1 |F_P^{-1}(u) - F_Q^{-1}(u)| du. The empirical
    quantile function is the sorted sample x_(i) on ((i-1)/n, i/n], and the
    integral of the normal quantile q(u) = mu + sigma Phi^{-1}(u) over [a, b]
    has the closed form mu (b - a) + sigma (phi(Phi^{-1}(a)) - phi(Phi^{-1}(b))).
    Each interval is split where q(u) crosses x_(i), so the result is exact
    (no second sample, no binning).

    Args:
        samples: array of samples (any shape; flattened).
        mu: mean of the target.
        sigma: standard deviation of the target (> 0).

    Returns:
        W1 as a float, in the units of the samples.

    Raises:
        ValueError: if sigma <= 0 or the samples are empty or not finite.
    """
    _check_sigma(sigma)
    x = np.sort(_as_1d(samples))
    n = x.size
    a = np.arange(n) / n
    b = np.arange(1, n + 1) / n
    c = np.clip(stats.norm.cdf(x, mu, sigma), a, b)  # where q(u) = x_(i)

    def q_integral(lo, hi):
        phi_lo = stats.norm.pdf(special.ndtri(lo))  # 0 at lo = 0
        phi_hi = stats.norm.pdf(special.ndtri(hi))  # 0 at hi = 1
        return mu * (hi - lo) + sigma * (phi_lo - phi_hi)

    below = x * (c - a) - q_integral(a, c)  # q(u) <= x_(i) on [a, c]
    above = q_integral(c, b) - x * (b - c)  # q(u) >= x_(i) on [c, b]
    return float(np.sum(below + above))


def ks_to_normal(samples, mu, sigma):
    """Kolmogorov-Smirnov statistic sup_x |F_n(x) - Phi((x - mu) / sigma)|.

    Raises:
        ValueError: if sigma <= 0 or the samples are empty or not finite.
    """
    _check_sigma(sigma)
    return float(stats.kstest(_as_1d(samples), stats.norm(mu, sigma).cdf).statistic)


def js_to_normal(samples, mu, sigma, bins=100, span=6.0):
    """Histogram estimate of the Jensen-Shannon divergence to N(mu, sigma^2), in nats.

    Both laws are binned on `bins` equal bins over mu +- span * sigma (the
    outermost bins extended to +-inf so no mass is lost); the target's bin
    masses are exact (differences of its CDF). JS lies in [0, log 2].

    Raises:
        ValueError: if sigma <= 0, bins < 1, or the samples are empty.
    """
    _check_sigma(sigma)
    if bins < 1:
        raise ValueError(f"bins must be >= 1. Received: bins={bins}")
    x = _as_1d(samples)
    edges = np.linspace(mu - span * sigma, mu + span * sigma, bins + 1)
    edges[0], edges[-1] = -np.inf, np.inf
    p = np.histogram(x, edges)[0] / x.size
    q = np.diff(stats.norm.cdf(edges, mu, sigma))
    return js_divergence(p, q)


def js_divergence(p, q):
    """Jensen-Shannon divergence between two discrete distributions, in nats.

    JS(P, Q) = 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2.
    """
    p = np.asarray(p, "float64")
    q = np.asarray(q, "float64")
    p, q = p / p.sum(), q / q.sum()
    m = 0.5 * (p + q)
    return float(0.5 * np.sum(special.rel_entr(p, m)) + 0.5 * np.sum(special.rel_entr(q, m)))


def normal_fit_report(samples, mu, sigma):
    """Every 1D figure of lab 01 at once.

    Returns:
        dict with mean, std, w1, ks, js, and the bar quantities in units of
        sigma: w1_over_sigma, mean_error_over_sigma, std_error_over_sigma.
    """
    x = _as_1d(samples)
    w1 = wasserstein1_to_normal(x, mu, sigma)
    return {
        "mean": float(x.mean()),
        "std": float(x.std()),
        "w1": w1,
        "ks": ks_to_normal(x, mu, sigma),
        "js": js_to_normal(x, mu, sigma),
        "w1_over_sigma": w1 / sigma,
        "mean_error_over_sigma": abs(float(x.mean()) - mu) / sigma,
        "std_error_over_sigma": abs(float(x.std()) - sigma) / sigma,
    }


def mode_report(samples, centers, std, min_share=None, radius=3.0):
    """Mode coverage and sample quality on a mixture of Gaussians.

    The standard figures of Metz 2016 (unrolled GAN) and Srivastava 2017
    (VEEGAN): a sample is *high quality* when it lies within `radius`
    standard deviations (3 in the papers) of its nearest mode; a mode is
    *covered* when at least `min_share` of all samples are high-quality
    samples of that mode. The default `min_share` is a quarter of the
    uniform share, 1 / (4 K) for K modes, so a handful of stray samples does
    not count as covering a mode.

    Args:
        samples: (n, 2) array.
        centers: (K, 2) array of modes.
        std: the components' standard deviation.
        min_share: share of samples a mode needs to count as covered.
        radius: the high-quality radius in standard deviations.

    Returns:
        dict with modes_covered (int), num_modes, high_quality (share in
        [0, 1]) and mode_counts (list of high-quality samples per mode).

    Raises:
        ValueError: for samples that are not (n, 2) or a bad std/min_share.
    """
    x = np.asarray(samples, "float64")
    c = np.asarray(centers, "float64")
    if x.ndim != 2 or x.shape[1] != c.shape[1] or len(x) == 0:
        raise ValueError(
            f"samples must have shape (n, {c.shape[1]}). Received: shape={x.shape}"
        )
    if not std > 0:
        raise ValueError(f"std must be > 0. Received: std={std}")
    k = len(c)
    if min_share is None:
        min_share = 0.25 / k
    if not 0 <= min_share <= 1:
        raise ValueError(f"min_share must be in [0, 1]. Received: min_share={min_share}")
    finite = np.all(np.isfinite(x), axis=1)
    dist = np.linalg.norm(x[:, None, :] - c[None, :, :], axis=-1)
    dist[~finite] = np.inf
    nearest = np.argmin(dist, axis=1)
    good = dist[np.arange(len(x)), nearest] <= radius * std
    counts = np.bincount(nearest[good], minlength=k)
    return {
        "modes_covered": int(np.sum(counts >= min_share * len(x))),
        "num_modes": int(k),
        "high_quality": float(good.mean()),
        "mode_counts": counts.tolist(),
    }
