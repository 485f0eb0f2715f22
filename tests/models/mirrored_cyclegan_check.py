"""Subprocess check: two CycleGAN steps on 2 replicas equal two on 1 device.

Logical CPU devices must be configured before TensorFlow runs any op, so
this runs as its own process (tests/models/test_cyclegan.py starts it). The
nets are the real ones, scaled down (ResNet generators and instance-norm
PatchGANs). What is under test: the losses scaled to the global batch, the
two image pools answering for the global batch (a pool of 3 with a global
batch of 4 is full within the first step, so the second step's D sees
stored fakes), and the metrics reduced across replicas. Prints one JSON
line {max_weight_diff, min_kernel_move, pool_max_diff, pool_counts, logs...}.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganlab  # noqa: E402
from ganlab.models import CycleGAN  # noqa: E402
from ganlab.nets import patchgan_discriminator, resnet_generator  # noqa: E402

SIZE, BATCH = 16, 4


def one_run(strategy, x, y):
    ganlab.seed(3)
    with strategy.scope():
        model = CycleGAN(
            resnet_generator(SIZE, ngf=4, n_blocks=1, name="G"),
            patchgan_discriminator(SIZE, 3, n_layers=1, norm="instance", ndf=4, name="D_Y"),
            resnet_generator(SIZE, ngf=4, n_blocks=1, name="F"),
            patchgan_discriminator(SIZE, 3, n_layers=1, norm="instance", ndf=4, name="D_X"),
            pool_size=3, seed=7)
        # Plain SGD: its step is proportional to the gradient, so a loss
        # scaled wrongly for the replica count shows. At 0.05 the second step
        # (L1 terms weighted 10 and 5) amplified float rounding 1e4-fold on
        # both strategies alike; at 0.01 the runs agree to 1e-6 while every
        # kernel moves by more than 1e-3.
        model.compile(g_optimizer=keras.optimizers.SGD(0.01), d_optimizer=keras.optimizers.SGD(0.01))
    nets = (model.generator, model.inverse_generator, model.discriminator,
            model.inverse_discriminator)
    before = [[w.numpy().copy() for w in n.weights] for n in nets]
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH).repeat()
    logs = model.fit(ds, epochs=1, steps_per_epoch=2, verbose=0).history
    after = [w.numpy() for n in nets for w in n.weights]
    moved = {n.name: min(float(np.max(np.abs(w.numpy() - b))) for w, b in
                         zip(n.weights, old, strict=True) if w.ndim == 4)
             for n, old in zip(nets, before, strict=True)}
    pools = [model.pool_y.images.numpy(), model.pool_x.images.numpy()]
    counts = [int(model.pool_y.count.numpy()), int(model.pool_x.count.numpy())]
    return after, {k: float(v[-1]) for k, v in logs.items()}, moved, pools, counts


def main():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(devices) < 2:
        print(json.dumps({"error": f"only {devices}"}))
        return 1
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2 * BATCH, SIZE, SIZE, 3)).astype("float32")
    y = np.tanh(rng.normal(0.5, 0.5, (2 * BATCH, SIZE, SIZE, 3))).astype("float32")
    # One strategy object per kind: a second MirroredStrategy in the same
    # process reuses collective instance keys and its all-reduces abort.
    single = one_run(tf.distribute.OneDeviceStrategy(devices[0]), x, y)
    mirrored = one_run(tf.distribute.MirroredStrategy(devices[:2]), x, y)
    print(json.dumps({
        "max_weight_diff": max(float(np.max(np.abs(a - b)))
                               for a, b in zip(single[0], mirrored[0], strict=True)),
        "min_kernel_move": single[2],
        "logs_single": single[1],
        "logs_mirrored": mirrored[1],
        "pool_max_diff": max(float(np.max(np.abs(a - b)))
                             for a, b in zip(single[3], mirrored[3], strict=True)),
        "pool_counts": [single[4], mirrored[4]],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
