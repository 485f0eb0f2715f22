"""The judge: a small digit classifier that grades digit generators.

Trained once by `datasets/build_judge.py` on the train split of the embedded
`digits` dataset (scikit-learn's 8x8 UCI digits, upsampled to 16x16) and
committed as `datasets/judge/judge.keras`; `datasets/README.md` holds its
card and measured held-out accuracy. It plays, for the embedded data, the
role the Inception network plays for ImageNet-like data in the Inception
Score (Salimans et al., 2016) and FID (Heusel et al., 2017): `judge_predict`
gives class probabilities p(y|x), `judge_features` the penultimate-layer
activations whose Gaussian statistics a Fréchet distance compares.

Input: gray images in [-1, 1] (ink = +1), of any side; the model resizes
them to 16x16 itself (bilinear, antialiased), so it grades 8x8, 16x16, 28x28
and 32x32 generators alike.
"""

from pathlib import Path

import keras
import numpy as np
from keras import layers

JUDGE_INPUT_SIZE = 16
"""Side the judge resizes every input to (it was trained on 16x16 digits)."""

FEATURES_LAYER = "features"
"""Name of the judge's penultimate layer, whose output `judge_features` returns."""

DEFAULT_JUDGE_PATH = Path(__file__).resolve().parents[2] / "datasets" / "judge" / "judge.keras"
"""Where the committed judge lives in a source checkout (`pip install -e .`)."""


def build_judge(num_classes=10, feature_dim=64, dropout=0.3, name="judge"):
    """Build the judge's (untrained) architecture.

    Resizing to 16x16, two blocks of two 3x3 ReLU convolutions (32 then 64
    filters) each followed by 2x2 max pooling, global average pooling, a
    `feature_dim`-unit ReLU layer named `"features"`, dropout, and a linear
    layer of `num_classes` logits. About 70,000 parameters.

    Args:
        num_classes: number of classes (logits).
        feature_dim: width of the penultimate (`"features"`) layer.
        dropout: dropout rate before the logits (training only).
        name: name of the model.

    Returns:
        A functional `keras.Model` from gray images `(batch, H, W, 1)` in
        [-1, 1], of any H and W, to logits `(batch, num_classes)`.

    Raises:
        ValueError: if `num_classes` or `feature_dim` is not a positive
            integer, or `dropout` is not in [0, 1).

    Example:

    >>> judge = build_judge()
    >>> tuple(judge(np.zeros((2, 32, 32, 1), "float32")).shape)
    (2, 10)
    """
    for arg, value in (("num_classes", num_classes), ("feature_dim", feature_dim)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r}")
    if not 0 <= dropout < 1:
        raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout!r}")
    images = keras.Input((None, None, 1), name="images")
    x = layers.Resizing(
        JUDGE_INPUT_SIZE, JUDGE_INPUT_SIZE, interpolation="bilinear", antialias=True, name="to_16x16"
    )(images)
    for block, filters in enumerate((32, 64), start=1):
        for conv in (1, 2):
            x = layers.Conv2D(
                filters, 3, padding="same", activation="relu", name=f"block{block}_conv{conv}"
            )(x)
        x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dense(feature_dim, activation="relu", name=FEATURES_LAYER)(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    logits = layers.Dense(num_classes, name="logits", dtype="float32")(x)
    return keras.Model(images, logits, name=name)


def load_judge(path=None):
    """Load the committed judge (or one at `path`).

    Args:
        path: a `.keras` file; `None` loads `DEFAULT_JUDGE_PATH`, the
            `datasets/judge/judge.keras` of the source checkout.

    Returns:
        The judge, a `keras.Model` from gray images in [-1, 1] to logits
        over the digits 0-9 (not compiled).

    Raises:
        FileNotFoundError: if the file does not exist (e.g. ganlab was
            installed without its `datasets/` folder).

    Example:

    >>> judge = load_judge()
    >>> judge.output_shape
    (None, 10)
    """
    path = DEFAULT_JUDGE_PATH if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No judge at {path}: use a source checkout of ganlab (pip install -e .), "
            "pass load_judge(path=...), or rebuild it with `python datasets/build_judge.py`."
        )
    return keras.saving.load_model(path, compile=False)


def _as_batches(images, batch_size):
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] != 1:
        raise ValueError(
            "`images` must be gray images of shape (n, H, W, 1) or (n, H, W), in [-1, 1]. "
            f"Received: images.shape={images.shape}"
        )
    for start in range(0, len(images), batch_size):
        yield images[start : start + batch_size]


def judge_predict(judge, images, batch_size=500):
    """Class probabilities p(y|x) of the judge for a batch of digit images.

    Args:
        judge: the judge (`load_judge()`).
        images: gray images `(n, H, W, 1)` (or `(n, H, W)`) in [-1, 1],
            ink = +1; any side (resized to 16x16 inside the judge).
        batch_size: images per forward pass.

    Returns:
        A float32 numpy array `(n, 10)` whose rows sum to 1.

    Raises:
        ValueError: if `images` is not a batch of one-channel images.

    Example:

    >>> from ganlab.data.images import load_image_arrays
    >>> x, y = load_image_arrays("digits", "test")
    >>> accuracy = (judge_predict(load_judge(), x).argmax(-1) == y).mean()
    >>> bool(accuracy >= 0.97)
    True
    """
    outputs = [
        keras.ops.convert_to_numpy(keras.ops.softmax(judge(batch, training=False)))
        for batch in _as_batches(images, batch_size)
    ]
    if not outputs:
        return np.zeros((0, judge.output_shape[-1]), np.float32)
    return np.concatenate(outputs).astype(np.float32)


def judge_features(judge, images, batch_size=500):
    """Penultimate-layer features of the judge, for a Fréchet distance.

    Args:
        judge: the judge (`load_judge()`).
        images: gray images `(n, H, W, 1)` (or `(n, H, W)`) in [-1, 1].
        batch_size: images per forward pass.

    Returns:
        A float32 numpy array `(n, feature_dim)` (64 for the committed judge):
        the ReLU activations of the layer named `"features"`.

    Raises:
        ValueError: if `images` is not a batch of one-channel images.

    Example:

    >>> from ganlab.data.images import load_image_arrays
    >>> x, _ = load_image_arrays("digits", "test")
    >>> judge_features(load_judge(), x).shape
    (360, 64)
    """
    layer = judge.get_layer(FEATURES_LAYER)
    extractor = keras.Model(judge.input, layer.output)
    outputs = [
        keras.ops.convert_to_numpy(extractor(batch, training=False))
        for batch in _as_batches(images, batch_size)
    ]
    if not outputs:
        return np.zeros((0, layer.units), np.float32)
    return np.concatenate(outputs).astype(np.float32)
