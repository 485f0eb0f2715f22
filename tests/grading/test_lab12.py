"""Grading lab 12 (StyleGAN on digits): recompute the bar from mapping.keras and synthesis.keras,
and check that the planted faults fail it, each for its reason."""

import json

import keras
import numpy as np
import pytest

from ganlab import grading
from ganlab.grading import stylegan as grader
from ganlab.grading.common import load_networks, untrained_like
from ganlab.nets import dcgan_generator, load_judge, mapping_network, synthesis_network
from ganlab.nets.inference import infer

LAB = "12_stylegan"


@pytest.fixture(scope="module")
def judge():
    return load_judge()


@pytest.fixture(scope="module")
def run(lab_run):
    return lab_run(LAB)


@pytest.fixture(scope="module")
def nets(run):
    config, nets = load_networks(run, grader.NETWORKS)
    baseline = (untrained_like(nets["mapping"]),
                untrained_like(nets["synthesis"], grading.GRADING_SEED + 1))
    return config, nets["mapping"], nets["synthesis"], baseline


@pytest.fixture(scope="module")
def graded(run, judge):
    return grading.grade_lab12(run, judge=judge)


def test_run_folder_is_complete(run):
    for name in ("config.json", "metrics.json", "mapping.keras", "synthesis.keras",
                 "discriminator.keras", "samples.png", "progress.gif", "style_mixing.png",
                 "noise.png", "truncation.png"):
        assert (run / name).is_file(), name
    assert list((run / "tb").rglob("events.out.tfevents.*"))
    assert len(list((run / "grids").glob("epoch_*.png"))) == json.loads(
        (run / "config.json").read_text())["epochs"]
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["noise_std"] > 0  # the noise inputs do something
    # ProGAN grew through every phase: a grid per resolution and the fade-in GIF
    assert metrics["progan"]["resolutions"] == [4, 8, 16, 32]
    assert sorted(p.name for p in (run / "progan" / "grids").glob("phase_*.png")) == [
        "phase_0_4x4.png", "phase_1_8x8.png", "phase_2_16x16.png", "phase_3_32x32.png"]
    assert (run / "progan" / "progress.gif").is_file() and metrics["progan"]["frames"] > 4
    assert len(metrics["w_avg"]) == json.loads((run / "config.json").read_text())["latent"]["dim"]


def test_bar(graded):
    assert graded["passed"], graded["failures"]
    # the two rates the bar compares are both measured and reported
    assert 0 <= graded["fine_swap_rate"] < graded["coarse_swap_rate"] <= 1


def _copy(net):
    clone = keras.models.clone_model(net)
    clone.set_weights(net.get_weights())
    return clone


def _grade(mapping, synthesis, baseline, judge):
    return grader.grade_stylegan(mapping, synthesis, baseline, judge=judge)


def _failed(grade):
    return [f.split(" ")[0] for f in grade["failures"]]


def test_untrained_stylegan_fails_on_frechet(nets, judge):
    config, _, _, baseline = nets
    dim = config["latent_dim"]
    keras.utils.set_random_seed(5)
    grade = _grade(mapping_network(dim, dim, config["mapping_layers"]),
                   synthesis_network(32, 1, dim), baseline, judge)
    assert not grade["passed"]
    assert grade["frechet_ratio"] > grader.BAR["max_frechet_ratio"]
    assert "frechet_ratio" in _failed(grade)


def test_constant_w_fails_on_mixing_and_classes(nets, judge):
    """f(z) = LeakyReLU(b): the last layer's kernel zeroed. Every sample has one w, so
    A and B have the same styles and no swap can change anything: both rates are 0."""
    _, mapping, synthesis, baseline = nets
    constant = _copy(mapping)
    last = [layer for layer in constant.layers if hasattr(layer, "lr_multiplier")][-1]
    last.kernel.assign(np.zeros(last.kernel.shape, "float32"))
    w = infer(constant, np.random.default_rng(0).normal(size=(5, mapping.input_shape[-1])))
    np.testing.assert_array_equal(w, np.repeat(w[:1], 5, axis=0))
    grade = _grade(constant, synthesis, baseline, judge)
    assert not grade["passed"]
    assert grade["coarse_swap_rate"] == grade["fine_swap_rate"] == 0.0
    assert "mixing_gap" in _failed(grade) and "min_class_share" in _failed(grade)


def test_adain_ignoring_the_style_fails_on_mixing_and_classes(nets, judge):
    """Every style affine A's kernel zeroed: y_s and y_b are their biases whatever w is, so
    the mixing grid is constant along both axes and both rates are 0."""
    _, mapping, synthesis, baseline = nets
    blind = _copy(synthesis)
    affines = [layer for layer in blind.layers if "_style_" in layer.name]
    assert len(affines) == 2 * int(blind.inputs[0].shape[1])
    for layer in affines:
        layer.kernel.assign(np.zeros(layer.kernel.shape, "float32"))
    grade = _grade(mapping, blind, baseline, judge)
    assert not grade["passed"]
    assert grade["coarse_swap_rate"] == grade["fine_swap_rate"] == 0.0
    assert "mixing_gap" in _failed(grade) and "min_class_share" in _failed(grade)


def test_edited_config_and_another_labs_network_fail_in_one_line(run, forge, judge, tmp_path):
    faces = grading.grade_lab12(forge(run, config={"dataset": "faces"}), judge=judge)
    assert faces["failures"] == ["lab 12 ran with --dataset faces; the bar is defined for digits"]
    other = forge(run)
    dcgan_generator(32, 32, 1, 16).save(other / "synthesis.keras")  # lab 03's kind of G
    grade = grading.grade_lab12(other, judge=judge)
    assert len(grade["failures"]) == 1 and "not this lab's networks" in grade["failures"][0]


def test_mixing_rates_hand_case(judge):
    """A mapping whose w never changes (a zero kernel, zero bias) gives rates 0 and no pair
    of two classes, exactly."""
    mapping = mapping_network(4, 4, 1)
    for v in mapping.trainable_variables:
        v.assign(np.zeros(v.shape, "float32"))
    rates = grader.mixing_rates(mapping, synthesis_network(32, 1, 4), judge, pairs=20)
    assert rates == {"coarse_swap_rate": 0.0, "fine_swap_rate": 0.0, "pairs_of_two_classes": 0.0,
                     "mixing_gap": 0.0}


def test_bad_flag_is_one_line_and_exit_2(users_mistake):
    users_mistake("12_stylegan", ["--mixing-prob", "1.5"], "mixing_prob must be a number in [0, 1]")
