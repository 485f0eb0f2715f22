"""Grade lab 02 (mode collapse): recompute modes covered and sample quality.

The bar (labs/02_mode_collapse.py docstring), on the minibatch model on the
ring of 8: at least 7 of 8 modes covered, at least 70% high-quality samples.
"""

import numpy as np
import pytest

from ganlab import grading
from ganlab.data import ring_of_gaussians
from ganlab.nets import mlp_generator

LAB = "02_mode_collapse"


@pytest.fixture(scope="module")
def graded(lab_run):
    config, sampler = grading.run_sampler(lab_run(LAB))
    m = config["mixture"]
    return config, sampler, ring_of_gaussians(m["num_modes"], m["radius"], m["std"])


def test_generator_meets_the_bar(lab_run):
    report = grading.grade_lab02(lab_run(LAB))
    assert report["passed"], report["failures"]


def test_the_ring_is_the_labs_not_the_runs(lab_run, forge):
    report = grading.grade_lab02(forge(lab_run(LAB), config={"std": 0.05}))
    assert report["failures"] == ["lab 02 ran with --std 0.05; the bar is defined for 0.02"]


def test_another_labs_generator_fails_in_one_line(lab_run, forge):
    report = grading.grade_lab02(forge(lab_run(LAB), generator_from=lab_run("01_gaussian")))
    assert not report["passed"] and len(report["failures"]) == 1
    assert "makes (1,)" in report["failures"][0]


def one_mode(ring):
    return lambda n, seed: ring.centers[0] + np.random.default_rng(seed).normal(0, ring.std, (n, 2))


def three_sigma(ring):
    def sample(n, seed):
        rng = np.random.default_rng(seed)
        return ring.centers[rng.integers(0, 8, n)] + rng.normal(0, 3 * ring.std, (n, 2))
    return sample


# fault: the figures that must fail (the table in ganlab/grading/mode_collapse.py)
FAULTS = {"single_mode": {"modes_covered"}, "constant": {"modes_covered", "high_quality"},
          "untrained": {"modes_covered"}, "three_sigma": {"high_quality"}}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_planted_faults_fail_the_bar(graded, fault):
    config, _, ring = graded
    dim = config["latent"]["dim"]
    sampler = {
        "single_mode": lambda: one_mode(ring),
        "constant": lambda: (lambda n, seed: np.zeros((n, 2))),
        "untrained": lambda: grading.latent_sampler(mlp_generator(dim, 2, (128, 128), "tanh"), dim),
        "three_sigma": lambda: three_sigma(ring),
    }[fault]()
    report = grading.grade_modes(sampler, ring)
    assert not report["passed"]
    failed = {f.split(" = ")[0] for f in report["failures"]}
    assert FAULTS[fault] <= failed, report["failures"]


def test_exact_samples_pass(graded):
    ring = graded[2]
    assert grading.grade_modes(lambda n, seed: ring.sample(n, seed), ring)["passed"]
