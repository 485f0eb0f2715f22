"""Subprocess check: steps of the batchnorm nets on 2 replicas equal one-device steps.

Logical CPU devices must be configured before TensorFlow runs any op, so
this runs as its own process (tests/nets/test_synchronized_batchnorm.py
starts it). For the DCGAN-net GAN, WGAN-GP (DCGAN generator, which has
batchnorm, and the layer-norm critic) and the conditional GAN (conditional
DCGAN nets), it runs two `fit` steps from the same seed and initial weights
on one device, on two replicas with synchronised batchnorm (the nets'
default under a 2-replica strategy) and on two replicas with
`synchronized_batchnorm=False`. Prints one JSON line
{model: {"sync": diff, "unsync": diff, "moved": ..., "synchronized": [...]}},
where diff is the largest absolute difference of any weight (batchnorm's
moving statistics included) from the one-device run.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganlab  # noqa: E402
from ganlab.models import GAN, WGANGP, ConditionalGAN  # noqa: E402
from ganlab.nets import dcgan_discriminator, dcgan_generator  # noqa: E402
from ganlab.nets.conditional import (  # noqa: E402
    conditional_dcgan_discriminator,
    conditional_dcgan_generator,
)
from ganlab.nets.critic import dcgan_critic  # noqa: E402

LATENT, SIZE, WIDTH, CLASSES, BATCH = 4, 8, 4, 3, 16


def build(name, sync):
    if name == "GAN":
        model = GAN(dcgan_generator(LATENT, SIZE, 1, WIDTH, synchronized_batchnorm=sync),
                    dcgan_discriminator(SIZE, 1, WIDTH, synchronized_batchnorm=sync), seed=7)
        options = {}
    elif name == "WGANGP":
        model = WGANGP(dcgan_generator(LATENT, SIZE, 1, WIDTH, synchronized_batchnorm=sync),
                       dcgan_critic(SIZE, 1, WIDTH), seed=7)
        options = dict(n_critic=2, gp_weight=10.0)
    else:
        model = ConditionalGAN(
            conditional_dcgan_generator(LATENT, CLASSES, SIZE, 1, WIDTH, synchronized_batchnorm=sync),
            conditional_dcgan_discriminator(CLASSES, SIZE, 1, WIDTH, synchronized_batchnorm=sync),
            num_classes=CLASSES, seed=7)
        options = dict(label_sampling="uniform")
    # Plain SGD: the update is proportional to the gradient, so a gradient
    # computed from per-replica statistics cannot hide behind Adam's normalisation.
    model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1), **options)
    return model


def run(name, strategy, sync, images, labels):
    ganlab.seed(3)
    with strategy.scope():
        model = build(name, sync)
    flags = sorted({bool(layer.synchronized) for net in (model.generator, model.discriminator)
                    for layer in _batchnorms(net)})
    before = [w.numpy() for w in model.weights]
    data = (images, labels) if name == "ConditionalGAN" else images
    ds = tf.data.Dataset.from_tensor_slices(data).batch(BATCH * (2 if name == "WGANGP" else 1))
    model.fit(ds.repeat(), epochs=1, steps_per_epoch=2, verbose=0)
    after = [w.numpy() for w in model.weights]
    moved = min(float(np.max(np.abs(a - b))) for a, b in zip(after, before, strict=True) if a.ndim == 4)
    return after, flags, moved


def _batchnorms(net):
    for layer in net.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            yield layer
        if hasattr(layer, "layers"):
            yield from _batchnorms(layer)


def max_diff(weights, others):
    return max(float(np.max(np.abs(a - b))) for a, b in zip(weights, others, strict=True))


def two_replicas(devices):
    # What ganlab.training.strategy("cpu:2") builds. With the default
    # (collective) all-reduce, the second MirroredStrategy of a process
    # reuses collective instance keys and TF 2.21 aborts with a shape
    # mismatch, whichever batchnorm the nets have.
    return tf.distribute.MirroredStrategy(
        devices[:2], cross_device_ops=tf.distribute.ReductionToOneDevice())


def main():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (4 * BATCH, SIZE, SIZE, 1)).astype("float32")
    # Different halves: the replicas' slices have different statistics.
    images[: BATCH // 2] = images[: BATCH // 2] * 0.2 + 0.5
    labels = (np.arange(4 * BATCH) % CLASSES).astype("int32")
    out = {}
    for name in ("GAN", "WGANGP", "ConditionalGAN"):
        one, flags_one, moved = run(name, tf.distribute.OneDeviceStrategy(devices[0]), "auto",
                                    images, labels)
        two, flags_two, _ = run(name, two_replicas(devices), "auto",
                                images, labels)
        unsync, flags_unsync, _ = run(name, two_replicas(devices), False,
                                      images, labels)
        out[name] = {"sync": max_diff(one, two), "unsync": max_diff(one, unsync), "moved": moved,
                     "synchronized": {"one": flags_one, "two": flags_two, "off": flags_unsync}}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
