"""Progress a student can see: one bar per run on a terminal, a line every ~10% otherwise.

Before, every lab and `ganlab train` trained with `verbose=0` and printed
nothing until the end (lab 03: 4 minutes of silence).
"""

import io

import keras
import numpy as np
import pytest

import ganlab
from ganlab.data import toy_dataset
from ganlab.models import GAN
from ganlab.nets import mlp_discriminator, mlp_generator
from ganlab.recipes import toy
from ganlab.training import progress
from ganlab.training.progress import Progress
from ganlab.training.runfolder import RunFolder


class Terminal(io.StringIO):
    def isatty(self):
        return True


def gan():
    ganlab.seed(0)
    model = GAN(mlp_generator(2, 1, (8,)), mlp_discriminator(1, (8,)), seed=0)
    model.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    return model


def fit(callback, epochs=4, steps=25):
    data = np.random.default_rng(0).normal(4, 0.5, (1000, 1)).astype("float32")
    gan().fit(toy_dataset(data, 16), epochs=epochs, steps_per_epoch=steps, verbose=0,
              callbacks=[callback])


@pytest.fixture(autouse=True)
def loud():
    progress.set_quiet(False)
    yield
    progress.set_quiet(False)


def test_plain_lines_about_every_ten_percent_when_not_a_terminal():
    out = io.StringIO()
    fit(Progress("plain (2/3)", stream=out))
    lines = out.getvalue().splitlines()
    assert 9 <= len(lines) <= 11, lines
    assert "\r" not in out.getvalue()
    assert lines[0].startswith("plain (2/3)  epoch 1/4") and " 10%" in lines[0]
    assert "epoch 4/4" in lines[-1] and "100%" in lines[-1] and "ETA" not in lines[-1]
    assert all("ETA" in line for line in lines[:-1])
    assert all(k in lines[-1] for k in ("d_loss", "g_loss", "d_real", "d_fake"))


def test_one_bar_redrawn_in_place_on_a_terminal():
    out = Terminal()
    fit(Progress("DCGAN", stream=out, interval=0.0))
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")  # one bar for the whole run
    draws = text.strip("\n").split("\r")[1:]
    assert len(draws) > 4
    assert "epoch 1/4" in draws[0] and "ETA" in draws[0] and "[" in draws[0]
    assert "epoch 4/4" in draws[-1] and "100%" in draws[-1] and "[====" in draws[-1]


def test_quiet_silences_it():
    progress.set_quiet(True)
    out, terminal = io.StringIO(), Terminal()
    fit(Progress(stream=out))
    fit(Progress(stream=terminal))
    assert out.getvalue() == "" and terminal.getvalue() == ""


def test_labs_that_train_several_models_say_which_one_trains(tmp_path, capsys):
    data = np.random.default_rng(0).normal(4, 0.5, (2000, 1)).astype("float32")
    builds = {name: (lambda: toy.toy_gan(1, "plain", hidden=8, total_steps=20))
              for name in ("first", "second")}
    with RunFolder(tmp_path, "lab") as run:
        toy.train_side_by_side(run, builds, data, 16, 1, 20, lambda g: {},
                               lambda g, title: np.zeros((8, 8, 3), "uint8"), graded="first")
    out = capsys.readouterr().out
    assert "first (1/2)  epoch 1/1" in out and "second (2/2)  epoch 1/1" in out
