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
