"""The GAN model: Algorithm 1's step structure, seeds, serialisation, errors."""

import keras
import numpy as np
import pytest

import ganlab
from ganlab.models import GAN
from ganlab.nets import mlp_discriminator, mlp_generator


def make_gan(seed=0, latent_dim=2, **compile_options):
    ganlab.seed(seed)
    gan = GAN(mlp_generator(latent_dim, 1, (8,)), mlp_discriminator(1, (8,)), seed=seed)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2), **compile_options)
    return gan


def weights(model):
    return [np.array(w) for w in model.weights]


def assert_same(before, after):
    assert len(before) == len(after)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def assert_all_changed(before, after):
    for a, b in zip(before, after, strict=True):
        assert not np.array_equal(a, b)


def real_batch(n=16, seed=0):
    return np.random.default_rng(seed).normal(4.0, 0.5, (n, 1)).astype("float32")


def test_discriminator_step_leaves_generator_bit_identical():
    gan = make_gan()
    g0, d0 = weights(gan.generator), weights(gan.discriminator)
    gan.discriminator_step(real_batch())
    assert_same(g0, weights(gan.generator))
    assert_all_changed(d0, weights(gan.discriminator))


def test_generator_step_leaves_discriminator_bit_identical():
    gan = make_gan()
    g0, d0 = weights(gan.generator), weights(gan.discriminator)
    gan.generator_step(16)
    assert_same(d0, weights(gan.discriminator))
    assert_all_changed(g0, weights(gan.generator))


@pytest.mark.parametrize("k", [1, 3])
def test_k_discriminator_steps_per_generator_step(k):
    gan = make_gan(d_steps=k)
    gan.fit(real_batch(16 * k * 2), batch_size=16 * k, epochs=1, verbose=0)  # 2 train steps
    assert int(gan.d_optimizer.iterations) == 2 * k
    assert int(gan.g_optimizer.iterations) == 2


def test_each_discriminator_step_sees_a_fresh_minibatch():
    from ganlab.models.base import split_minibatches

    batch = np.arange(12.0).reshape(12, 1)
    parts = [np.asarray(p) for p in split_minibatches(batch, 3)]
    assert [len(p) for p in parts] == [4, 4, 4]
    assert sorted(np.concatenate(parts).ravel().tolist()) == list(range(12))


def test_trackers_report_the_step_figures():
    gan = make_gan()
    logs = gan.fit(real_batch(32), batch_size=16, epochs=1, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert 0.0 <= logs["d_real"][0] <= 1.0 and 0.0 <= logs["d_fake"][0] <= 1.0


def test_minimax_generator_loss_is_selected():
    gan = make_gan(generator_loss="minimax")
    logs = gan.fit(real_batch(16), batch_size=16, epochs=1, verbose=0).history
    assert logs["g_loss"][0] < 0  # log(1 - D) < 0; the non-saturating loss is > 0


def test_same_seed_same_samples_different_seed_different():
    a = make_gan(seed=5).generate(100)
    b = make_gan(seed=5).generate(100)
    c = make_gan(seed=6).generate(100)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_training_is_repeatable_with_the_same_seed():
    def train(seed):
        gan = make_gan(seed=seed)
        gan.fit(real_batch(64), batch_size=16, epochs=2, verbose=0)
        return weights(gan.generator)

    assert_same(train(3), train(3))


def test_generator_round_trips_through_keras_file(tmp_path):
    gan = make_gan()
    gan.fit(real_batch(32), batch_size=16, epochs=1, verbose=0)
    gan.generator.save(tmp_path / "generator.keras")
    gan.discriminator.save(tmp_path / "discriminator.keras")
    z = np.random.default_rng(0).normal(size=(50, 2)).astype("float32")
    g = keras.saving.load_model(tmp_path / "generator.keras")
    np.testing.assert_array_equal(g.predict(z, verbose=0), gan.generator.predict(z, verbose=0))


def test_whole_model_round_trips_through_config():
    gan = make_gan()
    clone = GAN.from_config(gan.get_config())
    assert clone.latent_dim == 2 and clone.seed == 0
    assert clone.generator.count_params() == gan.generator.count_params()


def test_minibatch_discriminator_round_trips(tmp_path):
    d = mlp_discriminator(1, (8,), minibatch_features="discrimination")
    d.save(tmp_path / "d.keras")
    x = np.linspace(-1, 1, 16).reshape(16, 1).astype("float32")
    d2 = keras.saving.load_model(tmp_path / "d.keras")
    np.testing.assert_allclose(d2.predict(x, verbose=0), d.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("options, match", [
    ({"generator_loss": "wasserstein"}, "generator_loss"),
    ({"d_steps": 0}, "d_steps"),
    ({"d_steps": 1.5}, "d_steps"),
    ({"n_critic": 5}, "Unknown compile option"),
])
def test_bad_compile_options(options, match):
    with pytest.raises(ValueError, match=match):
        make_gan(**options)


def test_bad_latent_arguments():
    g, d = mlp_generator(2, 1), mlp_discriminator(1)
    with pytest.raises(ValueError, match="latent_distribution"):
        GAN(g, d, latent_distribution="cauchy")
    with pytest.raises(ValueError, match="latent_dim"):
        GAN(g, d, latent_dim=3)
    with pytest.raises(ValueError, match="g_optimizer"):
        GAN(g, d).compile("adam", keras.optimizers.Adam())


@pytest.mark.parametrize("bad", [0.0, 1.5, "0.9", True])
def test_bad_real_label(bad):
    with pytest.raises(ValueError, match="real_label"):
        make_gan(real_label=bad)


def test_real_label_sets_the_discriminator_target():
    # Same weights, same batch, same noise: the D loss is the smoothed one.
    from ganlab import losses

    x = real_batch()
    z = np.random.default_rng(1).normal(size=(16, 2)).astype("float32")
    gan = make_gan(real_label=0.9)
    real_logits = gan.discriminator(x)
    fake_logits = gan.discriminator(gan.generator(z, training=True))
    expected = float(losses.minimax_discriminator_loss(real_logits, fake_logits, real_label=0.9))
    plain = float(losses.minimax_discriminator_loss(real_logits, fake_logits))
    d_loss, _, _ = gan.discriminator_step(x, z=z)
    assert float(d_loss) == pytest.approx(expected, rel=1e-5)
    assert abs(expected - plain) > 1e-3


def _batchnorm_gan(seed=0, **optimizer_options):
    from ganlab.nets import dcgan_discriminator, dcgan_generator

    ganlab.seed(seed)
    gan = GAN(dcgan_generator(2, 8, 1, 4), dcgan_discriminator(8, 1, 4), seed=seed)
    gan.compile(keras.optimizers.Adam(0.05, **optimizer_options), keras.optimizers.Adam(1e-3))
    return gan


def _batchnorm_statistics(generator, z):
    """(moving, measured) mean and variance of each batchnorm layer's input on z."""
    norms = [layer for layer in generator.layers if isinstance(layer, keras.layers.BatchNormalization)]
    probe = keras.Model(generator.input, {layer.name: layer.input for layer in norms})
    inputs = probe(z)
    out = []
    for layer in norms:
        h = np.asarray(inputs[layer.name])
        h = h.reshape(-1, h.shape[-1])
        out.append((np.asarray(layer.moving_mean), h.mean(0), np.asarray(layer.moving_variance), h.var(0)))
    return norms, out


def test_weight_averaged_generator_gets_batchnorm_statistics_of_its_own_weights():
    # A large G learning rate and a slow average: the averaged weights are far
    # from the last live ones, whose statistics batchnorm has collected.
    images = np.random.default_rng(0).uniform(-1, 1, (64, 8, 8, 1)).astype("float32")
    z = np.random.default_rng(2).normal(size=(4096, 2)).astype("float32")
    gan = _batchnorm_gan(use_ema=True, ema_momentum=0.99)
    gan.fit(images, batch_size=16, epochs=3, verbose=0)
    norms, stats = _batchnorm_statistics(gan.generator, z)
    assert len(norms) == 1
    assert all(layer.momentum == 0.9 for layer in norms)  # restored
    for moving_mean, mean, moving_var, var in stats:
        np.testing.assert_allclose(moving_mean, mean, atol=0.05 * np.sqrt(var.min()))
        np.testing.assert_allclose(moving_var, var, rtol=0.1)
    # the live statistics were far off: recalibration is what put them right
    gan = _batchnorm_gan(use_ema=True, ema_momentum=0.99)
    gan.recalibrate_batchnorm = lambda *a, **k: 0
    gan.fit(images, batch_size=16, epochs=3, verbose=0)
    _, stale = _batchnorm_statistics(gan.generator, z)
    assert any(not np.allclose(mv, v, rtol=0.1) for _, _, mv, v in stale)


def test_recalibrate_batchnorm_without_batchnorm_is_a_no_op():
    gan = make_gan()
    before = weights(gan.generator)
    assert gan.recalibrate_batchnorm() == 0
    assert_same(before, weights(gan.generator))


def test_random_translation_shifts_each_image_by_whole_pixels_and_passes_gradients():
    import tensorflow as tf

    from ganlab.models.gan import random_translation

    x = -np.ones((64, 7, 9, 1), "float32")
    x[:, 3, 4, 0] = 1.0  # one bright pixel, well inside the frame
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = random_translation(x, 2, keras.random.SeedGenerator(0))
        total = tf.reduce_sum(y[:, 3, 4, 0])
    y = np.asarray(y)
    bright = [np.argwhere(img[..., 0] > 0) for img in y]
    assert all(len(b) == 1 for b in bright)  # moved, not blurred, not lost
    moves = np.array([b[0] - (3, 4) for b in bright])
    assert np.abs(moves).max() == 2 and len({tuple(m) for m in moves}) > 10
    np.testing.assert_array_equal(np.sort(y.reshape(64, -1), 1), np.sort(np.asarray(x).reshape(64, -1), 1))
    grad = np.asarray(tape.gradient(total, x))
    assert grad.sum() == pytest.approx(64.0)  # each output pixel comes from one input pixel


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_bad_translation(bad):
    with pytest.raises(ValueError, match="translation"):
        make_gan(translation=bad)
