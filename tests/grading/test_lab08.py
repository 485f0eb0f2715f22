"""Grade lab 08 (CycleGAN): F cleaning held-out bleed-through scans, the cycle, and the planted faults.

The bar (labs/08_cyclegan.py docstring, `ganlab.grading.cyclegan.BAR`),
recomputed from generator.keras and inverse_generator.keras on the 96
held-out `bleed` scans: PSNR(F(y), clean) >= PSNR(y, clean) + 3 dB, above
Otsu's, and PSNR(G(F(y)), y) >= 25 dB. Each planted fault must fail, for its reason.
"""

import json

import numpy as np
import pytest
from PIL import Image

from ganlab import grading
from ganlab.grading import cyclegan as grader

LAB = "08_cyclegan"


@pytest.fixture(scope="module")
def graded(lab_run):
    run = lab_run(LAB)
    config, nets = grader.load_cyclegan_run(run)
    pages, train_clean = grader.lab_pages(nets["F"].input_shape[1])
    return run, config, nets, pages, train_clean


def grade(graded, translate_f, translate_g=None):
    _, _, nets, pages, train_clean = graded
    return grader.grade_cyclegan(translate_f, translate_g or grader.net_translator(nets["G"]),
                                 pages, train_clean)


def failed_checks(report):
    return [line.split(" ")[0] for line in report["failures"]]


def test_run_folder(graded):
    run, config, _, _, _ = graded
    assert config["task"] == "bleed"
    for name in ("config.json", "metrics.json", "generator.keras", "inverse_generator.keras",
                 "discriminator.keras", "inverse_discriminator.keras", "samples.png", "progress.gif"):
        assert (run / name).is_file(), name
    assert list((run / "tb").rglob("events.out.tfevents.*"))
    width, height = Image.open(run / "samples.png").size
    assert width > height  # 7 columns (x, G(x), F(G(x)), y, F(y), G(F(y)), clean), 6 rows
    metrics = json.loads((run / "metrics.json").read_text())
    # the eight loss curves and the schedule, as the lab logs them
    assert {"g_gan", "f_gan", "dy_loss", "dx_loss", "cycle_x", "cycle_y", "identity_x",
            "identity_y", "lr"} <= set(metrics["losses"])
    # the mean rate of the last epoch: constant for half the steps, then linear to 0 at the last
    total, steps = config["epochs"] * config["steps_per_epoch"], config["steps_per_epoch"]
    last = total - 1
    mean_step = last - (steps - 1) / 2
    expected = config["lr"] * (last - mean_step) / (last - total // 2)
    assert metrics["losses"]["lr"] == pytest.approx(expected, rel=1e-3)


def test_generators_meet_the_bar(graded):
    report = grader.grade_lab08(graded[0])
    print({k: round(v, 3) for k, v in report.items() if isinstance(v, float)})
    assert report["passed"], report["failures"]
    assert report["pages"] == 96


def test_the_grader_can_pass(graded):
    _, _, _, pages, _ = graded
    # an oracle F (the clean versions) with an oracle G (back to the scans)
    report = grade(graded, lambda y: pages["y_clean"], lambda c: pages["y"])
    assert report["passed"], report["failures"]


def test_planted_faults_fail_for_their_reason(graded):
    _, _, nets, _, train_clean = graded
    mean_page = train_clean.mean(0)
    faults = {
        "identity": (lambda y: np.asarray(y), "gain"),
        "untrained": (grader.net_translator(grading.untrained_like(nets["F"])), "gain"),
        "otsu": (grader.otsu_translator(train_clean), "f_psnr"),
        "mean_clean_page": (lambda y: np.broadcast_to(mean_page, np.shape(y)).copy(), "cycle_psnr"),
    }
    table = {}
    for name, (translate, reason) in faults.items():
        report = grade(graded, translate)
        table[name] = ({k: round(report[k], 2) for k in ("gain", "f_psnr", "otsu_psnr", "cycle_psnr")},
                       failed_checks(report))
        assert not report["passed"], (name, report)
        assert reason in failed_checks(report), (name, report["failures"])
    print(table)
    assert table["identity"][0]["gain"] == 0.0
    assert "f_psnr" in table["identity"][1]  # the scans themselves are below Otsu
    # A constant page scores about Otsu's PSNR (the paper dominates); no G can
    # rebuild the scans from it.
    assert abs(table["mean_clean_page"][0]["f_psnr"] - table["mean_clean_page"][0]["otsu_psnr"]) < 0.5


def test_outputs_of_the_wrong_shape_fail(graded):
    report = grade(graded, lambda y: np.asarray(y)[:, :16])
    assert not report["passed"] and "outputs of shape" in report["failures"][0]


def test_forged_run_folders_fail_in_one_line(graded, tmp_path, copy_run):
    run = graded[0]
    edited = copy_run(run, tmp_path / "edited", grader.NETWORKS.values())
    config = json.loads((edited / "config.json").read_text())
    (edited / "config.json").write_text(json.dumps({**config, "task": "fonts"}))
    report = grader.grade_lab08(edited)
    assert report["failures"] == ["lab 08 ran with --task fonts; the bar is defined for bleed"]

    from ganlab.nets import unet_generator

    other = copy_run(run, tmp_path / "other", grader.NETWORKS.values())
    unet_generator(32, 1, 2, ngf=4).save(other / "inverse_generator.keras")  # lab 07's kind of net
    report = grader.grade_lab08(other)
    assert not report["passed"] and "makes (32, 32, 2)" in report["failures"][0]
    (other / "inverse_generator.keras").unlink()
    report = grader.grade_lab08(other)
    assert not report["passed"] and "has no inverse_generator.keras" in report["failures"][0]


@pytest.mark.parametrize("args, match", [
    (["--task", "horse2zebra"], "task='horse2zebra'"),
    (["--image-size", "48"], "image_size=48"),
])
def test_a_users_mistake_is_one_line_and_exit_2(users_mistake, args, match):
    users_mistake(LAB, args, match)
