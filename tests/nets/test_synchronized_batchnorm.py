"""Batchnorm synchronises across replicas: N replicas train the model one device would.

The 2-replica comparison runs in a subprocess (`mirrored_batchnorm_check.py`)
because logical CPU devices must be configured before TensorFlow's first op.
Before synchronisation, the DCGAN-net GAN, WGAN-GP and the conditional GAN
each differed from the one-device run by far more than round-off (the
`synchronized_batchnorm=False` runs below are that old behaviour).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import pytest

from ganlab.nets import dcgan_discriminator, dcgan_generator
from ganlab.nets.conditional import conditional_dcgan_discriminator, conditional_dcgan_generator
from ganlab.nets.dcgan import resolve_synchronized_batchnorm

HERE = Path(__file__).parent


def _flags(net):
    found = []
    for layer in net.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer.synchronized)
        if hasattr(layer, "layers"):
            found.extend(_flags(layer))
    return found


@pytest.fixture(scope="module")
def results():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, str(HERE / "mirrored_batchnorm_check.py")],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("model", ["GAN", "WGANGP", "ConditionalGAN"])
def test_two_replica_steps_equal_one_device_steps_with_batchnorm(results, model):
    r = results[model]
    assert r["synchronized"] == {"one": [False], "two": [True], "off": [False]}
    assert r["moved"] > 1e-4  # the steps moved every kernel
    assert r["sync"] < 1e-6  # float32 round-off
    # Negative control: per-replica statistics give another model.
    assert r["unsync"] > 1e-5 and r["unsync"] > 100 * r["sync"]


def test_auto_is_off_on_one_device_and_on_under_two_replicas():
    assert resolve_synchronized_batchnorm("auto") is False
    assert resolve_synchronized_batchnorm(True) is True
    assert resolve_synchronized_batchnorm(False) is False


@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_bad_synchronized_batchnorm(bad):
    with pytest.raises(ValueError, match="synchronized_batchnorm"):
        dcgan_generator(4, 8, 1, 4, synchronized_batchnorm=bad)


def test_builders_pass_the_choice_to_every_batchnorm_layer():
    assert _flags(dcgan_generator(4, 8, 1, 4)) == [False]
    assert _flags(dcgan_generator(4, 16, 1, 4, synchronized_batchnorm=True)) == [True, True]
    assert _flags(dcgan_discriminator(16, 1, 4, synchronized_batchnorm=True)) == [True]
    g = conditional_dcgan_generator(4, 3, 16, 1, 4, synchronized_batchnorm=True)
    assert _flags(g) == [True, True]
    for conditioning in ("onehot", "projection"):
        d = conditional_dcgan_discriminator(3, 16, 1, 4, conditioning, synchronized_batchnorm=True)
        assert _flags(d) == [True]


def test_synchronized_net_round_trips(tmp_path):
    g = dcgan_generator(4, 8, 1, 4, synchronized_batchnorm=True)
    g.save(tmp_path / "g.keras")
    loaded = keras.saving.load_model(tmp_path / "g.keras")
    assert _flags(loaded) == [True]
    z = keras.random.normal((3, 4), seed=0)
    assert keras.ops.all(loaded(z, training=True) == g(z, training=True))
