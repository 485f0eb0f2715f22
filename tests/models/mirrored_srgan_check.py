"""Subprocess check: two SRGAN steps on 2 replicas equal two on 1 device, both stages.

Logical CPU devices must be configured before TensorFlow runs any op, so
this runs as its own process (tests/models/test_srgan.py starts it). The
nets are the real ones, scaled down: an SRResNet with 2 blocks (batchnorm,
PReLU, sub-pixel upsampling) and the SRGAN discriminator (batchnorm) at
64x64 (at 32x32 its last batchnorms normalise 2x2 maps of 2 images per
replica, whose tiny variances amplify float32 rounding to 1e-5 after one
step). Under test: the losses scaled to the global batch, batchnorm
statistics synchronised across replicas (moving statistics compared too),
metrics reduced across replicas. Prints one JSON line {stage: {...}}.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganlab  # noqa: E402
from ganlab.models import SRGAN  # noqa: E402
from ganlab.nets import srgan_discriminator, srresnet_generator  # noqa: E402

HR, BATCH = 64, 4


def one_run(strategy, stage, lr, hr):
    ganlab.seed(3)
    with strategy.scope():
        g = srresnet_generator(2, 4, 8)
        # Plain SGD: its step is proportional to the gradient, so a loss
        # scaled wrongly for the replica count shows (Adam's first step would not).
        if stage == "srresnet":
            model = SRGAN(g, seed=7)
            model.compile(keras.optimizers.SGD(0.05))
        else:
            model = SRGAN(g, srgan_discriminator(HR, 4, 8), seed=7)
            model.compile(keras.optimizers.SGD(0.05), keras.optimizers.SGD(0.05),
                          adversarial_weight=1e-3)
    nets = [model.generator] + ([model.discriminator] if stage == "srgan" else [])
    variables = [w for net in nets for w in net.weights]
    before = [w.numpy() for w in variables]
    ds = tf.data.Dataset.from_tensor_slices((lr, hr)).batch(BATCH).repeat()
    logs = model.fit(ds, epochs=1, steps_per_epoch=2, verbose=0).history
    moved, k = {}, 0
    for net in nets:
        n = len(net.weights)
        moved[net.name] = min(float(np.max(np.abs(w.numpy() - b))) for w, b in
                              zip(net.weights, before[k : k + n], strict=True)
                              if w.trainable and w.ndim == 4)
        k += n
    return [w.numpy() for w in variables], {key: float(v[-1]) for key, v in logs.items()}, moved


def main():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(devices) < 2:
        print(json.dumps({"error": f"only {devices}"}))
        return 1
    rng = np.random.default_rng(0)
    hr = np.tanh(rng.normal(0, 0.7, (2 * BATCH, HR, HR, 3))).astype("float32")
    lr = tf.image.resize(hr, (HR // 4, HR // 4), "bicubic", antialias=True).numpy()
    out = {}
    # One strategy object for both runs: a second MirroredStrategy in the same
    # process reuses collective instance keys and its all-reduces abort.
    one_device = tf.distribute.OneDeviceStrategy(devices[0])
    two_replicas = tf.distribute.MirroredStrategy(devices[:2])
    for stage in ("srresnet", "srgan"):
        single, logs1, moved = one_run(one_device, stage, lr, hr)
        mirrored, logs2, _ = one_run(two_replicas, stage, lr, hr)
        out[stage] = {
            "max_weight_diff": max(float(np.max(np.abs(a - b)))
                                   for a, b in zip(single, mirrored, strict=True)),
            "min_kernel_move": moved, "logs_single": logs1, "logs_mirrored": logs2,
        }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
