"""Grade lab 09 (SRGAN): held-out 4x super-resolution against bicubic, and the planted faults.

The bar (labs/09_srgan.py docstring, `ganlab.grading.srgan.BAR`), recomputed
from srresnet.keras and generator.keras on the 36 held-out tiles: SRResNet
>= 0.5 dB over bicubic, SRGAN's high-frequency energy above SRResNet's and
closer to HR's, SRGAN at most 2 dB under bicubic. Each planted fault must
fail, for its reason.
"""

import json

import numpy as np
import pytest
from PIL import Image

from ganlab import grading
from ganlab.data.superres import held_out_pairs, nearest_upscale, training_hr
from ganlab.grading import srgan as grader
from ganlab.recipes import srgan as srgan_recipe

LAB = "09_srgan"


@pytest.fixture(scope="module")
def graded(lab_run):
    run = lab_run(LAB)
    config, nets = grader.load_srgan_run(run)
    lr, hr = held_out_pairs(grader.SCALE)
    return run, config, nets, lr, hr


def grade(graded, srresnet=None, srgan=None):
    _, _, nets, lr, hr = graded
    return grader.grade_srgan(srresnet or grader.generator_sr(nets["srresnet"]),
                              srgan or grader.generator_sr(nets["srgan"]), lr, hr)


def failed_checks(report):
    return [line.split(" ")[0] for line in report["failures"]]


def test_run_folder(graded):
    run, config, _, _, _ = graded
    assert config["scale"] == 4 and config["variant"] == "SRGAN-MSE"
    for name in ("config.json", "metrics.json", "srresnet.keras", "generator.keras",
                 "discriminator.keras", "samples.png"):
        assert (run / name).is_file(), name
    for folder in ("srresnet", "srgan"):
        assert list((run / "tb" / folder).rglob("events.out.tfevents.*")), folder
    width, height = Image.open(run / "samples.png").size
    # 4 columns (bicubic | SRResNet | SRGAN | HR) of 2.6 inches, a row of 2.8 per shown tile
    assert width / height == pytest.approx(4 * 2.6 / (2.8 * len(srgan_recipe.SHOWN)), rel=0.05)
    metrics = json.loads((run / "metrics.json").read_text())
    assert {"bicubic", "srresnet", "srgan", "table", "grade", "variant"} <= set(metrics)
    assert all(len(metrics["table"][k]["psnr"]) == 36 for k in ("bicubic", "srresnet", "srgan"))


def test_generators_meet_the_bar(graded):
    report = grader.grade_lab09(graded[0])
    print({k: round(report[k], 3) for k in ("srresnet_gain", "srgan_drop")},
          {k: {f: round(v, 4) for f, v in report[k].items()} for k in ("bicubic", "srresnet", "srgan")})
    assert report["passed"], report["failures"]
    assert report["images"] == 36


def test_the_grader_can_pass(graded):
    _, _, _, lr, hr = graded
    # SRGAN = HR (energy 1, no drop) and an SRResNet between bicubic and HR (gain, blurrier)
    report = grade(graded, srresnet=lambda x: 0.7 * hr + 0.3 * grader.bicubic_sr()(x), srgan=lambda x: hr)
    assert report["passed"], report["failures"]


def hr_plus_noise(hr, std=0.4, seed=0):
    """The fault with high-frequency energy and no fidelity: HR (known!) plus Gaussian noise."""
    noisy = hr + np.random.default_rng(seed).normal(0, std, hr.shape).astype("float32")
    return lambda lr: np.clip(noisy, -1, 1)


def nearest_training_crop(lr_shape):
    """The memoriser: for each LR tile, the training HR crop (tiled to 96x96) whose LR is nearest."""
    from ganlab.data.superres import downscale

    crops = training_hr(64)
    tiles = np.tile(crops, (1, 2, 2, 1))[:, :96, :96]
    flat = downscale(tiles, 4).reshape(len(tiles), -1)

    def sr(lr):
        q = np.asarray(lr).reshape(len(lr), -1)
        d = (q**2).sum(1)[:, None] - 2 * q @ flat.T + (flat**2).sum(1)[None, :]
        return tiles[d.argmin(axis=1)]

    return sr


def test_planted_faults_fail_for_their_reason(graded):
    _, _, nets, lr, hr = graded
    bicubic = grader.bicubic_sr()
    nearest = lambda x: nearest_upscale(x, 4)  # noqa: E731
    untrained = grader.generator_sr(grading.untrained_like(nets["srresnet"]))
    memoriser = nearest_training_crop(lr.shape)
    faults = {  # name: (srresnet, srgan, the check it must fail)
        "bicubic (both)": (bicubic, bicubic, "srresnet_gain"),
        "nearest (both)": (nearest, nearest, "srresnet_gain"),
        "untrained G (both)": (untrained, untrained, "srresnet_gain"),
        "memoriser (both)": (memoriser, memoriser, "srresnet_gain"),
        "bicubic as SRGAN": (None, bicubic, "srgan_hf_energy"),
        "nearest as SRGAN": (None, nearest, "srgan_drop"),
        "HR + noise as SRGAN": (None, hr_plus_noise(hr), "srgan_drop"),
        "SRResNet as SRGAN": (None, grader.generator_sr(nets["srresnet"]), "srgan_hf_energy"),
    }
    table = {}
    for name, (srresnet, srgan, reason) in faults.items():
        report = grade(graded, srresnet, srgan)
        table[name] = (round(report["srresnet_gain"], 2), round(report["srgan_drop"], 2),
                       round(report["srgan"]["hf_energy"], 3), failed_checks(report))
        assert not report["passed"], (name, report)
        assert reason in failed_checks(report), (name, report["failures"])
    print(table)
    assert table["bicubic (both)"][0] == 0.0
    assert "srgan_hf_gap" in table["HR + noise as SRGAN"][3]  # far more energy than HR's


def test_outputs_of_the_wrong_shape_fail(graded):
    report = grade(graded, srgan=lambda x: np.asarray(x))
    assert not report["passed"] and "outputs of shape" in report["failures"][0]


def test_forged_run_folders_fail_in_one_line(graded, tmp_path, copy_run):
    run = graded[0]
    edited = copy_run(run, tmp_path / "edited", grader.NETWORKS.values())
    config = json.loads((edited / "config.json").read_text())
    (edited / "config.json").write_text(json.dumps({**config, "scale": 2}))
    report = grader.grade_lab09(edited)
    assert report["failures"] == ["lab 09 ran with --scale 2; the bar is defined for 4"]

    from ganlab.nets import dcgan_generator

    other = copy_run(run, tmp_path / "other", grader.NETWORKS.values())
    dcgan_generator(8, image_size=16, channels=1, width=4).save(other / "generator.keras")
    report = grader.grade_lab09(other)
    assert not report["passed"] and "not this lab's network" in report["failures"][0]
    (other / "srresnet.keras").unlink()
    report = grader.grade_lab09(other)
    assert not report["passed"] and "has no srresnet.keras" in report["failures"][0]


@pytest.mark.parametrize("args, match", [
    (["--content", "vgg54", "--vgg-weights", "/nowhere/vgg19.h5"], "not at /nowhere/vgg19.h5"),
    (["--blocks", "-1"], "blocks=-1"),
])
def test_a_users_mistake_is_one_line_and_exit_2(users_mistake, args, match):
    users_mistake(LAB, args, match)
