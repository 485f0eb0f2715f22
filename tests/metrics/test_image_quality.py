"""L1, PSNR, SSIM and sharpness against values computed by hand."""

import numpy as np
import pytest

from ganlab.metrics import image_quality as iq


def test_psnr_hand_value_and_cap():
    a = np.zeros((2, 4, 4, 3), "float32")
    b = a.copy()
    b[0] = 0.2  # MSE 0.04 -> 10 log10(4 / 0.04) = 20 dB
    p = iq.psnr(b, a)
    assert p[0] == pytest.approx(20.0, abs=1e-4)
    assert p[1] == iq.PSNR_CAP


def test_ssim_of_identical_images_is_one():
    a = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
    np.testing.assert_allclose(iq.ssim(a, a), 1.0, atol=1e-5)
    assert iq.ssim(a, -a).mean() < 0


def test_gradient_energy_hand_value():
    img = np.zeros((1, 2, 3, 1), "float32")
    img[0, :, 1] = 1.0  # columns 0 1 0: dx = 1, -1 on both rows; dy = 0
    # mean dx^2 over (2 rows x 2 differences) = 1; mean dy^2 = 0
    assert iq.gradient_energy(img)[0] == pytest.approx(1.0)


def test_blur_lowers_sharpness():
    rng = np.random.default_rng(1)
    target = rng.uniform(-1, 1, (4, 16, 16, 3)).astype("float32")
    blurred = (target + np.roll(target, 1, 1) + np.roll(target, 1, 2) + np.roll(target, (1, 1), (1, 2))) / 4
    assert iq.sharpness(target, target) == pytest.approx(1.0)
    s = iq.sharpness(blurred, target)
    assert s < 0.6
    f = iq.translation_figures(blurred, target)
    assert f["sharpness_gap"] == pytest.approx(abs(np.log(s)))
    assert f["l1"] == pytest.approx(float(np.abs(blurred - target).mean()))


def test_shapes_must_match():
    with pytest.raises(ValueError, match="Received: output.shape"):
        iq.translation_figures(np.zeros((2, 8, 8, 3)), np.zeros((2, 8, 8, 1)))


def test_spread_hand_value():
    target = np.array([-1.0, 1.0, -1.0, 1.0], "float32").reshape(1, 2, 2, 1)  # std 1
    assert iq.spread(0.5 * target, target) == pytest.approx(0.5)
    assert iq.spread(np.zeros_like(target), target) == 0.0


# ---------------------------------------------------------- super-resolution
def test_y_channel_is_matlabs_rgb2ycbcr():
    rgb01 = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 1, 1]], "float32")
    y = iq.rgb_to_y(rgb01.reshape(1, 1, 5, 3) * 2 - 1)[0, 0, :, 0]
    np.testing.assert_allclose(y, [16 + 65.481, 16 + 128.553, 16 + 24.966, 16, 235], atol=1e-3)


def test_sr_psnr_by_hand_on_the_cropped_y_channel():
    target = np.zeros((1, 10, 10, 3), "float32")  # RGB 0.5 everywhere: Y = 16 + 0.5 * 219 = 125.5
    output = target.copy()
    output[0, 4, 5] = 1.0  # one of the 2x2 pixels left after cropping 4: Y = 235
    output[0, 0, 0] = -1.0  # a border pixel: cropped, so it does not count
    output[0, 9, 3] = 1.0
    # MSE = (235 - 125.5)^2 / 4 = 2997.5625; PSNR = 10 log10(255^2 / 2997.5625) = 13.3631 dB
    assert iq.sr_psnr(output, target, 4)[0] == pytest.approx(13.3631, abs=1e-3)
    # uncropped: 100 pixels, three of them wrong: a different (not comparable) figure
    mse = (109.5**2 * 2 + 109.5**2) / 100
    assert iq.sr_psnr(output, target, 0)[0] == pytest.approx(10 * np.log10(255**2 / mse), abs=1e-3)
    assert iq.sr_psnr(target, target, 4)[0] == iq.PSNR_CAP


def test_sr_ssim_is_tf_ssim_of_the_cropped_y():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    target = rng.uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    output = np.clip(target + rng.normal(0, 0.1, target.shape), -1, 1).astype("float32")
    y_out = iq.rgb_to_y(output)[:, 4:-4, 4:-4]
    y_ref = iq.rgb_to_y(target)[:, 4:-4, 4:-4]
    expected = tf.image.ssim(y_out, y_ref, max_val=255.0, filter_size=11, filter_sigma=1.5).numpy()
    np.testing.assert_allclose(iq.sr_ssim(output, target, 4), expected, rtol=1e-6)
    np.testing.assert_allclose(iq.sr_ssim(target, target, 4), 1.0, atol=1e-6)
    figs = iq.sr_figures(output, target, 4)
    assert figs["hf_energy"] > 1 and figs["hf_gap"] == pytest.approx(np.log(figs["hf_energy"]))


def test_sr_figures_bad_crop():
    a = np.zeros((1, 8, 8, 3), "float32")
    with pytest.raises(ValueError, match="Received: crop=4"):
        iq.sr_psnr(a, a, 4)
    with pytest.raises(ValueError, match="RGB batches"):
        iq.rgb_to_y(np.zeros((1, 8, 8, 1)))
