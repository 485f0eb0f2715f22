"""GAN-CLS / GAN-INT (Reed 2016): the matching-aware loss by hand, step isolation, 2 replicas = 1."""

import json
import math
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import ganlab  # noqa: F401 (registers ganlab's serializables)
from ganlab import losses
from ganlab.data import captions as cap
from ganlab.models import GANCLS
from ganlab.nets.text import text_discriminator, text_encoder, text_generator

TEXT = 6


def make(seed=0, **options):
    ganlab.seed(seed)
    model = GANCLS(text_generator(4, TEXT, 16, 1, 4, 4), text_discriminator(TEXT, 16, 1, 4, 4),
                   seed=seed)
    model.compile(keras.optimizers.Adam(1e-2, beta_1=0.5), keras.optimizers.Adam(1e-2, beta_1=0.5),
                  **options)
    return model


def batch(n=8):
    rng = np.random.default_rng(0)
    return (rng.uniform(-1, 1, (n, 16, 16, 1)).astype("float32"),
            rng.normal(size=(n, TEXT)).astype("float32"))


def test_matching_aware_loss_by_hand():
    # logits 1, -2, 0.5: s_r = 0.7310586, s_w = 0.1192029, s_f = 0.6224593 (sigmoids by hand)
    want = -(math.log(0.7310586) + (math.log(1 - 0.1192029) + math.log(1 - 0.6224593)) / 2)
    got = float(losses.matching_aware_discriminator_loss([1.0], [-2.0], [0.5]))
    assert got == pytest.approx(want, abs=1e-6) and got == pytest.approx(0.8637642, abs=1e-6)
    # the wrong pair counts half, the real pair fully: means over each batch
    two = float(losses.matching_aware_discriminator_loss([1.0, 1.0], [-2.0, -2.0], [0.5, 0.5]))
    assert two == pytest.approx(got, abs=1e-6)


def test_joint_embedding_loss_prefers_matching_pairs():
    v = np.eye(4, dtype="float32")
    aligned = float(losses.symmetric_joint_embedding_loss(v, v, [0, 1, 2, 3]))
    shuffled = float(losses.symmetric_joint_embedding_loss(v, v[[1, 0, 3, 2]], [0, 1, 2, 3]))
    assert aligned < 0.01 < 10 < shuffled
    # by hand: 2 pairs, orthogonal, temperature 1: each row is -log(e / (e + 1)), twice (rows, columns)
    two = float(losses.symmetric_joint_embedding_loss(v[:2, :2], v[:2, :2], [0, 1], temperature=1.0))
    assert two == pytest.approx(2 * -math.log(math.e / (math.e + 1)), abs=1e-6)


def trainable(net):
    return [w.numpy().copy() for w in net.trainable_weights]


@pytest.mark.parametrize("step", ["d", "g"])
def test_each_step_moves_only_its_own_net(step):
    model = make()
    x, t = batch()
    g0, d0 = trainable(model.generator), trainable(model.discriminator)
    if step == "d":
        model.discriminator_step(x, t)
    else:
        model.generator_step(t)
    g1, d1 = trainable(model.generator), trainable(model.discriminator)
    kept, moved = (g0, g1), (d0, d1)
    if step == "g":
        kept, moved = (d0, d1), (g0, g1)
    assert all(np.array_equal(a, b) for a, b in zip(*kept, strict=True))
    assert all(np.abs(a - b).max() > 0 for a, b in zip(*moved, strict=True))


def test_wrong_texts_and_interpolation():
    model = make()
    _, t = batch()
    wrong = np.asarray(model.wrong_texts(t))
    np.testing.assert_array_equal(wrong, np.roll(t, 1, axis=0))
    mixed = np.asarray(model.interpolated_texts(t))
    # beta = 0.5: each row is the midpoint of its text and another text of the batch
    partner = 2 * mixed - t
    assert all(any(np.allclose(p, row, atol=1e-5) for row in t) for p in partner)


def test_the_plain_variant_drops_the_wrong_pair():
    x, t = batch()
    plain, cls = make(matching_aware=False), make()
    d_plain = plain.discriminator_step(x, t)[0]
    _, l_r, l_w, l_f = cls.discriminator_step(x, t)
    assert float(d_plain) == pytest.approx(float(losses.minimax_discriminator_loss(l_r, l_f)),
                                           abs=1e-5)
    logs = make(interpolation_beta=None).fit(x, t, batch_size=8, epochs=1, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss", "s_real", "s_wrong", "s_fake"}


def test_bad_options_and_inputs():
    with pytest.raises(ValueError, match="interpolation_beta"):
        make(interpolation_beta=1.5)
    with pytest.raises(ValueError, match="matching_aware"):
        make(matching_aware="yes")
    with pytest.raises(ValueError, match="translation"):
        make(translation=1.5)
    with pytest.raises(ValueError, match=r"texts.*\(n, 6\)"):
        make().generate(np.zeros((2, 5), "float32"))


def test_text_encoder_shapes_and_determinism():
    enc = text_encoder(len(cap.VOCABULARY), cap.MAX_WORDS)
    ids = cap.tokenize_all(["a bold serif seven tilted left", "tilted right a mono 3 in thin"])
    a = np.asarray(enc(ids))
    assert a.shape == (2, 32) and np.array_equal(a, np.asarray(enc(ids)))
    assert np.abs(a[0] - a[1]).max() > 0
    assert enc.count_params() < 20_000


def test_round_trip(tmp_path):
    model = make()
    model.fit(*batch(), batch_size=8, epochs=1, verbose=0)
    z = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")
    t = np.random.default_rng(2).normal(size=(3, TEXT)).astype("float32")
    before = model.generate(t, z=z)
    model.generator.save(tmp_path / "g.keras")
    loaded = keras.saving.load_model(tmp_path / "g.keras")
    np.testing.assert_array_equal(loaded.predict([z, t], verbose=0), before)
    again = GANCLS.from_config(model.get_config())
    assert again.text_dim == TEXT


def test_two_replicas_equal_one_device():
    script = Path(__file__).with_name("mirrored_lab13_check.py")
    proc = subprocess.run([sys.executable, str(script), "gancls"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(result) == {"cls_int", "plain", "cls_int_shifted", "reed_d_shifted", "reed_d_plain",
                           "reed_d_g_every"}
    for name, r in result.items():
        assert r["min_kernel_move"] > 1e-4, name
        assert r["max_weight_diff"] < 1e-5, (name, r)
        for key, value in r["logs_single"].items():
            assert abs(value - r["logs_mirrored"][key]) < 1e-5, (name, key)


def count(net):
    return sum(int(np.prod(w.shape)) for w in net.trainable_weights)


def test_text_net_options_by_hand(tmp_path):
    """Reed's D (text joined at the 4x4 map) and G with the text at every map: counts by hand."""
    g = text_generator(4, TEXT, 16, 1, 8, 5, inject="every")
    # projection 6*5+5; project 4*4*(4+5)*16 + bn 2*16; up1 4*4*(16+5)*8 + bn 2*8;
    # to_image 4*4*(8+5)*1 (no biases)
    assert count(g) == 35 + 2304 + 32 + 2688 + 16 + 208
    d = text_discriminator(TEXT, 16, 1, 8, 5, join="features")
    # down1 4*4*1*8; down2 4*4*8*16 + bn 2*16; projection 6*5+5; joint 1*1*(16+5)*16 + bn 2*16;
    # to_logit 4*4*16*1
    assert count(d) == 128 + 2048 + 32 + 35 + 336 + 32 + 256
    z = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")
    t = np.random.default_rng(2).normal(size=(3, TEXT)).astype("float32")
    x = np.asarray(g([z, t]))
    assert x.shape == (3, 16, 16, 1) and np.abs(x).max() <= 1
    # the text reaches G's last layer directly: changing it moves the image at fixed z
    assert np.abs(np.asarray(g([z, t[::-1]])) - x).max() > 0
    assert np.asarray(d([x, t])).shape == (3, 1)
    for net, inputs in ((g, [z, t]), (d, [x, t])):
        net.save(tmp_path / f"{net.name}.keras")
        loaded = keras.saving.load_model(tmp_path / f"{net.name}.keras")
        np.testing.assert_array_equal(np.asarray(loaded(inputs)), np.asarray(net(inputs)))


def test_text_net_options_are_checked():
    with pytest.raises(ValueError, match=r"`inject` must be one of \('input', 'every'\)"):
        text_generator(4, TEXT, 16, 1, 8, inject="middle")
    with pytest.raises(ValueError, match=r"`join` must be one of \('input', 'features'\)"):
        text_discriminator(TEXT, 16, 1, 8, join="late")
    with pytest.raises(ValueError, match="kernel_size"):
        text_encoder(len(cap.VOCABULARY), cap.MAX_WORDS, kernel_size=0)


def test_committed_encoder_ignores_word_order():
    """Window 1: the same words in another order give the same phi (held-out phrasings land home)."""
    from ganlab.recipes.lapgan_text import encode, load_text_encoder

    enc = load_text_encoder()
    a, b, c = encode(enc, ["a bold serif seven tilted left", "tilted left a serif seven bold",
                           "a bold serif one tilted left"])
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert np.abs(a - c).max() > 0.05


def _inference_gap(model, z, t):
    """Mean |G in inference mode - G in training mode (this batch's statistics)| on (z, t)."""
    g = model.generator
    return float(np.mean(np.abs(np.asarray(g([z, t], training=False))
                                - np.asarray(g([z, t], training=True)))))


def test_averaged_generator_gets_batchnorm_statistics_of_its_own_weights():
    # A large G learning rate and a slow average: after fit swaps the average in, the
    # moving statistics are the last live weights', far from the average's own.
    x, t = batch(16)
    texts = np.random.default_rng(3).normal(size=(4, TEXT)).astype("float32")
    ganlab.seed(0)
    model = GANCLS(text_generator(4, TEXT, 16, 1, 4, 4), text_discriminator(TEXT, 16, 1, 4, 4),
                   seed=0)
    model.compile(keras.optimizers.Adam(5e-2, beta_1=0.5, use_ema=True, ema_momentum=0.99),
                  keras.optimizers.Adam(1e-2, beta_1=0.5))
    model.fit(x, np.tile(texts, (4, 1)), batch_size=8, epochs=6, verbose=0)
    z = np.random.default_rng(4).normal(size=(2048, 4)).astype("float32")
    t_eval = np.tile(texts, (512, 1))  # the texts' mixture that recalibration draws from
    stale = _inference_gap(model, z, t_eval)
    g = model.generator
    moving = [w.numpy().copy() for w in g.non_trainable_weights]
    assert model.recalibrate_batchnorm(texts) == 2  # the project's and up1's batchnorm
    assert all(layer.momentum == 0.9 for layer in g.get_layer("dcgan_generator").layers
               if isinstance(layer, keras.layers.BatchNormalization))  # restored
    fresh = _inference_gap(model, z, t_eval)
    assert fresh < 0.2 * stale, (fresh, stale)
    assert any(np.abs(a - w.numpy()).max() > 0 for a, w in zip(moving, g.non_trainable_weights,
                                                               strict=True))
    with pytest.raises(ValueError, match=r"texts.*\(n >= 1, 6\)"):
        model.recalibrate_batchnorm(np.zeros((3, 5), "float32"))
