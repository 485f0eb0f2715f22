"""Figures of digit generators, measured with the judge (`ganlab.nets.judge`).

The judge is a small digit classifier trained on the embedded `digits`; it
plays for digits the part the Inception network plays for ImageNet-like
images:

- `confident_share`: the share of samples the judge classifies with
  confidence above 0.9 (recognisable digits; the idea behind the
  Inception Score's sharp p(y|x), Salimans et al. 2016);
- `class_histogram`: the share of samples per judged class (mode coverage:
  a mode-collapsed generator leaves classes empty, Metz et al. 2016);
- `frechet_distance`: the Fréchet distance between Gaussians fitted to the
  judge's penultimate features of real and generated images (FID's formula,
  Heusel et al. 2017, with the judge in place of InceptionV3; the one
  implementation is `ganlab.metrics.frechet.frechet_distance`);
- `nearest_neighbour_distances`: the distances the data-copying test
  (`ganlab.metrics.copying`) compares.

`digit_report` computes them all for a batch of samples.
"""

import numpy as np

from ganlab.metrics.frechet import feature_statistics, frechet_distance  # noqa: F401 (re-exported)
from ganlab.nets.judge import judge_features, judge_predict

CONFIDENCE = 0.9
"""Probability above which a judged sample counts as a recognisable digit."""

NUM_CLASSES = 10


def _probs(probs):
    p = np.asarray(probs, dtype="float64")
    if p.ndim != 2 or p.shape[0] == 0:
        raise ValueError(
            f"probs must be a non-empty (n, classes) array. Received: probs.shape={p.shape}"
        )
    return p


def confident_share(probs, threshold=CONFIDENCE):
    """Share of samples whose most probable class has probability > threshold.

    Args:
        probs: class probabilities `(n, classes)`, e.g. from `judge_predict`.
        threshold: confidence a sample must exceed, in [0, 1).

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: for an empty or non-2D `probs` or a threshold outside [0, 1).

    Example:
        >>> confident_share([[0.95, 0.05], [0.6, 0.4]])
        0.5
    """
    if not 0 <= threshold < 1:
        raise ValueError(f"threshold must be in [0, 1). Received: threshold={threshold!r}")
    return float((_probs(probs).max(axis=1) > threshold).mean())


def class_histogram(probs, num_classes=None):
    """Share of samples per judged class (argmax), a mode-coverage histogram.

    Args:
        probs: class probabilities `(n, classes)`.
        num_classes: number of bins; the width of `probs` when None.

    Returns:
        A float64 array `(num_classes,)` summing to 1.

    Example:
        >>> class_histogram([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]).tolist()
        [0.75, 0.25]
    """
    p = _probs(probs)
    k = p.shape[1] if num_classes is None else int(num_classes)
    return np.bincount(p.argmax(axis=1), minlength=k)[:k] / len(p)


def nearest_neighbour_distances(samples, reference, chunk=512):
    """Euclidean distance of each sample to its nearest reference image.

    Args:
        samples: images `(n, ...)`.
        reference: images `(m, ...)` of the same shape per image.
        chunk: samples per distance block (bounds memory to chunk * m).

    Returns:
        A float64 array `(n,)`.

    Raises:
        ValueError: if the per-image shapes differ.

    Example:
        >>> ref = np.eye(3)
        >>> nearest_neighbour_distances([[1.0, 0, 0], [0, 0, 2.0]], ref).tolist()
        [0.0, 1.0]
    """
    a = np.asarray(samples, dtype="float64")
    b = np.asarray(reference, dtype="float64")
    if a.shape[1:] != b.shape[1:] or len(b) == 0:
        raise ValueError(
            "samples and reference must be non-empty batches of the same image shape. "
            f"Received: samples.shape={a.shape}, reference.shape={b.shape}"
        )
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    b2 = (b * b).sum(axis=1)
    out = np.empty(len(a))
    for i in range(0, len(a), chunk):
        x = a[i : i + chunk]
        d2 = (x * x).sum(axis=1)[:, None] + b2[None, :] - 2.0 * x @ b.T
        out[i : i + chunk] = np.sqrt(np.maximum(d2.min(axis=1), 0.0))
    return out


def digit_report(judge, samples, real):
    """Every judge figure of a batch of generated digits.

    Args:
        judge: the judge (`ganlab.nets.load_judge()`).
        samples: generated gray digits `(n, H, W, 1)` in [-1, 1].
        real: real digits for the Fréchet distance (e.g. the training split).

    Returns:
        A dict: `confident_share`, `class_shares` (list of 10),
        `min_class_share`, `classes_covered` (classes with >= 1% of the
        samples) and `frechet_distance`.
    """
    probs = judge_predict(judge, samples)
    shares = class_histogram(probs, NUM_CLASSES)
    report = {
        "confident_share": confident_share(probs),
        "class_shares": [float(s) for s in shares],
        "min_class_share": float(shares.min()),
        "classes_covered": int((shares >= 0.01).sum()),
        "frechet_distance": frechet_distance(
            judge_features(judge, samples), judge_features(judge, real)
        ),
    }
    return report
