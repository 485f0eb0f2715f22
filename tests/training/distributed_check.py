"""Subprocess script: one GAN step under a 2-replica MirroredStrategy vs one device.

Logical CPU devices must be configured before TensorFlow's first op, so this
runs in its own process (`tests/training/test_distribute.py` starts it) and
prints one JSON line of results: for each case, the largest absolute
difference between the weights (and the fit metrics) of the two runs.

    python tests/training/distributed_check.py [case ...]
"""

import json
import sys

from ganlab.training.strategy import strategy  # noqa: E402

MIRRORED = strategy("cpu:2")  # before any TensorFlow op

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganlab.models import GAN  # noqa: E402
from ganlab.nets import mlp_discriminator, mlp_generator  # noqa: E402

B = 8  # per-replica batch; the global batch is 2B


def build(k, loss_scale, optimizer="sgd", seed=0, spe=1):
    g = mlp_generator(3, 2, (16, 16), activation="tanh")  # latent_dim != data dim
    d = mlp_discriminator(2, (16, 16), activation="leaky_relu")
    gan = GAN(g, d, seed=seed)

    def opt():
        # SGD by default: its update is proportional to the gradient, so a
        # wrong loss or gradient scale shows (Adam's first step would hide it).
        if optimizer == "sgd":
            o = keras.optimizers.SGD(0.5)
        else:
            o = keras.optimizers.Adam(1e-2, beta_1=0.5, use_ema=True, ema_momentum=0.9)
        return keras.optimizers.LossScaleOptimizer(o) if loss_scale else o

    gan.compile(opt(), opt(), d_steps=k, steps_per_execution=spe)
    return gan


def run(s, k, steps, loss_scale, optimizer, init, spe=1):
    with s.scope():
        gan = build(k, loss_scale, optimizer, spe=spe)
        gan.generator.set_weights(init[0])
        gan.discriminator.set_weights(init[1])
    rng = np.random.default_rng(1)
    x = rng.normal(size=(steps * 2 * B * k, 2)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2 * B * k)
    history = gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
    weights = gan.generator.get_weights() + gan.discriminator.get_weights()
    metrics = {name: values[-1] for name, values in history.history.items()}
    state = np.asarray(gan.seed_generator.state.numpy())
    iters = (int(gan.g_optimizer.iterations.numpy()), int(gan.d_optimizer.iterations.numpy()))
    return weights, metrics, state, iters


def compare(k=1, steps=1, loss_scale=False, optimizer="sgd", precision="float32",
            control=False, spe=1):
    keras.config.set_dtype_policy(precision)
    keras.utils.set_random_seed(0)  # the same initial weights on every run
    if control:
        # Negative control: forget the 1/num_replicas share. The comparison
        # must then fail, or it could not catch the bug it is there for.
        original = tf.distribute.Strategy.num_replicas_in_sync
        tf.distribute.Strategy.num_replicas_in_sync = property(lambda self: 1)
    ref = build(k, False, optimizer)
    init = (ref.generator.get_weights(), ref.discriminator.get_weights())
    one = run(tf.distribute.get_strategy(), k, steps, loss_scale, optimizer, init, spe)
    two = run(MIRRORED, k, steps, loss_scale, optimizer, init, spe)
    if control:
        tf.distribute.Strategy.num_replicas_in_sync = original
    # The same updates as a plain optimizer on one device: loss scaling must
    # cancel out exactly (scales are powers of two).
    plain = run(tf.distribute.get_strategy(), k, steps, False, optimizer, init) if loss_scale else one
    start = init[0] + init[1]
    return {
        "replicas": MIRRORED.num_replicas_in_sync,
        "weights_max_abs_diff": max(float(np.max(np.abs(a - b)))
                                    for a, b in zip(one[0], two[0], strict=True)),
        "weights_moved": min(float(np.max(np.abs(a - b)))
                             for a, b in zip(one[0], start, strict=True)),
        "plain_max_abs_diff": max(float(np.max(np.abs(a - b)))
                                  for a, b in zip(one[0], plain[0], strict=True)),
        "metrics_one": one[1],
        "metrics_two": two[1],
        "metrics_max_abs_diff": max(abs(one[1][m] - two[1][m]) for m in one[1]),
        "seed_state_equal": bool(np.array_equal(one[2], two[2])),
        "iterations": [one[3], two[3]],
        "dtypes": sorted({str(w.dtype) for w in one[0]}),
    }


CASES = {
    "k1": dict(k=1, steps=1),
    "k2_loss_scale": dict(k=2, steps=1, loss_scale=True),
    "adam_fit3": dict(k=1, steps=3, optimizer="adam", spe=3),
    "bfloat16": dict(k=1, steps=1, precision="mixed_bfloat16"),
    "control": dict(k=1, steps=1, control=True),
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(CASES)
    print(json.dumps({name: compare(**CASES[name]) for name in names}))
