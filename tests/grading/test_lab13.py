"""Grade lab 13 (LAPGAN; GAN-CLS / GAN-INT): each part its own verdict, each planted fault for its reason.

The bars (labs/13_lapgan_text.py docstring, ganlab/grading/lapgan_text.py),
recomputed from the saved nets with fixed seeds.
"""

import numpy as np
import pytest
from PIL import Image

from ganlab import grading
from ganlab.data import captions as cap
from ganlab.grading import lapgan_text as grader
from ganlab.grading.common import load_networks
from ganlab.nets import load_judge

LAB = "13_lapgan_text"


@pytest.fixture(scope="module")
def graded(lab_run):
    run = lab_run(LAB)
    _, nets = load_networks(run, {**grader.LAPGAN_NETS, **grader.TEXT_NETS})
    return run, nets, load_judge(), grader.load_printed_judge()


def test_run_folder(graded):
    run = graded[0]
    for name in ("metrics.json", "config.json", "chain.png", "samples.png", "captions.png",
                 "interpolation.png", "text_encoder.keras", "coarse_generator.keras",
                 "residual_generator_1.keras", "gancls_generator.keras", "plain_generator.keras"):
        assert (run / name).is_file(), name
    assert any((run / "tb" / "lapgan").rglob("events.out.tfevents.*"))
    width, height = Image.open(run / "chain.png").size
    assert 0.3 < width / height < 0.45  # 8 rows (chains) of 3 cells: l_0 | h_1 | final


@pytest.fixture(scope="module")
def report(graded):
    run, _, judge, reader = graded
    report = grader.grade_lab13(run, judge=judge, reader=reader)
    print({part: {k: v for k, v in report[part].items() if isinstance(v, float)}
           for part in ("lapgan", "text", "plain_text")})
    return report


def test_lapgan_meets_its_bar(report):
    assert report["lapgan"]["passed"], report["lapgan"]["failures"]
    assert report["lapgan"]["samples"] == 1000


def test_text_meets_its_bar(report):
    assert report["text"]["samples"] == report["plain_text"]["samples"] == 600
    assert report["text"]["passed"], report["text"]["failures"]
    assert report["passed"] == (report["lapgan"]["passed"] and report["text"]["passed"])


def _reason(report):
    return [f.split(" (")[0].split(" = ")[0] for f in report["failures"]]


def test_zero_residual_chain_fails_for_its_residuals(graded):
    """A blurry upsampler: u(G_0(z)) with h = 0. Its images may still be read as digits."""
    _, nets, judge, _ = graded
    real = grader.chain_sampler([nets["g0"], nets["g1"]])

    def blurry(n, seed):
        images, residuals = real(n, seed)
        zero = [np.zeros_like(h) for h in residuals]
        return [images[0], images[-1] - residuals[-1]], zero

    report = grader.grade_lapgan(blurry, judge=judge)
    assert not report["passed"]
    assert "residual_rms_ratio" in _reason(report) and "residual_high_share" in _reason(report)
    assert report["residual_rms_ratio"] == 0.0


def test_untrained_lapgan_fails_on_the_judge(graded):
    _, nets, judge, _ = graded
    sampler = grader.chain_sampler([grading.untrained_like(nets["g0"]),
                                    grading.untrained_like(nets["g1"])])
    report = grader.grade_lapgan(sampler, judge=judge)
    assert not report["passed"] and "confident_share" in _reason(report), report["failures"]


def _shuffled_captions(sampler):
    """G ignores the text: it draws for another caption than the one asked."""
    def sample(captions, seed):
        order = np.random.default_rng(seed + 1).permutation(len(captions))
        return sampler([captions[i] for i in order], seed)
    return sample


def _random_attributes(sampler):
    """G gets the digit right and ignores the rest: the attributes it draws are random."""
    def sample(captions, seed):
        _, facts = grader.heldout_captions(seed)
        rng = np.random.default_rng(seed + 2)
        facts = dict(facts)
        for key, values in (("family", cap.FAMILIES), ("weight", cap.WEIGHTS), ("tilt", cap.TILTS)):
            facts[key] = np.asarray(values)[rng.integers(0, len(values), len(captions))]
        return sampler(cap.captions_for(facts, "heldout", seed), seed)
    return sample


TEXT_FAULTS = {
    "ignores_text": (lambda s, nets: _shuffled_captions(s), ["digit_accuracy", "tilt_agreement"]),
    "ignores_attributes": (lambda s, nets: _random_attributes(s), ["tilt_agreement"]),
    "untrained": (lambda s, nets: grader.text_sampler(grading.untrained_like(nets["cls"]),
                                                      nets["encoder"]),
                  ["digit_accuracy", "tilt_agreement"]),
}


@pytest.mark.parametrize("fault", sorted(TEXT_FAULTS))
def test_text_faults_fail_for_their_reason(graded, report, fault):
    """Each fault fails its own check; beyond it, only the checks the trained G fails itself."""
    _, nets, _, reader = graded
    make, reasons = TEXT_FAULTS[fault]
    faulty = grader.grade_text(make(grader.text_sampler(nets["cls"], nets["encoder"]), nets),
                               reader=reader)
    assert not faulty["passed"]
    assert set(_reason(faulty)) == set(reasons) | set(_reason(report["text"])), faulty["failures"]
    if fault == "ignores_attributes":  # the digit is kept, the tilt is a coin toss
        assert abs(faulty["digit_accuracy"] - report["text"]["digit_accuracy"]) < 0.1
        assert faulty["tilt_agreement"] < 0.6 < report["text"]["tilt_agreement"]


def test_real_renders_pass_and_the_old_judge_could_not(graded):
    """The held-out real renders of each caption's facts pass the text bar; lab 03's judge reads 0.7."""
    _, _, judge, reader = graded
    x, facts = cap.captioned_digits("test")

    def real(captions, seed):
        return x

    report = grader.grade_text(real, reader=reader)
    assert report["passed"] and report["digit_accuracy"] > 0.97, report
    assert report["tilt_agreement"] > 0.97 and report["weight_agreement"] > 0.9
    old = grader.grade_text(real, reader=judge)
    assert old["digit_accuracy"] < 0.8


def test_unknown_word_in_a_caption_is_one_line(graded):
    _, nets, _, _ = graded
    with pytest.raises(ValueError, match="unknown word 'purple'"):
        grader.text_sampler(nets["cls"], nets["encoder"])(["a purple seven"], 0)


def test_a_folder_without_the_text_nets_fails_in_one_line(graded, copy_run, tmp_path):
    run = graded[0]
    folder = copy_run(run, tmp_path / "lapgan_only", list(grader.LAPGAN_NETS.values()))
    report = grader.grade_lab13(folder)
    assert not report["passed"] and len(report["failures"]) == 1
    assert "gancls_generator.keras" in report["failures"][0]
