"""ganlab: a TensorFlow / Keras 3 toolkit for a course on GANs.

Importing ganlab registers every model, net and custom layer with Keras
serialisation, so `keras.saving.load_model("generator.keras")` works.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from ganlab import data, losses, models, nets  # noqa: E402,F401

__version__ = "0.1.0"


def seed(n):
    """Make a run repeatable: seed Python, NumPy and the backend (TensorFlow).

    Wraps `keras.utils.set_random_seed`. The same seed on the same machine
    gives the same numbers (with `--deterministic` op determinism on top,
    bit for bit).

    Raises:
        ValueError: if n is not a non-negative integer.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"seed must be a non-negative integer. Received: seed={n!r}")
    keras.utils.set_random_seed(n)
