"""The Inception Score of Salimans et al. 2016, from any classifier's probabilities.

    IS = exp(E_x KL(p(y|x) || p(y)))

high when each sample is classified confidently (sharp p(y|x)) and the
classes are balanced (flat p(y)). It is computed on `splits` parts of the
samples (10 in the paper's code) and reported as their mean and std.
The samples are shuffled first: splits of class-sorted samples each hold
one class, their p(y) is as sharp as p(y|x), and the score collapses to 1.

It never looks at real data: a "generator" that returns one image per
class (the slide's cheat) scores the number of classes.
"""

import numpy as np


def inception_score(probs, splits=10, shuffle=True, seed=0, eps=1e-12):
    """Inception Score (mean, std over splits) of class probabilities `(n, classes)`.

    Args:
        probs: p(y|x) per sample, rows summing to 1 (e.g. `judge_predict`,
            or InceptionV3's softmax for ImageNet-like images).
        splits: number of parts, each scored on its own (10).
        shuffle: shuffle the samples before splitting (keep True: see above).
        seed: seed of the shuffle.
        eps: floor of the probabilities inside the logarithms.

    Returns:
        (mean, std) of the per-split scores; 1 <= IS <= number of classes.

    Raises:
        ValueError: for a non-2D `probs`, fewer samples than splits, or
            rows that do not sum to 1.

    Example:
        >>> round(inception_score(np.eye(10)[np.arange(1000) % 10])[0], 3)
        10.0
    """
    p = np.asarray(probs, "float64")
    if p.ndim != 2 or len(p) < splits or splits < 1:
        raise ValueError(f"probs must be (n, classes) with n >= splits >= 1. "
                         f"Received: probs.shape={p.shape}, splits={splits!r}")
    if not np.allclose(p.sum(1), 1.0, atol=1e-3):
        raise ValueError("probs must be probabilities (rows summing to 1), not logits. "
                         f"Received: row sums from {p.sum(1).min():.3g} to {p.sum(1).max():.3g}")
    if shuffle:
        p = p[np.random.default_rng(seed).permutation(len(p))]
    scores = []
    for part in np.array_split(p, splits):
        py = part.mean(0, keepdims=True)
        kl = (part * (np.log(part + eps) - np.log(py + eps))).sum(1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))
