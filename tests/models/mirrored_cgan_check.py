"""Subprocess check: one ConditionalGAN step on 2 replicas equals one on 1 device.

Logical CPU devices must be configured before TensorFlow runs any op, so
this runs as its own process (tests/models/test_cgan.py starts it). The nets
are small MLPs (the conditional DCGAN nets, batchnorm included, are compared
in tests/nets/mirrored_batchnorm_check.py); what is
under test is the train_step: loss scaling, the global noise and fake-label
draws sliced per replica, the gathered label permutation. Prints one JSON
line {label_sampling: {max_weight_diff, moved, logs...}}.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

import ganlab  # noqa: E402
from ganlab.models import ConditionalGAN  # noqa: E402

LATENT, CLASSES, SIZE = 4, 10, 8


def nets():
    z = keras.Input((LATENT,))
    y = keras.Input((), dtype="int32")
    h = layers.Concatenate()([z, layers.CategoryEncoding(CLASSES, output_mode="one_hot")(y)])
    h = layers.Dense(16, activation="relu")(h)
    image = layers.Reshape((SIZE, SIZE, 1))(layers.Dense(SIZE * SIZE, activation="tanh")(h))
    g = keras.Model([z, y], image)
    x = keras.Input((SIZE, SIZE, 1))
    yd = keras.Input((), dtype="int32")
    h = layers.Concatenate()([layers.Flatten()(x), layers.Embedding(CLASSES, 4)(yd)])
    h = layers.Dense(16, activation="leaky_relu")(h)
    d = keras.Model([x, yd], layers.Dense(1)(h))
    return g, d


def one_step(strategy, label_sampling, images, labels):
    ganlab.seed(3)
    with strategy.scope():
        model = ConditionalGAN(*nets(), num_classes=CLASSES, seed=7)
        # Plain SGD: its step is proportional to the gradient, so a loss
        # scaled wrongly for the replica count shows (Adam's first step would not).
        model.compile(keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.5),
                      label_sampling=label_sampling)
    before = [w.numpy() for w in model.generator.weights + model.discriminator.weights]
    ds = tf.data.Dataset.from_tensor_slices((images, labels)).batch(len(labels)).repeat()
    logs = model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0).history
    after = [w.numpy() for w in model.generator.weights + model.discriminator.weights]
    moved = min(float(np.max(np.abs(a - b))) for a, b in zip(after, before, strict=True) if a.ndim == 2)
    return after, {k: float(v[-1]) for k, v in logs.items()}, moved


def main():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(devices) < 2:
        print(json.dumps({"error": f"only {devices}"}))
        return 1
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (24, SIZE, SIZE, 1)).astype("float32")
    labels = rng.permutation(np.arange(24) % CLASSES).astype("int32")
    out = {}
    for sampling in ("data", "uniform"):
        single, logs1, moved = one_step(tf.distribute.OneDeviceStrategy(devices[0]), sampling,
                                        images, labels)
        mirrored, logs2, _ = one_step(tf.distribute.MirroredStrategy(devices[:2]), sampling,
                                      images, labels)
        out[sampling] = {
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
