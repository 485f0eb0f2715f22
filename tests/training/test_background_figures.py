"""EpochFigures with an evaluation running beside training (`in_background`).

The figures of a background evaluation are those of the epoch that asked
for them (it measures copies of the nets, so training on does not move
them), equal to the same evaluation run in line; they reach TensorBoard at
their own epoch; cloning leaves Python's `random` where it was (the next
model's initial weights do not move); an error in the thread surfaces in
training; and a checkpoint taken while one is in flight is redone on resume.
"""

import random
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlab.models.gan import GAN
from ganlab.nets.mlp import mlp_discriminator, mlp_generator
from ganlab.training.callbacks import EpochFigures, fit_logged, in_background


def tiny_gan(seed=0):
    keras.utils.set_random_seed(seed)
    model = GAN(mlp_generator(2, 2, (8,)), mlp_discriminator(2, (8,)), seed=seed)
    model.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    return model


def data():
    x = np.random.default_rng(0).normal(size=(256, 2)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).repeat().batch(32)


def weight_sum(generator, discriminator=None):
    return {"g_sum": float(sum(np.sum(w) for w in generator.get_weights()))}


def slow_weight_sum(generator):
    time.sleep(0.3)  # training moves on meanwhile: only a copy keeps this epoch's weights
    return weight_sum(generator)


def records(tmp_path, name, make_evaluate, epochs=4):
    model = tiny_gan()
    _, figs = fit_logged(model, data(), tmp_path / name, epochs, 5, make_evaluate(model))
    return figs.records


def test_background_figures_are_those_of_their_epoch(tmp_path):
    inline = records(tmp_path, "inline", lambda m: lambda model: weight_sum(model.generator))
    background = records(tmp_path, "bg", lambda m: in_background(slow_weight_sum, m.generator))
    assert [r["epoch"] for r in background] == [1, 2, 3, 4]
    assert background == inline
    assert len({r["g_sum"] for r in inline}) == 4  # training moved the weights every epoch


def test_background_figures_reach_tensorboard_at_their_epoch(tmp_path):
    records(tmp_path, "bg", lambda m: in_background(weight_sum, m.generator), epochs=3)
    steps = {}
    for path in (tmp_path / "bg" / "train").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                steps.setdefault(value.tag, []).append(event.step)
    assert sorted(steps["epoch_g_sum"]) == [0, 1, 2]  # Keras's epoch scalars: step = epoch - 1
    assert sorted(steps["epoch_g_loss"]) == [0, 1, 2]


def test_cloning_leaves_python_random_alone():
    model = tiny_gan()
    state = random.getstate()
    in_background(weight_sum, model.generator, model.discriminator)(model).result()
    assert random.getstate() == state


def test_an_error_in_the_thread_stops_training(tmp_path):
    def broken(generator):
        raise RuntimeError("the evaluation broke")

    with pytest.raises(RuntimeError, match="the evaluation broke"):
        records(tmp_path, "broken", lambda m: in_background(broken, m.generator))


def test_a_pending_evaluation_is_redone_on_resume():
    model = tiny_gan()
    figs = EpochFigures(in_background(weight_sum, model.generator))
    figs.set_model(model)
    figs.set_state({"records": [{"epoch": 1, "g_sum": 0.5}], "frames": 0, "pending": 2}, {})
    figs.on_train_begin()
    assert figs.records == [{"epoch": 1, "g_sum": 0.5}, {"epoch": 2, **weight_sum(model.generator)}]
    state, _ = figs.get_state()
    assert state["pending"] is None
