"""Unpaired image-to-image data: the embedded document scans, TFDS `cycle_gan/*`, two folders.

Every source yields the same contract: {"x": domain X, "y": domain Y}
(float32 NHWC RGB in [-1, 1], square, `image_size` pixels), plus "y_clean"
(each Y image's known X version) where a ground truth exists (the embedded
tasks). Batches come from `ganlab.data.documents.unpaired_dataset`: two
independently shuffled streams.

- `bleed`, `fonts`: rendered here (`ganlab.data.documents`).
- `cycle_gan/NAME` (horse2zebra, monet2photo, summer2winter_yosemite, ...):
  TFDS's CycleGAN datasets, splits trainA / trainB / testA / testB; they
  need the internet the first time, and a machine without it gets one line
  within seconds (`ganlab.data.tfds.check_download_reachable`).
- `folders:A,B`: every image in folder A (domain X) and folder B (domain Y);
  `A/train` and `A/test` (and B's) when both exist, otherwise the first 90%
  of each folder's sorted files train and the last 10% are held out.
"""

from pathlib import Path

import numpy as np
import tensorflow as tf

from ganlab.data.documents import DOCUMENT_TASKS, load_document_arrays

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
HELD_OUT_SHARE = 0.1


def _check_task(task):
    ok = isinstance(task, str) and (
        task in DOCUMENT_TASKS or task.startswith("cycle_gan/") or task.startswith("folders:"))
    if not ok:
        raise ValueError(
            f"task must be one of {DOCUMENT_TASKS}, cycle_gan/NAME (TFDS, e.g. "
            f"cycle_gan/horse2zebra) or folders:A,B. Received: task={task!r}")


def _square(images, image_size):
    """Central square crop, then an antialiased resize to `image_size`; [-1, 1] float32."""
    out = []
    for image in images:
        image = tf.convert_to_tensor(image)
        if image.shape[-1] == 1:
            image = tf.image.grayscale_to_rgb(image)
        side = min(int(image.shape[0]), int(image.shape[1]))
        image = tf.image.resize_with_crop_or_pad(image, side, side)
        image = tf.image.resize(tf.cast(image, tf.float32), (image_size, image_size),
                                method="bilinear", antialias=True)
        out.append(np.clip(image.numpy() / 127.5 - 1.0, -1.0, 1.0))
    return np.stack(out).astype(np.float32)


def load_cycle_gan_arrays(name, split="train", image_size=64, limit=None, data_dir=None):
    """Both domains of a TFDS `cycle_gan/*` dataset, as numpy.

    Args:
        name: "cycle_gan/horse2zebra", ...
        split: "train" (trainA, trainB) or "test" (testA, testB).
        image_size: side of the square output.
        limit: at most this many images per domain (None: all).
        data_dir: TFDS data directory.

    Raises:
        ValueError: for a bad split or size.
        DatasetUnavailableError: when the data cannot be had (see `ganlab.data.tfds`).
    """
    from ganlab.data import tfds as tfds_data

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'. Received: split={split!r}")
    if isinstance(image_size, bool) or not isinstance(image_size, int) or not 8 <= image_size <= 512:
        raise ValueError(f"image_size must be an integer in [8, 512]. Received: image_size={image_size!r}")
    tfds = tfds_data._import_tfds(name)
    domains = {}
    for key, side in (("x", "A"), ("y", "B")):
        part = f"{split}{side}" if limit is None else f"{split}{side}[:{int(limit)}]"
        try:
            ds = tfds.load(name, split=part, data_dir=data_dir, shuffle_files=False, download=False)
        except Exception:
            tfds_data.check_download_reachable(name)
            ds = tfds_data._download_and_load(tfds, name, part, data_dir)
        domains[key] = _square([example["image"] for example in ds], image_size)
    return domains


def _folder_images(folder, split):
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"folders: {str(folder)!r} is not a folder of images")
    if (folder / "train").is_dir() and (folder / "test").is_dir():
        files = sorted(f for f in (folder / split).iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
    else:
        files = sorted(f for f in folder.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        cut = len(files) - max(1, int(round(HELD_OUT_SHARE * len(files))))
        files = files[:cut] if split == "train" else files[cut:]
    if not files:
        raise ValueError(f"folders: no {split} images ({', '.join(IMAGE_SUFFIXES)}) in {str(folder)!r}")
    return files


def load_folder_domains(a, b, split="train", image_size=64):
    """Both domains from two folders of images (see the module docstring)."""
    from PIL import Image

    out = {}
    for key, folder in (("x", a), ("y", b)):
        images = [np.asarray(Image.open(f).convert("RGB")) for f in _folder_images(folder, split)]
        out[key] = _square(images, image_size)
    return out


def load_unpaired_arrays(task="bleed", split="train", image_size=32):
    """The two domains of an unpaired task (and "y_clean" where a ground truth exists).

    Args:
        task: "bleed", "fonts", "cycle_gan/NAME" or "folders:A,B".
        split: "train" or "test".
        image_size: side of the square images.

    Returns:
        dict of float32 (n, image_size, image_size, 3) arrays in [-1, 1].

    Raises:
        ValueError: for an unknown task, split or size, or folders without images.
    """
    _check_task(task)
    if task in DOCUMENT_TASKS:
        return load_document_arrays(task, split, image_size)
    if task.startswith("cycle_gan/"):
        return load_cycle_gan_arrays(task, split, image_size)
    parts = task[len("folders:"):].split(",")
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"folders: needs two folders, folders:A,B. Received: task={task!r}")
    return load_folder_domains(parts[0], parts[1], split, image_size)
