"""Subprocess check: two Pix2Pix steps on 2 replicas equal two on 1 device.

Logical CPU devices must be configured before TensorFlow runs any op, so
this runs as its own process (tests/models/test_pix2pix.py starts it). The
nets are the real ones, scaled down: a 64x64 U-Net (batchnorm, and dropout
in its one middle block) and a PatchGAN with batchnorm. What is under test:
the losses scaled to the global batch, batchnorm statistics synchronised
across replicas (the moving statistics are compared too), dropout masks
drawn for the global batch, and the metrics reduced across replicas.
Prints one JSON line {mode: {max_weight_diff, min_kernel_move, logs...}}.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganlab  # noqa: E402
from ganlab.models import Pix2Pix  # noqa: E402
from ganlab.nets import patchgan_discriminator, unet_generator  # noqa: E402

SIZE, BATCH = 64, 4


def one_run(strategy, adversarial, x, y):
    ganlab.seed(3)
    with strategy.scope():
        g = unet_generator(SIZE, 1, 3, ngf=4, seed=11)
        d = patchgan_discriminator(SIZE, 4, n_layers=2, ndf=4)
        model = Pix2Pix(g, d, seed=7)
        # Plain SGD: its step is proportional to the gradient, so a loss
        # scaled wrongly for the replica count shows (Adam's first step would not).
        model.compile(keras.optimizers.SGD(0.05), keras.optimizers.SGD(0.05),
                      adversarial=adversarial)
    variables = model.generator.weights + model.discriminator.weights
    before = [w.numpy() for w in variables]
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH).repeat()
    logs = model.fit(ds, epochs=1, steps_per_epoch=2, verbose=0).history
    after = [w.numpy() for w in variables]
    # the smallest largest move of a conv kernel, per net: did every layer learn?
    moved = {net.name: min(float(np.max(np.abs(w.numpy() - b))) for w, b in
                           zip(net.weights, before, strict=True) if w.trainable and w.ndim == 4)
             for net, before in ((model.generator, before[:len(model.generator.weights)]),
                                 (model.discriminator, before[len(model.generator.weights):]))}
    return after, {k: float(v[-1]) for k, v in logs.items()}, moved


def main():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(devices) < 2:
        print(json.dumps({"error": f"only {devices}"}))
        return 1
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2 * BATCH, SIZE, SIZE, 1)).astype("float32")
    noise = rng.normal(0, 0.3, (2 * BATCH, SIZE, SIZE, 3))
    y = np.tanh(np.concatenate([x, -x, x**2], axis=-1) + noise).astype("float32")
    out = {}
    # One strategy object for both runs: a second MirroredStrategy in the same
    # process reuses collective instance keys and its all-reduces abort.
    one_device = tf.distribute.OneDeviceStrategy(devices[0])
    two_replicas = tf.distribute.MirroredStrategy(devices[:2])
    for adversarial in (True, False):
        single, logs1, moved = one_run(one_device, adversarial, x, y)
        mirrored, logs2, _ = one_run(two_replicas, adversarial, x, y)
        out["l1_cgan" if adversarial else "l1_only"] = {
            "max_weight_diff": max(float(np.max(np.abs(a - b)))
                                   for a, b in zip(single, mirrored, strict=True)),
            "min_kernel_move": moved,
            "logs_single": logs1,
            "logs_mirrored": logs2,
        }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
