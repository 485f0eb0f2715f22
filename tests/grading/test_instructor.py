"""The instructor's path end to end: `pytest tests/grading --runs DIR` on forged run folders.

A student edits config.json to an easier target, or hands in another lab's
generator as generator.keras: the grading test of that lab must fail, and
its report must give the one-line reason.
"""

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def grade(runs, *tests):
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--runs", str(runs),
           *(str(TESTS / t) for t in tests)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900)


def test_forged_run_folders_fail_with_their_reason(lab_run, forge, tmp_path):
    runs = tmp_path / "class" / "student"
    runs.mkdir(parents=True)
    forge(lab_run("01_gaussian"), config={"sigma": 2.0}).rename(runs / "01_gaussian")
    forge(lab_run("06_cgan"), generator_from=lab_run("03_dcgan")).rename(runs / "06_cgan")
    proc = grade(runs, "test_lab01.py::test_generator_meets_the_bar",
                 "test_lab06.py::test_generator_meets_the_bar")
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "2 failed" in proc.stdout
    assert "lab 01 ran with --sigma 2.0; the bar is defined for 0.5" in proc.stdout
    assert "generator.keras takes 1 input(s)" in proc.stdout and "lab 06's generator" in proc.stdout


def test_genuine_run_folders_pass(lab_run, tmp_path):
    runs = tmp_path / "student"
    runs.mkdir()
    for lab in ("01_gaussian", "06_cgan"):
        (runs / lab).symlink_to(lab_run(lab))
    proc = grade(runs, "test_lab01.py::test_generator_meets_the_bar",
                 "test_lab06.py::test_generator_meets_the_bar")
    assert proc.returncode == 0, proc.stdout[-2000:]
