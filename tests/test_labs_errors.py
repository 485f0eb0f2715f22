"""A user's mistake: one line on stderr, exit code 2, the last run folder untouched."""

import subprocess
import sys
from pathlib import Path

import pytest

LABS = Path(__file__).resolve().parents[1] / "labs"


def run_lab(name, *args):
    return subprocess.run([sys.executable, str(LABS / f"{name}.py"), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def previous_run(tmp_path):
    """A finished earlier run that a failed run must not touch."""
    folder = tmp_path / "runs" / "01_gaussian"
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text('{"w1": 0.01}\n')
    return folder


@pytest.mark.parametrize("args, names", [
    (["--sigma", "0"], "sigma"),
    (["--sigma", "-1"], "sigma"),
    (["--k", "0"], "d_steps"),
    (["--loss", "hinge"], "generator_loss"),
    (["--epochs", "0"], "epochs"),
    (["--sigma", "abc"], "sigma"),
])
def test_lab01_bad_input_is_one_line_and_exit_2(previous_run, args, names):
    proc = run_lab("01_gaussian", "--quick", "--out", str(previous_run.parent), *args)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert names in lines[0] and "Traceback" not in proc.stderr
    assert (previous_run / "metrics.json").read_text() == '{"w1": 0.01}\n'
    assert sorted(p.name for p in previous_run.iterdir()) == ["metrics.json"]


def test_out_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "runs"
    target.write_text("not a folder")
    proc = run_lab("01_gaussian", "--quick", "--out", str(target))
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--out" in lines[0]
    assert target.read_text() == "not a folder"


def test_offline_tfds_dataset_fails_in_seconds_in_one_line(tmp_path):
    """`python labs/03_dcgan.py --quick --dataset mnist` with the network unreachable.

    A proxy on a closed loopback port makes every download fail at once, as
    on a machine behind a dead proxy; before, TFDS retried for minutes.
    """
    import os
    import socket
    import time

    pytest.importorskip("tensorflow_datasets")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proxy = f"http://127.0.0.1:{port}"
    env = dict(os.environ, HTTPS_PROXY=proxy, HTTP_PROXY=proxy, https_proxy=proxy,
               http_proxy=proxy, TFDS_DATA_DIR=str(tmp_path / "tfds"))
    for var in ("NO_PROXY", "no_proxy", "GANLAB_DEBUG"):
        env.pop(var, None)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, str(LABS / "03_dcgan.py"), "--quick", "--dataset", "mnist",
                           "--out", str(tmp_path / "runs")],
                          capture_output=True, text=True, timeout=300, env=env)
    elapsed = time.monotonic() - start
    lines = [line for line in proc.stderr.splitlines()
             if line.strip() and not line.startswith(("I0000", "E0000", "W0000", "WARNING"))]
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert len(lines) == 1, lines
    assert "mnist" in lines[0] and "digits" in lines[0] and "printed_digits" in lines[0]
    assert elapsed < 90  # start-up included; the download check itself takes seconds
    assert not (tmp_path / "runs" / "03_dcgan").exists()
