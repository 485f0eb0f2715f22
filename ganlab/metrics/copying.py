"""Is a generator copying its training data? The data-copying test of Meehan et al.

Meehan, Chaudhuri & Dasgupta, "A Non-Parametric Test to Detect
Data-Copying in Generative Models" (AISTATS 2020), Section 3: compare how
far generated samples Q_m lie from the training set T with how far held-out
real samples P_n lie from it. A generator that copies (even with a little
noise, a shift, a blur) lies *closer* to T than new real data does.

The space is cut into cells (k-means on T), so that a generator which copies
in one region cannot hide behind one which underfits in another. In each
cell pi, with d(x) the distance of x to its nearest training point, the
Mann-Whitney U test of d over Q_m^pi against d over P_n^pi gives a z-score
Z_U(pi); the statistic is the P_n-weighted mean of the cells' z-scores,

    C_T(P_n, Q_m) = sum_pi P_n(pi) Z_U(pi) / sum_pi P_n(pi),

over the cells holding at least `min_cell` generated samples (the paper's
tau). Held-out real data in place of Q_m gives C_T ~ N(0, 1); C_T << 0 is
data-copying, C_T >> 0 a generator far from the data (underfitting).
"""

import numpy as np
from scipy import stats

from ganlab.metrics.judge import nearest_neighbour_distances


def mann_whitney_z(x, y):
    """z-score of the Mann-Whitney U statistic of x against y (ties averaged).

    Negative when the values of x tend to be smaller than those of y.
    """
    x, y = np.asarray(x, "float64"), np.asarray(y, "float64")
    m, n = len(x), len(y)
    ranks = stats.rankdata(np.concatenate([x, y]))
    u = ranks[:m].sum() - m * (m + 1) / 2.0
    return float((u - m * n / 2.0) / np.sqrt(m * n * (m + n + 1) / 12.0))


def data_copying_statistic(train, heldout, samples, cells=5, min_cell=10, seed=0,
                           distance=nearest_neighbour_distances):
    """Meehan et al.'s C_T: do the samples lie closer to the training set than new data?

    Args:
        train: training points T `(t, ...)`, in the space the test runs in.
        heldout: real points P_n `(n, ...)` never trained on.
        samples: generated points Q_m `(m, ...)`.
        cells: k of the k-means partition of T (on the flattened points).
        min_cell: cells holding fewer generated samples (or fewer than 2
            held-out points) are left out (the paper's tau).
        seed: seed of k-means.
        distance: callable (points, train) -> each point's distance to its
            nearest training point (`shift_invariant_distances` for images).

    Returns:
        A dict: `c_t` (the statistic; -inf when no cell qualifies, since a
        generator whose samples all sit in sparse cells cannot be shown new),
        `cell_z` (each cell's Z_U, None where left out), `cells_used`.

    Raises:
        ValueError: for inputs that are not 2D arrays of one dimension.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> t, p = rng.normal(size=(500, 2)), rng.normal(size=(200, 2))
        >>> copies = t[:200] + 0.01 * rng.normal(size=(200, 2))
        >>> data_copying_statistic(t, p, copies)["c_t"] < -3
        True
    """
    from sklearn.cluster import KMeans

    t, p, q = (np.asarray(a, "float64") for a in (train, heldout, samples))
    if t.ndim < 2 or not t.shape[1:] == p.shape[1:] == q.shape[1:] or min(len(t), len(p)) < cells:
        raise ValueError(
            "train, heldout and samples must be batches of one point shape, train and heldout "
            f"at least `cells` long. Received: train.shape={t.shape}, heldout.shape={p.shape}, "
            f"samples.shape={q.shape}, cells={cells}"
        )
    km = KMeans(n_clusters=cells, n_init=4, random_state=seed).fit(t.reshape(len(t), -1))
    cell_p, cell_q = (km.predict(a.reshape(len(a), -1)) for a in (p, q))
    d_p, d_q = distance(p, t), distance(q, t)
    zs, weights, cell_z = [], [], []
    for c in range(cells):
        in_p, in_q = cell_p == c, cell_q == c
        if in_q.sum() < min_cell or in_p.sum() < 2:
            cell_z.append(None)
            continue
        z = mann_whitney_z(d_q[in_q], d_p[in_p])
        zs.append(z)
        weights.append(in_p.mean())
        cell_z.append(z)
    c_t = float(np.dot(weights, zs) / np.sum(weights)) if zs else float("-inf")
    return {"c_t": c_t, "cell_z": cell_z, "cells_used": len(zs)}


def shift_invariant_distances(images, train, max_shift=2, pool=2):
    """Distance of each image to its nearest training image, blind to small shifts and noise.

    Both sides are average-pooled `pool` x `pool` (pixel noise averages out,
    the strokes stay), and each image is compared with the training set at
    every integer shift of up to `max_shift` pixels (wrapping round; digits
    have empty borders), keeping the smallest distance. A training image
    with noise or moved by a pixel or two is then still next to its source.

    Args:
        images: `(n, H, W, C)` images, H and W multiples of `pool`.
        train: `(t, H, W, C)` training images.

    Returns:
        A float64 array `(n,)`.
    """
    x, t = np.asarray(images, "float64"), np.asarray(train, "float64")
    if x.ndim != 4 or x.shape[1:] != t.shape[1:] or x.shape[1] % pool or x.shape[2] % pool:
        raise ValueError(
            f"images and train must be (n, H, W, C) batches of one shape, H and W multiples of "
            f"pool={pool}. Received: images.shape={x.shape}, train.shape={t.shape}"
        )

    def pooled(a):
        n, h, w, c = a.shape
        return a.reshape(n, h // pool, pool, w // pool, pool, c).mean(axis=(2, 4))

    reference, best = pooled(t), None
    for dy in range(-max_shift, max_shift + 1):
        for dx in range(-max_shift, max_shift + 1):
            d = nearest_neighbour_distances(pooled(np.roll(x, (dy, dx), axis=(1, 2))), reference)
            best = d if best is None else np.minimum(best, d)
    return best
