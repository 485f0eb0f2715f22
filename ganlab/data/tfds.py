"""Real image datasets through `tensorflow_datasets` (TFDS), for users online.

`mnist`, `fashion_mnist`, `cifar10` and `celeb_a` are served with the same
contract as the embedded datasets (float32 NHWC in [-1, 1], int32 labels,
seeded shuffle, batched, prefetched) through `ganlab.data.load_images`.
`tensorflow_datasets` is imported inside the functions, so `import ganlab`
stays fast and works without it. The first load downloads the data (into
`data_dir`, by default `~/tensorflow_datasets`); a machine without the
internet gets a one-line `DatasetUnavailableError` saying what to do, within
seconds: before TFDS starts a download (which retries for minutes when the
server cannot be reached), one request to the dataset's download server,
with a timeout, tells whether it can be reached (`check_download_reachable`).
"""

import re
import threading

import numpy as np
import tensorflow as tf

TFDS_DATASETS = ("mnist", "fashion_mnist", "cifar10", "celeb_a")
"""Names served by TFDS (they need the internet the first time)."""

TFDS_SPLITS = {
    "mnist": ("train", "test"),
    "fashion_mnist": ("train", "test"),
    "cifar10": ("train", "test"),
    "celeb_a": ("train", "validation", "test"),
}
"""Split names of each TFDS dataset (slices like `"train[:10%]"` work too)."""

NATIVE_IMAGE_SIZE = {"mnist": 28, "fashion_mnist": 28, "cifar10": 32, "celeb_a": 64}
"""Image side each TFDS dataset gives when `image_size=None` (CelebA after its crop)."""

TFDS_SIZE_RANGE = (8, 256)
"""Smallest and largest `image_size` the TFDS loaders resize to."""

CELEB_A_CROP = 178
"""Side of CelebA's central square crop (the full 178-pixel width of the
218x178 aligned faces, as `Resize(64)` + `CenterCrop(64)` in the PyTorch
DCGAN tutorial), taken before resizing."""

DOWNLOAD_URLS = {
    "mnist": "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "fashion_mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "cifar10": "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
    "celeb_a": "https://drive.google.com/",
    "div2k/bicubic_x4": "https://data.vision.ee.ethz.ch/cvl/DIV2K/",
}
"""Where TFDS 4.9 downloads each dataset from (its builders' URLs), probed first."""

PROBE_TIMEOUT = 5.0
"""Seconds the download server has to answer (connect, then respond) the probe."""

SHUFFLE_BUFFER = 10_000
"""Shuffle buffer of the TFDS pipelines (the embedded ones shuffle whole splits)."""

_CACHED = ("mnist", "fashion_mnist", "cifar10")  # CelebA is ~2 GB even as uint8 64x64


class DatasetUnavailableError(RuntimeError):
    """A TFDS dataset cannot be loaded here: no `tensorflow-datasets`, or no download."""


def has_labels(name):
    """Whether TFDS dataset `name` has class labels (all but `celeb_a`)."""
    return name in ("mnist", "fashion_mnist", "cifar10")


def _check(name, split, image_size, with_labels):
    if name not in TFDS_DATASETS:
        raise ValueError(
            f"`name` must be one of {', '.join(TFDS_DATASETS)}. Received: name={name!r}"
        )
    bases = [re.sub(r"\[.*\]$", "", part.strip()) for part in str(split).split("+")]
    if not isinstance(split, str) or any(b not in TFDS_SPLITS[name] for b in bases):
        raise ValueError(
            f"`split` for {name!r} must be one of {', '.join(TFDS_SPLITS[name])} "
            f"(or a TFDS slice such as 'train[:10%]'). Received: split={split!r}"
        )
    if image_size is not None:
        lo, hi = TFDS_SIZE_RANGE
        if (
            isinstance(image_size, bool)
            or not isinstance(image_size, (int, np.integer))
            or not lo <= image_size <= hi
        ):
            raise ValueError(
                f"`image_size` for {name!r} must be an integer from {lo} to {hi} "
                f"(or None for {NATIVE_IMAGE_SIZE[name]}). Received: image_size={image_size!r}"
            )
    if with_labels and not has_labels(name):
        raise ValueError(
            f"`with_labels=True` needs a dataset with labels; {name!r} has none. "
            f"Received: name={name!r}, with_labels={with_labels!r}"
        )


def _embedded():
    from ganlab.data.names import EMBEDDED_DATASETS

    return ", ".join(EMBEDDED_DATASETS)


def check_download_reachable(name, timeout=None):
    """Raise at once if the download server of TFDS dataset `name` cannot be reached.

    One HEAD request to the server (`DOWNLOAD_URLS`), through the proxies the
    environment names (HTTPS_PROXY, ...), as TFDS's own download would go.
    Any HTTP answer, even an error status, means the server is reachable.
    The request runs in a thread that is given `2 * timeout` in all, so a
    name lookup that hangs (no network at all) cannot hold it longer.

    Args:
        name: one of `TFDS_DATASETS`.
        timeout: seconds allowed to connect, then to answer
            (default `PROBE_TIMEOUT`).

    Raises:
        DatasetUnavailableError: one line naming the dataset, the server, why
            it cannot be reached and the embedded datasets to use instead.

    Example:

    >>> check_download_reachable("mnist")  # doctest: +SKIP
    """
    import requests  # a dependency of tensorflow-datasets

    timeout = PROBE_TIMEOUT if timeout is None else float(timeout)
    url = DOWNLOAD_URLS[name]
    outcome = {}

    def probe():
        try:
            requests.head(url, timeout=timeout, allow_redirects=False)
        except Exception as err:  # ConnectionError, ProxyError, Timeout, SSLError, ...
            outcome["error"] = type(err).__name__
        else:
            outcome["ok"] = True

    thread = threading.Thread(target=probe, name="ganlab-tfds-probe", daemon=True)
    thread.start()
    thread.join(2 * timeout)
    if outcome.get("ok"):
        return
    reason = outcome.get("error", f"no answer within {2 * timeout:g} s")
    host = re.sub(r"^\w+://([^/]+).*$", r"\1", url)
    raise DatasetUnavailableError(
        f"TFDS dataset {name!r} is not downloaded here and its server ({host}) cannot be "
        f"reached ({reason}); the first load needs the internet. Use an embedded dataset "
        f"instead: {_embedded()} (or download it once online, or pass a prepared data_dir)."
    )


def _import_tfds(name):
    try:
        import tensorflow_datasets
    except ImportError:
        raise DatasetUnavailableError(
            f"Loading {name!r} needs tensorflow-datasets, which is not installed: "
            "run `pip install tensorflow-datasets` (or `pip install -e .[tfds]`), "
            "or use an embedded dataset (digits, faces, photos, printed_digits)."
        ) from None
    return tensorflow_datasets


def _download_and_load(tfds, name, split, data_dir):
    try:
        return tfds.load(name, split=split, data_dir=data_dir, shuffle_files=False)
    except Exception as err:  # the error can come from many layers
        first_line = (str(err).strip().splitlines() or [""])[0][:200]
        raise DatasetUnavailableError(
            f"Could not load TFDS dataset {name!r} ({type(err).__name__}: {first_line}); "
            "it needs the internet the first time (or a prepared `data_dir`). "
            f"Offline, use an embedded dataset: {_embedded()}."
        ) from err


def load_tfds_images(
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
    """Load a TFDS image dataset with the embedded datasets' contract.

    Prefer `ganlab.data.load_images`, which dispatches here for TFDS names.
    Images become float32 in [-1, 1]; gray datasets keep one channel; CelebA
    is cropped to its central `CELEB_A_CROP` square, then resized. The
    decoded uint8 images are cached in memory for MNIST, Fashion-MNIST and
    CIFAR-10 (CelebA is read from disk each epoch), then shuffled with a
    `SHUFFLE_BUFFER` buffer, converted, batched and prefetched.

    Args:
        name: one of `TFDS_DATASETS`.
        split: a split of the dataset (`TFDS_SPLITS`) or a TFDS slice.
        image_size: side of the square output; `None` keeps the native size
            (`NATIVE_IMAGE_SIZE`: 28, 28, 32, and 64 for CelebA).
        batch_size: number of images per batch.
        seed: seed of the shuffle.
        with_labels: if True, yield `(images, labels)` with int32 labels.
        shuffle: whether to shuffle.
        drop_remainder: whether to drop the last, smaller batch.
        data_dir: TFDS data directory (`None`: TFDS's default).

    Returns:
        A `tf.data.Dataset` of float32 `(batch, size, size, channels)` images
        in [-1, 1], or `(images, labels)` pairs when `with_labels=True`.

    Raises:
        ValueError: for an unknown name or split, a bad size, or
            `with_labels=True` for CelebA.
        DatasetUnavailableError: when tensorflow-datasets is missing or the
            data cannot be downloaded (within seconds when its server cannot
            be reached; see `check_download_reachable`).

    Example:

    >>> ds = load_tfds_images("mnist", image_size=32, batch_size=128)  # doctest: +SKIP
    """
    _check(name, split, image_size, with_labels)
    tfds = _import_tfds(name)
    try:
        # Already prepared in data_dir: no network needed, and none is tried.
        ds = tfds.load(name, split=split, data_dir=data_dir, shuffle_files=False, download=False)
    except Exception:
        ds = None
    if ds is None:
        check_download_reachable(name)  # seconds, where TFDS's retries take minutes
        ds = _download_and_load(tfds, name, split, data_dir)

    size = NATIVE_IMAGE_SIZE[name] if image_size is None else int(image_size)

    def select(example):
        image = example["image"]
        if name == "celeb_a":
            image = tf.image.resize_with_crop_or_pad(image, CELEB_A_CROP, CELEB_A_CROP)
            image = tf.image.resize(image, (size, size), method="bilinear", antialias=True)
            image = tf.cast(tf.round(tf.clip_by_value(image, 0.0, 255.0)), tf.uint8)
        if with_labels:
            return image, tf.cast(example["label"], tf.int32)
        return image

    def to_float(image, *label):
        image = tf.cast(image, tf.float32) / 127.5 - 1.0
        if image.shape[-3] != size or image.shape[-2] != size:
            image = tf.image.resize(image, (size, size), method="bilinear", antialias=True)
            image = tf.clip_by_value(image, -1.0, 1.0)
        return (image, *label) if label else image

    ds = ds.map(select, num_parallel_calls=tf.data.AUTOTUNE)
    if name in _CACHED:
        ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(SHUFFLE_BUFFER, seed=seed, reshuffle_each_iteration=True)
    ds = ds.map(to_float, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)
