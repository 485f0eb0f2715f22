"""--xla: auto is off on CPUs (slower there, and broken with CPU replicas)."""

import pytest
import tensorflow as tf

from ganlab.training.strategy import resolve_xla


@pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="CPU-only rule")
def test_auto_is_off_on_cpu_and_on_can_be_forced_on_one_device():
    assert resolve_xla("auto") is False
    assert resolve_xla("on") is True
    assert resolve_xla("off") is False


def test_unknown_choice_is_refused():
    with pytest.raises(ValueError, match="xla"):
        resolve_xla("maybe")
