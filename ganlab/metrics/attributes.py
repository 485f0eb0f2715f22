"""Attributes of a digit image measured from its pixels: ink weight and slant.

Text-to-image graders (lab 13) check that a caption's "bold" or "light",
"tilted left" or "tilted right" shows in the samples. Both readers work on
gray images in [-1, 1] with ink = +1:

- `ink`: the mean ink coverage, mean((x + 1) / 2). Bold faces put more ink
  on the page than the regular (Book) ones for the same digit.
- `slant`: the image's second-moment skew, cov(row, col) / var(row) over
  the ink, i.e. how far the ink's column moves per row down the image
  (dcol / drow). A counter-clockwise rotation (top leaning left) makes it
  larger; a clockwise one smaller.

Both depend on the digit's own shape (an 8 holds more ink than a 1; a 7
leans by design), so `AttributeReader` compares each with a per-digit
threshold: the midpoint between the two classes' means in labelled real
images (`fit_reader`).
"""

import numpy as np


def _gray(images):
    x = np.asarray(images, "float64")
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(f"`images` must be gray images (n, H, W[, 1]). Received: shape {x.shape}")
    return (np.clip(x, -1, 1) + 1.0) / 2.0


def ink(images):
    """Mean ink coverage per image, in [0, 1].

    Example:
        >>> float(ink(np.ones((1, 4, 4, 1)))[0])
        1.0
    """
    return _gray(images).mean(axis=(1, 2))


def slant(images):
    """cov(row, col) / var(row) of the ink per image (> 0: the top leans left).

    Example:
        >>> x = -np.ones((1, 5, 5, 1)); x[0, range(5), [4, 3, 2, 1, 0], 0] = 1  # "/"
        >>> float(slant(x)[0])
        -1.0
    """
    w = _gray(images)
    n, h, wd = w.shape
    rows, cols = np.mgrid[:h, :wd]
    mass = w.sum(axis=(1, 2)) + 1e-8
    mr = (w * rows).sum(axis=(1, 2)) / mass
    mc = (w * cols).sum(axis=(1, 2)) / mass
    dr = rows[None] - mr[:, None, None]
    dc = cols[None] - mc[:, None, None]
    cov = (w * dr * dc).sum(axis=(1, 2)) / mass
    var = (w * dr * dr).sum(axis=(1, 2)) / mass + 1e-8
    return cov / var


MEASURES = {"weight": (ink, "bold", "light"), "tilt": (slant, "left", "right")}
"""attribute -> (measure, the value above the threshold, the value below)."""


class AttributeReader:
    """Reads one attribute from pixels with per-digit thresholds.

    Args:
        attribute: "weight" (ink) or "tilt" (slant).
        thresholds: (10,) per-digit thresholds of the measure.
    """

    def __init__(self, attribute, thresholds):
        if attribute not in MEASURES:
            raise ValueError(f"`attribute` must be one of {tuple(MEASURES)}. "
                             f"Received: attribute={attribute!r}")
        self.attribute = attribute
        self.thresholds = np.asarray(thresholds, "float64")

    def read(self, images, digits):
        """The attribute's value per image (e.g. "bold"/"light"), given the digit each shows."""
        measure, above, below = MEASURES[self.attribute]
        m = measure(images)
        t = self.thresholds[np.asarray(digits, int)]
        return np.where(m > t, above, below)

    def agreement(self, images, digits, values):
        """The share of images whose read attribute equals `values`."""
        return float(np.mean(self.read(images, digits) == np.asarray(values)))


def fit_reader(attribute, images, digits, values):
    """An `AttributeReader` whose per-digit threshold is the midpoint of the two classes' means.

    Args:
        attribute: "weight" or "tilt".
        images: labelled real images.
        digits: their digits (0-9).
        values: their attribute values ("bold"/"light" or "left"/"right").
    """
    measure, above, below = MEASURES[attribute]
    m = measure(images)
    digits, values = np.asarray(digits), np.asarray(values)
    thresholds = [0.5 * (m[(digits == d) & (values == above)].mean()
                         + m[(digits == d) & (values == below)].mean()) for d in range(10)]
    return AttributeReader(attribute, thresholds)
