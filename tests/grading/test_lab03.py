"""Grading lab 03 (DCGAN on digits): recompute the bar from generator.keras, and
check that planted faults fail it."""

import json

import numpy as np
import pytest

from ganlab import grading
from ganlab.data import load_image_arrays
from ganlab.nets import dcgan_generator, load_judge
from ganlab.nets.inference import infer

LAB = "03_dcgan"


@pytest.fixture(scope="module")
def judge():
    return load_judge()


@pytest.fixture(scope="module")
def run(lab_run):
    return lab_run(LAB)


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


def test_bar(graded, run, judge):
    _, _, _, grade = graded
    assert grade["passed"], grade["failures"]
    assert grading.grade_lab03(run, judge=judge)["passed"]


def test_generator_is_a_dcgan_in_range(graded):
    config, generator, _, _ = graded
    z = np.random.default_rng(0).standard_normal((8, config["latent"]["dim"])).astype("float32")
    x = infer(generator, z)
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
    assert any(f.startswith("frechet_ratio") for f in grade["failures"])


def test_one_fixed_digit_fails(graded, judge):
    config, _, baseline, _ = graded
    test, labels = load_image_arrays("digits", "test", config["image_size"])
    seven = test[labels == 7][0]

    def sampler(n, seed):
        return np.repeat(seven[None], n, axis=0)

    grade = _grade_fault(sampler, baseline, judge)
    assert not grade["passed"]
    assert grade["min_class_share"] == 0.0  # confident, but one class of ten
    assert any(f.startswith("min_class_share") for f in grade["failures"])


def memoriser(size, perturb):
    """Training digits, perturbed the way a student hiding copies would."""
    train, _ = load_image_arrays("digits", "train", size)

    def sampler(n, seed):
        rng = np.random.default_rng(seed)
        x = train[rng.integers(0, len(train), n)]
        if perturb == "noise":
            return np.clip(x + rng.normal(0, 0.15, x.shape), -1, 1).astype("float32")
        if perturb == "shift":
            return np.roll(x, 1, axis=2)
        return x

    return sampler


@pytest.mark.parametrize("perturb", ["verbatim", "noise", "shift"])
def test_memorisers_fail_on_copying(graded, judge, perturb):
    """The noisy memoriser passed the old nearest-neighbour test (confident 0.943,
    Frechet ratio 0.008, copy share 0): only the copying check may reject it."""
    config, _, baseline, _ = graded
    grade = _grade_fault(memoriser(config["image_size"], perturb), baseline, judge)
    assert not grade["passed"] and grade["copying"] < grading.COPYING_LIMIT
    assert [f.split(" (")[0] for f in grade["failures"]] == ["copying C_T"], grade["failures"]


def test_edited_config_and_another_labs_generator_fail_in_one_line(run, lab_run, forge, judge):
    faces = grading.grade_lab03(forge(run, config={"dataset": "faces"}), judge=judge)
    assert faces["failures"] == ["lab 03 ran with --dataset faces; the bar is defined for digits"]
    other = grading.grade_lab03(forge(run, generator_from=lab_run("06_cgan")), judge=judge)
    assert len(other["failures"]) == 1 and "takes 2 input(s)" in other["failures"][0]


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
