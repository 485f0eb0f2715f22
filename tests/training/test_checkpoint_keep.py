"""A run without --resume deletes no checkpoint before it has written its own.

Before, `Checkpointer(resume=False)` deleted every checkpoint it found at
once: one forgotten --resume destroyed the resumable state of a long run,
even if the new run was stopped a second later. Also: the per-epoch figures
are saved with each checkpoint and come back on resume, and a resume with
other flags is refused in one line naming the difference.
"""

import keras
import numpy as np
import pytest

import ganlab
from ganlab.models import GAN
from ganlab.nets import mlp_discriminator, mlp_generator
from ganlab.training.callbacks import EpochFigures
from ganlab.training.checkpoint import PREVIOUS, Checkpointer, CheckpointError


def gan(seed=0):
    ganlab.seed(seed)
    model = GAN(mlp_generator(2, 1, (8,)), mlp_discriminator(1, (8,)), seed=seed)
    model.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    return model


def names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_fresh_run_keeps_old_checkpoints_until_its_first_save(tmp_path):
    root = tmp_path / "run.ckpt"
    old = Checkpointer(gan(), root, fingerprint={"seed": 0})
    old.save(1)
    old.save(2)
    assert names(root) == ["epoch-0001", "epoch-0002"]
    fresh = Checkpointer(gan(), root, resume=False, fingerprint={"seed": 0})
    assert fresh.epoch == 0
    assert names(root) == [PREVIOUS]  # moved aside, not deleted
    assert names(root / PREVIOUS) == ["epoch-0001", "epoch-0002"]
    # The fresh run is stopped before its first checkpoint; --resume still finds the old state.
    resumed = Checkpointer(gan(), root, resume=True, fingerprint={"seed": 0})
    assert resumed.epoch == 2 and names(root) == ["epoch-0001", "epoch-0002"]
    # A fresh run that does save: the old checkpoints go only then.
    fresh = Checkpointer(gan(), root, resume=False, fingerprint={"seed": 0})
    assert (root / PREVIOUS).exists()
    fresh.save(1)
    assert names(root) == ["epoch-0001"]


def test_figures_saved_with_the_checkpoint_come_back(tmp_path):
    model = gan()
    figs = EpochFigures()
    figs.records = [{"epoch": 1, "w1": 0.25}, {"epoch": 2, "w1": 0.125}]
    figs.frames = [np.full((4, 5, 3), i, "uint8") for i in range(2)]
    Checkpointer(model, tmp_path, extras=[figs]).save(2)
    back = EpochFigures()
    ckpt = Checkpointer(gan(), tmp_path, resume=True, extras=[back])
    assert ckpt.epoch == 2
    assert back.records == figs.records
    assert len(back.frames) == 2 and all(np.array_equal(a, b)
                                         for a, b in zip(back.frames, figs.frames, strict=True))


def test_resume_with_other_flags_names_the_difference(tmp_path):
    Checkpointer(gan(), tmp_path, fingerprint={"epochs": 10, "seed": 0, "batch_size": 64}).save(1)
    with pytest.raises(CheckpointError) as info:
        Checkpointer(gan(), tmp_path, resume=True,
                     fingerprint={"epochs": 20, "seed": 0, "batch_size": 64})
    message = str(info.value)
    assert "\n" not in message
    assert "epochs=20" in message and "10" in message
    assert "seed" not in message and "batch_size" not in message


def test_a_worker_that_is_not_the_chief_writes_nothing_there(tmp_path):
    root = tmp_path / "shared.ckpt"
    Checkpointer(gan(), root).save(1)
    worker = Checkpointer(gan(), root, resume=False, chief=False)
    assert worker.save(2) is None
    assert names(root) == ["epoch-0001"]  # neither moved nor written by the worker
