"""Loss scaling on several replicas: one replica's overflow skips the step on all.

Before `agree_on_finite` (in `GANBase.apply_step`), Keras's
`LossScaleOptimizer` followed the first replica's verdict on its own
gradients: with an inf in the second replica's half of the batch only, D's
weights became NaN and its loss scale was not lowered. The check runs in a
subprocess (mirrored_loss_scale_check.py): logical CPU devices must be set
up before TensorFlow's first op.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.parametrize("cross_device", ["one_device", "collective"])
def test_an_inf_on_one_replica_skips_the_step_on_every_replica(cross_device):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, str(HERE / "mirrored_loss_scale_check.py"), cross_device],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    hit, control = result["replica1"], result["none"]
    assert hit["d_finite"] and hit["d_unchanged"], hit  # skipped, no NaN in D
    assert hit["d_scale"] == 2.0**14 and hit["d_iterations"] == 0  # halved, not counted
    assert hit["copies_agree"]  # both replicas took the same decision
    assert hit["g_moved"] and hit["g_scale"] == 2.0**15 and hit["g_iterations"] == 1
    # Control: without the inf, the same step updates D and keeps its scale.
    assert not control["d_unchanged"] and control["d_scale"] == 2.0**15
    assert control["d_iterations"] == 1 and control["copies_agree"]


def test_agree_on_finite_is_the_identity_outside_a_multi_replica_step():
    import numpy as np
    import tensorflow as tf

    from ganlab.models.base import agree_on_finite

    grads = [tf.constant([1.0, np.inf]), None, tf.constant(2.0)]
    out = agree_on_finite(grads)
    assert out[1] is None
    np.testing.assert_array_equal(out[0], grads[0])
    assert float(out[2]) == 2.0
