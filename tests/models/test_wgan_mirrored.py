"""One WGAN and one WGAN-GP step on a 2-replica MirroredStrategy equal one-device steps.

The logical CPU devices must be configured before TensorFlow runs any op, so
the check runs in its own process (mirrored_wgan_check.py) and cannot
disturb the other tests.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest


def test_two_replica_step_equals_one_device_step():
    script = Path(__file__).with_name("mirrored_wgan_check.py")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for name in ("WGAN", "WGANGP"):
        r = result[name]
        assert r["max_weight_diff"] < 1e-5, (name, r)
        assert r["replica_spread"] == 0.0, (name, r)
        for key, value in r["logs_single"].items():
            assert r["logs_mirrored"][key] == pytest.approx(value, rel=1e-4, abs=1e-6)
    assert result["WGAN"]["max_abs_critic_weight"] <= 0.05 + 1e-7
