"""The run folder: what a lab leaves behind and what graders read.

A run writes into `OUT/NAME.partial/` and only when it finishes is that
folder moved to `OUT/NAME/` (the previous one, if any, is replaced in two
renames). A run that fails or is interrupted therefore never touches the
last good run folder; its partial folder is left for inspection and cleared
by the next run.
"""

import json
import os
import platform
import shutil
import sys
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import ganlab


def versions():
    """Versions that make a run reproducible, for config.json."""
    return {
        "ganlab": ganlab.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    return value


def write_json_atomic(path, data):
    """Write `data` as JSON to `path` atomically (write a temp file, then rename)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w") as f:
        json.dump(_jsonable(data), f, indent=2, sort_keys=True)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_json(path):
    """Read a JSON file of a run folder; ValueError naming the file if it is bad."""
    path = Path(path)
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise ValueError(f"Missing run file. Received: path={str(path)!r}") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"Corrupt JSON in run file {str(path)!r}: {e}") from None


def save_model_atomic(model, path):
    """Save a `.keras` file atomically: a half-written file never has the final name."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp.keras")
    model.save(tmp)
    os.replace(tmp, path)


class RunFolder:
    """Context manager for one lab run's output folder.

    Args:
        out: the parent folder (`--out`, "runs" by default).
        name: the lab's folder name, e.g. "01_gaussian".

    Raises:
        ValueError: if `out` exists and is not a directory.

    Example:
        >>> with RunFolder("runs", "01_gaussian") as run:   # doctest: +SKIP
        ...     run.write_config(vars(args))
        ...     run.write_metrics({"w1": 0.01})
        >>> run.final  # runs/01_gaussian, now complete  # doctest: +SKIP
    """

    def __init__(self, out, name):
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise ValueError(
                f"--out must be a directory (it is created if missing). "
                f"Received: out={str(out)!r}, which is a file"
            )
        self.final = out / name
        self.path = out / f"{name}.partial"
        self._old = out / f"{name}.old"

    def __enter__(self):
        self._recover()
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self._commit()
        return False

    def _recover(self):
        """Finish a commit that was interrupted between its two renames."""
        if self._old.exists():
            if self.final.exists():
                shutil.rmtree(self._old)
            else:
                os.replace(self._old, self.final)

    def _commit(self):
        if self.final.exists():
            os.replace(self.final, self._old)
        os.replace(self.path, self.final)
        if self._old.exists():
            shutil.rmtree(self._old)
        self.path = self.final

    def file(self, name):
        """Path of `name` inside the folder being written."""
        return self.path / name

    def write_config(self, args, **extra):
        """Write config.json: every argument, extra facts, and the versions."""
        config = dict(args)
        config.update(extra)
        config["versions"] = versions()
        config["command"] = " ".join([Path(sys.argv[0]).name] + sys.argv[1:])
        write_json_atomic(self.file("config.json"), config)
        return config

    def write_metrics(self, metrics):
        write_json_atomic(self.file("metrics.json"), metrics)

    def save_model(self, model, name):
        save_model_atomic(model, self.file(name))
