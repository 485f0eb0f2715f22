"""`Runtime.build`: the model is built in the strategy's scope, then prepared.

Runs in a subprocess: logical CPU devices must be configured before
TensorFlow's first op.
"""

import json
import os
import subprocess
import sys

SCRIPT = """
import json, sys
from ganlab.training.strategy import Runtime
rt = Runtime(sys.argv[1], "float32", "off")
import keras, tensorflow as tf
from ganlab.models import GAN
from ganlab.nets import mlp_discriminator, mlp_generator

def make():
    gan = GAN(mlp_generator(2, 2, (8,)), mlp_discriminator(2, (8,)))
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    return gan

gan = rt.build(make)
print(json.dumps({
    "replicas": rt.replicas,
    "mirrored": [isinstance(v.value, tf.distribute.DistributedValues)
                 for v in gan.generator.weights + gan.discriminator.weights],
    "jit_compile": gan.jit_compile,
}))
"""


def built(devices):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, devices], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_build_under_two_replicas_mirrors_every_weight():
    r = built("cpu:2")
    assert r["replicas"] == 2
    assert r["mirrored"] and all(r["mirrored"])
    assert r["jit_compile"] is False  # --xla off reached the model (prepare ran)


def test_build_on_one_device_mirrors_nothing():
    r = built("cpu")
    assert r["replicas"] == 1
    assert r["mirrored"] and not any(r["mirrored"])
