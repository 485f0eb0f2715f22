"""Subprocess check: with loss scaling, all replicas skip a step when one overflows.

Logical CPU devices must be configured before TensorFlow runs any op, so
this runs as its own process (tests/models/test_loss_scale_replicas.py
starts it). A GAN whose optimizers are `LossScaleOptimizer`s takes one step
on 2 replicas; the global batch holds one infinite example, in the second
replica's half only, so only that replica's discriminator gradients are
non-finite ("replica1"); the same step without it is the control ("none").

    python tests/models/mirrored_loss_scale_check.py [one_device|collective]

Prints one JSON line {case: {...}}: whether D's weights are finite and
unchanged, whether every replica holds the same copy of every variable, D's
and G's loss scales and iteration counts.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganlab  # noqa: E402
from ganlab.models import GAN  # noqa: E402
from ganlab.nets import mlp_discriminator, mlp_generator  # noqa: E402

B = 8  # per-replica batch


def copies_agree(variables):
    for v in variables:
        copies = getattr(v.value, "values", None) or [v.value]
        first = copies[0].numpy()
        for c in copies[1:]:
            if not np.array_equal(c.numpy(), first, equal_nan=True):
                return False
    return True


def main():
    cross_device = sys.argv[1] if len(sys.argv) > 1 else "one_device"
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    strategy = tf.distribute.MirroredStrategy(
        devices[:2],
        # ReductionToOneDevice: what ganlab.training.strategy("cpu:2") uses;
        # the default: collective all-reduces, as across machines.
        cross_device_ops=tf.distribute.ReductionToOneDevice() if cross_device == "one_device" else None)
    print(json.dumps({inject: one_step(strategy, inject) for inject in ("replica1", "none")}))
    return 0


def one_step(strategy, inject):
    ganlab.seed(0)
    with strategy.scope():
        gan = GAN(mlp_generator(2, 2, (8,)), mlp_discriminator(2, (8,)), seed=0)
        gan.compile(keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1)),
                    keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1)))
    x = np.random.default_rng(0).normal(size=(2 * B, 2)).astype("float32")
    if inject == "replica1":
        x[2 * B - 1, 0] = np.inf  # the last example: the second replica's half
    d_before = [w.numpy() for w in gan.discriminator.weights]
    g_before = [w.numpy() for w in gan.generator.weights]
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2 * B)
    gan.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)
    d_after = [w.numpy() for w in gan.discriminator.weights]
    g_after = [w.numpy() for w in gan.generator.weights]
    return {
        "d_finite": all(bool(np.all(np.isfinite(w))) for w in d_after),
        "d_unchanged": all(np.array_equal(a, b) for a, b in zip(d_after, d_before, strict=True)),
        "g_moved": any(not np.array_equal(a, b) for a, b in zip(g_after, g_before, strict=True)),
        "copies_agree": copies_agree(gan.discriminator.weights + gan.generator.weights
                                     + gan.d_optimizer.variables + gan.g_optimizer.variables),
        "d_scale": float(gan.d_optimizer.dynamic_scale.numpy()),
        "g_scale": float(gan.g_optimizer.dynamic_scale.numpy()),
        "d_iterations": int(gan.d_optimizer.iterations.numpy()),
        "g_iterations": int(gan.g_optimizer.iterations.numpy()),
    }


if __name__ == "__main__":
    sys.exit(main())
