"""Checkpoint at every epoch end, and resume from the last good checkpoint.

Why `tf.train.Checkpoint` and not Keras's `BackupAndRestore`: a GAN has two
(or more) optimizers that are attributes of the model, not
`model.optimizer`, plus a seed generator whose state decides the noise of
every later step; `BackupAndRestore` saves `model.save_weights()` plus an
epoch counter, written in place (not atomically), and deletes the backup
when training ends. `tf.train.Checkpoint` saves any object graph we name —
the model (both networks and the seed-generator state), each optimizer
with its slots, iteration counts and EMA copies, and the epoch — works with
variables mirrored by `tf.distribute`, and verifies a CRC32C of every
tensor on restore, so corruption is detected rather than loaded.

Layout (next to the run folder, never inside it, because the run folder is
only committed when the run succeeds)::

    OUT/NAME.ckpt/epoch-0003/ckpt.index, ckpt.data-00000-of-00001

Each checkpoint is written into a hidden `.epoch-0003.tmp/` folder that is
renamed to `epoch-0003/` only once complete (a directory rename is atomic),
so a run killed at any moment leaves either the whole checkpoint or no
checkpoint under that name; leftovers of an interrupted write are removed
on the next start. The last `keep` checkpoints are kept. Resuming tries the
newest first; an unreadable one (truncated, corrupt) is reported in one line
on stderr naming its files, left on disk for inspection, and the previous
good one is used.

Resuming gives the same weights as an uninterrupted run with the same seed
(bit-identical with op determinism on): the restored state is everything
the next step depends on, and the data pipeline is replayed to the same
position with `skip` (see `Checkpointer.dataset`).

Next to the tensors each checkpoint folder holds `run.json`: the run's
fingerprint (the flags a resumed run must share: epochs, batch size, seed,
dataset, ...), the epoch, and the state of the `extras` (the per-epoch
figures and pictures collected so far; pictures in `arrays.npz`). A resume
whose flags differ from the checkpoint's is refused in one line naming the
difference.

A run started without `--resume` deletes nothing before it has a
checkpoint of its own: the checkpoints it finds are moved into
`previous/` (of the run's checkpoint root), and `previous/` is deleted
only once the new run has written its first checkpoint. Until then
`--resume` still finds them (one forgotten flag does not destroy the
resumable state).

Under `MultiWorkerMirroredStrategy` every worker takes part in writing a
checkpoint (the variables' values are gathered with collectives), but only
the chief (`ganlab.training.strategy.is_chief`) writes into `directory`;
the others write into a scratch folder of their own and delete it, as
TensorFlow's multi-worker guide recommends. Every worker restores from
`directory` (a shared file system), so all resume from the chief's state.
"""

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ganlab.training.strategy import is_chief

_NAME = re.compile(r"^epoch-(\d+)$")
PREVIOUS = "previous"
"""Subfolder of a checkpoint root holding an earlier run's checkpoints until the new run saves."""


class CheckpointError(ValueError):
    """No usable checkpoint where one was required."""


def _say(message):
    sys.stderr.write(f"ganlab: {message}\n")
    sys.stderr.flush()


def _content(root):
    return [p for p in root.iterdir() if p.name != PREVIOUS and not p.name.startswith(".")]


def supersede(root, resume):
    """Set a checkpoint root up for a fresh run or a resumed one, deleting nothing.

    Fresh run (`resume=False`): whatever checkpoints `root` holds move into
    `root/previous/` (replacing an older `previous/`), to be deleted by the
    new run's first save (`Checkpointer.save`). Resumed run: if `root`
    holds nothing but `previous/` (a fresh run was started by mistake and
    stopped before its first checkpoint), `previous/` comes back.

    Args:
        root: the run's checkpoint folder (OUT/NAME.ckpt); created.
        resume: whether the run resumes.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    previous = root / PREVIOUS
    content = _content(root)
    if not resume and content:
        if previous.exists():
            shutil.rmtree(previous)
        previous.mkdir()
        for p in content:
            os.replace(p, previous / p.name)
    elif resume and not content and previous.is_dir():
        for p in list(previous.iterdir()):
            os.replace(p, root / p.name)
        previous.rmdir()


def fingerprint_difference(saved, current):
    """The keys whose values differ between two fingerprints, as "key A (checkpoint B)" text."""
    diffs = [f"{k}={current.get(k)!r} (the checkpoint's: {saved.get(k)!r})"
             for k in sorted(set(saved) | set(current)) if saved.get(k) != current.get(k)]
    return ", ".join(diffs)


class Checkpointer(keras.callbacks.Callback):
    """Save a GAN's whole training state at every epoch end; resume from it.

    Args:
        model: a compiled `ganlab.models.GANBase` (its optimizers built).
        directory: folder of the checkpoints (created; see the module
            docstring for the layout).
        resume: restore the newest good checkpoint now; when False, the
            run starts from epoch 0 and the checkpoints it finds are kept in
            `previous/` until it saves its own (see `supersede`).
        keep: number of checkpoints kept (at least 2, so that a corrupt
            newest one still leaves a good one).
        fingerprint: dict of the flags a resumed run must share with the
            checkpoint (epochs, batch size, seed, dataset, ...); saved in
            each checkpoint and compared on resume.
        extras: objects whose state is saved with each checkpoint and
            restored with it: `get_state()` returns `(dict, {name:
            ndarray})`, `set_state(dict, arrays)` takes them back (e.g.
            `ganlab.training.callbacks.EpochFigures`).
        root: the checkpoint root whose `previous/` this run supersedes,
            already prepared with `supersede` (labs that train several
            models keep one folder per model under one root); None:
            `directory` is the root and is prepared here.
        chief: whether this process writes files; None asks
            `ganlab.training.strategy.is_chief()`.

    Attributes:
        epoch: epochs already done (0 for a fresh run); `fit` continues
            from there.
        restored_from: path of the restored checkpoint, or None.

    Raises:
        ValueError: for keep < 2.
        CheckpointError (a ValueError): on resume, when no checkpoint is
            readable, or when the checkpoint's fingerprint differs from
            `fingerprint` (one line naming the difference).

    Example:
        >>> ckpt = Checkpointer(gan, "runs/01_gaussian.ckpt", resume=True)  # doctest: +SKIP
        >>> gan.fit(ckpt.dataset(ds, steps_per_epoch), epochs=5,
        ...         steps_per_epoch=steps_per_epoch, callbacks=[ckpt])  # doctest: +SKIP
    """

    def __init__(self, model, directory, resume=False, keep=2, fingerprint=None, extras=(),
                 root=None, chief=None):
        super().__init__()
        if keep < 2:
            raise ValueError(f"keep must be >= 2. Received: keep={keep}")
        self.gan = model
        self.directory = Path(directory)
        self.keep = int(keep)
        self.epoch = 0
        self.restored_from = None
        self.fingerprint = dict(fingerprint or {})
        self.extras = list(extras)
        self.chief = is_chief() if chief is None else bool(chief)
        self.previous = Path(root if root is not None else directory) / PREVIOUS
        self._epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        objects = {"model": model, "epoch": self._epoch}
        for i, (optimizer, _) in enumerate(model.optimizer_pairs()):
            objects[f"optimizer_{i}"] = optimizer
        # The seed generator is reached through the model too; naming its
        # state makes the dependency explicit and robust to attribute renames.
        objects["seed_state"] = model.seed_generator.state
        self.checkpoint = tf.train.Checkpoint(**objects)
        if self.chief:
            if root is None:
                supersede(self.directory, resume)
            self.directory.mkdir(parents=True, exist_ok=True)
            for leftover in self.directory.glob(".epoch-*.tmp"):
                shutil.rmtree(leftover, ignore_errors=True)
        if resume:
            self._restore()

    # --------------------------------------------------------------- files
    def checkpoints(self):
        """Complete checkpoint folders, oldest first."""
        found = []
        for p in self.directory.iterdir() if self.directory.is_dir() else ():
            m = _NAME.match(p.name)
            if m and p.is_dir():
                found.append((int(m.group(1)), p))
        return [p for _, p in sorted(found)]

    @staticmethod
    def _files(folder):
        return ", ".join(str(p) for p in sorted(Path(folder).glob("ckpt*"))) or str(folder)

    def _restore(self):
        candidates = self.checkpoints()
        if not candidates:
            _say(f"no checkpoint in {self.directory}; starting from epoch 0")
            return
        for folder in reversed(candidates):
            state = self._read_state(folder)
            if state is not None and self.fingerprint:
                differ = fingerprint_difference(state.get("fingerprint", {}), self.fingerprint)
                if differ:
                    raise CheckpointError(
                        f"--resume with other settings than the checkpoint {folder}: {differ}; "
                        "resume with the same ones, or start without --resume"
                    )
            try:
                status = self.checkpoint.read(str(folder / "ckpt"))
                status.assert_existing_objects_matched()
                if state is not None and self.extras:
                    arrays = self._read_arrays(folder)
                    for i, (extra, extra_state) in enumerate(
                            zip(self.extras, state["extras"], strict=True)):
                        extra.set_state(extra_state, arrays.get(i, {}))
            except (tf.errors.OpError, ValueError, AssertionError, IndexError, OSError,
                    KeyError) as e:
                # A truncated data file surfaces as IndexError ("Read less bytes
                # than requested") from the checkpoint reader.
                reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                _say(
                    f"checkpoint {self._files(folder)} is unreadable "
                    f"({type(e).__name__}: {reason[:160]}); trying the previous one"
                )
                continue
            self.epoch = int(self._epoch.numpy())
            self.restored_from = str(folder)
            _say(f"resumed from {folder} (epoch {self.epoch})")
            return
        raise CheckpointError(
            f"No readable checkpoint in {str(self.directory)!r} "
            f"(tried {', '.join(p.name for p in candidates)}); run without --resume"
        )

    @staticmethod
    def _read_state(folder):
        try:
            return json.loads((Path(folder) / "run.json").read_text())
        except (OSError, ValueError):
            return None  # a checkpoint of an older ganlab, or a damaged run.json

    @staticmethod
    def _read_arrays(folder):
        """{extra index: {name: array}} from arrays.npz ("<index>/<name>" keys)."""
        path = Path(folder) / "arrays.npz"
        found = {}
        if path.exists():
            with np.load(path) as data:
                for key in data.files:
                    index, name = key.split("/", 1)
                    found.setdefault(int(index), {})[name] = data[key]
        return found

    def _write_state(self, tmp, epoch):
        states, arrays = [], {}
        for i, extra in enumerate(self.extras):
            state, named = extra.get_state()
            states.append(state)
            arrays.update({f"{i}/{name}": value for name, value in named.items()})
        if arrays:
            with open(tmp / "arrays.npz", "wb") as f:
                np.savez(f, **arrays)
        with open(tmp / "run.json", "w") as f:
            json.dump({"fingerprint": self.fingerprint, "epoch": epoch, "extras": states}, f)

    def save(self, epoch):
        """Write the checkpoint of `epoch` epochs done (atomically) and prune old ones.

        Returns:
            The checkpoint folder, or None on a worker that is not the chief
            (it wrote into a scratch folder, now deleted).
        """
        self._epoch.assign(epoch)
        final = self.directory / f"epoch-{epoch:04d}"
        if not self.chief:  # other workers write too (collectives), then throw it away
            scratch = Path(tempfile.mkdtemp(prefix="ganlab-worker-ckpt-"))
            try:
                self.checkpoint.write(str(scratch / "ckpt"))
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            return None
        tmp = self.directory / f".epoch-{epoch:04d}.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        self.checkpoint.write(str(tmp / "ckpt"))
        self._write_state(tmp, epoch)
        if final.exists():  # re-running an epoch after falling back
            shutil.rmtree(final)
        os.replace(tmp, final)
        for old in self.checkpoints()[: -self.keep]:
            shutil.rmtree(old, ignore_errors=True)
        if self.previous.exists():  # this run has a checkpoint of its own now
            shutil.rmtree(self.previous, ignore_errors=True)
        return final

    # ------------------------------------------------------------ training
    def dataset(self, dataset, steps_per_epoch):
        """The training dataset, advanced past the batches already trained on.

        With a seeded, deterministic pipeline this replays the uninterrupted
        run's batch order exactly. The skip applies to the iterator `fit`
        trains from, not to those made before training begins: Keras makes
        one to peek at a batch (its symbolic build), and in a pipeline that
        reshuffles each pass (`shuffle(seed=..., reshuffle_each_iteration=
        True)` then `repeat()`) every iterator draws the next shuffle seed,
        so a peek that skipped would walk through the skipped passes and
        shift the order of every later one. The count is therefore a
        variable, read as each iterator starts (`flat_map` runs its
        function then), 0 until `on_train_begin` sets it.
        """
        if not self.epoch:
            return dataset
        self._skip_to = self.epoch * steps_per_epoch
        self._skip = tf.Variable(0, dtype=tf.int64, trainable=False, name="skip")
        skip = self._skip
        return tf.data.Dataset.range(1).flat_map(lambda _: dataset.skip(skip.read_value()))

    def on_train_begin(self, logs=None):
        # Keras's own BackupAndRestore resumes the epoch loop the same way.
        self.model._initial_epoch = self.epoch or None
        if getattr(self, "_skip", None) is not None:
            self._skip.assign(self._skip_to)

    def on_epoch_end(self, epoch, logs=None):
        self.epoch = epoch + 1
        self.save(self.epoch)

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None
