"""Grade lab 04 (divergences on parallel lines): recompute from the saved networks.

The bar (labs/04_divergences.py docstring): for every theta != 0 the
critic's estimate divided by its measured Lipschitz constant is within 10% of
|theta|; for every |theta| >= 0.5 the discriminator's JS_hat = (V(D) +
log 4) / 2 is within 0.02 of log 2.
"""

import keras
import numpy as np
import pytest

from ganlab import grading
from ganlab.nets import mlp_discriminator
from ganlab.training.runfolder import read_json

LAB = "04_divergences"


@pytest.fixture(scope="module")
def run(lab_run):
    path = lab_run(LAB)
    config = read_json(path / "config.json")
    nets = {kind: {float(t): grading.load_run(path, grading.lab04_network_name(kind, t))[1]
                   for t in config["thetas"]}
            for kind in ("critic", "discriminator")}
    return path, config, nets


def test_networks_meet_the_bar(run):
    path, config, _ = run
    report = grading.grade_lab04(path)
    assert report["passed"], report["failures"]
    assert any(t != 0 for t in config["thetas"])
    assert any(abs(t) >= 0.5 for t in config["thetas"])


def test_critic_hands_a_gradient_the_discriminator_does_not(run):
    _, _, nets = run
    report = grading.grade_lab04_networks(nets["critic"], nets["discriminator"])
    for theta in (t for t in nets["critic"] if abs(t) >= 0.5):
        c = report["critic"][f"{theta:+.2f}"]
        d = report["discriminator"][f"{theta:+.2f}"]
        # The critic pushes theta towards 0 with a slope ~K; the optimal D ~0.
        assert np.sign(c["grad_theta"]) == np.sign(theta) and abs(c["grad_theta"]) > 0.5
        assert abs(d["grad_theta"]) < 0.2 * abs(c["grad_theta"])


def _linear(w, b=0.0):
    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    net.layers[0].set_weights([np.asarray(w, "float32").reshape(2, 1), np.array([b], "float32")])
    return net


def _fault(kind, theta, seed):
    keras.utils.set_random_seed(seed)
    if kind == "untrained":
        return mlp_discriminator(2, (64, 64), activation="leaky_relu")
    if kind == "constant":
        return _linear([0.0, 0.0])
    if kind == "wrong_direction":  # f(x) = +x1 ranks the generator above the data
        return _linear([1.0, 0.0])
    if kind == "clipped_at_zero":  # a critic that saturates: f = -relu-like, flat for x1 > 0.1
        return keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="relu",
                                 kernel_initializer=keras.initializers.Constant([[-1.0], [0.0]]),
                                 bias_initializer=keras.initializers.Constant(0.1))])
    raise ValueError(kind)


@pytest.mark.parametrize("fault", ["untrained", "constant", "wrong_direction", "clipped_at_zero"])
def test_planted_critic_faults_fail(run, fault):
    _, _, nets = run
    critics = {t: _fault(fault, t, i) for i, t in enumerate(nets["critic"])}
    report = grading.grade_lab04_networks(critics, nets["discriminator"])
    assert not report["passed"]
    assert all(f.startswith("critic ") for f in report["failures"]), report["failures"]


@pytest.mark.parametrize("fault", ["untrained", "constant", "half_trained"])
def test_planted_discriminator_faults_fail(run, fault):
    _, _, nets = run
    if fault == "half_trained":  # D right in direction but not confident: logit = -3 x1 + 1
        discs = {t: _linear([-3.0 * np.sign(t) if t else -3.0, 0.0], 1.0) for t in nets["discriminator"]}
    else:
        discs = {t: _fault(fault, t, i) for i, t in enumerate(nets["discriminator"])}
    report = grading.grade_lab04_networks(nets["critic"], discs)
    assert not report["passed"]
    assert all(f.startswith("|JS_hat") for f in report["failures"]), report["failures"]


def test_edited_thetas_fail_in_one_line(run, forge):
    path, _, _ = run
    report = grading.grade_lab04(forge(path, config={"thetas": [0.25, 0.5]}))
    assert report["failures"] == ["lab 04 ran with --thetas [0.25, 0.5]; the bar is defined for "
                                  "[-1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0]"]


def test_the_optimal_networks_pass(run):
    _, _, nets = run
    critics = {t: _linear([-np.sign(t) or -1.0, 0.0]) for t in nets["critic"]}
    discs = {t: _linear([-60.0 * (np.sign(t) or 1.0), 0.0], 30.0 * abs(t) if t else 0.0)
             for t in nets["discriminator"]}
    report = grading.grade_lab04_networks(critics, discs)
    assert report["passed"], report["failures"]
