"""Subprocess check: one LAPGAN or GANCLS step on 2 replicas equals one on 1 device.

Logical CPU devices must be configured before TensorFlow runs any op, so
this runs as its own process (tests/models/test_lapgan.py and
test_text2image.py start it with the model's name). The nets are the real
ones, small (level 0's DCGAN nets synchronise their batchnorm). Prints one
JSON line {variant: {max_weight_diff, min_kernel_move, logs...}}.

GANCLS's step is taken in float64. In float32, rounding that differs between the
two ways of summing (about 1e-7) can flip a unit across a leaky-ReLU kink
and grow a thousandfold: GANCLS's cls_int moved G 1.1e-4 apart on an Intel
Xeon (2026-12-02) and under 1e-5 on the AMD EPYC before. In float64 every
variant agrees to 7e-8 or better (the data and noise stay float32), so an
error in the replicas' arithmetic (a loss not divided by the global batch,
a replica's own noise) stands out by orders of magnitude.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganlab  # noqa: E402
from ganlab.models import GANCLS, LAPGAN  # noqa: E402
from ganlab.nets import dcgan_discriminator, dcgan_generator  # noqa: E402
from ganlab.nets.lapgan import residual_discriminator, residual_generator  # noqa: E402
from ganlab.nets.text import text_discriminator, text_generator  # noqa: E402


def lapgan(options):
    model = LAPGAN(dcgan_generator(4, 8, 1, 4), dcgan_discriminator(8, 1, 4),
                   [residual_generator(4, 16, 1, 4)], [residual_discriminator(16, 1, 4)], seed=7)
    model.compile(keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.5), **options)
    return model


def gancls(options, join="input", inject="input"):
    model = GANCLS(text_generator(4, 6, 16, 1, 4, 4, inject=inject),
                   text_discriminator(6, 16, 1, 4, 4, join=join), seed=7)
    model.compile(keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.5), **options)
    return model


def reed(options, join="features", inject="input"):
    """Reed's D (the text joined at the 4x4 map), as lab 13 trains it."""
    return gancls(options, join=join, inject=inject)


VARIANTS = {
    "lapgan": {"plain": (lapgan, {}), "translation": (lapgan, {"translation": 1})},
    "gancls": {"cls_int": (gancls, {}), "plain": (gancls, {"matching_aware": False,
                                                           "interpolation_beta": None}),
               "cls_int_shifted": (gancls, {"translation": 1}),
               "reed_d_shifted": (reed, {"translation": 1}),
               "reed_d_plain": (reed, {"matching_aware": False, "translation": 1}),
               "reed_d_g_every": (lambda o: reed(o, inject="every"), {"translation": 1})},
}


def weights(model):
    nets = [model.generator, model.discriminator] + getattr(model, "residual_generators", []) \
        + getattr(model, "residual_discriminators", [])
    return [w.numpy() for net in nets for w in net.weights]


def one_step(strategy, make, options, data):
    ganlab.seed(3)
    with strategy.scope():
        model = make(options)
    before = weights(model)
    ds = tf.data.Dataset.from_tensor_slices(data).batch(len(data[0])).repeat()
    logs = model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0).history
    after = weights(model)
    moved = min(float(np.max(np.abs(a - b))) for a, b in zip(after, before, strict=True)
                if a.ndim >= 2)
    return after, {k: float(v[-1]) for k, v in logs.items()}, moved


def main(which):
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(devices) < 2:
        print(json.dumps({"error": f"only {devices}"}))
        return 1
    if which == "gancls":
        keras.config.set_floatx("float64")
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    data = (images,) if which == "lapgan" else (images, rng.normal(size=(8, 6)).astype("float32"))
    out = {}
    # One strategy object of each kind for every variant: a second MirroredStrategy in
    # the same process reuses collective instance keys, and once two variants' graphs
    # differ (Reed's D after lab 06's) their all-reduces abort with a shape mismatch.
    one_device = tf.distribute.OneDeviceStrategy(devices[0])
    two_replicas = tf.distribute.MirroredStrategy(devices[:2])
    for name, (make, options) in VARIANTS[which].items():
        single, logs1, moved = one_step(one_device, make, options, data)
        mirrored, logs2, _ = one_step(two_replicas, make, options, data)
        out[name] = {"max_weight_diff": max(float(np.max(np.abs(a - b)))
                                            for a, b in zip(single, mirrored, strict=True)),
                     "min_kernel_move": moved, "logs_single": logs1, "logs_mirrored": logs2}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
