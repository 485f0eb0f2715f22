"""ganlab: a TensorFlow / Keras 3 toolkit for a course on GANs.

Importing ganlab registers every model, net and custom layer with Keras
serialisation, so `keras.saving.load_model("generator.keras")` works.
"""

import contextlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@contextlib.contextmanager
def _quiet_native_stderr():
    """Silence what TensorFlow's C++ side prints while it loads.

    On import (and on first looking for devices) TensorFlow writes several
    informational lines to file descriptor 2 before its log level applies
    (oneDNN notes, "could not find cuda drivers", "failed call to cuInit" on
    a machine without a GPU). They would bury the one-line error a lab
    prints for a user's mistake. GANLAB_VERBOSE_TF=1 keeps them.
    """
    if os.environ.get("GANLAB_VERBOSE_TF") or "tensorflow" in sys.modules:
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (e.g. some notebook kernels)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    sys.stderr.flush()
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


with _quiet_native_stderr():
    import tensorflow as _tf

    # Listing physical devices loads the platforms (and prints their notes)
    # without fixing logical devices, which may still be configured later.
    _tf.config.list_physical_devices()

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
