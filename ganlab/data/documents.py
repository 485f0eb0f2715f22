"""Unpaired document scans, rendered here: clean pages and pages with text bleed-through.

CycleGAN's lecture application: historical documents scanned from both
sides show the verso's text through the paper, mirrored, blurred and
faded, on yellowed paper. Clean and bleed-through scans of one publication
exist, but never of the same page, so the task is unpaired; and a global
threshold cannot clean them, because the darkest bleed-through is as dark
as the faintest real ink.

`bleed` renders both domains with matplotlib's fonts (FreeType, as
`ganlab.data.images.render_digit`):

- X, clean scans: a few lines of text (random words of a fixed alphabet)
  in one of `BLEED_FONTS`, each line with its own ink strength in
  `INK_STRENGTH` (some lines faint), on paper with a low-frequency
  texture and scan noise;
- Y, bleed-through scans: *other* texts (another random stream, so no Y
  page has an X twin), on yellowed, stained paper, under the verso page's
  text mirrored left to right, blurred and faded with a strength in
  `BLEED_STRENGTH`;
- for every held-out Y page, its clean version: the same recto text on
  the same paper, with neither the yellowing nor the bleed-through, so
  F: Y -> X can be scored against ground truth.

`fonts` renders the same texts in a serif (X) and a sans font (Y), clean:
the geometric change the lecture says CycleGAN fails at.

Images are float32 NHWC RGB in [-1, 1] (paper near +1, ink near -1). A split's
arrays are fixed (no seed changes them); train and test are rendered from
different random streams, so no held-out page, text or verso is trained on.
"""

import functools
from pathlib import Path

import numpy as np

DOCUMENT_TASKS = ("bleed", "fonts")
"""The embedded unpaired tasks."""

DOCUMENT_SIZES = (16, 32, 64)
"""Sides a page crop can be rendered at."""

PAGES_PER_SPLIT = {"train": 1000, "test": 96}
"""Pages of each domain in each split."""

BLEED_FONTS = ("DejaVuSerif.ttf", "DejaVuSans.ttf", "STIXGeneral.ttf", "cmr10.ttf")
"""Fonts of the `bleed` pages (both domains)."""

FONT_PAIR = ("DejaVuSerif.ttf", "DejaVuSans.ttf")
"""(X, Y) fonts of the `fonts` task."""

INK_STRENGTH = (0.35, 1.0)
"""Range of a text line's ink strength (the share of the way from paper to ink at full coverage)."""

BLEED_STRENGTH = (0.45, 0.8)
"""Range of the verso text's strength where it shows through."""

LINES_PER_PAGE = 3
_SUPERSAMPLE = 4
_INK = np.array([0.08, 0.08, 0.10], np.float32)
_BLEED_INK = np.array([0.42, 0.34, 0.24], np.float32)
_YELLOWING = np.array([1.0, 0.95, 0.80], np.float32)
_SEEDS = {"train": 31, "test": 32}
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def _check(task, split, image_size):
    if task not in DOCUMENT_TASKS:
        raise ValueError(f"task must be one of {DOCUMENT_TASKS}. Received: task={task!r}")
    if split not in PAGES_PER_SPLIT:
        raise ValueError(f"split must be one of {tuple(PAGES_PER_SPLIT)}. Received: split={split!r}")
    if image_size not in DOCUMENT_SIZES:
        raise ValueError(
            f"image_size must be one of {DOCUMENT_SIZES}. Received: image_size={image_size!r}")


@functools.lru_cache(maxsize=64)
def _font(font_file, pixels):
    import matplotlib
    from matplotlib import ft2font

    font = ft2font.FT2Font(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / font_file))
    font.set_size(pixels, 72)
    return font


def _line_bitmap(text, font_file, pixels):
    """The anti-aliased coverage of one line of text, in [0, 1]."""
    font = _font(font_file, pixels)
    font.set_text(text, 0.0)
    font.draw_glyphs_to_bitmap(antialiased=True)
    return np.asarray(font.get_image(), np.float32) / 255.0


def _words(rng, characters):
    words, n = [], 0
    while n < characters:
        w = "".join(rng.choice(list(_ALPHABET), size=int(rng.integers(2, 8))))
        words.append(w)
        n += len(w) + 1
    return " ".join(words)


def _text_coverage(rng, font_file, canvas):
    """Coverage maps (one per line) of a page crop's lines, and their ink strengths."""
    pixels = int(canvas * 0.2)
    pitch = canvas / LINES_PER_PAGE
    top = rng.uniform(-0.3, 0.1) * pitch
    maps, strengths = [], []
    for i in range(LINES_PER_PAGE + 1):  # one more, cut by the crop's lower edge
        line = _line_bitmap(_words(rng, 24), font_file, pixels)
        m = np.zeros((canvas, canvas), np.float32)
        row = int(round(top + i * pitch))
        col = -int(rng.integers(0, max(1, line.shape[1] - canvas)))
        r0, r1 = max(row, 0), min(row + line.shape[0], canvas)
        c1 = min(col + line.shape[1], canvas)
        if r1 > r0 and c1 > 0:
            m[r0:r1, 0:c1] = line[r0 - row:r1 - row, -col:-col + c1]
        maps.append(m)
        strengths.append(rng.uniform(*INK_STRENGTH))
    return maps, strengths


def _paper(rng, size):
    """Paper: a warm white with a smooth texture (a few blurred noise octaves)."""
    from scipy import ndimage

    base = np.array([0.93, 0.91, 0.86], np.float32) + rng.uniform(-0.02, 0.02, 3)
    texture = ndimage.gaussian_filter(rng.normal(0, 1, (size, size)), size / 8)
    texture = 0.03 * texture / (texture.std() + 1e-6)
    return np.clip(base[None, None, :] + texture[..., None], 0, 1).astype(np.float32)


def _shrink(canvas_map, size):
    k = canvas_map.shape[0] // size
    return canvas_map.reshape(size, k, size, k).mean(axis=(1, 3))


def _ink(paper, coverage, strength, color):
    a = np.clip(coverage * strength, 0, 1)[..., None]
    return paper * (1 - a) + color[None, None, :] * a


def _render_pair(rng, size, recto_font, verso_font=None, bleed=False):
    """(scan, clean version) of one page crop; the scan has bleed-through when asked."""
    from scipy import ndimage

    canvas = size * _SUPERSAMPLE
    maps, strengths = _text_coverage(rng, recto_font, canvas)
    coverage = sum(s * m for s, m in zip(strengths, maps, strict=True))
    coverage = _shrink(np.clip(coverage, 0, 1), size)
    paper = _paper(rng, size)
    noise = rng.normal(0, 0.01, (size, size, 3)).astype(np.float32)
    clean = _ink(paper, coverage, 1.0, _INK)
    if not bleed:
        return np.clip(clean + noise, 0, 1), np.clip(clean, 0, 1)
    verso_maps, _ = _text_coverage(rng, verso_font or recto_font, canvas)
    verso = np.clip(sum(verso_maps), 0, 1)[:, ::-1]  # seen from the other side: mirrored
    verso = ndimage.gaussian_filter(verso, rng.uniform(1.0, 2.0) * _SUPERSAMPLE / 2)
    verso = _shrink(verso, size) / max(float(verso.max()), 1e-6)
    stain = ndimage.gaussian_filter(rng.normal(0, 1, (size, size)), size / 6)
    yellow = _YELLOWING + (1 - _YELLOWING) * 0.3 * np.tanh(stain)[..., None]
    aged = paper * yellow
    scan = _ink(aged, verso, rng.uniform(*BLEED_STRENGTH), _BLEED_INK)
    scan = _ink(scan, coverage, 1.0, _INK)
    return np.clip(scan + noise, 0, 1), np.clip(clean, 0, 1)


@functools.lru_cache(maxsize=8)
def _pages(task, split, image_size):
    rng = np.random.default_rng(_SEEDS[split])
    n = PAGES_PER_SPLIT[split]
    x, y, y_clean = [], [], []
    for _ in range(n):
        if task == "bleed":
            font = BLEED_FONTS[int(rng.integers(len(BLEED_FONTS)))]
            x.append(_render_pair(rng, image_size, font)[0])
        else:
            x.append(_render_pair(np.random.default_rng(rng.integers(2**32)), image_size,
                                  FONT_PAIR[0])[0])
    for _ in range(n):
        if task == "bleed":
            font = BLEED_FONTS[int(rng.integers(len(BLEED_FONTS)))]
            scan, clean = _render_pair(rng, image_size, font, bleed=True)
        else:  # the same text and paper in the sans font (Y) and, as its X version, the serif
            page_seed = int(rng.integers(2**32))
            scan = _render_pair(np.random.default_rng(page_seed), image_size, FONT_PAIR[1])[0]
            clean = _render_pair(np.random.default_rng(page_seed), image_size, FONT_PAIR[0])[1]
        y.append(scan)
        y_clean.append(clean)

    def to_range(images):
        arr = np.stack(images).astype(np.float32) * 2 - 1
        arr.setflags(write=False)
        return arr

    return to_range(x), to_range(y), to_range(y_clean)


def load_document_arrays(task="bleed", split="train", image_size=32):
    """The pages of an embedded unpaired task, as numpy.

    Args:
        task: "bleed" or "fonts".
        split: "train" or "test".
        image_size: side of the square page crops (16, 32 or 64).

    Returns:
        dict with "x" (domain X: clean scans, or the serif font), "y"
        (domain Y: bleed-through scans, or the sans font) and "y_clean" (each
        Y page's X version: for `bleed` without bleed-through or yellowing;
        for `fonts` the same text and paper in the serif font, without scan
        noise; the words' placement may differ where the fonts' widths do), each
        float32 (n, image_size, image_size, 3) in [-1, 1], read-only. X and Y
        come from different texts: they are not pairs.

    Raises:
        ValueError: for an unknown task or split, or an unsupported size.

    Example:
        >>> pages = load_document_arrays("bleed", "test", 16)
        >>> pages["y"].shape, pages["y_clean"].shape
        ((96, 16, 16, 3), (96, 16, 16, 3))
    """
    _check(task, split, image_size)
    x, y, y_clean = _pages(task, split, image_size)
    return {"x": x, "y": y, "y_clean": y_clean}


def unpaired_dataset(x, y, batch_size=1, seed=0):
    """Endless (x, y) batches of two independently shuffled domains, for `fit`.

    Args:
        x, y: the two domains' images (numpy, any counts).
        batch_size: images of each domain per batch (CycleGAN uses 1).
        seed: the shuffling seed (each domain reshuffled every pass, repeatably).

    Returns:
        A `tf.data.Dataset` of (x_batch, y_batch).
    """
    import tensorflow as tf

    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1. Received: batch_size={batch_size!r}")

    def stream(images, s):
        return (tf.data.Dataset.from_tensor_slices(np.asarray(images, np.float32))
                .shuffle(len(images), seed=s, reshuffle_each_iteration=True)
                .repeat().batch(batch_size, drop_remainder=True))

    return tf.data.Dataset.zip((stream(x, seed), stream(y, seed + 1))).prefetch(
        tf.data.AUTOTUNE)


def ink_overlap(pages):
    """Why a global threshold cannot clean the `bleed` scans: the two gray levels that overlap.

    Returns:
        (lightest real ink, darkest bleed-through): the 90th percentile of
        the scans' gray level where the clean page has ink, and the 1st
        percentile where it has none but the scan is darker than the clean
        page (bleed-through only). When the first is above the second, any
        threshold that keeps that ink also keeps that bleed-through.
    """
    gray = np.asarray(pages["y"]).mean(-1)
    clean = np.asarray(pages["y_clean"]).mean(-1)
    paper = np.median(clean)
    ink = clean < paper - 0.3
    bleed_only = (clean > paper - 0.1) & (gray < clean - 0.1)
    return float(np.percentile(gray[ink], 90)), float(np.percentile(gray[bleed_only], 1))
