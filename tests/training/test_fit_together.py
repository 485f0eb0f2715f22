"""`fit_together`: independent trainings in threads, each exactly as it would run alone.

Two GANs trained at once end with the weights, per-epoch figures and
checkpoints they reach one after the other; results come back in order;
under a runtime that may not train models together (several replicas) the
trainings run in the calling thread; the first training's error reaches the
caller once both have stopped; and progress prints plain lines meanwhile.
"""

import functools
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlab.models.gan import GAN
from ganlab.nets.mlp import mlp_discriminator, mlp_generator
from ganlab.training import progress
from ganlab.training.callbacks import fit_logged, fit_together
from ganlab.training.runfolder import RunFolder


def tiny_gan(seed):
    keras.utils.set_random_seed(seed)
    model = GAN(mlp_generator(2, 2, (16,)), mlp_discriminator(2, (16,)), seed=seed)
    model.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    return model


def data(seed):
    x = np.random.default_rng(seed).normal(size=(512, 2)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).shuffle(512, seed=seed).repeat().batch(32)


def g_sum(model):
    return {"g_sum": float(sum(np.sum(w) for w in model.generator.get_weights()))}


def train_two(tmp_path, together):
    run = RunFolder(tmp_path / ("together" if together else "alone"), "ft")
    models = [tiny_gan(seed) for seed in (0, 1)]  # built in this thread, in order
    trainings = [functools.partial(
        fit_logged, model, data(seed), run.file(f"tb/{seed}"), 3, 40, g_sum,
        checkpointer=lambda extras, model=model, seed=seed: run.checkpointer(
            model, f"m{seed}", extras)) for seed, model in zip((0, 1), models, strict=True)]
    if together:
        results = fit_together(trainings)
    else:
        results = [train() for train in trainings]
    return models, [figs.records for _, figs in results], run


def test_together_ends_where_one_after_the_other_does(tmp_path):
    alone, alone_records, _ = train_two(tmp_path, together=False)
    together, together_records, run = train_two(tmp_path, together=True)
    for a, b in zip(alone, together, strict=True):
        for wa, wb in zip(a.generator.get_weights() + a.discriminator.get_weights(),
                          b.generator.get_weights() + b.discriminator.get_weights(), strict=True):
            np.testing.assert_array_equal(wa, wb)
    assert together_records == alone_records  # and in the trainings' order
    assert alone_records[0] != alone_records[1]  # two different trainings
    assert len(together_records[0]) == 3
    for seed in (0, 1):  # each wrote its own checkpoint under the one run folder
        assert any((run.checkpoint_root / f"m{seed}").iterdir())


def test_several_replicas_train_one_after_the_other_in_the_calling_thread():
    class Mirrored:
        fits_together = False

    threads = fit_together([threading.current_thread] * 2, Mirrored())
    assert threads == [threading.current_thread()] * 2
    together = fit_together([threading.current_thread] * 2)
    assert threading.current_thread() not in together and together[0] is not together[1]


def test_the_first_trainings_error_reaches_the_caller_after_both_stop():
    finished = []

    def fails():
        raise ValueError("first training broke")

    def slow():
        threading.Event().wait(0.3)
        finished.append(True)
        return "done"

    with pytest.raises(ValueError, match="first training broke"):
        fit_together([fails, slow])
    assert finished == [True]


def test_progress_prints_plain_lines_while_together_then_as_before():
    seen = []
    before = progress.set_plain(False)
    try:
        fit_together([lambda: seen.append(progress._PLAIN)] * 2)
        assert seen == [True, True]
        assert progress.set_plain(False) is False  # put back afterwards
    finally:
        progress.set_plain(before)
