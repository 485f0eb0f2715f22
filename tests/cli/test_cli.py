"""The `ganlab` command, run as a subprocess (exit codes, one-line errors, files)."""

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ganlab(*args, timeout=300):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    env.pop("GANLAB_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "ganlab.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


def error_lines(proc):
    """stderr lines that are not TensorFlow's native start-up logging."""
    return [line for line in proc.stderr.splitlines()
            if line.strip() and not line.startswith(("I0000", "E0000", "W0000", "WARNING: All log"))]


@pytest.fixture(scope="module")
def mistakes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    old = tmp / "old_run"
    old.mkdir()
    (old / "config.json").write_text(json.dumps({"versions": {"ganlab": "0.0.3"},
                                                  "latent": {"dim": 1, "distribution": "normal"}}))
    calls = {
        "variant": ("train", "nosuchgan", "--out", tmp),
        "dataset": ("train", "gan", "--dataset", "nosuchdata", "--out", tmp),
        "batch": ("train", "gan", "--devices", "cpu:2", "--batch-size", "63", "--out", tmp),
        "missing": ("sample", tmp / "nowhere", "-n", "4", "-o", tmp / "x.png"),
        "version": ("eval", old),
        "flag": ("train", "gan", "--precision", "float8"),
        "unlabeled": ("train", "cgan", "--dataset", "faces", "--out", tmp),
        "labs": ("labs",),
    }
    with ThreadPoolExecutor(4) as pool:
        futures = {k: pool.submit(ganlab, *v) for k, v in calls.items()}
        return {k: f.result() for k, f in futures.items()}, tmp


@pytest.mark.parametrize("case,words", [
    ("variant", ["variant='nosuchgan'", "gan"]),
    ("dataset", ["dataset='nosuchdata'", "gaussian"]),
    ("batch", ["batch_size=63", "replicas (2)"]),
    ("missing", ["Run folder not found", "nowhere"]),
    ("version", ["ganlab 0.0.3", "0.1.x"]),
    ("flag", ["float8"]),
    ("unlabeled", ["'cgan' needs a labeled dataset", "digits", "dataset='faces'"]),
])
def test_user_mistake_is_one_line_and_exit_2(mistakes, case, words):
    proc = mistakes[0][case]
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = error_lines(proc)
    assert len(lines) == 1, lines
    assert "Traceback" not in proc.stderr
    for w in words:
        assert w in lines[0]


def test_failed_train_leaves_no_run_folder(mistakes):
    assert sorted(p.name for p in mistakes[1].iterdir()) == ["old_run"]


def test_labs_lists_descriptions_and_bars(mistakes):
    proc = mistakes[0]["labs"]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "01_gaussian.py" in proc.stdout
    assert "Lab 01 - a GAN learns a 1D Gaussian" in proc.stdout
    assert "W1 < 0.1 sigma" in proc.stdout


def test_train_sample_eval(tmp_path):
    proc = ganlab("train", "gan", "--epochs", "2", "--steps-per-epoch", "20", "--xla", "off",
                  "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    run = tmp_path / "gan-gaussian"
    config = json.loads((run / "config.json").read_text())
    assert config["runtime"]["xla"] is False and config["runtime"]["replicas"] == 1
    assert {"generator.keras", "discriminator.keras", "metrics.json", "samples.png"} <= {
        p.name for p in run.iterdir()}
    assert sorted(p.name for p in (tmp_path / "gan-gaussian.ckpt").iterdir()) == [
        "epoch-0001", "epoch-0002"]
    with ThreadPoolExecutor(2) as pool:
        fs = pool.submit(ganlab, "sample", run, "-n", "16", "-o", tmp_path / "grid.png")
        fe = pool.submit(ganlab, "eval", run)
        s, e = fs.result(), fe.result()
    assert s.returncode == 0, s.stderr[-2000:]
    assert (tmp_path / "grid.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert e.returncode == 0, e.stderr[-2000:]
    figures = json.loads((run / "eval.json").read_text())
    assert {"w1_over_sigma", "passed", "failures"} <= set(figures)
    assert f"passed: {figures['passed']}" in e.stdout
    metrics = figures["metrics"]  # lab 11's figures on the raw 1D samples, against N(4, 0.5^2)
    assert {"frechet_distance", "kid", "precision", "recall", "parzen"} <= set(metrics)
    assert metrics["frechet_distance"]["extractor"] == "raw coordinates"
    assert metrics["frechet_distance"]["samples"] == 1000 and "±" in metrics["parzen"]["table1"]
    # A lab's run folder is graded by its lab's grader, against the lab's fixed target
    # (lab 01: N(4, 0.5^2)), not against the target its config.json records.
    lab01 = tmp_path / "01_gaussian"
    shutil.copytree(run, lab01)
    config["sigma"] = 2.0
    (lab01 / "config.json").write_text(json.dumps(config))
    e = ganlab("eval", lab01)
    assert e.returncode == 0, e.stderr[-2000:]
    graded = json.loads((lab01 / "eval.json").read_text())
    assert graded["passed"] is False and "--sigma 2.0" in graded["failures"][0]


def test_every_image_variant_trains_samples_and_evaluates(tmp_path):
    """cgan, wgan and wgan_gp through the CLI on digits: a few steps, then sample and eval."""
    common = ("--dataset", "digits", "--epochs", "1", "--steps-per-epoch", "3",
              "--batch-size", "16", "--xla", "off", "--out", tmp_path)
    with ThreadPoolExecutor(3) as pool:
        runs = {v: pool.submit(ganlab, "train", v, *common) for v in ("cgan", "wgan", "wgan_gp")}
        runs = {v: f.result() for v, f in runs.items()}
    for v, proc in runs.items():
        assert proc.returncode == 0, (v, proc.stderr[-2000:])
    metrics = {v: json.loads((tmp_path / f"{v}-digits" / "metrics.json").read_text())
               for v in runs}
    assert {"d_loss", "g_loss", "d_real", "d_fake"} <= set(metrics["cgan"])
    assert {"critic_loss", "wasserstein_estimate"} <= set(metrics["wgan"])
    assert "gradient_penalty" in metrics["wgan_gp"] and "gradient_penalty" not in metrics["wgan"]
    cgan = tmp_path / "cgan-digits"
    assert json.loads((cgan / "config.json").read_text())["num_classes"] == 10
    with ThreadPoolExecutor(3) as pool:
        fs = pool.submit(ganlab, "sample", cgan, "-n", "8", "--label", "3", "-o", tmp_path / "3.png")
        fbad = pool.submit(ganlab, "sample", cgan, "-n", "8", "--label", "12", "-o", tmp_path / "x.png")
        fe = pool.submit(ganlab, "eval", tmp_path / "wgan_gp-digits")
        s, bad, e = fs.result(), fbad.result(), fe.result()
    assert s.returncode == 0, s.stderr[-2000:]
    assert (tmp_path / "3.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert bad.returncode == 2 and "[0, 10)" in error_lines(bad)[0]
    assert e.returncode == 0, e.stderr[-2000:]
    figures = json.loads((tmp_path / "wgan_gp-digits" / "eval.json").read_text())
    # Three steps do not make digits: the judge-based grade must say so.
    assert figures["passed"] is False and "frechet_ratio" in figures
    # lab 11's figures in judge features, each naming its extractor and sample counts;
    # InceptionV3 without its weights: one line, skipped.
    kid = figures["metrics"]["judge_kid"]
    assert kid["extractor"].startswith("judge") and kid["samples"] == 1000
    assert kid["reference_samples"] == 1437
    if "skipped" in figures["metrics"]["inception"]:
        assert sum("InceptionV3 weights not found" in line for line in error_lines(e)) == 1


def test_lab_run_folders_go_to_their_labs_grader(tmp_path):
    from ganlab import grading
    from ganlab.cli import lab_grader

    assert lab_grader(tmp_path / "01_gaussian") is grading.grade_lab01
    assert lab_grader(tmp_path / "11_evaluation") is grading.grade_lab11
    assert lab_grader(tmp_path / "gan-gaussian") is None  # a `ganlab train` run: the registry
    assert lab_grader(tmp_path / "99_nothing") is None
