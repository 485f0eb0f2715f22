"""WGAN and WGAN-GP: n_critic, clipping, the penalty's epsilon, serialisation, errors.

The two-replica check is in test_wgan_mirrored.py."""

import keras
import numpy as np
import pytest

import ganlab
from ganlab.models import WGAN, WGANGP
from ganlab.nets import mlp_discriminator, mlp_generator


def make(cls, seed=0, **options):
    ganlab.seed(seed)
    model = cls(mlp_generator(2, 2, (8,)), mlp_discriminator(2, (8,)), seed=seed)
    if cls is WGAN:
        opts = [keras.optimizers.RMSprop(1e-2) for _ in range(2)]
    else:
        opts = [keras.optimizers.Adam(1e-2, beta_1=0.0, beta_2=0.9) for _ in range(2)]
    model.compile(*opts, **options)
    return model


def real_batch(n=16, seed=0):
    return np.random.default_rng(seed).normal(2.0, 0.5, (n, 2)).astype("float32")


@pytest.mark.parametrize("cls", [WGAN, WGANGP])
@pytest.mark.parametrize("n_critic", [1, 5])
def test_n_critic_steps_per_generator_step(cls, n_critic):
    model = make(cls, n_critic=n_critic)
    model.fit(real_batch(8 * n_critic), batch_size=8 * n_critic, epochs=1, verbose=0)  # one step
    assert int(model.d_optimizer.iterations) == n_critic
    assert int(model.g_optimizer.iterations) == 1


def test_default_n_critic_is_five():
    model = make(WGAN)
    assert model.n_critic == 5 and model.clip_value == 0.01
    gp = make(WGANGP)
    assert gp.n_critic == 5 and gp.gp_weight == 10.0


def test_every_critic_weight_clipped_after_a_step():
    model = make(WGAN, n_critic=2, clip_value=0.01)
    # Start well outside [-c, c] so the clip has work to do.
    for v in model.critic.trainable_variables:
        v.assign(np.full(v.shape, 0.5, "float32"))
    model.fit(real_batch(32), batch_size=32, epochs=1, verbose=0)
    for v in model.critic.trainable_variables:
        w = np.asarray(v)
        assert np.all(np.abs(w) <= 0.01 + 1e-7), v.path
    assert any(np.any(np.abs(np.asarray(v)) >= 0.01 - 1e-7)
               for v in model.critic.trainable_variables)


def test_critic_step_clips_and_leaves_generator_alone():
    model = make(WGAN, clip_value=0.05)
    g0 = [np.array(w) for w in model.generator.weights]
    model.critic_step(real_batch())
    for a, b in zip(g0, model.generator.weights, strict=True):
        np.testing.assert_array_equal(a, np.asarray(b))
    assert all(np.max(np.abs(np.asarray(v))) <= 0.05 + 1e-7
               for v in model.critic.trainable_variables)


def test_wgan_gp_does_not_clip():
    model = make(WGANGP, n_critic=1)
    for v in model.critic.trainable_variables:
        v.assign(np.full(v.shape, 0.5, "float32"))
    model.critic_step(real_batch())
    assert max(np.max(np.abs(np.asarray(v))) for v in model.critic.trainable_variables) > 0.4


def test_generator_step_leaves_critic_alone():
    model = make(WGANGP)
    d0 = [np.array(w) for w in model.critic.weights]
    model.generator_step(16)
    for a, b in zip(d0, model.critic.weights, strict=True):
        np.testing.assert_array_equal(a, np.asarray(b))


def test_trackers_and_wasserstein_estimate_is_minus_critic_loss():
    model = make(WGAN, n_critic=1)
    logs = model.fit(real_batch(16), batch_size=16, epochs=1, verbose=0).history
    assert set(logs) == {"critic_loss", "wasserstein_estimate", "g_loss"}
    assert logs["wasserstein_estimate"][0] == pytest.approx(-logs["critic_loss"][0])
    gp = make(WGANGP, n_critic=1, gp_weight=10.0)
    logs = gp.fit(real_batch(16), batch_size=16, epochs=1, verbose=0).history
    assert set(logs) == {"critic_loss", "wasserstein_estimate", "gradient_penalty", "g_loss"}
    assert logs["critic_loss"][0] == pytest.approx(
        -logs["wasserstein_estimate"][0] + 10.0 * logs["gradient_penalty"][0], rel=1e-4)


def test_epsilon_uniform_per_example_and_differs():
    model = make(WGANGP)
    eps = np.asarray(model.draw_epsilon(256, 4))
    assert eps.shape == (256, 1, 1, 1)
    assert eps.min() >= 0.0 and eps.max() <= 1.0
    assert len(np.unique(eps)) == 256
    # U[0, 1], not a normal: mean 1/2, variance 1/12.
    assert abs(eps.mean() - 0.5) < 0.06 and abs(eps.var() - 1 / 12) < 0.02
    assert not np.array_equal(eps, np.asarray(model.draw_epsilon(256, 4)))


def test_gp_weight_zero_is_plain_critic_loss():
    model = make(WGANGP, n_critic=1, gp_weight=0.0)
    logs = model.fit(real_batch(16), batch_size=16, epochs=1, verbose=0).history
    assert logs["critic_loss"][0] == pytest.approx(-logs["wasserstein_estimate"][0])


def test_same_seed_same_step():
    a = make(WGANGP, seed=4, n_critic=2)
    b = make(WGANGP, seed=4, n_critic=2)
    for m in (a, b):
        m.fit(real_batch(16), batch_size=16, epochs=1, verbose=0, shuffle=False)
    for x, y in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


@pytest.mark.parametrize("cls", [WGAN, WGANGP])
def test_save_load_round_trip(cls, tmp_path):
    model = make(cls, n_critic=1)
    model.fit(real_batch(16), batch_size=16, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is cls
    z = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    np.testing.assert_allclose(loaded.generator(z), model.generator(z), atol=1e-6)


@pytest.mark.parametrize("options, match", [
    (dict(n_critic=0), "n_critic must be an integer >= 1. Received: n_critic=0"),
    (dict(n_critic=2.5), "n_critic"),
    (dict(clip_value=0), "clip_value .* > 0. Received: clip_value=0"),
    (dict(clip_value=-0.01), "clip_value"),
    (dict(gp_weight=1.0), "gp_weight"),
])
def test_wgan_bad_options(options, match):
    with pytest.raises(ValueError, match=match):
        make(WGAN, **options)


@pytest.mark.parametrize("options, match", [
    (dict(gp_weight=-1.0), "gp_weight .* >= 0. Received: gp_weight=-1.0"),
    (dict(clip_value=0.01), "clip_value"),
    (dict(n_critic=True), "n_critic"),
])
def test_wgan_gp_bad_options(options, match):
    with pytest.raises(ValueError, match=match):
        make(WGANGP, **options)
