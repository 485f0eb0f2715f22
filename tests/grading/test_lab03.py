"""Grading lab 03 (DCGAN on digits): recompute the bar from generator.keras, and
check that planted faults fail it."""

import json

import numpy as np
import pytest

from ganlab import grading
from ganlab.data import load_image_arrays
from ganlab.nets import dcgan_generator, load_judge


@pytest.fixture(scope="module")
def judge():
    return load_judge()


@pytest.fixture(scope="module")
def run(lab_run):
    return lab_run("03_dcgan")


@pytest.fixture(scope="module")
def graded(run, judge):
    config, generator = grading.load_run(run)
    latent = config["latent"]
    sampler = grading.latent_sampler(generator, latent["dim"], latent["distribution"])
    baseline = grading.latent_sampler(grading.untrained_like(generator), latent["dim"])
    return config, generator, baseline, grading.grade_digits(sampler, baseline, judge=judge)


def test_run_folder_is_complete(run):
    for name in ("config.json", "metrics.json", "generator.keras", "discriminator.keras",
                 "samples.png", "progress.gif", "interpolation_linear.png",
                 "interpolation_slerp.png", "arithmetic.png"):
        assert (run / name).is_file(), name
    assert list((run / "tb").rglob("events.out.tfevents.*"))
    assert list((run / "grids").glob("epoch_*.png"))
    config = json.loads((run / "config.json").read_text())
    assert config["latent"]["distribution"] == "normal" and config["dataset"] == "digits"


def test_bar(graded):
    _, _, _, grade = graded
    assert grade["passed"], grade["failures"]


def test_generator_is_a_dcgan_in_range(graded):
    config, generator, _, _ = graded
    z = np.random.default_rng(0).standard_normal((8, config["latent"]["dim"])).astype("float32")
    x = generator.predict(z, verbose=0)
    assert x.shape == (8, config["image_size"], config["image_size"], 1)
    assert x.min() >= -1.0 and x.max() <= 1.0


# ------------------------------------------------------------ planted faults
def _grade_fault(sampler, baseline, judge):
    return grading.grade_digits(sampler, baseline, judge=judge)


def test_untrained_generator_fails(graded, judge):
    config, _, baseline, _ = graded
    fresh = dcgan_generator(config["latent"]["dim"], config["image_size"], 1, config["width"])
    grade = _grade_fault(grading.latent_sampler(fresh, config["latent"]["dim"]), baseline, judge)
    assert not grade["passed"]
    assert grade["frechet_ratio"] > 0.5


def test_one_fixed_digit_fails(graded, judge):
    config, _, baseline, _ = graded
    test, labels = load_image_arrays("digits", "test", config["image_size"])
    seven = test[labels == 7][0]

    def sampler(n, seed):
        return np.repeat(seven[None], n, axis=0)

    grade = _grade_fault(sampler, baseline, judge)
    assert not grade["passed"]
    assert grade["min_class_share"] == 0.0  # confident, but one class of ten


def test_training_images_verbatim_fail(graded, judge):
    config, _, baseline, _ = graded
    train, _ = load_image_arrays("digits", "train", config["image_size"])

    def sampler(n, seed):
        return train[np.random.default_rng(seed).integers(0, len(train), n)]

    grade = _grade_fault(sampler, baseline, judge)
    assert not grade["passed"]
    assert grade["memorised"] and grade["copy_share"] == 1.0
    assert any("copy_share" in f for f in grade["failures"])


def test_bad_sample_shape_is_a_value_error(graded, judge):
    _, _, baseline, _ = graded
    with pytest.raises(ValueError, match="samples.shape"):
        grading.grade_digits(lambda n, seed: np.zeros((n, 12, 12, 1)), baseline, judge=judge)


def test_unknown_dataset_is_one_line_and_exit_2(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    lab = Path(__file__).resolve().parents[2] / "labs" / "03_dcgan.py"
    proc = subprocess.run([sys.executable, str(lab), "--quick", "--dataset", "svhn",
                           "--out", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "svhn" in proc.stderr
    assert not (tmp_path / "03_dcgan").exists()
