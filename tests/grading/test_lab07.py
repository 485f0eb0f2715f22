"""Grade lab 07 (pix2pix): held-out colorization against its targets, and the planted faults.

The bar (labs/07_pix2pix.py docstring, `ganlab.grading.pix2pix.BAR`),
recomputed from generator.keras and generator_l1_only.keras on the 128
held-out pairs of `colorize`: the L1 + cGAN PSNR >= 1 dB above the gray
input copied to RGB, and the spread of its colors closer to the targets'
than the L1-only G's. Each planted fault must fail, for its reason.
"""

import json

import numpy as np
import pytest
from PIL import Image

from ganlab import grading
from ganlab.data.paired import load_pair_arrays
from ganlab.grading import pix2pix as grader

LAB = "07_pix2pix"


@pytest.fixture(scope="module")
def graded(lab_run):
    run = lab_run(LAB)
    config, nets = grader.load_pix2pix_run(run)
    size = nets["l1_cgan"].input_shape[1]
    x, y = grader.held_out_pairs("colorize", size)
    return run, config, nets, x, y


def grade(graded, translate, l1_only=None):
    _, _, nets, x, y = graded
    l1_only = l1_only or grader.generator_translator(nets["l1_only"])
    return grader.grade_pix2pix(translate, l1_only, x, y, grader.baseline_translator(y.shape[-1]))


def failed_checks(report):
    return [line.split(" ")[0] for line in report["failures"]]


def test_run_folder(graded):
    run, config, _, _, _ = graded
    assert config["task"] == "colorize"
    for name in ("config.json", "metrics.json", "generator.keras", "generator_l1_only.keras",
                 "discriminator.keras", "samples.png"):
        assert (run / name).is_file(), name
    for folder in ("l1_cgan", "l1_only"):
        assert list((run / "tb" / folder).rglob("events.out.tfevents.*")), folder
    width, height = Image.open(run / "samples.png").size
    assert width < height  # 4 columns (input | L1 only | L1 + cGAN | target), 8 rows
    metrics = json.loads((run / "metrics.json").read_text())
    assert {"baseline", "l1_only", "l1_cgan", "grade"} <= set(metrics)


def test_generators_meet_the_bar(graded):
    run = graded[0]
    report = grader.grade_lab07(run)
    print({k: report[k] for k in ("psnr_gain",)},
          {k: {f: round(v, 4) for f, v in report[k].items()} for k in ("baseline", "l1_only", "l1_cgan")})
    assert report["passed"], report["failures"]
    assert report["images"] == 128


def test_the_grader_can_pass(graded):
    _, _, _, x, y = graded
    report = grade(graded, lambda inputs: y)
    assert report["passed"], report["failures"]


def nearest_training_target(size):
    """The memoriser: for each input, the target of the nearest training input (pixels)."""
    xs, ys = load_pair_arrays("colorize", "train", size)
    flat = xs.reshape(len(xs), -1)

    def translate(x):
        q = np.asarray(x).reshape(len(x), -1)
        d = (q**2).sum(1)[:, None] - 2 * q @ flat.T + (flat**2).sum(1)[None, :]
        return ys[d.argmin(axis=1)]

    return translate


def test_planted_faults_fail_for_their_reason(graded):
    _, _, nets, x, _ = graded
    size = x.shape[1]
    faults = {
        "baseline": (grader.baseline_translator(2), "psnr_gain"),
        "untrained": (grader.generator_translator(grading.untrained_like(nets["l1_cgan"])),
                      "psnr_gain"),
        "l1_only": (grader.generator_translator(nets["l1_only"]), "spread_gap"),
        "memoriser": (nearest_training_target(size), "psnr_gain"),
    }
    table = {}
    for name, (translate, reason) in faults.items():
        report = grade(graded, translate)
        table[name] = (round(report["psnr_gain"], 2), round(report["l1_cgan"]["spread_gap"], 3),
                       round(report["l1_only"]["spread_gap"], 3), failed_checks(report))
        assert not report["passed"], (name, report)
        assert reason in failed_checks(report), (name, report["failures"])
    print(table)
    # the baseline gains nothing by definition; the L1-only G fails on the colors' spread
    assert table["baseline"][0] == 0.0
    assert table["l1_only"][1] == table["l1_only"][2]


def test_outputs_of_the_wrong_shape_fail(graded):
    report = grade(graded, lambda inputs: np.asarray(inputs)[:, :16])
    assert not report["passed"] and "outputs of shape" in report["failures"][0]


def test_forged_run_folders_fail_in_one_line(graded, tmp_path, copy_run):
    run = graded[0]
    edited = copy_run(run, tmp_path / "edited", grader.NETWORKS.values())
    config = json.loads((edited / "config.json").read_text())
    (edited / "config.json").write_text(json.dumps({**config, "task": "edges2photo"}))
    report = grader.grade_lab07(edited)
    assert not report["passed"]
    assert report["failures"] == ["lab 07 ran with --task edges2photo; the bar is defined for colorize"]

    from ganlab.nets import conditional_dcgan_generator

    other = copy_run(run, tmp_path / "other", grader.NETWORKS.values())
    conditional_dcgan_generator(4, 10, image_size=16, channels=1, width=4).save(other / "generator.keras")
    report = grader.grade_lab07(other)
    assert not report["passed"] and "generator.keras takes 2 input(s)" in report["failures"][0]
    (other / "generator.keras").unlink()
    report = grader.grade_lab07(other)
    assert not report["passed"] and "has no generator.keras" in report["failures"][0]


@pytest.mark.parametrize("args, match", [
    (["--task", "colorise"], "task='colorise'"),
    (["--image-size", "48"], "image_size=48"),
])
def test_a_users_mistake_is_one_line_and_exit_2(users_mistake, args, match):
    users_mistake(LAB, args, match)
