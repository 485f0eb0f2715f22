"""Improved precision and recall of a generator (Kynkäänniemi et al., NeurIPS 2019).

Each set of feature vectors stands for its manifold: the union of balls
around its points, each ball reaching the point's k-th nearest neighbour in
its own set (the paper's k = 3). Precision is the share of generated samples
inside the real manifold (are the samples realistic?); recall is the share
of real samples inside the generated manifold (does G cover the data's
variety?). A generator that ignores z, or draws a handful of styles, has
balls of radius 0 around repeated points: its recall is near 0 however good
each sample is.
"""

import numpy as np

CHUNK = 1000
"""Rows of a distance block: memory stays at CHUNK x n, so 10,000 x 10,000 sets fit."""


def _distances(a, b):
    a2, b2 = (a * a).sum(1), (b * b).sum(1)
    return np.sqrt(np.maximum(a2[:, None] + b2[None, :] - 2.0 * a @ b.T, 0.0))


def knn_radii(features, k=3):
    """Distance of each point to its k-th nearest neighbour in its own set (itself excluded)."""
    x = np.asarray(features, "float64")
    if x.ndim != 2 or len(x) <= k:
        raise ValueError(f"features must be (n, d) with n > k. Received: shape={x.shape}, k={k}")
    # column 0 of each sorted row is the point itself (distance 0)
    return np.concatenate([np.partition(_distances(x[i:i + CHUNK], x), k, axis=1)[:, k]
                           for i in range(0, len(x), CHUNK)])


def manifold_share(points, support, k=3):
    """Share of `points` inside the k-NN manifold of `support`."""
    p, s = np.asarray(points, "float64"), np.asarray(support, "float64")
    radii = knn_radii(s, k)
    inside = [(_distances(p[i:i + CHUNK], s) <= radii[None, :]).any(axis=1)
              for i in range(0, len(p), CHUNK)]
    return float(np.concatenate(inside).mean())


def precision_recall(real, fake, k=3):
    """(precision, recall) of generated features `fake` against real features `real`.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> real = rng.normal(size=(300, 4))
        >>> p, r = precision_recall(real, np.repeat(real[:1], 300, axis=0))
        >>> p, round(r, 2)   # one point repeated: realistic, but no variety
        (1.0, 0.0)
    """
    return manifold_share(fake, real, k), manifold_share(real, fake, k)
