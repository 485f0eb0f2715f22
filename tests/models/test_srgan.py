"""SRGAN: stage 1 (SRResNet) and stage 2 losses, D-step / G-step isolation, options, 2 replicas."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import ganlab
from ganlab import losses
from ganlab.models import SRGAN
from ganlab.nets import srgan_discriminator, srresnet_generator
from ganlab.nets.srgan import VGGWeightsMissingError

HR = 32


def data(n=4, seed=0):
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    hr = np.tanh(rng.normal(0, 0.7, (n, HR, HR, 3))).astype("float32")
    return tf.image.resize(hr, (HR // 4, HR // 4), "bicubic", antialias=True).numpy(), hr


def make(stage=2, lr=1e-3, **options):
    ganlab.seed(0)
    g = srresnet_generator(2, 4, 8)
    if stage == 1:
        model = SRGAN(g, seed=0)
        model.compile(keras.optimizers.Adam(lr), **options)
    else:
        model = SRGAN(g, srgan_discriminator(HR, 8, 16), seed=0)
        model.compile(keras.optimizers.Adam(lr), keras.optimizers.Adam(lr), **options)
    return model


def values(variables):
    return [np.array(v.numpy()) for v in variables]


def max_change(before, variables):
    return max(float(np.max(np.abs(b - v.numpy()))) for b, v in zip(before, variables, strict=True))


def sp(v):
    return np.log1p(np.exp(v))


def test_stage_1_is_srresnet_mse_and_trains_g_alone():
    model = make(stage=1, lr=0.0)
    lr, hr = data()
    sr = model.generator(lr, training=True).numpy()
    logs = {k: float(v) for k, v in model.step(lr, hr).items()}
    assert set(logs) == {"g_loss", "g_content"}
    assert logs["g_loss"] == pytest.approx(((hr - sr) ** 2).mean(), rel=1e-5)
    model = make(stage=1)
    history = model.fit(*data(8), batch_size=4, epochs=1, verbose=0).history
    assert set(history) == {"g_loss", "g_content"}
    assert int(model.g_optimizer.iterations) == 2 and model.d_optimizer is None
    assert model.discriminator is None


def test_stage_2_losses_follow_the_paper():
    """D: -log D(HR) - log(1 - D(G(LR))); G: MSE + 1e-3 * -log D(G(LR)) (Eq. 2-4, 6)."""
    model = make(lr=0.0)  # nothing moves: recompute by hand
    lr, hr = data()
    sr = model.generator(lr, training=True).numpy()
    real = model.discriminator(hr, training=True).numpy()
    fake = model.discriminator(sr, training=True).numpy()
    logs = {k: float(v) for k, v in model.step(lr, hr).items()}
    assert logs["d_loss"] == pytest.approx(sp(-real).mean() + sp(fake).mean(), rel=1e-4)
    assert logs["g_adv"] == pytest.approx(sp(-fake).mean(), rel=1e-4)
    assert logs["g_content"] == pytest.approx(((hr - sr) ** 2).mean(), rel=1e-5)
    assert logs["g_loss"] == pytest.approx(logs["g_content"] + 1e-3 * logs["g_adv"], rel=1e-6)
    assert model.adversarial_weight == 1e-3


def test_vgg_content_loss_is_the_feature_mse(tmp_path):
    path = tmp_path / "vgg19.weights.h5"
    keras.applications.VGG19(include_top=False, weights=None).save_weights(path)
    model = make(lr=0.0, content="vgg22", vgg_weights=str(path))
    lr, hr = data()
    sr = model.generator(lr, training=True)
    phi = model.content_net
    want = float(losses.vgg_content_loss(phi(hr), phi(sr)))
    assert float(model.step(lr, hr)["g_content"]) == pytest.approx(want, rel=1e-4)
    assert tuple(phi(hr).shape) == (4, HR // 2, HR // 2, 128)


def test_vgg_content_without_weights_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(VGGWeightsMissingError, match="put vgg19_weights_tf_dim_ordering") as info:
        make(content="vgg54")
    assert "\n" not in str(info.value)


def test_d_step_leaves_g_unchanged():
    model = make(lr=1e-2)
    lr, hr = data()
    g_before = values(model.generator.variables)  # batchnorm statistics included
    d_before = values(model.discriminator.trainable_variables)
    model.discriminator_step(lr, hr)
    assert max_change(g_before, model.generator.variables) == 0.0
    assert max_change(d_before, model.discriminator.trainable_variables) > 1e-4


def test_g_step_leaves_d_unchanged():
    model = make(lr=1e-2)
    lr, hr = data()
    d_before = values(model.discriminator.variables)
    g_before = values(model.generator.trainable_variables)
    model.generator_step(lr, hr)
    assert max_change(d_before, model.discriminator.variables) == 0.0
    assert max_change(g_before, model.generator.trainable_variables) > 1e-4


def test_train_step_moves_both_and_counts_one_iteration_each():
    model = make()
    history = model.fit(*data(8), batch_size=4, epochs=1, verbose=0).history
    assert set(history) == {"g_loss", "g_content", "g_adv", "d_loss", "d_real", "d_fake"}
    assert int(model.g_optimizer.iterations) == 2 and int(model.d_optimizer.iterations) == 2


@pytest.mark.parametrize("options, match", [
    ({"content": "vgg"}, "content='vgg'"),
    ({"adversarial_weight": -1.0}, "adversarial_weight=-1.0"),
    ({"adversarial_weight": True}, "adversarial_weight=True"),
])
def test_bad_compile_options(options, match):
    with pytest.raises(ValueError, match=f"Received: {match}"):
        make(**options)


def test_one_compile_signature_and_its_errors():
    with pytest.raises(ValueError, match="Unknown compile option"):
        make(lambda_l1=1.0)
    g = srresnet_generator(1, 4, 8)
    with pytest.raises(ValueError, match="needs a discriminator"):
        SRGAN(g).compile(keras.optimizers.Adam(), keras.optimizers.Adam())
    with pytest.raises(ValueError, match="Received: g_optimizer=None"):
        SRGAN(g).compile(None)
    model = make()
    with pytest.raises(ValueError, match="Received: a batch of"):
        model.train_step(data()[0])
    with pytest.raises(ValueError, match=r"Received: lr with shape \(2, 8, 8, 1\)"):
        model.super_resolve(np.zeros((2, 8, 8, 1), "float32"))


def test_save_load_round_trip(tmp_path):
    model = make()
    lr, hr = data()
    model.step(lr, hr)
    model.save(tmp_path / "srgan.keras")
    with pytest.warns(UserWarning, match="compile"):
        loaded = keras.saving.load_model(tmp_path / "srgan.keras")
    assert isinstance(loaded, SRGAN) and loaded.discriminator is not None
    np.testing.assert_allclose(loaded.super_resolve(lr), model.super_resolve(lr), atol=1e-6)
    stage1 = make(stage=1)
    stage1.save(tmp_path / "srresnet.keras")
    with pytest.warns(UserWarning, match="compile"):
        assert keras.saving.load_model(tmp_path / "srresnet.keras").discriminator is None


def test_two_replicas_equal_one_device():
    script = Path(__file__).with_name("mirrored_srgan_check.py")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for stage, r in result.items():
        assert r["min_kernel_move"]["srresnet"] > 1e-4, stage  # the steps did something
        if stage == "srgan":
            assert r["min_kernel_move"]["srgan_discriminator"] > 1e-4
        assert r["max_weight_diff"] < 2e-6, (stage, r)
        for key, value in r["logs_single"].items():
            assert r["logs_mirrored"][key] == pytest.approx(value, rel=1e-5, abs=1e-6), (stage, key)
