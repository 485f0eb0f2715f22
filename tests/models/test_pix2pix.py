"""Pix2Pix: the losses of a step, D-step / G-step isolation, options, round-trips, 2 replicas."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import ganlab
from ganlab import losses
from ganlab.models import Pix2Pix
from ganlab.nets import patchgan_discriminator, unet_generator

SIZE = 32


def data(n=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, SIZE, SIZE, 1)).astype("float32")
    y = np.tanh(np.concatenate([x, -x, x**2], -1) + rng.normal(0, 0.3, (n, SIZE, SIZE, 3)))
    return x, y.astype("float32")


def make(dropout=0.5, lr=2e-4, **options):
    ganlab.seed(0)
    # (a 32x32 U-Net has no dropout block; mirrored_pix2pix_check.py uses 64x64, which has one)
    g = unet_generator(SIZE, 1, 3, ngf=4, dropout=dropout, seed=1)
    d = patchgan_discriminator(SIZE, 4, n_layers=2, ndf=4)
    model = Pix2Pix(g, d, seed=0)
    model.compile(keras.optimizers.Adam(lr, beta_1=0.5), keras.optimizers.Adam(lr, beta_1=0.5),
                  **options)
    return model


def values(variables):
    return [np.array(v.numpy()) for v in variables]


def max_change(before, variables):
    return max(float(np.max(np.abs(b - v.numpy()))) for b, v in zip(before, variables, strict=True))


def numpy(t):
    return keras.ops.convert_to_numpy(t)


# ------------------------------------------------------------------ losses
def test_patch_map_loss_is_the_mean_of_the_per_cell_losses():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(2, 5, 5, 1)).astype("float32")
    fake = rng.normal(size=(2, 5, 5, 1)).astype("float32")
    d_map = float(losses.minimax_discriminator_loss(real, fake))
    g_map = float(losses.non_saturating_generator_loss(fake))
    d_cells = [float(losses.minimax_discriminator_loss(real[n, i, j], fake[n, i, j]))
               for n in range(2) for i in range(5) for j in range(5)]
    g_cells = [float(losses.non_saturating_generator_loss(fake[n, i, j]))
               for n in range(2) for i in range(5) for j in range(5)]
    assert d_map == pytest.approx(np.mean(d_cells), rel=1e-6)
    assert g_map == pytest.approx(np.mean(g_cells), rel=1e-6)


def test_step_losses_follow_the_paper():
    """D's loss is halved and judges pairs; G's is the non-saturating loss + lambda L1."""
    model = make(dropout=0.0, lr=0.0, lambda_l1=7.0)  # nothing moves: recompute by hand
    x, y = data()
    fake = numpy(model.generator(x, training=True))
    real_logits = numpy(model.discriminator(np.concatenate([x, y], -1), training=True))
    fake_logits = numpy(model.discriminator(np.concatenate([x, fake], -1), training=True))
    assert real_logits.shape == (4, 6, 6, 1)

    def sp(v):
        return np.log1p(np.exp(v))

    logs = {k: float(v) for k, v in model.step(x, y).items()}
    assert logs["d_loss"] == pytest.approx(0.5 * (sp(-real_logits).mean() + sp(fake_logits).mean()),
                                           rel=1e-4)
    l1 = np.abs(y - fake).mean()
    assert logs["g_l1"] == pytest.approx(l1, rel=1e-4)
    assert logs["g_gan"] == pytest.approx(sp(-fake_logits).mean(), rel=1e-4)
    assert logs["g_loss"] == pytest.approx(logs["g_gan"] + 7.0 * l1, rel=1e-5)


def test_d_steps_before_g_and_g_sees_the_updated_d():
    model = make(dropout=0.0, lr=1e-2)
    x, y = data()
    g_before = values(model.generator.variables)
    logs = model.step(x, y)
    d_after = values(model.discriminator.variables)
    # G(x) from G's weights before its update, judged by D after its update
    probe_g = unet_generator(SIZE, 1, 3, ngf=4, dropout=0.0)
    for v, w in zip(probe_g.variables, g_before, strict=True):
        v.assign(w)
    probe_d = patchgan_discriminator(SIZE, 4, n_layers=2, ndf=4)
    for v, w in zip(probe_d.variables, d_after, strict=True):
        v.assign(w)
    fake = probe_g(x, training=True)
    logits = probe_d(np.concatenate([x, numpy(fake)], -1), training=True)
    assert float(logs["g_gan"]) == pytest.approx(
        float(losses.non_saturating_generator_loss(logits)), rel=1e-4)


# ----------------------------------------------------------- isolation
def test_d_step_leaves_g_unchanged():
    model = make(lr=1e-2)
    x, y = data()
    g_before = values(model.generator.variables)  # batchnorm statistics included
    d_before = values(model.discriminator.trainable_variables)
    model.discriminator_step(x, y)
    assert max_change(g_before, model.generator.variables) == 0.0
    assert max_change(d_before, model.discriminator.trainable_variables) > 1e-4


def test_g_step_leaves_d_unchanged():
    model = make(lr=1e-2)
    x, y = data()
    d_before = values(model.discriminator.variables)
    g_before = values(model.generator.trainable_variables)
    model.generator_step(x, y)
    assert max_change(d_before, model.discriminator.variables) == 0.0
    assert max_change(g_before, model.generator.trainable_variables) > 1e-4


def test_train_step_moves_both_and_counts_one_iteration_each():
    model = make()
    x, y = data(8)
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "g_gan", "g_l1", "d_real", "d_fake"}
    assert int(model.g_optimizer.iterations) == 2 and int(model.d_optimizer.iterations) == 2


def test_l1_only_ablation_leaves_d_alone():
    model = make(adversarial=False, lambda_l1=100.0)
    x, y = data(8)
    d_before = values(model.discriminator.variables)
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0).history
    assert set(history) == {"g_loss", "g_l1"}
    assert history["g_loss"][0] == pytest.approx(100 * history["g_l1"][0], rel=1e-5)
    assert max_change(d_before, model.discriminator.variables) == 0.0
    assert int(model.d_optimizer.iterations) == 0 and int(model.g_optimizer.iterations) == 2


# -------------------------------------------------------------- errors
@pytest.mark.parametrize("options, match", [
    ({"lambda_l1": -1.0}, "lambda_l1=-1.0"),
    ({"lambda_l1": "100"}, "lambda_l1='100'"),
    ({"adversarial": 0}, "adversarial=0"),
    ({"adversarial": False, "lambda_l1": 0.0}, "lambda_l1=0.0"),
])
def test_bad_compile_options(options, match):
    with pytest.raises(ValueError, match=f"Received: {match}"):
        make(**options)


def test_unknown_compile_option():
    with pytest.raises(ValueError, match="Unknown compile option"):
        make(gan_weight=0.0)


def test_nets_that_do_not_fit_together():
    g = unet_generator(SIZE, 1, 3, ngf=4)
    with pytest.raises(ValueError, match="concatenated on channels"):
        Pix2Pix(g, patchgan_discriminator(SIZE, 3, n_layers=2, ndf=4))
    with pytest.raises(ValueError, match="concatenated on channels"):
        Pix2Pix(g, patchgan_discriminator(2 * SIZE, 4, n_layers=2, ndf=4))


def test_batches_without_targets_and_wrong_images():
    model = make()
    x, _ = data()
    with pytest.raises(ValueError, match="Received: a batch of"):
        model.train_step(x)
    with pytest.raises(ValueError, match=r"Received: x with shape \(4, 32, 32, 3\)"):
        model.translate(np.zeros((4, SIZE, SIZE, 3), "float32"))


# ---------------------------------------------------------- round trips
def test_save_load_round_trip(tmp_path):
    model = make(lambda_l1=50.0)
    x, y = data(4)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "pix2pix.keras")
    with pytest.warns(UserWarning, match="compile"):
        loaded = keras.saving.load_model(tmp_path / "pix2pix.keras")
    assert isinstance(loaded, Pix2Pix)
    np.testing.assert_allclose(loaded.translate(x), model.translate(x), atol=1e-6)
    model.generator.save(tmp_path / "generator.keras")
    g = keras.saving.load_model(tmp_path / "generator.keras")
    np.testing.assert_allclose(g.predict(x, verbose=0), model.translate(x), atol=1e-6)


# -------------------------------------------------------- two replicas
def test_two_replicas_equal_one_device():
    script = Path(__file__).with_name("mirrored_pix2pix_check.py")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for mode, r in result.items():
        assert r["min_kernel_move"]["unet_generator"] > 1e-4, mode  # the steps did something
        if mode == "l1_cgan":
            assert r["min_kernel_move"]["patchgan_discriminator"] > 1e-4
        assert r["max_weight_diff"] < 2e-5, (mode, r)
        for key, value in r["logs_single"].items():
            assert r["logs_mirrored"][key] == pytest.approx(value, rel=1e-5, abs=1e-6), (mode, key)
