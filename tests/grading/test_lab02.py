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


def test_generator_meets_the_bar(graded):
    _, sampler, ring = graded
    report = grading.grade_modes(sampler, ring)
    assert report["passed"], report["failures"]


def one_mode(ring):
    return lambda n, seed: ring.centers[0] + np.random.default_rng(seed).normal(0, ring.std, (n, 2))


def three_sigma(ring):
    def sample(n, seed):
        rng = np.random.default_rng(seed)
        return ring.centers[rng.integers(0, 8, n)] + rng.normal(0, 3 * ring.std, (n, 2))
    return sample


@pytest.mark.parametrize("fault", ["single_mode", "constant", "untrained", "three_sigma"])
def test_planted_faults_fail_the_bar(graded, fault):
    config, _, ring = graded
    dim = config["latent"]["dim"]
    sampler = {
        "single_mode": lambda: one_mode(ring),
        "constant": lambda: (lambda n, seed: np.zeros((n, 2))),
        "untrained": lambda: grading.latent_sampler(mlp_generator(dim, 2, (128, 128), "tanh"), dim),
        "three_sigma": lambda: three_sigma(ring),
    }[fault]()
    assert not grading.grade_modes(sampler, ring)["passed"]


def test_exact_samples_pass(graded):
    ring = graded[2]
    assert grading.grade_modes(lambda n, seed: ring.sample(n, seed), ring)["passed"]
