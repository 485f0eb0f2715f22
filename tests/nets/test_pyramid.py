"""The Laplacian pyramid (Denton 2015, Eq. 3-4): exact round trip, band-pass residuals, errors."""

import numpy as np
import pytest

from ganlab.data.images import load_image_arrays
from ganlab.nets.pyramid import downsample, laplacian_pyramid, reconstruct, residual, upsample


def test_downsample_is_the_2x2_mean_and_upsample_bilinear():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    d = np.asarray(downsample(x))[0, ..., 0]
    np.testing.assert_allclose(d, [[2.5, 4.5], [10.5, 12.5]])  # by hand: mean of each 2x2 block
    u = np.asarray(upsample(np.array([[[[0.0], [4.0]]]], "float32")))[0, 0, :, 0]
    np.testing.assert_allclose(u, [0.0, 1.0, 3.0, 4.0])  # half-pixel centres: 1/4, 3/4 weights
    np.testing.assert_allclose(np.asarray(upsample(np.ones((2, 3, 3, 1), "float32"))), 1.0)


@pytest.mark.parametrize("levels", [1, 2, 3])
def test_round_trip_is_exact(levels):
    x = np.random.default_rng(levels).uniform(-1, 1, (4, 16, 16, 2)).astype("float32")
    coarse, bands = laplacian_pyramid(x, levels)
    assert coarse.shape == (4, 16 // 2 ** levels, 16 // 2 ** levels, 2)
    assert [tuple(h.shape[1:3]) for h in bands] == [(16 // 2 ** (levels - k),) * 2
                                                   for k in range(1, levels + 1)]
    np.testing.assert_allclose(np.asarray(reconstruct(coarse, bands)), x, atol=1e-6)
    # the coarsest image is the repeated 2x2 mean
    want = x.reshape(4, coarse.shape[1], 2 ** levels, coarse.shape[2], 2 ** levels, 2).mean((2, 4))
    np.testing.assert_allclose(np.asarray(coarse), want, atol=1e-6)


def test_a_changed_band_changes_the_image_by_exactly_that_band():
    x = np.random.default_rng(0).uniform(-1, 1, (1, 8, 8, 1)).astype("float32")
    coarse, bands = laplacian_pyramid(x, 1)
    bump = np.zeros((1, 8, 8, 1), "float32")
    bump[0, 3, 4] = 0.5
    out = np.asarray(reconstruct(coarse, [np.asarray(bands[0]) + bump]))
    np.testing.assert_allclose(out - x, bump, atol=1e-6)
    assert np.abs(np.asarray(reconstruct(coarse, [np.zeros_like(bump)])) - x).max() > 0.1


def test_residuals_of_digits_are_zero_mean_and_high_frequency():
    x, _ = load_image_arrays("digits", "train", 16)
    h = np.asarray(residual(x))[..., 0]
    assert abs(h.mean()) < 1e-6  # box average then bilinear keeps each image's mean
    power = np.abs(np.fft.fft2(h)) ** 2
    f = np.fft.fftfreq(16)
    high = np.hypot(f[:, None], f[None, :]) > 0.125
    img = np.abs(np.fft.fft2(x[..., 0])) ** 2
    assert power[:, high].sum() / power.sum() > 0.6 > 3 * img[:, high].sum() / img.sum()
    assert np.allclose(np.asarray(residual(np.full((1, 8, 8, 1), 0.3, "float32"))), 0, atol=1e-7)


def test_bad_shapes_are_one_line_errors():
    with pytest.raises(ValueError, match=r"divisible by 4.*\(1, 6, 6, 1\)"):
        laplacian_pyramid(np.zeros((1, 6, 6, 1), "float32"), 2)
    with pytest.raises(ValueError, match="levels"):
        laplacian_pyramid(np.zeros((1, 8, 8, 1), "float32"), 0)
    with pytest.raises(ValueError, match="residual h_1"):
        reconstruct(np.zeros((1, 4, 4, 1), "float32"), [np.zeros((1, 4, 4, 1), "float32")])
    with pytest.raises(ValueError, match="images"):
        downsample(np.zeros((8, 8), "float32"))
