"""Paired image-to-image data (pix2pix): `(input, target)` batches.

Two embedded tasks, built offline from the source photos of the `photos`
dataset (`ganlab.data.images.PHOTO_SOURCES`: the train split crops from
astronaut, china, coffee, rocket and motorcycle; the test split from
chelsea and flower, which are never trained on):

| task          | input x                                          | target y                  |
|---------------|--------------------------------------------------|---------------------------|
| `colorize`    | the photo's lightness L (CIELAB), L / 50 - 1     | its color, (a, b) / 110   |
| `edges2photo` | scikit-image's Canny edges, black (-1) on white  | the photo (RGB)           |

`colorize` follows the reference code's colorization data
(`colorization_dataset.py`): the net sees the L channel and predicts the
two chroma channels a and b, so the lightness of the output is exactly the
input's; `lab_to_rgb(x, y)` puts a pair back together as an RGB photo, and
a = b = 0 is the gray photo.

Each example is a random square crop of a source photo, `PAIRED_CROP_SCALE`
times the image side (so a 32x32 example shows a 96x96 region, scaled
down), fixed by a seed: students, labs and graders see the same examples.

Real datasets come as folders of side-by-side JPEGs (the format of the
pix2pix datasets: `facades`, `edges2shoes`, ... from `PIX2PIX_URL`):
`folder:PATH` reads `PATH/train/*.jpg` and `PATH/test/*.jpg` (or
`PATH/val/*.jpg`), each image A|B, the left half A and the right half B.
`direction="AtoB"` makes A the input; facades is usually run `BtoA` (labels
to photo). The names of `PIX2PIX_DATASETS` are downloaded once with
`keras.utils.get_file` (into the Keras cache) by users who have the
internet; without it they fail at once, in one line
(`DatasetUnavailableError`).

Everything is float32, NHWC, in [-1, 1].
"""

import functools
import warnings
from pathlib import Path

import numpy as np
import tensorflow as tf

from ganlab.data.images import load_photo_sources

PAIRED_TASKS = ("colorize", "edges2photo")
"""The embedded paired tasks; `folder:PATH` reads side-by-side JPEGs."""

PIX2PIX_URL = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/"
"""Where the pix2pix authors serve their datasets, `<name>.tar.gz`."""

PIX2PIX_DATASETS = {"facades": "BtoA", "cityscapes": "BtoA", "maps": "AtoB",
                    "edges2shoes": "AtoB", "edges2handbags": "AtoB", "night2day": "AtoB"}
"""The downloadable pix2pix datasets and the direction the paper runs them in."""

PAIRED_CROP_SCALE = 3
"""Side of the crop taken from a source photo, in image sides."""

PAIRED_CROPS_PER_PHOTO = {"train": 256, "test": 64}
"""Crops per source photo: 1,280 training pairs, 128 held-out pairs."""

JITTER_SCALE = 286 / 256
"""Random jitter (Isola 2017, Section 6.2): resize to 286x286, crop back to 256x256."""

CANNY_SIGMA = 1.0
"""Gaussian smoothing of scikit-image's Canny detector, at the example's size."""

DIRECTIONS = ("AtoB", "BtoA")

_CROP_SEED = {"train": 21, "test": 22}


# ------------------------------------------------------------------ checks
def _check_task(task):
    if isinstance(task, str) and (task in PAIRED_TASKS or task in PIX2PIX_DATASETS
                                  or task.startswith("folder:")):
        return task
    raise ValueError(
        f"`task` must be one of {', '.join(PAIRED_TASKS)}, 'folder:PATH' or a pix2pix dataset "
        f"({', '.join(PIX2PIX_DATASETS)}). Received: task={task!r}"
    )


def download_pix2pix(name):
    """Download and unpack a pix2pix dataset once (Keras cache); return its folder.

    Raises:
        ValueError: for an unknown name.
        ganlab.data.tfds.DatasetUnavailableError: when the download fails
            (no internet), in one line.
    """
    import keras

    from ganlab.data.tfds import DatasetUnavailableError

    if name not in PIX2PIX_DATASETS:
        raise ValueError(f"`name` must be one of {', '.join(PIX2PIX_DATASETS)}. Received: name={name!r}")
    try:
        path = Path(keras.utils.get_file(f"{name}.tar.gz", PIX2PIX_URL + f"{name}.tar.gz",
                                         cache_subdir="datasets/pix2pix", extract=True))
    except Exception as err:  # offline, the error comes from urllib, wrapped by Keras
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        raise DatasetUnavailableError(
            f"cannot download the pix2pix dataset {name!r} from {PIX2PIX_URL} ({first}); "
            "without the internet use an embedded task (colorize, edges2photo) or folder:PATH"
        ) from None
    for folder in [path, *sorted(p for p in path.rglob("*") if p.is_dir())]:
        if (folder / "train").is_dir():
            return folder
    raise DatasetUnavailableError(f"the download of {name!r} has no train/ folder: {path}")


def _check_size(image_size):
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)) \
            or not 8 <= image_size <= 100:
        raise ValueError(
            "`image_size` of an embedded paired task must be an integer from 8 to 100 "
            f"(crops of {PAIRED_CROP_SCALE}x that side). Received: image_size={image_size!r}"
        )
    return int(image_size)


def check_pairs(x, y):
    """Validate a set of pairs: same count, same height and width, in [-1, 1].

    Raises:
        ValueError: if the inputs and targets differ in number or in size.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 4 or y.ndim != 4:
        raise ValueError(
            "inputs and targets must be image batches (n, H, W, C). "
            f"Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    if x.shape[:3] != y.shape[:3]:
        raise ValueError(
            "each input must have its target's size (and there must be as many of each). "
            f"Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    return x, y


# -------------------------------------------------------------- embedded
def to_gray(images):
    """ITU-R 601 luma of RGB images in [-1, 1], (n, H, W, 1) in [-1, 1]."""
    rgb = (np.asarray(images, np.float32) + 1.0) / 2.0
    return tf.image.rgb_to_grayscale(rgb).numpy() * 2.0 - 1.0


def rgb_to_lab(images):
    """RGB images in [-1, 1] -> (L / 50 - 1, (a, b) / 110): the `colorize` pair, in [-1, 1]."""
    from skimage.color import rgb2lab

    lab = rgb2lab((np.asarray(images, np.float64) + 1.0) / 2.0)
    lightness = lab[..., :1] / 50.0 - 1.0
    chroma = np.clip(lab[..., 1:] / 110.0, -1.0, 1.0)
    return lightness.astype(np.float32), chroma.astype(np.float32)


def lab_to_rgb(lightness, chroma):
    """(L / 50 - 1, (a, b) / 110) -> RGB images in [-1, 1] (`rgb_to_lab` undone).

    Args:
        lightness: (n, H, W, 1) in [-1, 1].
        chroma: (n, H, W, 2) in [-1, 1]; zeros give the gray images.
    """
    from skimage.color import lab2rgb

    lightness, chroma = np.asarray(lightness, np.float64), np.asarray(chroma, np.float64)
    if lightness.shape[:-1] != chroma.shape[:-1] or lightness.shape[-1] != 1 or chroma.shape[-1] != 2:
        raise ValueError(
            "lab_to_rgb needs lightness (n, H, W, 1) and chroma (n, H, W, 2) of the same size. "
            f"Received: lightness.shape={lightness.shape}, chroma.shape={chroma.shape}"
        )
    lab = np.concatenate([(lightness + 1.0) * 50.0, chroma * 110.0], axis=-1)
    with warnings.catch_warnings():  # colors outside sRGB (a G's, early on) are clipped: expected
        warnings.simplefilter("ignore", UserWarning)
        rgb = lab2rgb(lab)
    return (np.clip(rgb, 0.0, 1.0) * 2.0 - 1.0).astype(np.float32)


def as_photos(task, x, y):
    """Pairs (x, y) of a task as the RGB photos y stands for (colorize: L and ab joined)."""
    return lab_to_rgb(x, y) if task == "colorize" else np.asarray(y, np.float32)


def to_edges(images, sigma=CANNY_SIGMA):
    """Canny edges of images in [-1, 1]: -1 (black) on edges, +1 (white) elsewhere."""
    from skimage.feature import canny

    gray = (to_gray(images)[..., 0] + 1.0) / 2.0
    edges = np.stack([canny(g, sigma=sigma) for g in gray])
    return np.where(edges, -1.0, 1.0).astype(np.float32)[..., None]


@functools.lru_cache(maxsize=8)
def _photo_crops(split, image_size):
    """The target photos of a split: seeded square crops, scaled to image_size."""
    side = min(PAIRED_CROP_SCALE * image_size, 300)  # the smallest source is 300 px high
    rng = np.random.default_rng(_CROP_SEED[split])
    crops = []
    for photo in load_photo_sources(split).values():
        h, w = photo.shape[:2]
        for _ in range(PAIRED_CROPS_PER_PHOTO[split]):
            top, left = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
            crops.append(photo[top : top + side, left : left + side])
    images = np.stack(crops).astype(np.float32) / 127.5 - 1.0
    out = tf.image.resize(images, (image_size, image_size), method="bilinear", antialias=True)
    out = np.clip(out.numpy(), -1.0, 1.0)
    out.setflags(write=False)
    return out


# ---------------------------------------------------------------- folders
def _folder_files(root, split):
    names = ("train",) if split == "train" else ("test", "val")
    for name in names:
        files = sorted((root / name).glob("*.jp*g")) + sorted((root / name).glob("*.png"))
        if files:
            return files
    raise ValueError(
        f"a paired folder needs side-by-side images in {root}/{'/ or '.join(names)}/ "
        f"(*.jpg, *.png). Received: task='folder:{root}', split={split!r}"
    )


def split_side_by_side(image, direction="AtoB", path=None):
    """Split one A|B image (H, 2W, C) into (input, target), following `direction`.

    Raises:
        ValueError: if the two halves differ in size (an odd width).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"`direction` must be one of {DIRECTIONS}. Received: direction={direction!r}")
    h, w = image.shape[:2]
    if w % 2:
        where = f" in {path}" if path else ""
        raise ValueError(
            f"a side-by-side pair must be two images of the same size, A|B, so an even "
            f"width{where}. Received: an image of size {h}x{w} (halves {w // 2 + 1} and {w // 2} wide)"
        )
    a, b = image[:, : w // 2], image[:, w // 2 :]
    return (a, b) if direction == "AtoB" else (b, a)


def load_folder_pairs(root, split="train", image_size=256, direction="AtoB"):
    """Read a folder of side-by-side pairs as numpy arrays in [-1, 1].

    Args:
        root: the dataset folder (with `train/` and `test/` or `val/`).
        split: "train" or "test" (falls back to `val/`).
        image_size: side each half is resized to.
        direction: "AtoB" (left half is the input) or "BtoA".

    Returns:
        `(x, y)`, float32 arrays (n, image_size, image_size, 3).

    Raises:
        ValueError: for a missing folder or split, or a pair whose halves differ.
    """
    from PIL import Image

    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"the paired folder does not exist. Received: task='folder:{root}'")
    xs, ys = [], []
    for path in _folder_files(root, split):
        image = np.asarray(Image.open(path).convert("RGB"), np.float32) / 127.5 - 1.0
        x, y = split_side_by_side(image, direction, path)
        xs.append(x)
        ys.append(y)
    x = tf.image.resize(np.stack(xs), (image_size, image_size), antialias=True).numpy()
    y = tf.image.resize(np.stack(ys), (image_size, image_size), antialias=True).numpy()
    return np.clip(x, -1, 1).astype(np.float32), np.clip(y, -1, 1).astype(np.float32)


# ---------------------------------------------------------------- entry
def load_pair_arrays(task="colorize", split="train", image_size=32, direction=None):
    """A whole split of a paired task as numpy arrays (fixed: no seed, fixed order).

    Args:
        task: "colorize", "edges2photo", "folder:PATH" or a name of
            `PIX2PIX_DATASETS` (downloaded once).
        split: "train" or "test" (the held-out photos).
        image_size: side of the square images.
        direction: for folders and downloads, "AtoB" or "BtoA"; None: the
            dataset's usual one (`PIX2PIX_DATASETS`), "AtoB" for folders.

    Returns:
        `(x, y)`: float32 inputs (n, S, S, C_in) and targets (n, S, S, C_out)
        in [-1, 1]: for colorize, L (1 channel) and (a, b) (2 channels);
        for edges2photo, edges (1) and RGB (3); for folders, RGB and RGB.

    Raises:
        ValueError: for an unknown task or split, or a bad size.

    Example:

    >>> x, y = load_pair_arrays("colorize", "test", 32)
    >>> x.shape, y.shape
    ((128, 32, 32, 1), (128, 32, 32, 2))
    """
    task = _check_task(task)
    if split not in ("train", "test"):
        raise ValueError(f"`split` must be 'train' or 'test'. Received: split={split!r}")
    if task in PIX2PIX_DATASETS:
        return load_folder_pairs(download_pix2pix(task), split, image_size,
                                 direction or PIX2PIX_DATASETS[task])
    if task.startswith("folder:"):
        return load_folder_pairs(task[len("folder:"):], split, image_size, direction or "AtoB")
    x, y = _embedded_pairs(task, split, _check_size(image_size))
    return x.copy(), y.copy()


@functools.lru_cache(maxsize=8)
def _embedded_pairs(task, split, image_size):
    photos = np.array(_photo_crops(split, image_size))
    x, y = rgb_to_lab(photos) if task == "colorize" else (to_edges(photos), photos)
    for a in (x, y):
        a.setflags(write=False)
    return x, y


def augment_pairs(x, y, seed, jitter=True, mirror=True):
    """Random jitter and mirroring, identical for x and y (Isola 2017, Section 6.2).

    Jitter resizes both to `JITTER_SCALE` times their side and crops the same
    random window back; mirroring flips both left-right half of the time.

    Args:
        x, y: one pair of images (H, W, C_in) and (H, W, C_out), tensors.
        seed: a stateless seed, shape (2,) int.
        jitter, mirror: which augmentations to apply.
    """
    c_in = x.shape[-1]
    both = tf.concat([x, y], axis=-1)
    size = tf.shape(x)[:2]
    if jitter:
        big = tf.cast(tf.round(tf.cast(size, tf.float32) * JITTER_SCALE), tf.int32)
        both = tf.image.resize(both, big, method="bilinear")
        both = tf.image.stateless_random_crop(
            both, tf.concat([size, tf.shape(both)[-1:]], 0), seed=seed)
    if mirror:
        seed2 = tf.random.experimental.stateless_split(seed, 1)[0]
        both = tf.image.stateless_random_flip_left_right(both, seed=seed2)
    both = tf.clip_by_value(both, -1.0, 1.0)
    return both[..., :c_in], both[..., c_in:]


def paired_dataset(x, y, batch_size=16, seed=0, shuffle=True, jitter=True, mirror=True,
                   drop_remainder=True):
    """A `tf.data.Dataset` of `(input, target)` batches from arrays of pairs.

    cache -> shuffle (seeded, each epoch) -> augment (stateless, seeded) ->
    batch -> prefetch.

    Raises:
        ValueError: if inputs and targets differ in number or size, or the
            batch size is not a positive integer.
    """
    x, y = check_pairs(x, y)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}")
    ds = tf.data.Dataset.from_tensor_slices((x.astype(np.float32), y.astype(np.float32))).cache()
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    if jitter or mirror:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        ds = tf.data.Dataset.zip((ds, seeds)).map(
            lambda pair, s: augment_pairs(pair[0], pair[1], s, jitter, mirror),
            num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def load_pairs(task="colorize", split="train", image_size=32, batch_size=16, seed=0,
               shuffle=True, jitter=True, mirror=True, direction=None):
    """A paired task as a batched `tf.data.Dataset` of `(input, target)`.

    Example:

    >>> x, y = next(iter(load_pairs("edges2photo", image_size=32, batch_size=4)))
    >>> x.shape, y.shape
    (TensorShape([4, 32, 32, 1]), TensorShape([4, 32, 32, 3]))
    """
    x, y = load_pair_arrays(task, split, image_size, direction)
    return paired_dataset(x, y, batch_size, seed, shuffle, jitter, mirror)
