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
