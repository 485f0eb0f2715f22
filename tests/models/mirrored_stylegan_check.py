"""Subprocess check: two StyleGAN steps on 2 replicas equal two on 1 device.

Logical CPU devices must be configured before TensorFlow runs any op, so
this runs as its own process (tests/models/test_stylegan.py starts it). The
nets are the real ones, scaled down (8x8, widths 8). What is under test: the
losses (R1 included) scaled to the global batch, z, the style-mixing
crossovers and the noise images drawn for the global batch, the minibatch
stddev's groups (4 consecutive samples; each replica's share is 4), the
tracked w_avg averaged over the replicas, and the metrics reduced across
replicas. Prints one JSON line.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganlab  # noqa: E402
from ganlab.models import StyleGAN  # noqa: E402
from ganlab.nets import mapping_network, style_discriminator, synthesis_network  # noqa: E402

SIZE, BATCH = 8, 8


def one_run(strategy, x, control=False):
    ganlab.seed(3)
    with strategy.scope():
        model = StyleGAN(mapping_network(8, 8, 2), synthesis_network(SIZE, 1, 8, 8),
                         style_discriminator(SIZE, 1, 8), w_avg_beta=0.5, seed=7)
        # Plain SGD: its step is proportional to the gradient, so a loss
        # scaled wrongly for the replica count shows (Adam's first step would not).
        model.compile(keras.optimizers.SGD(0.05), keras.optimizers.SGD(0.05), r1_gamma=10.0,
                      mixing_prob=1.0)
    if control:  # negative control: every replica draws the same noise (no global slice)
        model._global = lambda draw, batch, shape: draw((batch, *shape))
    variables = model.generator.weights + model.discriminator.weights
    before = [w.numpy() for w in variables]
    ds = tf.data.Dataset.from_tensor_slices(x).batch(BATCH).repeat()
    logs = model.fit(ds, epochs=1, steps_per_epoch=2, verbose=0).history
    after = [w.numpy() for w in variables] + [model.w_avg.numpy()]
    moved = min(float(np.max(np.abs(a - b))) for a, b, w in zip(after, before, variables, strict=False)
                if w.trainable and w.ndim >= 2)
    return after, {k: float(v[-1]) for k, v in logs.items()}, moved


def main():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(devices) < 2:
        print(json.dumps({"error": f"only {devices}"}))
        return 1
    x = np.tanh(np.random.default_rng(0).normal(size=(2 * BATCH, SIZE, SIZE, 1))).astype("float32")
    # One strategy object per kind: a second MirroredStrategy in the same
    # process reuses collective instance keys and its all-reduces abort.
    one_device = tf.distribute.OneDeviceStrategy(devices[0])
    two_replicas = tf.distribute.MirroredStrategy(devices[:2])
    single, logs1, moved = one_run(one_device, x)
    mirrored, logs2, _ = one_run(two_replicas, x)
    wrong, _, _ = one_run(two_replicas, x, control=True)

    def diff(a, b):  # relative to each variable's size: the mapping's weights are ~100
        return max(float(np.max(np.abs(u - v)) / max(1.0, np.max(np.abs(u))))
                   for u, v in zip(a, b, strict=True))

    print(json.dumps({"max_weight_diff": diff(single, mirrored), "control_diff": diff(single, wrong),
                      "w_avg_diff": float(np.max(np.abs(single[-1] - mirrored[-1]))),
                      "min_kernel_move": moved, "logs_single": logs1, "logs_mirrored": logs2}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
