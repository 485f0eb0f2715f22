"""Checkpoint/resume and determinism, each run in its own process.

A run killed with SIGKILL in the middle of epoch 3 of 5 and resumed ends
with exactly the weights of an uninterrupted run (op determinism on, so
bit-identical: np.array_equal), and the run folders hold no half-written
file. The newest complete checkpoint is then truncated before resuming: the
resume names the bad files in one line and falls back to the previous one,
and still ends bit-identical (the epochs after it are replayed).
"""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
TRAIN = ["gan", "--dataset", "gaussian", "--epochs", "5", "--steps-per-epoch", "100",
         "--seed", "3", "--deterministic", "--devices", "cpu", "--xla", "off"]


def run(kill, out, *extra, timeout=240):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    return subprocess.run(
        [sys.executable, str(HERE / "train_script.py"), str(kill), "train", *TRAIN,
         "--out", str(out), *extra],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env,
    )


def weights(run_dir):
    import keras

    import ganlab  # noqa: F401

    return [w for name in ("generator.keras", "discriminator.keras")
            for w in keras.saving.load_model(run_dir / name).get_weights()]


def no_half_written(folder):
    return [p for p in Path(folder).rglob("*")
            if p.name.startswith(".") or p.name.endswith((".tmp", ".partial"))
            or ".tmp" in p.name]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("resume")
    a, b, c = base / "a", base / "b", base / "c"
    with ThreadPoolExecutor(3) as pool:  # uninterrupted twice, and killed
        fa, fb, fc = (pool.submit(run, 0, a), pool.submit(run, 3, b), pool.submit(run, 0, c))
        ra, rb, rc = fa.result(), fb.result(), fc.result()
    assert ra.returncode == 0, ra.stderr[-2000:]
    assert rc.returncode == 0, rc.stderr[-2000:]
    ckpts = sorted(p.name for p in (b / "gan-gaussian.ckpt").iterdir())
    killed_state = {
        "returncode": rb.returncode,
        "final_exists": (b / "gan-gaussian").exists(),
        "checkpoints": ckpts,
    }
    # Corrupt the newest complete checkpoint (epoch 2): truncate its data.
    data = next((b / "gan-gaussian.ckpt" / "epoch-0002").glob("ckpt.data-*"))
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    rr = run(0, b, "--resume")
    assert rr.returncode == 0, rr.stderr[-2000:]
    return {"a": a, "b": b, "c": c, "killed": killed_state, "resumed": rr, "bad": data}


def test_killed_run_left_checkpoints_and_no_run_folder(runs):
    k = runs["killed"]
    assert k["returncode"] == -9  # SIGKILL
    assert not k["final_exists"]  # the run folder is only committed on success
    assert k["checkpoints"] == ["epoch-0001", "epoch-0002"]


def test_corrupt_checkpoint_is_named_in_one_line_and_previous_used(runs):
    err = runs["resumed"].stderr
    bad = [line for line in err.splitlines() if "unreadable" in line]
    assert len(bad) == 1 and str(runs["bad"]) in bad[0], err[-2000:]
    assert any("resumed from" in line and "epoch-0001" in line for line in err.splitlines())


def test_resumed_run_is_bit_identical_to_uninterrupted(runs):
    wa, wb = weights(runs["a"] / "gan-gaussian"), weights(runs["b"] / "gan-gaussian")
    assert len(wa) == len(wb) > 0
    for x, y in zip(wa, wb, strict=True):
        assert np.array_equal(x, y)


def test_deterministic_runs_write_identical_weights(runs):
    for x, y in zip(weights(runs["a"] / "gan-gaussian"), weights(runs["c"] / "gan-gaussian"), strict=True):
        assert np.array_equal(x, y)


def test_no_half_written_files(runs):
    for folder in (runs["a"], runs["b"]):
        assert no_half_written(folder) == []
        assert sorted(p.name for p in folder.iterdir()) == ["gan-gaussian", "gan-gaussian.ckpt"]
