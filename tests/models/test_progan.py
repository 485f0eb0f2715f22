"""ProGAN: drift and loss, D/G isolation, alpha schedule, phase change, save/load, replicas."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import ganlab
from ganlab import losses
from ganlab.models import ProGAN
from ganlab.nets import ProgressiveDiscriminator, ProgressiveGenerator
from ganlab.nets.progan import downsample, upsample2x

SIZE, LATENT = 16, 8


def make(seed=0, cls=ProGAN, **options):
    ganlab.seed(seed)
    model = cls(ProgressiveGenerator(LATENT, SIZE, 1, 8), ProgressiveDiscriminator(SIZE, 1, 8),
                seed=seed)
    model.compile(keras.optimizers.Adam(1e-2, beta_1=0.0, beta_2=0.99),
                  keras.optimizers.Adam(1e-2, beta_1=0.0, beta_2=0.99), **options)
    return model


def real(n=8, side=SIZE, seed=0):
    return np.tanh(np.random.default_rng(seed).normal(size=(n, side, side, 1))).astype("float32")


def values(variables):
    return [np.array(v.numpy()) for v in variables]


def test_drift_is_the_mean_squared_real_score():
    """Karras 2018, Appendix A.1: epsilon_drift E[D(x)^2]; (1 + 4 + 9 + 0) / 4 = 3.5."""
    assert float(losses.drift_penalty(np.array([[1.0], [-2.0], [3.0], [0.0]]))) == 3.5


def test_critic_loss_is_wgan_gp_plus_drift():
    model = make(drift_weight=0.001)
    assert (model.gp_weight, model.drift_weight, model.n_critic) == (10.0, 0.001, 1)
    x = real(8, 4)
    scores = np.asarray(model.discriminator(x))  # before the update
    loss, estimate, penalty, drift = model.critic_step(x)
    assert float(drift) == pytest.approx(float(np.mean(scores**2)), rel=1e-5)
    assert float(loss) == pytest.approx(-float(estimate) + 10.0 * float(penalty)
                                        + 0.001 * float(drift), rel=1e-5)
    big = make(drift_weight=1.0)  # the weight enters: same draws, drift weighted 1000x more
    loss2, estimate2, penalty2, drift2 = big.critic_step(x)
    assert float(loss2) == pytest.approx(-float(estimate2) + 10.0 * float(penalty2)
                                         + float(drift2), rel=1e-5)
    assert float(drift2) > 0


def test_d_step_leaves_g_alone_and_g_step_leaves_d_alone():
    model = make()
    model.set_phase(1, fade_steps=4)
    model.set_alpha(0.5)
    g0, d0 = values(model.generator.weights), values(model.discriminator.weights)
    model.critic_step(real(8, 8))
    for a, b in zip(g0, model.generator.weights, strict=True):
        np.testing.assert_array_equal(a, b.numpy())
    moved = {v.path for a, v in zip(d0, model.discriminator.weights, strict=True)
             if np.any(a != v.numpy())}
    assert moved == {v.path for v in model.discriminator.phase_trainable_variables()}
    d1 = values(model.discriminator.weights)
    model.generator_step(8)
    for a, b in zip(d1, model.discriminator.weights, strict=True):
        np.testing.assert_array_equal(a, b.numpy())
    moved = {v.path for a, v in zip(g0, model.generator.weights, strict=True)
             if np.any(a != v.numpy())}
    assert moved == {v.path for v in model.generator.phase_trainable_variables()}
    assert not any(p.startswith(("b16", "to_rgb16")) for p in moved)  # the next block waits


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.alphas = []

    def on_train_batch_end(self, batch, logs=None):
        self.alphas.append((float(self.model.generator.alpha.numpy()),
                            float(self.model.discriminator.alpha.numpy())))


def test_alpha_goes_from_0_to_1_over_fade_steps_then_stays():
    model = make()
    model.set_phase(2, fade_steps=4)
    assert float(model.generator.alpha.numpy()) == 0.0
    rec = Recorder()
    model.fit(real(48), batch_size=8, epochs=1, verbose=0, callbacks=[rec])
    assert rec.alphas == [(a, a) for a in (0.0, 0.25, 0.5, 0.75, 1.0, 1.0)]
    assert float(model.phase_step.numpy()) == 6.0
    model.set_phase(0)
    assert float(model.generator.alpha.numpy()) == 1.0  # nothing to fade at 4x4


def test_reals_are_pooled_to_the_phase_and_blended_while_fading():
    model = make()
    x = real(4, 16)
    model.set_phase(0)
    np.testing.assert_allclose(model.phase_reals(x, 1.0), downsample(x, 4), rtol=1e-6)
    model.set_phase(1)
    at8 = np.asarray(downsample(x, 2))
    np.testing.assert_allclose(model.phase_reals(x, 1.0), at8, rtol=1e-6)
    coarse = np.asarray(upsample2x(downsample(at8)))
    np.testing.assert_allclose(model.phase_reals(x, 0.25), 0.75 * coarse + 0.25 * at8,
                               rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="multiple of the phase's resolution 8"):
        model.phase_reals(real(4, 12), 1.0)


class Counting(ProGAN):
    """Counts the Python runs of train_step: one per trace of the train function."""

    traces = 0

    def train_step(self, data):
        self.traces += 1
        return super().train_step(data)


def test_alpha_moves_without_retracing_and_a_phase_change_traces_once():
    model = make(cls=Counting)
    model.set_phase(1, fade_steps=3)
    model.fit(real(32), batch_size=8, epochs=2, verbose=0)
    assert model.traces == 1 and float(model.generator.alpha.numpy()) == 1.0
    model.set_phase(2, fade_steps=3)
    model.fit(real(32), batch_size=8, epochs=1, verbose=0)
    assert model.traces == 2


def test_a_phase_change_keeps_the_trained_weights_and_the_function():
    model = make()
    model.fit(real(32), batch_size=8, epochs=1, verbose=0)  # phase 0, 4 steps
    z = np.random.default_rng(1).normal(size=(4, LATENT)).astype("float32")
    out4 = np.asarray(model.generator(z))
    at8 = downsample(real(8), 2)
    scores4 = np.asarray(model.discriminator(downsample(at8)))
    trained = values(model.generator.weights[1:] + model.discriminator.weights[1:])  # not alpha
    model.set_phase(1, fade_steps=4)
    for a, b in zip(trained, model.generator.weights[1:] + model.discriminator.weights[1:],
                    strict=True):
        np.testing.assert_array_equal(a, b.numpy())
    # At alpha 0 the grown nets compute what the trained ones did.
    np.testing.assert_array_equal(model.generator(z), upsample2x(out4))
    np.testing.assert_array_equal(model.discriminator(at8), scores4)
    before = {v.path: v.numpy() for v in model.generator.weights}
    model.fit(real(16), batch_size=8, epochs=1, verbose=0)
    after = {v.path: v.numpy() for v in model.generator.weights}
    assert np.any(before["b8_conv0/kernel"] != after["b8_conv0/kernel"])
    np.testing.assert_array_equal(before["b16_conv0/kernel"], after["b16_conv0/kernel"])
    assert model.generate(3).shape == (3, 8, 8, 1)


def test_same_seed_same_steps():
    a, b = make(seed=3), make(seed=3)
    for m in (a, b):
        m.set_phase(1, fade_steps=2)
        m.fit(real(16), batch_size=8, epochs=1, verbose=0)
    for x, y in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_save_load_round_trip_mid_fade(tmp_path):
    model = make()
    model.set_phase(1, fade_steps=4)
    model.fit(real(16), batch_size=8, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is ProGAN and (loaded.phase, loaded.fade_steps) == (1, 4)
    assert float(loaded.phase_step.numpy()) == 2.0
    assert float(loaded.generator.alpha.numpy()) == float(model.generator.alpha.numpy()) == 0.25
    for x, y in zip(loaded.weights, model.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    z = np.random.default_rng(0).normal(size=(4, LATENT)).astype("float32")
    np.testing.assert_array_equal(loaded.generate(z=z), model.generate(z=z))
    np.testing.assert_array_equal(loaded.discriminator(real(8, 8)), model.discriminator(real(8, 8)))
    for net in ("generator", "discriminator"):
        net_path = tmp_path / f"{net}.keras"
        getattr(model, net).save(net_path)
        again = keras.saving.load_model(net_path)
        assert again.phase == 1
        for x, y in zip(again.weights, getattr(model, net).weights, strict=True):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


@pytest.mark.parametrize("options, match", [
    (dict(drift_weight=-1.0), "drift_weight must be a number >= 0. Received: drift_weight=-1.0"),
    (dict(gp_weight="10"), "gp_weight must be a number >= 0"),
    (dict(r1_gamma=1.0), "Unknown compile option"),
])
def test_bad_options(options, match):
    with pytest.raises(ValueError, match=match):
        make(**options)


def test_bad_phases_and_nets():
    model = make()
    with pytest.raises(ValueError, match=r"phase must be an integer in \[0, 2\].*Received: phase=3"):
        model.set_phase(3)
    with pytest.raises(ValueError, match="fade_steps must be an integer >= 1. Received: fade_steps=0"):
        model.set_phase(1, fade_steps=0)
    with pytest.raises(ValueError, match="same resolutions"):
        ProGAN(ProgressiveGenerator(LATENT, 16), ProgressiveDiscriminator(32))


def test_two_replica_steps_equal_one_device_steps_across_a_phase_change():
    script = Path(__file__).with_name("mirrored_progan_check.py")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["min_kernel_move"] > 1e-6  # the steps did something
    assert r["max_weight_diff"] < 1e-5, r
    assert r["phase_step"] == [3.0, 3.0], r
    assert r["control_diff"] > 1e-3, r  # z not sliced per replica: caught
    assert r["logs_single"]["alpha"] == r["logs_mirrored"]["alpha"] == 0.5  # mean of 0, .5, 1
    for key, value in r["logs_single"].items():
        assert r["logs_mirrored"][key] == pytest.approx(value, rel=1e-5, abs=1e-6), key
