"""CycleGAN: the eight losses of a step, the identity term's domains, four nets moved, the schedule."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import ganlab
from ganlab.models import ConstantThenLinearDecay, CycleGAN
from ganlab.nets import patchgan_discriminator, resnet_generator

SIZE = 16


def nets(seed=0):
    ganlab.seed(seed)
    return (resnet_generator(SIZE, ngf=4, n_blocks=1, name="G"),
            patchgan_discriminator(SIZE, 3, n_layers=1, norm="instance", ndf=4, name="D_Y"),
            resnet_generator(SIZE, ngf=4, n_blocks=1, name="F"),
            patchgan_discriminator(SIZE, 3, n_layers=1, norm="instance", ndf=4, name="D_X"))


def make(lr=0.01, pool_size=50, **options):
    model = CycleGAN(*nets(), pool_size=pool_size, seed=0)
    model.compile(g_optimizer=keras.optimizers.SGD(lr), d_optimizer=keras.optimizers.SGD(lr),
                  **options)
    return model


def data(n=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, SIZE, SIZE, 3)).astype("float32")
    y = np.tanh(rng.normal(0.5, 0.5, (n, SIZE, SIZE, 3))).astype("float32")
    return x, y


def run(net, images):
    return keras.ops.convert_to_numpy(net(images, training=True))


def l1(a, b):
    return float(np.mean(np.abs(a - b)))


def test_step_losses_follow_the_paper():
    model = make()
    g, dy, f, dx = (model.generator, model.discriminator, model.inverse_generator,
                    model.inverse_discriminator)
    x, y = data()
    fake_y, fake_x = run(g, x), run(f, y)
    expected = {
        "g_gan": np.mean((run(dy, fake_y) - 1) ** 2),  # least squares: E[(D_Y(G(x)) - 1)^2]
        "f_gan": np.mean((run(dx, fake_x) - 1) ** 2),
        "cycle_x": l1(run(f, fake_y), x),
        "cycle_y": l1(run(g, fake_x), y),
        "identity_y": l1(run(g, y), y),  # G makes Y: fed y, it should leave it alone
        "identity_x": l1(run(f, x), x),
        # halved D losses; the pool is filling, so D sees this step's fakes
        "dy_loss": 0.5 * (np.mean((run(dy, y) - 1) ** 2) + np.mean(run(dy, fake_y) ** 2)),
        "dx_loss": 0.5 * (np.mean((run(dx, x) - 1) ** 2) + np.mean(run(dx, fake_x) ** 2)),
    }
    expected["g_loss"] = (expected["g_gan"] + expected["f_gan"]
                          + 10 * (expected["cycle_x"] + expected["cycle_y"])
                          + 0.5 * 10 * (expected["identity_x"] + expected["identity_y"]))
    logs = {k: float(v) for k, v in model.step(x, y).items()}
    for key, value in expected.items():
        assert logs[key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
    # the domains of the identity term are not interchangeable on these data
    assert abs(l1(run(g, x), x) - expected["identity_y"]) > 1e-3


def test_log_loss_option():
    model = make(adversarial_loss="log")
    x, y = data()
    fake_y = run(model.generator, x)
    logits = run(model.discriminator, fake_y)
    expected = np.mean(np.log1p(np.exp(-logits)))  # -log sigmoid: the non-saturating loss
    assert float(model.step(x, y)["g_gan"]) == pytest.approx(expected, rel=1e-4)


def test_identity_weight_zero_drops_the_term():
    model = make(lambda_identity=0.0)
    logs = model.step(*data())
    assert "identity_x" not in logs and "identity_y" not in logs
    total = float(logs["g_gan"] + logs["f_gan"] + 10 * (logs["cycle_x"] + logs["cycle_y"]))
    assert float(logs["g_loss"]) == pytest.approx(total, rel=1e-5)
    assert not any(m.name.startswith("identity") for m in model.metrics)


def test_one_train_step_moves_all_four_nets_and_each_optimizer_once():
    model = make()
    nets_ = [model.generator, model.inverse_generator, model.discriminator,
             model.inverse_discriminator]
    before = [[w.numpy().copy() for w in n.trainable_weights] for n in nets_]
    x, y = data(4)
    history = model.fit(x=x, y=y, batch_size=4, epochs=1, verbose=0)
    for net, old in zip(nets_, before, strict=True):
        moved = min(float(np.max(np.abs(w.numpy() - o)))
                    for w, o in zip(net.trainable_weights, old, strict=True))
        assert moved > 0, net.name  # every kernel and bias of every net moved
    assert int(model.g_optimizer.iterations.numpy()) == 1
    assert int(model.d_optimizer.iterations.numpy()) == 1
    assert {"g_gan", "f_gan", "dy_loss", "dx_loss", "cycle_x", "cycle_y", "identity_x",
            "identity_y", "lr"} <= set(history.history)


def test_schedule_constant_then_linear_to_zero_and_logged():
    s = ConstantThenLinearDecay(2e-4, 1001)
    assert float(s(0)) == pytest.approx(2e-4)
    assert float(s(499)) == pytest.approx(2e-4)
    assert float(s(500)) == pytest.approx(2e-4)  # the decay starts at the midpoint...
    assert float(s(750)) == pytest.approx(1e-4)
    assert float(s(1000)) == 0.0  # ...and the last step uses exactly 0
    model = CycleGAN(*nets(), seed=0)
    model.compile(g_optimizer=keras.optimizers.Adam(ConstantThenLinearDecay(1e-3, 3, 0)),
                  d_optimizer=keras.optimizers.Adam(1e-3))
    x, y = data(3)
    lrs = model.fit(x=x, y=y, batch_size=1, epochs=1, verbose=0).history["lr"]
    assert lrs[-1] == pytest.approx((1e-3 + 5e-4 + 0.0) / 3)  # the mean over the epoch's steps


def test_schedule_bad_arguments():
    with pytest.raises(ValueError, match="total_steps=1"):
        ConstantThenLinearDecay(1e-3, 1)
    with pytest.raises(ValueError, match="decay_start=9"):
        ConstantThenLinearDecay(1e-3, 10, 9)


def test_optimizers_by_name_only_and_bad_options():
    model = CycleGAN(*nets(), seed=0)
    with pytest.raises(TypeError):
        model.compile(keras.optimizers.Adam(), keras.optimizers.Adam())
    with pytest.raises(ValueError, match="lambda_cyc=-1"):
        model.compile(g_optimizer=keras.optimizers.Adam(), d_optimizer=keras.optimizers.Adam(),
                      lambda_cyc=-1)
    with pytest.raises(ValueError, match="adversarial_loss='wasserstein'"):
        model.compile(g_optimizer=keras.optimizers.Adam(), d_optimizer=keras.optimizers.Adam(),
                      adversarial_loss="wasserstein")


def test_nets_that_do_not_fit_together():
    g, dy, f, dx = nets()
    with pytest.raises(ValueError, match="inverse_generator input"):
        CycleGAN(g, dy, resnet_generator(32, ngf=4, n_blocks=1), dx)
    with pytest.raises(ValueError, match="discriminator input"):
        CycleGAN(g, patchgan_discriminator(16, 6, n_layers=1, ndf=4), f, dx)


def test_save_and_load_every_net_and_the_model(tmp_path):
    model = make()
    x, y = data()
    model.step(x, y)
    for net in (model.generator, model.inverse_generator, model.discriminator,
                model.inverse_discriminator):
        net.save(tmp_path / f"{net.name}.keras")
        again = keras.saving.load_model(tmp_path / f"{net.name}.keras")
        np.testing.assert_allclose(again.predict(x, verbose=0), net.predict(x, verbose=0), atol=1e-6)
    model.save(tmp_path / "cyclegan.keras")
    again = keras.saving.load_model(tmp_path / "cyclegan.keras")
    assert isinstance(again, CycleGAN) and again.pool_size == 50
    np.testing.assert_allclose(again.translate(y, inverse=True), model.translate(y, inverse=True),
                               atol=1e-6)


def test_two_replicas_equal_one_device():
    script = Path(__file__).with_name("mirrored_cyclegan_check.py")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert min(r["min_kernel_move"].values()) > 1e-4, r  # the steps did something, in all four nets
    assert r["max_weight_diff"] < 2e-5, r
    assert r["pool_max_diff"] < 1e-6 and r["pool_counts"][0] == r["pool_counts"][1], r
    for key, value in r["logs_single"].items():
        assert r["logs_mirrored"][key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
