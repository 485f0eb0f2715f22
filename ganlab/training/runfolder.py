"""The run folder: what a lab leaves behind and what graders read.

A run writes into `OUT/NAME.partial/` and only when it finishes is that
folder moved to `OUT/NAME/` (the previous one, if any, is replaced in two
renames). A run that fails or is interrupted therefore never touches the
last good run folder; its partial folder is left for inspection and cleared
by the next run, unless that run resumes (`resume=True`): it then keeps
writing into the same partial folder, so the TensorBoard logs and pictures
of the epochs before the interruption survive.

Checkpoints live next to the run folder, in `OUT/NAME.ckpt/`
(`RunFolder.checkpointer`, `ganlab.training.checkpoint`).

Only one process writes: under `MultiWorkerMirroredStrategy` every worker
runs the same lab, but the workers that are not the chief
(`ganlab.training.strategy.is_chief`) write their run folder into a scratch
folder of their own, deleted when the run ends, and never touch `OUT`.
"""

import json
import os
import platform
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import ganlab
from ganlab.training.checkpoint import Checkpointer, supersede
from ganlab.training.strategy import is_chief


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
        resume: keep the partial folder of an interrupted run and resume
            its checkpoints (`checkpointer`).
        fingerprint: the flags a resumed run must share with its
            checkpoints (see `ganlab.training.checkpoint.Checkpointer`).
        chief: whether this process writes into `out`; None asks
            `ganlab.training.strategy.is_chief()`.

    Raises:
        ValueError: if `out` exists and is not a directory.

    Example:
        >>> with RunFolder("runs", "01_gaussian") as run:   # doctest: +SKIP
        ...     run.write_config(vars(args))
        ...     run.write_metrics({"w1": 0.01})
        >>> run.final  # runs/01_gaussian, now complete  # doctest: +SKIP
    """

    def __init__(self, out, name, resume=False, fingerprint=None, chief=None):
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise ValueError(
                f"--out must be a directory (it is created if missing). "
                f"Received: out={str(out)!r}, which is a file"
            )
        self.name = name
        self.resume = bool(resume)
        self.fingerprint = dict(fingerprint or {})
        self.chief = is_chief() if chief is None else bool(chief)
        self.checkpoint_root = out / f"{name}.ckpt"
        self._superseded = False
        self._supersede_lock = threading.Lock()  # models may train at once (fit_together)
        self._scratch = None
        if not self.chief:  # write nothing into the shared --out
            self._scratch = Path(tempfile.mkdtemp(prefix=f"ganlab-{name}-worker-"))
            out = self._scratch
        self.final = out / name
        self.path = out / f"{name}.partial"
        self._old = out / f"{name}.old"

    def __enter__(self):
        self._recover()
        if self.resume and self.path.is_dir():
            return self  # the interrupted run's logs and pictures stay
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        if self.resume and (self.final / "tb").is_dir():  # resuming a finished run
            shutil.copytree(self.final / "tb", self.path / "tb")
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._commit()
        finally:
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)
        return False

    def checkpointer(self, model, key=None, extras=()):
        """A `Checkpointer` for `model` under OUT/NAME.ckpt (/KEY for labs with several models).

        The first call prepares the checkpoint root for this run (a fresh
        run moves older checkpoints into `previous/`, deleted at its first
        save; see `ganlab.training.checkpoint.supersede`).

        Args:
            model: the compiled GAN.
            key: the model's name, for labs that train several models.
            extras: objects saved with each checkpoint (e.g. `EpochFigures`).

        Returns:
            A `Checkpointer`, already restored when the run resumes.
        """
        with self._supersede_lock:
            if self.chief and not self._superseded:
                supersede(self.checkpoint_root, self.resume)
            self._superseded = True
        directory = self.checkpoint_root if key is None else self.checkpoint_root / key
        return Checkpointer(model, directory, resume=self.resume, fingerprint=self.fingerprint,
                            extras=extras, root=self.checkpoint_root, chief=self.chief)

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
