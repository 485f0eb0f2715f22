"""Two-process MultiWorkerMirroredStrategy on 127.0.0.1 trains lab 01's model.

Each worker is `ganlab train gan --dataset gaussian` (lab 01's graded
model, `ganlab.recipes.toy.toy_gan`) with TF_CONFIG naming both; both must
exit cleanly within the time limit (killed otherwise) and end with
identical weights (np.array_equal: the replicas apply the same all-reduced
gradients to the same initial weights; each worker dumps its weights, since
only the chief writes a run folder).
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
LIMIT = 240  # seconds for both workers


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def test_two_workers_end_with_identical_weights(tmp_path):
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    procs = []
    for i in range(2):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="",
                   TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}),
                   GANLAB_TEST_WEIGHTS=str(tmp_path / f"weights{i}.npz"))
        procs.append(subprocess.Popen(
            [sys.executable, str(HERE / "train_script.py"), "0", "train", "gan",
             "--dataset", "gaussian", "--epochs", "2", "--steps-per-epoch", "50",
             "--batch-size", "64", "--out", str(tmp_path / f"w{i}")],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + LIMIT
    outputs = []
    try:
        for p in procs:
            outputs.append(p.communicate(timeout=max(1, deadline - time.monotonic())))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-3000:]
    config = json.loads((tmp_path / "w0" / "gan-gaussian" / "config.json").read_text())
    assert config["runtime"]["strategy"] == "MultiWorkerMirroredStrategy", config["runtime"]
    assert config["runtime"]["replicas"] == 2
    assert config["runtime"]["xla"] is False  # auto: off for CPU replicas
    # Worker 1 is not the chief: nothing in its --out, not even a checkpoint.
    assert not (tmp_path / "w1").exists() or not any((tmp_path / "w1").iterdir())

    w = [list(np.load(tmp_path / f"weights{i}.npz").values()) for i in range(2)]
    assert len(w[0]) == len(w[1]) > 0
    for a, b in zip(*w, strict=True):
        assert np.array_equal(a, b)


def test_two_workers_sharing_one_out_write_once(tmp_path):
    """Only the chief (worker 0) writes into a shared --out; worker 1 writes nowhere there.

    Before, the checkpointer asked `tf.distribute.get_strategy()` inside a
    callback, outside the strategy's scope, so every worker took itself for
    the chief and both wrote and renamed the same checkpoints and run folder.
    """
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    shared = tmp_path / "shared"
    procs = []
    for i in range(2):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="",
                   TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "ganlab.cli", "train", "gan", "--dataset", "gaussian",
             "--epochs", "2", "--steps-per-epoch", "50", "--batch-size", "64", "--quiet",
             "--out", str(shared)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + LIMIT
    outputs = []
    try:
        for p in procs:
            outputs.append(p.communicate(timeout=max(1, deadline - time.monotonic())))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-3000:]
    assert sorted(p.name for p in shared.iterdir()) == ["gan-gaussian", "gan-gaussian.ckpt"]
    assert sorted(p.name for p in (shared / "gan-gaussian.ckpt").iterdir()) == [
        "epoch-0001", "epoch-0002"]
    assert not [p for p in shared.rglob("*") if p.name.startswith(".") or "tmp" in p.name]
    config = json.loads((shared / "gan-gaussian" / "config.json").read_text())
    assert config["runtime"]["written_by"] == "worker 0"
    assert config["runtime"]["replicas"] == 2
    assert "run folder:" in outputs[0][0]
    assert "worker 1 done; the chief writes" in outputs[1][0]
