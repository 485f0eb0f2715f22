"""Grade lab 07 (pix2pix): held-out translations against their targets, and the planted faults.

The bar (labs/07_pix2pix.py docstring, `ganlab.grading.pix2pix.BAR`),
recomputed from the run's four generators on the 128 held-out pairs of
each graded task: on colorize, the L1 + cGAN PSNR >= 1 dB above the gray
input copied to RGB and the spread of its colors closer to the targets'
than the L1-only G's; on edges2photo, its PSNR at least the flat gray
image's and its sharpness closer to the photos' than the L1-only G's.
Each planted fault must fail, for its reason.
"""

import json

import numpy as np
import pytest
from PIL import Image

from ganlab import grading
from ganlab.data.paired import load_pair_arrays
from ganlab.grading import pix2pix as grader

LAB = "07_pix2pix"
EDGES = grader.SHARPNESS_TASK


@pytest.fixture(scope="module")
def graded(lab_run):
    run = lab_run(LAB)
    config, nets = grader.load_pix2pix_run(run)
    pairs = {task: grader.held_out_pairs(task, nets[task]["l1_cgan"].input_shape[1])
             for task in grader.GRADED_TASKS}
    translators = {task: {k: grader.generator_translator(g) for k, g in nets[task].items()}
                   for task in grader.GRADED_TASKS}
    return run, config, nets, pairs, translators


def grade(graded, colorize=None, edges=None):
    """The run's grade with the L1 + cGAN translator of a task replaced."""
    _, _, _, pairs, run = graded
    translators = {"colorize": (colorize or run["colorize"]["l1_cgan"], run["colorize"]["l1_only"]),
                   EDGES: (edges or run[EDGES]["l1_cgan"], run[EDGES]["l1_only"])}
    return grader.grade_pix2pix(translators, pairs)


def failed_checks(report):
    return [line.split(" ")[0] for line in report["failures"]]


def test_run_folder(graded):
    run, config, _, _, _ = graded
    assert config["task"] == "colorize"
    for name in ("config.json", "metrics.json", *grader.NETWORKS.values()):
        assert (run / name).is_file(), name
    for task in grader.GRADED_TASKS:
        files = grader.run_files(task)
        assert (run / files["discriminator"]).is_file(), task
        for folder in files["tb"].values():
            assert list((run / folder).rglob("events.out.tfevents.*")), folder
        width, height = Image.open(run / files["samples"]).size
        assert width < height  # 4 columns (input | L1 only | L1 + cGAN | target), 8 rows
    metrics = json.loads((run / "metrics.json").read_text())
    assert {"colorize", EDGES, "grade"} <= set(metrics)
    assert {"baseline", "l1_only", "l1_cgan"} <= set(metrics[EDGES])


def test_generators_meet_the_bar(graded):
    run = graded[0]
    report = grader.grade_lab07(run)
    print({k: round(report[k], 3) for k in ("psnr_gain", "edges_psnr_gain")},
          {task: {k: {f: round(v, 4) for f, v in report[task][k].items()}
                  for k in ("baseline", "l1_only", "l1_cgan")} for task in grader.GRADED_TASKS})
    assert report["passed"], report["failures"]
    assert report["images"] == 128
    # what the sharpness check is about: L1 alone blurs the photos (Isola 2017, Fig. 4)
    assert report[EDGES]["l1_only"]["sharpness"] < report[EDGES]["l1_cgan"]["sharpness"]


def test_the_grader_can_pass(graded):
    pairs = graded[3]
    report = grade(graded, colorize=lambda x: pairs["colorize"][1], edges=lambda x: pairs[EDGES][1])
    assert report["passed"], report["failures"]


def nearest_training_target(task, size):
    """The memoriser: for each input, the target of the nearest training input (pixels)."""
    xs, ys = load_pair_arrays(task, "train", size)
    flat = xs.reshape(len(xs), -1)

    def translate(x):
        q = np.asarray(x).reshape(len(x), -1)
        d = (q**2).sum(1)[:, None] - 2 * q @ flat.T + (flat**2).sum(1)[None, :]
        return ys[d.argmin(axis=1)]

    return translate


def test_planted_faults_fail_for_their_reason(graded):
    _, _, nets, pairs, run = graded
    size = pairs["colorize"][0].shape[1]
    photos = load_pair_arrays(EDGES, "train", size)[1][: len(pairs[EDGES][1])]  # real, not these

    def untrained(task):
        return grader.generator_translator(grading.untrained_like(nets[task]["l1_cgan"]))

    faults = {  # name: (replaced L1 + cGAN translators, the checks it must fail)
        "baseline": ({"colorize": grader.baseline_translator(2)}, {"psnr_gain", "spread_gap"}),
        "untrained": ({"colorize": untrained("colorize"), "edges": untrained(EDGES)},
                      {"psnr_gain", "edges_psnr_gain"}),
        "l1_only": ({"colorize": run["colorize"]["l1_only"], "edges": run[EDGES]["l1_only"]},
                    {"spread_gap", "sharpness_gap"}),
        "l1_only_edges": ({"edges": run[EDGES]["l1_only"]}, {"sharpness_gap"}),
        "memoriser": ({"colorize": nearest_training_target("colorize", size),
                       "edges": nearest_training_target(EDGES, size)},
                      {"psnr_gain", "edges_psnr_gain"}),
        "training_photos": ({"edges": lambda x: photos}, {"edges_psnr_gain"}),
    }
    table = {}
    for name, (replaced, reasons) in faults.items():
        report = grade(graded, **replaced)
        table[name] = (round(report["psnr_gain"], 2), round(report["edges_psnr_gain"], 2),
                       round(report["colorize"]["l1_cgan"]["spread_gap"], 3),
                       round(report[EDGES]["l1_cgan"]["sharpness_gap"], 3), failed_checks(report))
        assert not report["passed"], (name, report)
        assert reasons <= set(failed_checks(report)), (name, report["failures"])
    print(table)
    # the baseline gains nothing by definition; painting real photos is sharper than L1 alone
    # (so only the edges PSNR gate catches it)
    assert table["baseline"][0] == 0.0
    assert table["training_photos"][3] < table["l1_only_edges"][3]
    # the L1-only G fails only on what it lacks: the cGAN term's sharpness
    assert table["l1_only_edges"][4] == ["sharpness_gap"]


def test_outputs_of_the_wrong_shape_fail(graded):
    for replaced in ({"colorize": lambda x: np.asarray(x)[:, :16]},
                     {"edges": lambda x: np.asarray(x)}):  # 1 channel, not the photos' 3
        report = grade(graded, **replaced)
        assert not report["passed"] and "outputs of shape" in report["failures"][0], report


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

    colorize_only = copy_run(run, tmp_path / "colorize_only",
                             grader.run_files("colorize")["generators"].values())
    report = grader.grade_lab07(colorize_only)  # a run made before the sharpness task
    assert not report["passed"] and "has no generator_edges2photo.keras" in report["failures"][0]


@pytest.mark.parametrize("args, match", [
    (["--task", "colorise"], "task='colorise'"),
    (["--image-size", "48"], "image_size=48"),
])
def test_a_users_mistake_is_one_line_and_exit_2(users_mistake, args, match):
    users_mistake(LAB, args, match)
