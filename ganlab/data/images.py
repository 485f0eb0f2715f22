"""Embedded, offline image datasets (and the entry point to the TFDS ones).

Every dataset here is built from files that installed packages ship, so the
labs run on a machine without the internet:

| name             | source                                   | default size | channels | labels |
|------------------|------------------------------------------|--------------|----------|--------|
| `digits`         | scikit-learn `load_digits` (UCI, 8x8)    | 16           | 1        | 0-9    |
| `faces`          | scikit-image `lfw_subset` (face half)    | 32           | 1        | none   |
| `photos`         | sklearn + skimage sample photos, crops   | 64           | 3        | none   |
| `printed_digits` | digits 0-9 in matplotlib's fonts         | 16           | 1        | 0-9    |

`mnist`, `fashion_mnist`, `cifar10` and `celeb_a` are real datasets served by
`tensorflow_datasets` (see `ganlab.data.tfds`); they need the internet the
first time and go through the same `load_images` entry point.

Images are float32, NHWC, in [-1, 1]; labels are int32. The train/test
splits are fixed (see each dataset's notes below and `datasets/README.md`), so
students, labs and graders all see the same examples.
"""

import functools
import math
from pathlib import Path

import numpy as np
import tensorflow as tf

from ganlab.data import tfds as _tfds
from ganlab.data.names import EMBEDDED_DATASETS

SPLITS = ("train", "test")
"""Splits of every embedded dataset."""

DEFAULT_IMAGE_SIZE = {"digits": 16, "faces": 32, "photos": 64, "printed_digits": 16}
"""Image side each embedded dataset gives when `image_size=None`."""

DIGIT_SIZES = (8, 16, 28, 32)
"""Sizes `digits` and `printed_digits` come in (8 is the native size)."""

FACE_SIZES = (16, 25, 28, 32, 64)
"""Sizes `faces` comes in (25 is the native size)."""

PHOTO_SIZE_RANGE = (8, 256)
"""Smallest and largest crop side of `photos` (the smallest source is 300 px high)."""

PHOTO_SOURCES = {
    "train": ("astronaut", "china", "coffee", "rocket", "motorcycle"),
    "test": ("chelsea", "flower"),
}
"""Which source photos each `photos` split crops from: the test images are never trained on."""

PHOTO_CROPS_PER_IMAGE = {"train": 256, "test": 128}
"""Number of random crops taken from each source photo (1,280 train, 256 test)."""

PRINTED_DIGITS_PER_SPLIT = {"train": 2000, "test": 500}
"""Number of rendered digits in each `printed_digits` split (balanced over 0-9)."""

PRINTED_DIGIT_FONTS = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf",
    "DejaVuSansMono-Oblique.ttf",
    "DejaVuSansMono-BoldOblique.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf",
    "DejaVuSerif-BoldItalic.ttf",
    "STIXGeneral.ttf",
    "STIXGeneralBol.ttf",
    "STIXGeneralItalic.ttf",
    "STIXGeneralBolIta.ttf",
    "cmr10.ttf",
    "cmb10.ttf",
    "cmss10.ttf",
    "cmtt10.ttf",
    "cmti10.ttf",
)
"""The matplotlib-shipped fonts `printed_digits` renders with (in `mpl-data/fonts/ttf`)."""

DIGITS_TEST_FRACTION = 0.2
DIGITS_SPLIT_RANDOM_STATE = 0
"""`digits` split: `train_test_split(test_size=0.2, stratify=y, random_state=0)`."""

_FACES_SPLIT_SEED = 0
_FACES_NUM_TRAIN = 80
_PHOTO_CROP_SEED = {"train": 1, "test": 2}
_PRINTED_SEED = {"train": 11, "test": 12}


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------


def available_datasets():
    """Names `load_images` accepts.

    Returns:
        A tuple of dataset names: the embedded ones first, then the TFDS ones.

    Example:

    >>> "digits" in available_datasets()
    True
    """
    return EMBEDDED_DATASETS + _tfds.TFDS_DATASETS


def load_images(
    name,
    split="train",
    image_size=None,
    batch_size=64,
    seed=0,
    with_labels=False,
    shuffle=True,
    drop_remainder=True,
    data_dir=None,
):
    """Load an image dataset as a batched `tf.data.Dataset`.

    The one entry point for every image dataset in ganlab: the embedded ones
    (`digits`, `faces`, `photos`, `printed_digits`, built offline from files
    that installed packages ship) and the TFDS ones (`mnist`,
    `fashion_mnist`, `cifar10`, `celeb_a`, which need `tensorflow-datasets`
    and the internet the first time).

    The pipeline is: cache -> shuffle (seeded, reshuffled each epoch) ->
    batch -> prefetch(AUTOTUNE). The same `seed` gives the same sequence of
    batches, epoch after epoch.

    Args:
        name: dataset name, one of `available_datasets()`.
        split: `"train"` or `"test"` (TFDS datasets also accept their own
            split names and slices, e.g. `"validation"`, `"train[:10%]"`).
        image_size: side of the square images; `None` gives the dataset's
            default (`DEFAULT_IMAGE_SIZE`, or the native size for TFDS
            datasets; 64 for `celeb_a`).
        batch_size: number of images per batch.
        seed: seed of the shuffle.
        with_labels: if True, yield `(images, labels)` with int32 labels of
            shape `(batch,)`; only for datasets that have labels.
        shuffle: whether to shuffle (each epoch, seeded).
        drop_remainder: whether to drop the last, smaller batch (so every
            batch has the static shape `batch_size`).
        data_dir: where TFDS keeps its downloads (TFDS datasets only;
            `None` is TFDS's default).

    Returns:
        A `tf.data.Dataset` of float32 images of shape
        `(batch, image_size, image_size, channels)` in [-1, 1], or of
        `(images, labels)` pairs when `with_labels=True`.

    Raises:
        ValueError: for an unknown name or split, a size the data cannot
            give, a non-positive batch size, a batch larger than the split
            with `drop_remainder=True`, or `with_labels=True` for a dataset
            without labels.
        ganlab.data.tfds.DatasetUnavailableError: for a TFDS dataset when
            `tensorflow-datasets` is missing or the download fails.

    Example:

    >>> ds = load_images("digits", batch_size=32, seed=1)
    >>> images = next(iter(ds))
    >>> images.shape
    TensorShape([32, 16, 16, 1])
    >>> ds = load_images("digits", with_labels=True)
    >>> images, labels = next(iter(ds))
    """
    _check_name(name)
    batch_size = _check_positive_int("batch_size", batch_size)
    if name in _tfds.TFDS_DATASETS:
        return _tfds.load_tfds_images(
            name,
            split=split,
            image_size=image_size,
            batch_size=batch_size,
            seed=seed,
            with_labels=with_labels,
            shuffle=shuffle,
            drop_remainder=drop_remainder,
            data_dir=data_dir,
        )
    _check_with_labels(name, with_labels)
    images, labels = _cached_arrays(name, split, _check_size(name, image_size))
    if drop_remainder and batch_size > len(images):
        raise ValueError(
            f"`batch_size` is larger than the {len(images)} examples of "
            f"{name!r} split {split!r}, so drop_remainder=True leaves no batch; "
            f"use batch_size <= {len(images)} or drop_remainder=False. "
            f"Received: batch_size={batch_size}"
        )
    if with_labels:
        ds = tf.data.Dataset.from_tensor_slices((images, labels))
    else:
        ds = tf.data.Dataset.from_tensor_slices(images)
    ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)


def load_image_arrays(name, split="train", image_size=None):
    """Load a whole embedded split as numpy arrays.

    What graders use: the arrays are fixed (no seed), in the dataset's fixed
    order, and identical to what `load_images` shuffles.

    Args:
        name: an embedded dataset name, one of `EMBEDDED_DATASETS`.
        split: `"train"` or `"test"`.
        image_size: side of the square images; `None` gives the dataset's
            default (`DEFAULT_IMAGE_SIZE`).

    Returns:
        A tuple `(images, labels)`: float32 images of shape
        `(n, image_size, image_size, channels)` in [-1, 1], and int32 labels
        of shape `(n,)`, or `None` for datasets without labels.

    Raises:
        ValueError: for an unknown or TFDS name, an unknown split, or a size
            the data cannot give.

    Example:

    >>> x, y = load_image_arrays("digits", "test", 16)
    >>> x.shape, y.shape
    ((360, 16, 16, 1), (360,))
    """
    _check_name(name)
    if name in _tfds.TFDS_DATASETS:
        raise ValueError(
            "`name` must be an embedded dataset for numpy arrays "
            f"({', '.join(EMBEDDED_DATASETS)}); for {name!r} use "
            f"load_images(...) and iterate. Received: name={name!r}"
        )
    images, labels = _cached_arrays(name, split, _check_size(name, image_size))
    return images.copy(), (None if labels is None else labels.copy())


def has_labels(name):
    """Whether dataset `name` has class labels.

    Args:
        name: a dataset name, one of `available_datasets()`.

    Returns:
        True for `digits`, `printed_digits`, `mnist`, `fashion_mnist` and
        `cifar10`; False for `faces`, `photos` and `celeb_a`.

    Raises:
        ValueError: for an unknown name.
    """
    _check_name(name)
    if name in _tfds.TFDS_DATASETS:
        return _tfds.has_labels(name)
    return name in ("digits", "printed_digits")


def num_classes(name):
    """Number of classes of a labelled dataset (10 for all of them).

    Args:
        name: a dataset name with labels (see `has_labels`).

    Returns:
        The number of classes, an int.

    Raises:
        ValueError: for an unknown name or a dataset without labels.
    """
    _check_with_labels(name, True)
    return 10


def load_photo_sources(split="train"):
    """The full-size source photos `photos` crops from.

    Useful where a whole image is wanted, e.g. to super-resolve the held-out
    photos in one piece.

    Args:
        split: `"train"` or `"test"`.

    Returns:
        A dict from photo name to a uint8 RGB array `(height, width, 3)`, in
        the order of `PHOTO_SOURCES[split]`.

    Raises:
        ValueError: for an unknown split.

    Example:

    >>> sorted(load_photo_sources("test"))
    ['chelsea', 'flower']
    """
    _check_split(split)
    photos = _photo_sources()
    return {n: photos[n].copy() for n in PHOTO_SOURCES[split]}


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _check_name(name):
    if name not in available_datasets():
        raise ValueError(
            f"`name` must be one of {', '.join(available_datasets())}. "
            f"Received: name={name!r}"
        )


def _check_split(split):
    if split not in SPLITS:
        raise ValueError(
            f"`split` must be one of {', '.join(SPLITS)}. Received: split={split!r}"
        )


def _check_positive_int(arg, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r}")
    return int(value)


def _check_with_labels(name, with_labels):
    _check_name(name)
    if with_labels and not has_labels(name):
        labelled = [n for n in available_datasets() if has_labels(n)]
        raise ValueError(
            f"`with_labels=True` needs a dataset with labels "
            f"({', '.join(labelled)}); {name!r} has none. "
            f"Received: name={name!r}, with_labels={with_labels!r}"
        )


def _check_size(name, image_size):
    if image_size is None:
        return DEFAULT_IMAGE_SIZE[name]
    if name in ("digits", "printed_digits"):
        allowed, ok = f"one of {DIGIT_SIZES}", image_size in DIGIT_SIZES
    elif name == "faces":
        allowed, ok = f"one of {FACE_SIZES}", image_size in FACE_SIZES
    else:
        lo, hi = PHOTO_SIZE_RANGE
        allowed = f"an integer from {lo} to {hi}"
        ok = isinstance(image_size, (int, np.integer)) and lo <= image_size <= hi
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)) or not ok:
        raise ValueError(
            f"`image_size` for {name!r} must be {allowed} (or None for "
            f"{DEFAULT_IMAGE_SIZE[name]}). Received: image_size={image_size!r}"
        )
    return int(image_size)


# --------------------------------------------------------------------------
# Builders (cached per process)
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _cached_arrays(name, split, image_size):
    _check_split(split)
    builder = {
        "digits": _digits_arrays,
        "faces": _faces_arrays,
        "photos": _photos_arrays,
        "printed_digits": _printed_digits_arrays,
    }[name]
    images, labels = builder(split, image_size)
    images = np.ascontiguousarray(images, dtype=np.float32)
    images.setflags(write=False)
    if labels is not None:
        labels = np.ascontiguousarray(labels, dtype=np.int32)
        labels.setflags(write=False)
    return images, labels


def _resize(images, size):
    """Resize NHWC float images in [-1, 1] (bilinear, antialiased when shrinking)."""
    if images.shape[1] == size and images.shape[2] == size:
        return images
    out = tf.image.resize(images, (size, size), method="bilinear", antialias=True)
    return np.clip(out.numpy(), -1.0, 1.0)


def _digits_split_indices():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    idx = np.arange(len(digits.target))
    train_idx, test_idx = train_test_split(
        idx,
        test_size=DIGITS_TEST_FRACTION,
        stratify=digits.target,
        random_state=DIGITS_SPLIT_RANDOM_STATE,
    )
    return digits, {"train": np.sort(train_idx), "test": np.sort(test_idx)}


def _digits_arrays(split, image_size):
    digits, indices = _digits_split_indices()
    idx = indices[split]
    # Pixels are counts 0..16 of ink in 4x4 blocks: 0 -> -1 (paper), 16 -> +1 (ink).
    images = digits.images[idx].astype(np.float32) / 8.0 - 1.0
    return _resize(images[..., None], image_size), digits.target[idx]


def _faces_arrays(split, image_size):
    from skimage.data import lfw_subset

    faces = lfw_subset()[:100]  # the first 100 are faces, the last 100 non-faces
    order = np.random.default_rng(_FACES_SPLIT_SEED).permutation(len(faces))
    idx = np.sort(order[:_FACES_NUM_TRAIN] if split == "train" else order[_FACES_NUM_TRAIN:])
    images = faces[idx].astype(np.float32)
    if np.issubdtype(faces.dtype, np.integer):  # documented as uint8, shipped as [0, 1] floats
        images = images / 255.0
    images = images * 2.0 - 1.0
    return _resize(images[..., None], image_size), None


@functools.lru_cache(maxsize=1)
def _photo_sources():
    import warnings

    from skimage import data as skdata
    from sklearn.datasets import load_sample_images

    sample = load_sample_images()
    photos = {Path(f).stem: img for f, img in zip(sample.filenames, sample.images, strict=True)}
    photos["astronaut"] = skdata.astronaut()
    photos["chelsea"] = skdata.chelsea()
    photos["coffee"] = skdata.coffee()
    photos["rocket"] = skdata.rocket()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        photos["motorcycle"] = skdata.stereo_motorcycle()[0]  # the left view
    return {n: np.asarray(p[..., :3], dtype=np.uint8) for n, p in photos.items()}


def _photos_arrays(split, image_size):
    sources = _photo_sources()
    rng = np.random.default_rng(_PHOTO_CROP_SEED[split])
    crops = []
    for photo_name in PHOTO_SOURCES[split]:
        photo = sources[photo_name]
        h, w = photo.shape[:2]
        for _ in range(PHOTO_CROPS_PER_IMAGE[split]):
            top = rng.integers(0, h - image_size + 1)
            left = rng.integers(0, w - image_size + 1)
            crops.append(photo[top : top + image_size, left : left + image_size])
    images = np.stack(crops).astype(np.float32) / 127.5 - 1.0
    return images, None


def _printed_digits_arrays(split, image_size):
    n = PRINTED_DIGITS_PER_SPLIT[split]
    rng = np.random.default_rng(_PRINTED_SEED[split])
    labels = np.arange(n) % 10
    rng.shuffle(labels)
    fonts = rng.integers(0, len(PRINTED_DIGIT_FONTS), size=n)
    images = np.stack(
        [render_digit(int(d), PRINTED_DIGIT_FONTS[f], image_size, rng)
         for d, f in zip(labels, fonts, strict=True)]
    )
    return images[..., None], labels


@functools.lru_cache(maxsize=256)
def _glyph(digit, font_file):
    """The anti-aliased FreeType bitmap of one digit, cropped to its ink, in [0, 1]."""
    import matplotlib
    from matplotlib import ft2font

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / font_file
    font = ft2font.FT2Font(str(path))
    font.set_size(48, 72)
    font.set_text(str(digit), 0.0)
    font.draw_glyphs_to_bitmap(antialiased=True)
    bitmap = np.asarray(font.get_image(), dtype=np.float32) / 255.0
    rows = np.flatnonzero(bitmap.max(axis=1) > 0)
    cols = np.flatnonzero(bitmap.max(axis=0) > 0)
    return bitmap[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def render_digit(digit, font_file, image_size, rng=None, angle=None, shear=None):
    """Render one digit in one of matplotlib's fonts, with random affine jitter.

    The glyph is drawn by FreeType (`matplotlib.ft2font`), fitted to 88% of
    the frame height like the size-normalised UCI digits, jittered (rotation
    +-10 degrees, shear +-0.15, scale 0.9-1.05, shift +-5% of the frame),
    drawn on a canvas `k` times larger than `image_size` and block-averaged
    down, so the strokes are anti-aliased at any size.

    Args:
        digit: the digit, 0-9.
        font_file: a file name in matplotlib's `mpl-data/fonts/ttf`, e.g.
            `"DejaVuSans.ttf"` (see `PRINTED_DIGIT_FONTS`).
        image_size: side of the square output.
        rng: a `numpy.random.Generator` for the jitter; `None` renders
            without jitter.
        angle: a rotation in degrees (counter-clockwise on the page, so a
            positive angle tilts an upright stroke's top to the left) that
            replaces the drawn one; None keeps the jitter's. The jitter is
            drawn either way, so the generator's stream does not change.
        shear: a shear that replaces the drawn one (None keeps it).

    Returns:
        A float32 array `(image_size, image_size)` in [-1, 1], ink = +1.

    Example:

    >>> img = render_digit(7, "DejaVuSerif.ttf", 16, np.random.default_rng(0))
    >>> img.shape
    (16, 16)
    """
    from scipy import ndimage

    angle_override, shear_override = angle, shear
    glyph = _glyph(digit, font_file)
    k = max(2, math.ceil(64 / image_size))
    canvas = image_size * k
    if rng is None:
        angle, shear, zoom, shift = 0.0, 0.0, 1.0, np.zeros(2)
    else:
        angle = np.deg2rad(rng.uniform(-10, 10))
        shear = rng.uniform(-0.15, 0.15)
        zoom = rng.uniform(0.9, 1.05)
        shift = rng.uniform(-0.05, 0.05, size=2) * canvas
    if angle_override is not None:
        angle = np.deg2rad(float(angle_override))
    if shear_override is not None:
        shear = float(shear_override)
    scale = 0.88 * canvas * zoom / glyph.shape[0]
    # forward map (row, col) glyph -> canvas: A = scale * R(angle) @ Shear
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    forward = scale * rot @ np.array([[1.0, 0.0], [shear, 1.0]])
    inverse = np.linalg.inv(forward)
    glyph_center = (np.array(glyph.shape) - 1) / 2.0
    canvas_center = (canvas - 1) / 2.0 + shift
    offset = glyph_center - inverse @ canvas_center
    big = ndimage.affine_transform(
        glyph, inverse, offset=offset, output_shape=(canvas, canvas), order=1, cval=0.0
    )
    small = big.reshape(image_size, k, image_size, k).mean(axis=(1, 3))
    return np.clip(small * 2.0 - 1.0, -1.0, 1.0).astype(np.float32)
