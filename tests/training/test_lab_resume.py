"""Labs resume: SIGKILLed mid-run and resumed, a lab ends as an uninterrupted run does.

Lab 01 (three models trained in turn; killed while the second trains) and
lab 03 on a reduced configuration (--width 8, 6 epochs instead of the
--quick 100: the same code path, `ganlab.recipes.dcgan.train_dcgan`, in
seconds instead of minutes). Each runs uninterrupted once, and once killed
with SIGKILL (from outside, as a pre-empted job dies) as soon as a given
checkpoint exists, then resumed with --resume. Both use --deterministic, so
the saved networks must be bit-identical and metrics.json (every per-epoch
figure included) equal. TensorBoard logs of the epochs before the kill
survive. Before, no lab accepted --resume.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMON = ["--deterministic", "--xla", "off", "--devices", "cpu", "--seed", "1"]
LABS = {
    "01_gaussian": (["--quick", "--epochs", "2"], "plain/epoch-0001"),
    "03_dcgan": (["--quick", "--epochs", "6", "--width", "8"], "epoch-0002"),
}


def env():
    e = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    e.pop("GANLAB_DEBUG", None)
    return e


def lab(name, out, *extra, timeout=600):
    args, _ = LABS[name]
    return subprocess.run([sys.executable, str(ROOT / "labs" / f"{name}.py"), *args, *COMMON,
                           "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env())


def killed(name, out, timeout=600):
    """Start the lab and SIGKILL it once its checkpoint `LABS[name][1]` exists."""
    args, marker = LABS[name]
    proc = subprocess.Popen([sys.executable, str(ROOT / "labs" / f"{name}.py"), *args, *COMMON,
                             "--out", str(out)], cwd=ROOT, env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    target = Path(out) / f"{name}.ckpt" / marker
    while not target.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.returncode


def networks(run):
    import keras

    import ganlab  # noqa: F401

    return [w for net in ("generator.keras", "discriminator.keras")
            for w in keras.saving.load_model(run / net).get_weights()]


def tb_epochs(folder, tag_end="d_loss"):
    """Epochs with a TensorBoard scalar ending in `tag_end` under `folder`."""
    import tensorflow as tf

    steps = set()
    for path in Path(folder).rglob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                if value.tag.endswith(tag_end):
                    steps.add(int(event.step))
    return steps


@pytest.fixture(scope="module", params=sorted(LABS))
def runs(request, tmp_path_factory):
    name = request.param
    base = tmp_path_factory.mktemp(name)
    plain = lab(name, base / "a")
    assert plain.returncode == 0, plain.stderr[-3000:]
    code = killed(name, base / "b")
    partial = base / "b" / f"{name}.partial"
    state = {"code": code, "final": (base / "b" / name).exists(),
             "partial": partial.exists()}
    resumed = lab(name, base / "b", "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    return name, base, state, resumed


def test_killed_run_left_no_run_folder(runs):
    _, _, state, _ = runs
    assert state["code"] == -signal.SIGKILL  # killed mid-run, not finished
    assert not state["final"] and state["partial"]


def test_resumed_run_equals_uninterrupted_run(runs):
    name, base, _, resumed = runs
    assert "resumed from" in resumed.stderr
    a, b = base / "a" / name, base / "b" / name
    wa, wb = networks(a), networks(b)
    assert len(wa) == len(wb) > 0
    for x, y in zip(wa, wb, strict=True):
        assert np.array_equal(x, y)
    ma, mb = (json.loads((r / "metrics.json").read_text()) for r in (a, b))
    assert ma == mb  # every figure, the per-epoch histories included


def test_tensorboard_logs_of_the_epochs_before_the_kill_survive(runs):
    name, base, _, _ = runs
    tb = base / "b" / name / "tb"
    if name == "01_gaussian":
        assert tb_epochs(tb / "stabilised") == {0, 1}  # trained before the kill
        assert tb_epochs(tb / "plain") == {0, 1}  # epoch 0 before, epoch 1 after
    else:
        assert tb_epochs(tb) == set(range(6))
        assert len(list((base / "b" / name / "grids").glob("epoch_*.png"))) == 6


def test_resume_with_other_flags_is_refused_in_one_line(runs):
    name, base, _, _ = runs
    proc = lab(name, base / "b", "--resume", "--epochs", "7")
    lines = [line for line in proc.stderr.splitlines()
             if line.strip() and not line.startswith(("I0000", "E0000", "W0000", "WARNING"))]
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert len(lines) == 1 and "epochs=7" in lines[0] and "resume" in lines[0], lines
