"""Subprocess check: ProGAN steps on 2 replicas equal those on 1 device, across a phase change.

Logical CPU devices must be configured before TensorFlow runs any op, so
this runs as its own process (tests/models/test_progan.py starts it). The
nets are the real ones, scaled down (16x16, widths 8). One step in phase 0
(4x4), then `set_phase(1, fade_steps=2)` and three steps of the 8x8 phase
(alpha 0, 0.5, 1): under test are the WGAN-GP + drift losses scaled to the
global batch, z and the penalty's interpolation weights drawn for the global
batch, the minibatch stddev's groups (4 consecutive samples; each replica's
share is 4), alpha computed in the step from the mirrored step counter, the
rebuilt train function after the phase change, and the metrics reduced
across replicas. Prints one JSON line.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganlab  # noqa: E402
from ganlab.models import ProGAN  # noqa: E402
from ganlab.nets import ProgressiveDiscriminator, ProgressiveGenerator  # noqa: E402

SIZE, BATCH = 16, 8


def one_run(strategy, x, control=False):
    ganlab.seed(3)
    with strategy.scope():
        model = ProGAN(ProgressiveGenerator(8, SIZE, 1, 8), ProgressiveDiscriminator(SIZE, 1, 8),
                       seed=7)
        # Plain SGD: its step is proportional to the gradient, so a loss
        # scaled wrongly for the replica count shows (Adam's first step would not).
        model.compile(keras.optimizers.SGD(0.01), keras.optimizers.SGD(0.01), drift_weight=0.5)
    if control:  # negative control: every replica draws the same z (no global slice)
        model.sample_latent = lambda n, z=None: keras.random.normal(
            (n, model.latent_dim), seed=model.seed_generator)
    variables = model.generator.weights + model.discriminator.weights
    before = [w.numpy() for w in variables]
    ds = tf.data.Dataset.from_tensor_slices(x).batch(BATCH).repeat()
    model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)
    model.set_phase(1, fade_steps=2)
    logs = model.fit(ds, epochs=1, steps_per_epoch=3, verbose=0).history
    after = [w.numpy() for w in variables] + [model.phase_step.numpy()]
    moved = min(float(np.max(np.abs(a - b))) for a, b, w in zip(after, before, variables, strict=False)
                if w.trainable and w.ndim >= 2 and not w.path.startswith(("b16", "to_rgb16",
                                                                          "from_rgb16")))
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

    def diff(a, b):
        return max(float(np.max(np.abs(u - v)) / max(1.0, np.max(np.abs(u))))
                   for u, v in zip(a, b, strict=True))

    print(json.dumps({"max_weight_diff": diff(single, mirrored), "control_diff": diff(single, wrong),
                      "phase_step": [float(single[-1]), float(mirrored[-1])],
                      "min_kernel_move": moved, "logs_single": logs1, "logs_mirrored": logs2}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
