"""Super-resolution data (SRGAN): `(lr, hr)` pairs, LR made from HR by bicubic downsampling.

Every LR image here is `downscale(hr, scale)`: `tf.image.resize(hr, (H /
scale, W / scale), "bicubic", antialias=True)`, clipped to [-1, 1]. The
bicubic baseline, `upscale(lr, scale)`, is the same call in the other
direction (LR -> HR size, bicubic, antialias=True, clipped): a baseline
made by another resampler than the one that made the data (MATLAB's
`imresize`, PIL's, OpenCV's) is a different baseline, so the figures here
are not those of papers whose LR came from MATLAB (Ledig 2017 used
MATLAB's bicubic kernel).

Sources:

- embedded (`photos`, offline): training HR crops of the `photos` training
  photos (`ganlab.data.images`; astronaut, china, coffee, rocket,
  motorcycle), native resolution (no resampling), 64x64 by default; the
  held-out set is the two test photos (chelsea, flower; never trained on)
  cut into non-overlapping `HELD_OUT_TILE` x `HELD_OUT_TILE` tiles (12 +
  24 = 36 tiles);
- `div2k`: TFDS `div2k/bicubic_x4` (downloaded once online): its own LR
  images (MATLAB bicubic) and aligned random crops (`load_div2k`);
- a folder of HR images (Set5, Set14, BSD100): `load_folder_hr`, each image
  cropped to a multiple of the scale, LR made with `downscale`.

Everything is float32 NHWC RGB in [-1, 1].
"""

import functools
from pathlib import Path

import numpy as np
import tensorflow as tf

from ganlab.data.images import load_image_arrays, load_photo_sources

HELD_OUT_TILE = 96
"""Side of the held-out HR tiles (the paper's 96x96 HR patches); LR tiles are 96 / scale."""

DIV2K_CONFIG = "div2k/bicubic_x4"
"""The TFDS DIV2K configuration: MATLAB-bicubic x4 LR images and their HR."""


def _check_scale(scale):
    if isinstance(scale, bool) or scale not in (2, 4, 8):
        raise ValueError(f"`scale` must be 2, 4 or 8. Received: scale={scale!r}")
    return int(scale)


def _resize(images, size):
    out = tf.image.resize(tf.convert_to_tensor(images, tf.float32), size, method="bicubic",
                          antialias=True)
    return tf.clip_by_value(out, -1.0, 1.0)


def downscale(hr, scale=4):
    """LR images from HR ones: bicubic with antialiasing, (n, H, W, C) -> (n, H/s, W/s, C).

    Raises:
        ValueError: if H or W is not a multiple of `scale`.
    """
    scale = _check_scale(scale)
    hr = np.asarray(hr, np.float32)
    h, w = hr.shape[1:3]
    if h % scale or w % scale:
        raise ValueError(f"HR images must have sides that are multiples of scale={scale}. "
                         f"Received: shape {hr.shape}")
    return _resize(hr, (h // scale, w // scale)).numpy()


def upscale(lr, scale=4):
    """The bicubic baseline: LR images upsampled `scale` times by the call that made them."""
    scale = _check_scale(scale)
    lr = np.asarray(lr, np.float32)
    return _resize(lr, (lr.shape[1] * scale, lr.shape[2] * scale)).numpy()


def nearest_upscale(lr, scale=4):
    """Nearest-neighbour upsampling (a planted fault of the grader): each pixel repeated."""
    lr = np.asarray(lr, np.float32)
    return np.repeat(np.repeat(lr, _check_scale(scale), axis=1), scale, axis=2)


# -------------------------------------------------------------- embedded
def training_hr(hr_size=64):
    """The training HR crops: `photos` train split at `hr_size` (1,280 native-resolution crops)."""
    return load_image_arrays("photos", "train", hr_size)[0]


@functools.lru_cache(maxsize=4)
def _held_out(scale, tile):
    tiles = []
    for photo in load_photo_sources("test").values():
        h, w = photo.shape[0] // tile, photo.shape[1] // tile
        for i in range(h):
            for j in range(w):
                tiles.append(photo[i * tile : (i + 1) * tile, j * tile : (j + 1) * tile])
    hr = np.stack(tiles).astype(np.float32) / 127.5 - 1.0
    lr = downscale(hr, scale)
    for a in (lr, hr):
        a.setflags(write=False)
    return lr, hr


def held_out_pairs(scale=4, tile=HELD_OUT_TILE):
    """The held-out `(lr, hr)` pairs: tiles of chelsea and flower, never trained on.

    Returns:
        float32 arrays (36, tile / scale, tile / scale, 3) and (36, tile, tile, 3).

    Example:

    >>> lr, hr = held_out_pairs(4)
    >>> lr.shape, hr.shape
    ((36, 24, 24, 3), (36, 96, 96, 3))
    """
    scale = _check_scale(scale)
    if isinstance(tile, bool) or not isinstance(tile, (int, np.integer)) or tile % scale \
            or not 2 * scale < tile <= 300:
        raise ValueError(f"`tile` must be a multiple of scale={scale} up to 300. Received: tile={tile!r}")
    lr, hr = _held_out(scale, int(tile))
    return lr.copy(), hr.copy()


def sr_dataset(hr, batch_size=16, scale=4, seed=0, mirror=True):
    """A `tf.data.Dataset` of `(lr, hr)` batches from HR images: shuffled, flipped, LR made.

    cache -> shuffle (seeded, each epoch) -> random flips (stateless, seeded)
    -> batch -> LR = `downscale` of the batch -> prefetch.

    Raises:
        ValueError: for a bad scale or batch size, or HR sides that are
            not multiples of the scale.
    """
    scale = _check_scale(scale)
    hr = np.asarray(hr, np.float32)
    if hr.ndim != 4 or hr.shape[1] % scale or hr.shape[2] % scale:
        raise ValueError(f"HR images must be (n, H, W, C) with sides multiples of scale={scale}. "
                         f"Received: shape {hr.shape}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}")
    size = (hr.shape[1] // scale, hr.shape[2] // scale)
    ds = tf.data.Dataset.from_tensor_slices(hr).cache().shuffle(len(hr), seed=seed,
                                                                reshuffle_each_iteration=True)
    if mirror:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)

        def flip(image, s):
            image = tf.image.stateless_random_flip_left_right(image, s)
            return tf.image.stateless_random_flip_up_down(
                image, tf.random.experimental.stateless_split(s, 1)[0])

        ds = tf.data.Dataset.zip((ds, seeds)).map(flip, num_parallel_calls=tf.data.AUTOTUNE,
                                                  deterministic=True)
    ds = ds.batch(batch_size, drop_remainder=True)
    ds = ds.map(lambda h: (_resize(h, size), h), num_parallel_calls=tf.data.AUTOTUNE,
                deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)


# ------------------------------------------------------------------ real
def load_folder_hr(root, scale=4):
    """A folder of HR images (Set5, Set14, BSD100, ...) as `(lr, hr)` lists, one image each.

    Each image (PNG, JPEG, BMP; gray ones become RGB) is cropped at its
    bottom-right to sides that are multiples of `scale`, and its LR made
    with `downscale`. Sizes differ, so the result is two lists of arrays
    (1, h, w, 3).

    Raises:
        ValueError: for a missing folder or one without images.
    """
    from PIL import Image

    scale = _check_scale(scale)
    root = Path(root)
    files = sorted(p for p in root.glob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp")) \
        if root.is_dir() else []
    if not files:
        raise ValueError("an HR image folder needs *.png, *.jpg or *.bmp files. "
                         f"Received: root={str(root)!r}")
    lrs, hrs = [], []
    for path in files:
        image = np.asarray(Image.open(path).convert("RGB"), np.float32) / 127.5 - 1.0
        h, w = (image.shape[0] // scale) * scale, (image.shape[1] // scale) * scale
        hr = image[None, :h, :w]
        hrs.append(hr)
        lrs.append(downscale(hr, scale))
    return lrs, hrs


def load_div2k(split="train", hr_size=96, batch_size=16, seed=0, data_dir=None):
    """DIV2K (TFDS `div2k/bicubic_x4`) as batches of aligned random `(lr, hr)` crops.

    Each example's LR (the dataset's own, MATLAB bicubic x4) is cropped at
    a random (seeded) window of hr_size / 4, and its HR at the same window
    times 4. Downloaded once online (about 4 GB); offline it fails in one
    line (`ganlab.data.tfds.DatasetUnavailableError`).

    Args:
        split: "train" or "validation".
        hr_size: side of the HR crops (a multiple of 4).
        batch_size, seed: the batches and their crops.
        data_dir: TFDS's data directory.

    Returns:
        A `tf.data.Dataset` of float32 `(lr, hr)` batches in [-1, 1].
    """
    from ganlab.data import tfds as gtfds

    if split not in ("train", "validation"):
        raise ValueError(f"`split` must be 'train' or 'validation'. Received: split={split!r}")
    if isinstance(hr_size, bool) or not isinstance(hr_size, (int, np.integer)) or hr_size % 4 \
            or hr_size < 8:
        raise ValueError(f"`hr_size` must be a multiple of 4, at least 8. Received: hr_size={hr_size!r}")
    tfds = gtfds._import_tfds(DIV2K_CONFIG)
    try:
        ds = tfds.load(DIV2K_CONFIG, split=split, data_dir=data_dir, shuffle_files=False, download=False)
    except Exception:
        gtfds.check_download_reachable(DIV2K_CONFIG)  # seconds, where TFDS's retries take minutes
        ds = gtfds._download_and_load(tfds, DIV2K_CONFIG, split, data_dir)
    lr_size = hr_size // 4
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)

    def crop(example, s):
        lr, hr = example["lr"], example["hr"]
        room = tf.shape(lr)[:2] - lr_size + 1
        top = tf.random.stateless_uniform((), s, 0, room[0], tf.int32)
        left = tf.random.stateless_uniform((), s + 1, 0, room[1], tf.int32)
        lr = lr[top : top + lr_size, left : left + lr_size]
        hr = hr[4 * top : 4 * (top + lr_size), 4 * left : 4 * (left + lr_size)]
        return (tf.cast(lr, tf.float32) / 127.5 - 1.0, tf.cast(hr, tf.float32) / 127.5 - 1.0)

    ds = tf.data.Dataset.zip((ds, seeds)).map(crop, num_parallel_calls=tf.data.AUTOTUNE,
                                              deterministic=True)
    ds = ds.shuffle(256, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
