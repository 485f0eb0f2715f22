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
"""

import os
import re
import shutil
import sys
from pathlib import Path

import keras
import tensorflow as tf

_NAME = re.compile(r"^epoch-(\d+)$")


class CheckpointError(ValueError):
    """No usable checkpoint where one was required."""


def _is_chief():
    resolver = tf.distribute.get_strategy().cluster_resolver
    if resolver is None or not resolver.cluster_spec().as_dict():
        return True
    return resolver.task_type in (None, "chief") or (
        resolver.task_type == "worker"
        and resolver.task_id == 0
        and "chief" not in resolver.cluster_spec().as_dict()
    )


def _say(message):
    sys.stderr.write(f"ganlab: {message}\n")
    sys.stderr.flush()


class Checkpointer(keras.callbacks.Callback):
    """Save a GAN's whole training state at every epoch end; resume from it.

    Args:
        model: a compiled `ganlab.models.GANBase` (its optimizers built).
        directory: folder of the checkpoints (created; see the module
            docstring for the layout).
        resume: restore the newest good checkpoint now; when False, any
            checkpoints in `directory` are deleted (a fresh run).
        keep: number of checkpoints kept (at least 2, so that a corrupt
            newest one still leaves a good one).

    Attributes:
        epoch: epochs already done (0 for a fresh run); `fit` continues
            from there.
        restored_from: path of the restored checkpoint, or None.

    Raises:
        ValueError: for keep < 2.

    Example:
        >>> ckpt = Checkpointer(gan, "runs/01_gaussian.ckpt", resume=True)  # doctest: +SKIP
        >>> gan.fit(ckpt.dataset(ds, steps_per_epoch), epochs=5,
        ...         steps_per_epoch=steps_per_epoch, callbacks=[ckpt])  # doctest: +SKIP
    """

    def __init__(self, model, directory, resume=False, keep=2):
        super().__init__()
        if keep < 2:
            raise ValueError(f"keep must be >= 2. Received: keep={keep}")
        self.gan = model
        self.directory = Path(directory)
        self.keep = int(keep)
        self.epoch = 0
        self.restored_from = None
        self._epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        objects = {"model": model, "epoch": self._epoch}
        for i, (optimizer, _) in enumerate(model.optimizer_pairs()):
            objects[f"optimizer_{i}"] = optimizer
        # The seed generator is reached through the model too; naming its
        # state makes the dependency explicit and robust to attribute renames.
        objects["seed_state"] = model.seed_generator.state
        self.checkpoint = tf.train.Checkpoint(**objects)
        self.directory.mkdir(parents=True, exist_ok=True)
        for leftover in self.directory.glob(".epoch-*.tmp"):
            shutil.rmtree(leftover, ignore_errors=True)
        if resume:
            self._restore()
        else:
            for old in self.checkpoints():
                shutil.rmtree(old, ignore_errors=True)

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
            try:
                status = self.checkpoint.read(str(folder / "ckpt"))
                status.assert_existing_objects_matched()
            except (tf.errors.OpError, ValueError, AssertionError, IndexError, OSError) as e:
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

    def save(self, epoch):
        """Write the checkpoint of `epoch` epochs done (atomically) and prune old ones."""
        self._epoch.assign(epoch)
        final = self.directory / f"epoch-{epoch:04d}"
        if _is_chief():
            tmp = self.directory / f".epoch-{epoch:04d}.tmp"
        else:  # other workers write too (collectives), then throw it away
            tmp = self.directory / f".worker-{os.getpid()}.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        self.checkpoint.write(str(tmp / "ckpt"))
        if not _is_chief():
            shutil.rmtree(tmp, ignore_errors=True)
            return None
        if final.exists():  # re-running an epoch after falling back
            shutil.rmtree(final)
        os.replace(tmp, final)
        for old in self.checkpoints()[: -self.keep]:
            shutil.rmtree(old, ignore_errors=True)
        return final

    # ------------------------------------------------------------ training
    def dataset(self, dataset, steps_per_epoch):
        """The training dataset, advanced past the batches already trained on.

        With a seeded, deterministic pipeline this replays the uninterrupted
        run's batch order exactly.
        """
        if self.epoch:
            return dataset.skip(self.epoch * steps_per_epoch)
        return dataset

    def on_train_begin(self, logs=None):
        # Keras's own BackupAndRestore resumes the epoch loop the same way.
        self.model._initial_epoch = self.epoch or None

    def on_epoch_end(self, epoch, logs=None):
        self.epoch = epoch + 1
        self.save(self.epoch)

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None
