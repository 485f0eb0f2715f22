"""Grade lab 01 (1D Gaussian): recompute the bar from generator.keras.

The bar (labs/01_gaussian.py docstring): on 10,000 samples drawn with a
fixed seed, W1 < 0.1 sigma, |mean - mu| < 0.1 sigma, |std - sigma| < 0.2 sigma.
"""

import numpy as np
import pytest

from ganlab import grading
from ganlab.nets import mlp_generator
from ganlab.training.runfolder import read_json

LAB = "01_gaussian"


@pytest.fixture(scope="module")
def run(lab_run):
    return lab_run(LAB)


@pytest.fixture(scope="module")
def config(run):
    return grading.run_sampler(run)[0]


def test_generator_meets_the_bar(run):
    report = grading.grade_lab01(run)
    assert report["passed"], report["failures"]


def test_the_target_is_the_labs_not_the_runs(run, forge):
    """A config.json that claims an easier target fails in one line, whatever the samples."""
    report = grading.grade_lab01(forge(run, config={"sigma": 2.0}))
    assert not report["passed"]
    assert report["failures"] == ["lab 01 ran with --sigma 2.0; the bar is defined for 0.5"]


def test_another_labs_generator_fails_in_one_line(run, lab_run, forge):
    report = grading.grade_lab01(forge(run, generator_from=lab_run("02_mode_collapse")))
    assert not report["passed"] and len(report["failures"]) == 1
    assert "makes (2,)" in report["failures"][0] and "not this lab's network" in report["failures"][0]


def test_grader_recomputes_rather_than_trusting_metrics_json(run, config):
    """Two different fixed seeds give close but not identical figures."""
    sampler = grading.run_sampler(run)[1]
    a = grading.grade_gaussian(sampler, config["mu"], config["sigma"], seed=1)
    b = grading.grade_gaussian(sampler, config["mu"], config["sigma"], seed=2)
    assert a["w1"] != b["w1"]
    assert abs(a["mean"] - b["mean"]) < 0.05 * config["sigma"]


def constant(mu):
    return lambda n, seed: np.full((n, 1), mu, "float32")


def wide(mu, sigma):
    return lambda n, seed: np.random.default_rng(seed).normal(mu, 3 * sigma, (n, 1))


def untrained():
    return grading.latent_sampler(mlp_generator(8, 1, (64, 64), activation="tanh"), 8)


# fault: the figure that must fail (the table in ganlab/grading/gaussian.py)
FAULTS = {"constant": "std_error_over_sigma", "untrained": "w1_over_sigma",
          "three_sigma": "std_error_over_sigma", "shifted": "mean_error_over_sigma"}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_planted_faults_fail_the_bar(config, fault):
    mu, sigma = config["mu"], config["sigma"]
    sampler = {
        "constant": lambda: constant(mu),
        "untrained": untrained,
        "three_sigma": lambda: wide(mu, sigma),
        "shifted": lambda: (lambda n, seed: np.random.default_rng(seed).normal(
            mu + 0.2 * sigma, sigma, (n, 1))),
    }[fault]()
    report = grading.grade_gaussian(sampler, mu, sigma)
    assert not report["passed"]
    assert any(f.startswith(FAULTS[fault]) for f in report["failures"]), report["failures"]


def test_the_true_distribution_passes(config):
    """The bar is reachable: exact samples of the target pass it."""
    mu, sigma = config["mu"], config["sigma"]
    sampler = lambda n, seed: np.random.default_rng(seed).normal(mu, sigma, (n, 1))  # noqa: E731
    assert grading.grade_gaussian(sampler, mu, sigma)["passed"]


def _events(folder):
    """{tag: [values]} of every scalar and image in a TensorBoard folder."""
    import tensorflow as tf

    found = {}
    for path in folder.rglob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                kind = value.metadata.plugin_data.plugin_name or value.WhichOneof("value")
                found.setdefault(value.tag, []).append(kind)
    return found


def test_run_folder_holds_the_contract(run):
    for name in ("config.json", "metrics.json", "generator.keras", "discriminator.keras",
                 "samples.png", "progress.gif", "comparison.png", "saturation.png"):
        assert (run / name).is_file(), name
    config = read_json(run / "config.json")
    assert config["latent"] == {"dim": 8, "distribution": "normal"}
    assert {"seed", "mu", "sigma", "k", "epochs", "quick"} <= set(config)
    assert {"ganlab", "tensorflow", "keras"} <= set(config["versions"])
    assert not (run.parent / f"{LAB}.partial").exists(), "a finished run leaves no partial folder"


def test_tensorboard_holds_losses_figures_and_images(run):
    tags = _events(run / "tb" / "stabilised")
    for name in ("d_loss", "g_loss", "d_real", "d_fake", "w1", "ks", "js", "mean", "std"):
        assert f"epoch_{name}" in tags, (name, sorted(tags))
    assert "samples" in tags and tags["samples"][0] == "images"
    assert len(tags["epoch_w1"]) == read_json(run / "config.json")["epochs"]
    assert "epoch_d_loss" in _events(run / "tb" / "plain")
