"""ConditionalGAN: shapes, step isolation, label checks, round-trips, 2 replicas = 1 device."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import ganlab  # noqa: F401 (registers ganlab's serializables, as a grader would)
from ganlab.models import ConditionalGAN
from ganlab.models.cgan import check_labels
from ganlab.nets import conditional_dcgan_discriminator, conditional_dcgan_generator

LATENT, CLASSES, SIZE = 8, 10, 16


def make(g_conditioning="onehot", d_conditioning="onehot", label_sampling="data", seed=0):
    ganlab.seed(seed)
    g = conditional_dcgan_generator(LATENT, CLASSES, SIZE, 1, 4, conditioning=g_conditioning)
    d = conditional_dcgan_discriminator(CLASSES, SIZE, 1, 4, conditioning=d_conditioning)
    model = ConditionalGAN(g, d, num_classes=CLASSES, seed=seed)
    model.compile(keras.optimizers.Adam(1e-2, beta_1=0.5), keras.optimizers.Adam(1e-2, beta_1=0.5),
                  label_sampling=label_sampling)
    return model


def batch(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (n, SIZE, SIZE, 1)).astype("float32"),
            (np.arange(n) % CLASSES).astype("int32"))


def snapshot(net):
    return [np.array(w.numpy()) for w in net.weights]  # trainable and batchnorm statistics


@pytest.mark.parametrize("g_cond, d_cond", [("onehot", "onehot"), ("embedding", "embedding"),
                                            ("embedding", "projection")])
def test_shapes(g_cond, d_cond):
    model = make(g_cond, d_cond)
    z = keras.ops.zeros((5, LATENT))
    y = keras.ops.convert_to_tensor(np.array([0, 3, 9, 9, 1], "int32"))
    images = model.generator([z, y])
    assert tuple(images.shape) == (5, SIZE, SIZE, 1)
    assert tuple(model.discriminator([images, y]).shape) == (5, 1)
    assert model.generate([7, 7, 2]).shape == (3, SIZE, SIZE, 1)
    assert model.generator.input_shape == [(None, LATENT), (None,)]
    assert model.latent_dim == LATENT


def test_labels_change_the_sample():
    model = make()
    z = np.repeat(np.random.default_rng(1).normal(size=(1, LATENT)), CLASSES, 0).astype("float32")
    x = model.generate(np.arange(CLASSES), z=z)
    assert np.abs(x[0] - x[1]).max() > 0  # same z, different class, different image


def trainable(net, values):
    return [v for v, w in zip(values, net.weights, strict=True) if w.trainable]


def test_d_step_leaves_g_unchanged_and_moves_d():
    # G's batchnorm statistics do change, as in GAN (tests/models/test_batchnorm_statistics.py).
    model = make()
    g0, d0 = snapshot(model.generator), snapshot(model.discriminator)
    model.discriminator_step(*batch())
    g = model.generator
    assert all(np.array_equal(a, b) for a, b in zip(trainable(g, g0), trainable(g, snapshot(g)), strict=True))
    d1 = snapshot(model.discriminator)
    assert all(np.abs(a - b).max() > 0 for a, b, w in
               zip(d0, d1, model.discriminator.weights, strict=True) if w.trainable)


def test_g_step_leaves_d_unchanged_and_moves_g():
    model = make()
    g0, d0 = snapshot(model.generator), snapshot(model.discriminator)
    model.generator_step(batch()[1])
    d = model.discriminator
    assert all(np.array_equal(a, b) for a, b in zip(trainable(d, d0), trainable(d, snapshot(d)), strict=True))
    g1 = snapshot(model.generator)
    moved = [np.abs(a - b).max() > 0 for a, b, w in zip(g0, g1, model.generator.weights, strict=True)
             if w.trainable]
    assert all(moved)


def test_fit_runs_and_tracks():
    model = make()
    x, y = batch(24)
    logs = model.fit(x, y, batch_size=12, epochs=1, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(v[-1]) for v in logs.values())


def test_fake_label_sampling():
    labels = np.array([0, 0, 0, 0, 0, 0, 1, 1, 2, 9], "int32")
    data = make(label_sampling="data").sample_labels(labels)
    assert sorted(np.asarray(data).tolist()) == sorted(labels.tolist())  # a permutation
    uniform = np.asarray(make(label_sampling="uniform").sample_labels(np.zeros(2000, "int32")))
    assert uniform.min() == 0 and uniform.max() == CLASSES - 1
    assert np.all(np.abs(np.bincount(uniform, minlength=CLASSES) / 2000 - 0.1) < 0.04)


@pytest.mark.parametrize("labels, z, match", [
    ([0, 10], None, r"labels.*\[0, 10\)"),
    ([-1], None, r"labels.*\[0, 10\)"),
    ([1.5], None, r"labels.*integers"),
    ([1, 2], np.zeros((3, LATENT), "float32"), r"labels.*one label per latent vector \(3\).*length 2"),
    ([[1, 2]], None, r"labels.*shape"),
])
def test_bad_labels(labels, z, match):
    model = make()
    with pytest.raises(ValueError, match=match):
        model.generate(labels, z=z)


def test_bad_options():
    with pytest.raises(ValueError, match="label_sampling"):
        make(label_sampling="balanced")
    with pytest.raises(ValueError, match="num_classes"):
        ConditionalGAN(conditional_dcgan_generator(LATENT, CLASSES, SIZE, 1, 4),
                       conditional_dcgan_discriminator(CLASSES, SIZE, 1, 4), num_classes=1)
    with pytest.raises(ValueError, match="conditioning"):
        conditional_dcgan_generator(LATENT, CLASSES, SIZE, 1, 4, conditioning="projection")
    with pytest.raises(ValueError, match="end"):
        make().interpolate(0, 10, np.zeros((1, LATENT), "float32"))
    assert check_labels(np.float32(3), CLASSES).tolist() == [3]


@pytest.mark.parametrize("g_cond", ["onehot", "embedding"])
def test_generator_round_trip_keeps_conditional_samples(tmp_path, g_cond):
    model = make(g_cond, "onehot")
    model.generator_step(batch(12)[1])  # move batchnorm statistics too
    z = np.random.default_rng(2).normal(size=(10, LATENT)).astype("float32")
    y = np.arange(10) % CLASSES
    before = model.generate(y, z=z)
    model.generator.save(tmp_path / "generator.keras")
    loaded = keras.saving.load_model(tmp_path / "generator.keras")
    np.testing.assert_array_equal(loaded.predict([z, y.astype("int32")], verbose=0), before)
    # and the model rebuilt from its config keeps num_classes and the nets
    again = ConditionalGAN.from_config(model.get_config())
    assert again.num_classes == CLASSES and again.latent_dim == LATENT


def test_interpolation_ends_are_the_two_classes():
    model = make()
    z = np.random.default_rng(3).normal(size=(2, LATENT)).astype("float32")
    path = model.interpolate(3, 8, z, steps=5)
    assert path.shape == (10, SIZE, SIZE, 1)
    np.testing.assert_allclose(path[0], model.generate([3], z=z[:1])[0], atol=1e-5)
    np.testing.assert_allclose(path[4], model.generate([8], z=z[:1])[0], atol=1e-5)


def test_two_replicas_equal_one_device():
    script = Path(__file__).with_name("mirrored_cgan_check.py")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for sampling, r in result.items():
        assert r["min_kernel_move"] > 1e-3, sampling  # the step did something
        assert r["max_weight_diff"] < 1e-5, (sampling, r)
        for key, value in r["logs_single"].items():
            assert abs(value - r["logs_mirrored"][key]) < 1e-5, (sampling, key)
