"""Subprocess check: one WGAN / WGAN-GP step on 2 replicas equals one on 1 device.

Logical CPU devices must be configured before TensorFlow runs any op, so
this runs as its own process (tests/models/test_wgan.py starts it). It
prints one JSON line {variant: max abs difference of every weight}.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganlab  # noqa: E402
from ganlab.models import WGAN, WGANGP  # noqa: E402
from ganlab.nets import mlp_discriminator, mlp_generator  # noqa: E402


def one_step(cls, strategy, options, batch):
    ganlab.seed(3)
    with strategy.scope():
        model = cls(mlp_generator(2, 2, (16,)), mlp_discriminator(2, (16,)), seed=7)
        if cls is WGAN:
            opts = [keras.optimizers.RMSprop(5e-3) for _ in range(2)]
        else:
            opts = [keras.optimizers.Adam(1e-2, beta_1=0.0, beta_2=0.9) for _ in range(2)]
        model.compile(*opts, **options)
    ds = tf.data.Dataset.from_tensor_slices(batch).batch(len(batch)).repeat()
    logs = model.fit(ds, epochs=1, steps_per_epoch=2, verbose=0).history
    variables = model.generator.weights + model.discriminator.weights
    weights = [w.numpy() for w in variables]
    # Under MirroredStrategy every replica's copy must hold the same value.
    spread = 0.0
    for w in variables:
        copies = getattr(w.value, "values", None)
        if copies:
            spread = max(spread, max(float(np.max(np.abs(c.numpy() - copies[0].numpy())))
                                     for c in copies))
    return weights, spread, {k: float(v[-1]) for k, v in logs.items()}


def main():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(devices) < 2:
        print(json.dumps({"error": f"only {devices}"}))
        return 1
    batch = np.random.default_rng(0).normal(size=(24, 2)).astype("float32") * 2
    out = {}
    for cls, options in ((WGAN, dict(n_critic=3, clip_value=0.05)),
                         (WGANGP, dict(n_critic=3, gp_weight=10.0))):
        single, _, logs1 = one_step(cls, tf.distribute.OneDeviceStrategy(devices[0]), options, batch)
        mirrored, spread, logs2 = one_step(
            cls, tf.distribute.MirroredStrategy(devices[:2]), options, batch)
        out[cls.__name__] = {
            "max_weight_diff": max(float(np.max(np.abs(a - b)))
                                   for a, b in zip(single, mirrored, strict=True)),
            "logs_single": logs1,
            "logs_mirrored": logs2,
            "replica_spread": spread,
            "max_abs_critic_weight": float(max(np.max(np.abs(w)) for w in mirrored[-4:])),
        }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
