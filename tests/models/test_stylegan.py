"""StyleGAN: variable isolation, style mixing, w_avg, truncation, R1, serialisation, replicas."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganlab
from ganlab import losses
from ganlab.models import StyleGAN
from ganlab.nets import mapping_network, style_discriminator, synthesis_network
from ganlab.nets.stylegan import draw_noise, mix_styles, style_count, synthesize

SIZE = 8


def make(seed=0, **options):
    ganlab.seed(seed)
    model = StyleGAN(mapping_network(8, 8, 3), synthesis_network(SIZE, 1, 8, 8),
                     style_discriminator(SIZE, 1, 8), seed=seed)
    model.compile(keras.optimizers.Adam(1e-2, beta_1=0.0, beta_2=0.99),
                  keras.optimizers.Adam(1e-2, beta_1=0.0, beta_2=0.99), **options)
    return model


def real(n=8, seed=0):
    return np.tanh(np.random.default_rng(seed).normal(size=(n, SIZE, SIZE, 1))).astype("float32")


def values(variables):
    return [np.array(v.numpy()) for v in variables]


def test_mapping_network_has_the_papers_parameter_count():
    """Karras 2019's f: 8 layers of 512 -> 8 * (512 * 512 + 512) = 2,101,248 (the reference
    code's G_mapping); here the layer count is an argument."""
    assert mapping_network(512, 512, 8).count_params() == 2_101_248
    assert mapping_network(32, 32, 2).count_params() == 2 * (32 * 32 + 32)
    lr = [layer.lr_multiplier for layer in mapping_network(8, 8, 8).layers
          if hasattr(layer, "lr_multiplier")]
    assert lr == [0.01] * 8


def test_synthesis_has_two_styles_and_noises_per_resolution():
    g = synthesis_network(32, 1, 16, 8)
    assert style_count(32) == 8 and g.inputs[0].shape[1:] == (8, 16)
    assert [tuple(t.shape[1:]) for t in g.inputs[1:]] == [(r, r, 1) for r in (4, 4, 8, 8, 16, 16,
                                                                              32, 32)]
    assert len([layer for layer in g.layers if type(layer).__name__ == "AdaIN"]) == 8
    assert len([layer for layer in g.layers if type(layer).__name__ == "NoiseInput"]) == 8
    assert g.get_layer("const").constant.shape == (1, 4, 4, 8)


def test_discriminator_step_leaves_generator_alone_and_generator_step_leaves_d_alone():
    model = make()
    g0, d0 = values(model.generator.weights), values(model.discriminator.weights)
    model.discriminator_step(real())
    for a, b in zip(g0, model.generator.weights, strict=True):
        np.testing.assert_array_equal(a, b.numpy())
    assert any(np.any(a != b.numpy()) for a, b in zip(d0, model.discriminator.weights, strict=True))
    d1 = values(model.discriminator.weights)
    model.generator_step(8)
    for a, b in zip(d1, model.discriminator.weights, strict=True):
        np.testing.assert_array_equal(a, b.numpy())
    still = [b.path for a, b in zip(g0, model.generator.weights, strict=True) if np.all(a == b.numpy())]
    # Every G variable (mapping, styles, noise scales, constant) learns, but one: the
    # constant starts flat (ones) and its noise scale at 0, so the first AdaIN sees
    # x - mu(x) = 0 and its y_s has no gradient until the noise or constant moves.
    assert still == ["b4_const_style_scale/kernel", "b4_const_style_scale/bias"], still
    assert len(model.generator.trainable_variables) == (
        len(model.mapping.trainable_variables) + len(model.synthesis.trainable_variables))


def test_one_fit_step_updates_each_optimizer_once_and_tracks():
    model = make()
    logs = model.fit(real(8), batch_size=8, epochs=1, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss", "r1", "d_real", "d_fake"}
    assert int(model.d_optimizer.iterations) == 1 and int(model.g_optimizer.iterations) == 1


def test_style_mixing_takes_w1_before_the_crossover_and_w2_after():
    model = make(mixing_prob=1.0)
    num_ws = model.num_ws
    ws, w1 = (np.asarray(t) for t in model.mixed_styles(400))
    crossovers = []
    for sample, first in zip(ws, w1, strict=True):
        same = np.all(sample == first, axis=1)
        c = int(np.argmin(same))  # the first layer that is not w1
        assert same[:c].all() and not same[c:].any()
        assert np.all(sample[c:] == sample[-1])  # one second latent
        crossovers.append(c)
    assert set(crossovers) == set(range(1, num_ws))  # uniform over 1 .. num_ws - 1
    counts = np.bincount(crossovers, minlength=num_ws)[1:]
    assert counts.min() > 400 / (num_ws - 1) * 0.6
    # mixing_prob 0: every layer gets w1
    plain = make(mixing_prob=0.0)
    ws, w1 = (np.asarray(t) for t in plain.mixed_styles(16))
    np.testing.assert_array_equal(ws, np.repeat(w1[:, None], plain.num_ws, axis=1))


def test_mixing_probability_is_per_sample():
    model = make(mixing_prob=0.5)
    ws, w1 = (np.asarray(t) for t in model.mixed_styles(1000))
    unmixed = np.mean(np.all(ws == w1[:, None], axis=(1, 2)))
    assert abs(unmixed - 0.5) < 0.06


def test_w_avg_is_an_exponential_average_of_w():
    model = make()
    w = np.random.default_rng(0).normal(size=(6, 8)).astype("float32")
    model.track_w_avg(w)
    np.testing.assert_allclose(model.w_avg.numpy(), 0.005 * w.mean(axis=0), rtol=1e-5, atol=1e-7)
    model.track_w_avg(2 * w)
    np.testing.assert_allclose(model.w_avg.numpy(),
                               0.995 * 0.005 * w.mean(axis=0) + 0.005 * 2 * w.mean(axis=0),
                               rtol=1e-5, atol=1e-7)


def test_truncation_psi_0_is_the_average_and_1_is_untouched():
    model = make()
    model.w_avg.assign(np.arange(8, dtype="float32"))
    z = np.random.default_rng(1).normal(size=(5, 8)).astype("float32")
    w = model.mapping.predict(z, verbose=0)
    np.testing.assert_allclose(model.truncate(w, 0.0), np.tile(np.arange(8.0), (5, 1)))
    np.testing.assert_allclose(model.truncate(w, 1.0), w, atol=1e-5)
    np.testing.assert_allclose(model.truncate(w, 0.5), 0.5 * (w + np.arange(8.0)), rtol=1e-6)
    at_zero = model.generate(z=z, psi=0.0, noise_seed=3)
    noise = draw_noise(model.synthesis, 5, 3)
    expected = synthesize(model.synthesis, np.tile(np.arange(8, dtype="float32"), (5, 1)), noise)
    np.testing.assert_allclose(at_zero, expected, atol=1e-5)  # every z: the average w
    np.testing.assert_allclose(model.generate(z=z, noise_seed=3),
                               synthesize(model.synthesis, w, draw_noise(model.synthesis, 5, 3)),
                               atol=1e-5)


def test_mix_styles_helper():
    a, b = np.zeros((2, 3)), np.ones((2, 3))
    ws = mix_styles(a, b, 2, 5)
    assert ws.shape == (2, 5, 3)
    np.testing.assert_array_equal(ws[:, :2], 0.0)
    np.testing.assert_array_equal(ws[:, 2:], 1.0)


def test_r1_is_the_squared_input_gradient_norm():
    """D(x) = sum(a * x): grad_x D = a for every x, so R1 = sum(a^2)."""
    a = np.arange(1.0, 5.0, dtype="float32").reshape(1, 2, 2, 1)

    def d(x, training=True):
        return tf.reduce_sum(a * x, axis=[1, 2, 3])[:, None]

    x = tf.constant(np.random.default_rng(0).normal(size=(3, 2, 2, 1)).astype("float32"))
    penalty, logits = losses.r1_penalty(d, x)
    assert float(penalty) == pytest.approx(1 + 4 + 9 + 16)
    np.testing.assert_allclose(logits, d(x))

    def quadratic(x, training=True):  # D(x) = sum(x^2) / 2: grad = x, R1 = mean ||x||^2
        return 0.5 * tf.reduce_sum(x * x, axis=[1, 2, 3])[:, None]

    penalty, _ = losses.r1_penalty(quadratic, x)
    assert float(penalty) == pytest.approx(float(np.mean(np.sum(x.numpy() ** 2, axis=(1, 2, 3)))),
                                           rel=1e-5)


def test_r1_gamma_weights_the_penalty_in_d_loss():
    logs = make(r1_gamma=0.0).fit(real(8), batch_size=8, epochs=1, verbose=0).history
    with_r1 = make(r1_gamma=10.0).fit(real(8), batch_size=8, epochs=1, verbose=0).history
    assert with_r1["d_loss"][0] == pytest.approx(logs["d_loss"][0] + 5.0 * with_r1["r1"][0],
                                                 rel=1e-4)


def test_same_seed_same_steps():
    a, b = make(seed=4), make(seed=4)
    for m in (a, b):
        m.fit(real(16), batch_size=8, epochs=1, verbose=0, shuffle=False)
    for x, y in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_save_load_round_trip(tmp_path):
    model = make()
    model.fit(real(8), batch_size=8, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is StyleGAN and loaded.w_avg_beta == model.w_avg_beta
    np.testing.assert_array_equal(loaded.w_avg.numpy(), model.w_avg.numpy())
    z = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    np.testing.assert_allclose(loaded.generate(z=z, psi=0.7), model.generate(z=z, psi=0.7),
                               atol=1e-6)
    for net in ("mapping", "synthesis", "discriminator"):
        net_path = tmp_path / f"{net}.keras"
        getattr(model, net).save(net_path)
        again = keras.saving.load_model(net_path)
        for x, y in zip(again.weights, getattr(model, net).weights, strict=True):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


@pytest.mark.parametrize("options, match", [
    (dict(r1_gamma=-1.0), "r1_gamma must be a number >= 0. Received: r1_gamma=-1.0"),
    (dict(mixing_prob=1.5), "mixing_prob must be a number in \\[0, 1\\]"),
    (dict(n_critic=5), "Unknown compile option"),
])
def test_bad_options(options, match):
    with pytest.raises(ValueError, match=match):
        make(**options)


def test_bad_w_avg_beta_and_sizes():
    with pytest.raises(ValueError, match="w_avg_beta must be in \\[0, 1\\)"):
        StyleGAN(mapping_network(8, 8, 1), synthesis_network(SIZE, 1, 8, 8),
                 style_discriminator(SIZE, 1, 8), w_avg_beta=1.0)
    with pytest.raises(ValueError, match="image_size must be a power of two >= 4"):
        synthesis_network(24)
    with pytest.raises(ValueError, match="num_layers must be an integer >= 1"):
        mapping_network(8, 8, 0)


def test_two_replica_steps_equal_one_device_steps():
    script = Path(__file__).with_name("mirrored_stylegan_check.py")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["min_kernel_move"] > 1e-6  # the steps did something
    assert r["max_weight_diff"] < 1e-5, r
    assert r["w_avg_diff"] < 1e-6, r
    assert r["control_diff"] > 1e-2, r  # noise not sliced per replica: caught
    for key, value in r["logs_single"].items():
        assert r["logs_mirrored"][key] == pytest.approx(value, rel=1e-5, abs=1e-6), key
