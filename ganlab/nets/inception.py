"""InceptionV3 pool features for FID and KID on natural images (Heusel et al. 2017).

`inception_extractor` is `keras.applications.InceptionV3` without its top,
global-average pooled: 2048-d features of 299x299 RGB inputs in [-1, 1].
`inception_features` resizes any images to 299x299 (bilinear, antialiased),
repeats a gray channel into RGB and feeds [-1, 1] values (the range of
InceptionV3's `preprocess_input`, and of ganlab's images).

The ImageNet weights are never downloaded here (offline the download hangs
or fails): they are read from the Keras cache, ~/.keras/models/ (where
`keras.applications` leaves them after one online use), or from a path.

Keras's InceptionV3 is not the network behind published FIDs: those come
from the TF-slim graph of 2015 (`pt_inception-2015-12-05`, which
pytorch-fid reimplements), whose weights and resizing differ. FIDs computed
here rank models against each other; they are not comparable with papers'
numbers, nor with FIDs from another extractor (e.g. the judge's).
"""

from pathlib import Path

import keras
import numpy as np

WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
"""The file keras.applications.InceptionV3(include_top=False) loads its ImageNet weights from."""

INPUT_SIZE = 299
FEATURE_DIM = 2048
EXTRACTOR_NAME = "keras InceptionV3 (ImageNet, pool 2048-d)"
"""How figures made with these features name their extractor."""


class WeightsUnavailableError(ValueError):
    """The InceptionV3 weights are not on this machine; the message says where to put them."""


def keras_cache_dir():
    """The Keras cache's models folder ($KERAS_HOME/models, default ~/.keras/models)."""
    import os

    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"


def inception_weights_path(weights="imagenet"):
    """The weights file to load: the Keras cache's for "imagenet", else `weights` itself.

    Raises:
        WeightsUnavailableError: one line naming where the file must be.
    """
    path = keras_cache_dir() / WEIGHTS_FILE if weights == "imagenet" else Path(weights)
    if not path.is_file():
        raise WeightsUnavailableError(
            f"InceptionV3 weights not found at {path}: copy {WEIGHTS_FILE} "
            f"(from keras.applications, downloaded once online) to {keras_cache_dir()}/ "
            "or pass its path; FID/KID with InceptionV3 are skipped without them")
    return path


def inception_extractor(weights="imagenet"):
    """InceptionV3 (include_top=False, pooling="avg"): 299x299x3 in [-1, 1] -> 2048-d.

    Args:
        weights: "imagenet" (the file in the Keras cache), a path to a
            `.h5`/`.weights.h5` file, or None (random weights: for tests).

    Returns:
        A `keras.Model` from `(batch, 299, 299, 3)` to `(batch, 2048)`.

    Raises:
        WeightsUnavailableError: if the weights file does not exist (no
            download is attempted).
    """
    path = None if weights is None else inception_weights_path(weights)
    model = keras.applications.InceptionV3(include_top=False, weights=None, pooling="avg",
                                           input_shape=(INPUT_SIZE, INPUT_SIZE, 3))
    if path is not None:
        model.load_weights(str(path))
    return model


def to_inception_input(images):
    """Images (n, H, W, 1|3) in [-1, 1] -> (n, 299, 299, 3): antialiased resize, gray to RGB."""
    x = keras.ops.convert_to_tensor(np.asarray(images, "float32"))
    if len(x.shape) != 4 or x.shape[-1] not in (1, 3):
        raise ValueError("images must be a batch (n, H, W, 1 or 3) in [-1, 1]. "
                         f"Received: images.shape={tuple(x.shape)}")
    if x.shape[-1] == 1:
        x = keras.ops.repeat(x, 3, axis=-1)
    x = keras.ops.image.resize(x, (INPUT_SIZE, INPUT_SIZE), interpolation="bilinear",
                               antialias=True)
    return keras.ops.clip(x, -1.0, 1.0)


def inception_features(model, images, batch_size=50):
    """2048-d pool features of images in [-1, 1] (any size, gray or RGB)."""
    images = np.asarray(images, "float32")
    out = [keras.ops.convert_to_numpy(model(to_inception_input(images[i:i + batch_size]),
                                            training=False))
           for i in range(0, len(images), batch_size)]
    return np.concatenate(out) if out else np.zeros((0, FEATURE_DIM), "float32")
