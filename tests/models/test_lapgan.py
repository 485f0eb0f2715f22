"""LAPGAN: levels trained independently, coarse-to-fine chain, round-trip, 2 replicas = 1 device."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import ganlab  # noqa: F401 (registers ganlab's serializables)
from ganlab.models import LAPGAN
from ganlab.models.lapgan import sample_chain
from ganlab.nets import dcgan_discriminator, dcgan_generator
from ganlab.nets.lapgan import residual_discriminator, residual_generator
from ganlab.nets.pyramid import upsample


def make(levels=2, seed=0, **options):
    ganlab.seed(seed)
    res_g = [residual_generator(4, 8 * 2 ** k, 1, 4) for k in range(1, levels)]
    res_d = [residual_discriminator(8 * 2 ** k, 1, 4) for k in range(1, levels)]
    model = LAPGAN(dcgan_generator(4, 8, 1, 4), dcgan_discriminator(8, 1, 4), res_g, res_d, seed=seed)
    model.compile(keras.optimizers.Adam(1e-2, beta_1=0.5), keras.optimizers.Adam(1e-2, beta_1=0.5),
                  **options)
    return model


def images(n=8, side=16):
    return np.random.default_rng(0).uniform(-1, 1, (n, side, side, 1)).astype("float32")


def trainable(net):
    return [w.numpy().copy() for w in net.trainable_weights]


def test_chain_is_coarse_to_fine_and_adds_residuals():
    model = make(3)
    levels, residuals = model.chain(3, seed=1)
    assert [x.shape[1] for x in levels] == [8, 16, 32]
    assert [h.shape[1] for h in residuals] == [16, 32]
    for k in (1, 2):  # I_k = u(I_{k-1}) + h_k
        np.testing.assert_allclose(levels[k], np.asarray(upsample(levels[k - 1])) + residuals[k - 1],
                                   atol=1e-6)
    assert model.generate(3).shape == (3, 32, 32, 1)


def test_each_level_step_moves_only_its_own_nets():
    model = make(2)
    x = images()
    from ganlab.nets.pyramid import laplacian_pyramid

    coarse, (h,) = laplacian_pyramid(x, 1)
    nets = [model.generator, model.discriminator] + model.residual_generators \
        + model.residual_discriminators
    before = [trainable(n) for n in nets]
    model.level_step(1, h, np.asarray(upsample(coarse)))
    after = [trainable(n) for n in nets]
    same = [all(np.array_equal(a, b) for a, b in zip(b0, b1, strict=True))
            for b0, b1 in zip(before, after, strict=True)]
    assert same == [True, True, False, False]  # level 0 untouched, level 1's G and D moved


def test_fit_tracks_every_level_and_levels_train_on_the_real_pyramid():
    model = make(2)
    logs = model.fit(images(16), batch_size=8, epochs=1, verbose=0).history
    assert set(logs) == {f"{m}_{k}" for m in ("d_loss", "g_loss", "d_real", "d_fake")
                         for k in (0, 1)}
    assert all(np.isfinite(v[-1]) for v in logs.values())
    # independence: level 1's update does not depend on G_0 (a different G_0 gives the same D_1)
    a, b = make(2, seed=0), make(2, seed=0)
    b.generator.set_weights([w * 0.5 for w in b.generator.get_weights()])
    x = images(8)
    a.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False)
    b.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False)
    for wa, wb in zip(a.residual_discriminators[0].weights, b.residual_discriminators[0].weights,
                      strict=True):
        np.testing.assert_allclose(wa.numpy(), wb.numpy(), atol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="one residual discriminator per residual generator"):
        LAPGAN(dcgan_generator(4, 8, 1, 4), dcgan_discriminator(8, 1, 4),
               [residual_generator(4, 16, 1, 4)], [])
    with pytest.raises(ValueError, match=r"residual_generators\[0\] must make 16x16"):
        LAPGAN(dcgan_generator(4, 8, 1, 4), dcgan_discriminator(8, 1, 4),
               [residual_generator(4, 32, 1, 4)], [residual_discriminator(32, 1, 4)])
    with pytest.raises(ValueError, match="translation"):
        make(2, translation=-1)
    with pytest.raises(ValueError, match="one noise array per level"):
        sample_chain([keras.Input((2,))], [])


def test_round_trip_keeps_the_chain(tmp_path):
    model = make(2)
    model.fit(images(8), batch_size=8, epochs=1, verbose=0)
    zs = [np.random.default_rng(2).normal(size=(4, 4)).astype("float32") for _ in range(2)]
    nets = [model.generator] + model.residual_generators
    before = sample_chain(nets, zs)[0][-1]
    loaded = []
    for i, net in enumerate(nets):
        net.save(tmp_path / f"g{i}.keras")
        loaded.append(keras.saving.load_model(tmp_path / f"g{i}.keras"))
    np.testing.assert_array_equal(sample_chain(loaded, zs)[0][-1], before)
    again = LAPGAN.from_config(model.get_config())
    assert again.levels == 2 and again.residual_latent_dims == [4]


def test_two_replicas_equal_one_device():
    script = Path(__file__).with_name("mirrored_lab13_check.py")
    proc = subprocess.run([sys.executable, str(script), "lapgan"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for name, r in result.items():
        assert r["min_kernel_move"] > 1e-4, name
        assert r["max_weight_diff"] < 1e-5, (name, r)
        for key, value in r["logs_single"].items():
            assert abs(value - r["logs_mirrored"][key]) < 1e-5, (name, key)
