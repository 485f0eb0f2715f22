"""GAN steps under a 2-replica MirroredStrategy equal steps on one device.

The comparison runs in a subprocess (`distributed_check.py`) because logical
CPU devices must be configured before TensorFlow's first op.

Tolerances: float32, atol 1e-6 on weights and metrics (the observed
difference is ~1e-7: gradients are summed across replicas in another
order); mixed_bfloat16, atol 4e-3 (bfloat16 has 8 bits of mantissa,
eps = 2**-8 ~ 0.0039; the updates themselves are ~1e-2). SGD with a large
step makes the update proportional to the gradient, so a gradient off by a
factor (the replica share, the loss scale) cannot hide.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


@pytest.fixture(scope="module")
def results():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run(
        [sys.executable, str(HERE / "distributed_check.py")],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", ["k1", "k2_loss_scale", "adam_fit3"])
def test_mirrored_step_equals_one_device(results, case):
    r = results[case]
    assert r["replicas"] == 2
    assert r["weights_moved"] > 1e-3  # the step did something to every weight
    assert r["weights_max_abs_diff"] < 1e-6
    assert r["seed_state_equal"]
    assert r["iterations"][0] == r["iterations"][1]


@pytest.mark.parametrize("case", ["k1", "k2_loss_scale", "adam_fit3"])
def test_fit_metrics_under_two_replicas_equal_one_device(results, case):
    r = results[case]
    assert set(r["metrics_one"]) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert r["metrics_one"].keys() == r["metrics_two"].keys()
    assert r["metrics_max_abs_diff"] < 1e-6


def test_k_steps_count_optimizer_iterations(results):
    assert results["k2_loss_scale"]["iterations"] == [[1, 2], [1, 2]]


def test_loss_scale_optimizer_is_scaled_and_unscaled(results):
    # A LossScaleOptimizer (scale 2**15, a power of two) must give bit for
    # bit the update of the bare optimizer: scaled in apply_step, unscaled
    # in apply_gradients.
    assert results["k2_loss_scale"]["plain_max_abs_diff"] == 0.0


def test_mixed_bfloat16_mirrored(results):
    r = results["bfloat16"]
    assert r["dtypes"] == ["float32"]  # variables stay float32 under mixed policies
    assert r["weights_moved"] > 1e-3
    assert r["weights_max_abs_diff"] < 4e-3
    assert r["metrics_max_abs_diff"] < 4e-3


def test_comparison_catches_a_missing_replica_share(results):
    # Negative control: without the 1/num_replicas share the two runs differ.
    assert results["control"]["weights_max_abs_diff"] > 1e-2
