"""ProGAN's growing nets: fade-in at alpha 0 / 1, pixel norm, equalised lr, stddev, counts."""

import keras
import numpy as np
import pytest

import ganlab  # noqa: F401  (registers the layers)
from ganlab.nets.layers import MinibatchStddev
from ganlab.nets.progan import (
    FadeIn,
    ProgressiveDiscriminator,
    ProgressiveGenerator,
    downsample,
    upsample2x,
)
from ganlab.nets.style_layers import EqualizedConv2D, EqualizedDense

RNG = np.random.default_rng(0)
SIZE, LATENT = 16, 8


def z(n=4, seed=0):
    return np.random.default_rng(seed).normal(size=(n, LATENT)).astype("float32")


def images(n, side, seed=0):
    return np.tanh(np.random.default_rng(seed).normal(size=(n, side, side, 1))).astype("float32")


def count(layers):
    return sum(int(np.prod(v.shape)) for layer in layers for v in layer.trainable_variables)


def test_fade_in_is_the_papers_blend_and_exact_at_both_ends():
    old, new = RNG.normal(size=(2, 3, 3, 2)).astype("float32"), RNG.normal(size=(2, 3, 3, 2))
    new = new.astype("float32")
    np.testing.assert_allclose(FadeIn()([old, new], alpha=0.3), 0.7 * old + 0.3 * new, rtol=1e-6)
    np.testing.assert_array_equal(FadeIn()([old, new], alpha=0.0), old)
    np.testing.assert_array_equal(FadeIn()([old, new], alpha=1.0), new)


def test_up_and_down_sampling_are_nearest_and_average_pooling():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(np.asarray(downsample(x))[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])
    up = np.asarray(upsample2x(x[:, :2, :2]))[0, :, :, 0]
    np.testing.assert_array_equal(up, [[0, 0, 1, 1], [0, 0, 1, 1], [4, 4, 5, 5], [4, 4, 5, 5]])


@pytest.mark.parametrize("phase", [1, 2])
def test_generator_fade_in_at_alpha_0_is_the_lower_resolution_upsampled(phase):
    g = ProgressiveGenerator(LATENT, SIZE, 1, 8, phase=phase - 1)
    g.alpha.assign(1.0)  # the lower phase as it ended: its own block fully faded in
    lower = np.asarray(g(z()))
    g.phase = phase
    g.alpha.assign(0.0)
    out = np.asarray(g(z()))
    assert out.shape == (4, 4 * 2**phase, 4 * 2**phase, 1)
    np.testing.assert_array_equal(out, np.asarray(upsample2x(lower)))


@pytest.mark.parametrize("phase", [1, 2])
def test_generator_fade_in_at_alpha_1_is_the_new_block(phase):
    g = ProgressiveGenerator(LATENT, SIZE, 1, 8, phase=phase)
    g.alpha.assign(1.0)
    x = g.features(z(), phase - 1)  # the new block by hand: up, (conv, lrelu, pixel norm) x 2
    x = upsample2x(x)
    for conv in g.blocks[phase - 1]:
        x = keras.ops.leaky_relu(conv(x), 0.2)
        x = x / np.sqrt(np.mean(np.square(x), axis=-1, keepdims=True) + 1e-8)
    new_rgb = np.asarray(g.to_rgb[phase](x))
    np.testing.assert_allclose(g(z()), np.tanh(new_rgb), rtol=1e-5, atol=1e-6)
    g.alpha.assign(0.25)  # in between: (1 - alpha) old + alpha new, before the tanh
    old_rgb = np.asarray(upsample2x(g.to_rgb[phase - 1](g.features(z(), phase - 1))))
    np.testing.assert_allclose(g(z()), np.tanh(0.75 * old_rgb + 0.25 * new_rgb),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("phase", [1, 2])
def test_discriminator_fade_in_at_alpha_0_is_the_lower_resolution_on_pooled_images(phase):
    d = ProgressiveDiscriminator(SIZE, 1, 8, phase=phase)
    x = images(8, 4 * 2**phase)
    d.alpha.assign(0.0)
    faded = np.asarray(d(x))
    d.phase = phase - 1
    d.alpha.assign(1.0)  # the lower phase as it ended: its own block fully faded in
    np.testing.assert_array_equal(faded, np.asarray(d(downsample(x))))


def test_discriminator_fade_in_at_alpha_1_is_the_new_block():
    d = ProgressiveDiscriminator(SIZE, 1, 8, phase=1)
    d.alpha.assign(1.0)
    x = images(8, 8)
    h = keras.ops.leaky_relu(d.from_rgb[1](x), 0.2)
    for conv in d.blocks[0]:
        h = keras.ops.leaky_relu(conv(h), 0.2)
    h = keras.ops.average_pool(h, 2, 2, "valid")
    np.testing.assert_allclose(d(x), d.head(h), rtol=1e-5, atol=1e-6)


def test_generator_features_are_pixel_normalised():
    g = ProgressiveGenerator(LATENT, SIZE, 1, 8, phase=2)
    for phase in range(3):
        h = np.asarray(g.features(z(), phase))
        np.testing.assert_allclose(np.mean(h**2, axis=-1), 1.0, rtol=1e-4)


def test_every_weight_layer_has_the_equalised_learning_rate():
    for net in (ProgressiveGenerator(LATENT, SIZE, 1, 8), ProgressiveDiscriminator(SIZE, 1, 8)):
        weighted = [layer for layer in net._flatten_layers(include_self=False, recursive=True)
                    if layer.trainable_variables]
        assert weighted and all(isinstance(layer, (EqualizedConv2D, EqualizedDense))
                                for layer in weighted)


def test_discriminator_sees_the_minibatch_stddev_of_groups_of_4():
    d = ProgressiveDiscriminator(SIZE, 1, 8, phase=0)
    assert isinstance(d.stddev, MinibatchStddev) and d.stddev.group_size == 4
    assert d.b4_conv.kernel.shape == (3, 3, 8 + 1, 8)
    x = images(8, 4)
    varied = x.copy()
    varied[1:4] = images(3, 4, seed=1)  # same sample 0, other members of its group
    assert not np.allclose(d(x)[0], d(varied)[0])
    np.testing.assert_allclose(d(x)[4:], d(varied)[4:], rtol=1e-6)  # the other group: untouched


def test_parameter_counts_are_table_2s():
    """Karras 2018 Table 2 (CelebA-HQ 1024^2): G and D have 23.1M parameters each (toRGB /
    fromRGB of the final resolution only); G's 4x4 block is 4.2M (the 4x4 "conv" from the
    latent) + 2.4M (3x3)."""
    widths = {4: 512, 8: 512, 16: 512, 32: 512, 64: 256, 128: 128, 256: 64, 512: 32, 1024: 16}
    g = ProgressiveGenerator(512, 1024, 3, widths, phase=8)
    d = ProgressiveDiscriminator(1024, 3, widths, phase=8)
    assert round((count(g.phase_layers(8)) - count([g.to_rgb[7]])) / 1e5) == 231
    assert round((count(d.phase_layers(8)) - count([d.from_rgb[7]])) / 1e5) == 231
    g4 = ProgressiveGenerator(512, 4, 3, 512)
    assert count([g4.b4_dense]) == 512 * 4 * 4 * 512 + 4 * 4 * 512 == 4_202_496
    assert count([g4.b4_conv]) == 3 * 3 * 512 * 512 + 512 == 2_359_808


def test_phase_variables_are_the_phases_layers_only():
    g = ProgressiveGenerator(LATENT, SIZE, 1, 8, phase=1)
    names = {v.path for v in g.phase_trainable_variables()}
    assert {"b8_conv0/kernel", "to_rgb4/kernel", "to_rgb8/kernel"} <= names
    assert not any(n.startswith(("b16", "to_rgb16")) for n in names)
    d = ProgressiveDiscriminator(SIZE, 1, 8, phase=2)
    unused = {v.path for v in d.trainable_variables} - {v.path for v in d.phase_trainable_variables()}
    assert unused == {"from_rgb4/kernel", "from_rgb4/bias"}
    assert not any(v.path.startswith("from_rgb16") for v in d.phase_trainable_variables(1))


def test_config_round_trip_keeps_phase_and_widths():
    g = ProgressiveGenerator(LATENT, SIZE, 1, {4: 8, 8: 6, 16: 4}, phase=2)
    config = g.get_config()
    config["widths"] = {str(k): v for k, v in config["widths"].items()}  # as JSON has them
    g2 = ProgressiveGenerator.from_config(config)
    assert g2.phase == 2 and g2.widths == {4: 8, 8: 6, 16: 4}
    d = ProgressiveDiscriminator.from_config(ProgressiveDiscriminator(SIZE, 1, 8, phase=1,
                                                                      group_size=2).get_config())
    assert d.phase == 1 and d.group_size == 2


@pytest.mark.parametrize(("build", "match"), [
    (lambda: ProgressiveGenerator(LATENT, 12), "image_size"),
    (lambda: ProgressiveGenerator(0, 16), "latent_dim"),
    (lambda: ProgressiveGenerator(LATENT, 16, phase=3), r"phase must be an integer in \[0, 2\]"),
    (lambda: ProgressiveDiscriminator(16, 1, {4: 8, 8: 8}), "widths"),
    (lambda: ProgressiveDiscriminator(16, 0), "channels"),
])
def test_bad_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()
