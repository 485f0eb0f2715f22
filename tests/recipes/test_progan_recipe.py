"""Smoke test of the ProGAN recipe: digits grown 4x4 -> 32x32, a grid per phase, progress.gif."""

import math

import numpy as np
import pytest
from PIL import Image

from ganlab.data import load_image_arrays
from ganlab.recipes.progan import progan_gan, train_progan


def test_progan_grows_digits_through_every_phase(tmp_path):
    images, _ = load_image_arrays("digits", "train", 32)
    gan = progan_gan(latent_dim=16, widths={4: 16, 8: 16, 16: 8, 32: 8}, seed=0)
    out = train_progan(tmp_path, gan, images[:256], steps_per_phase=8, batch_size=16)
    assert out["resolutions"] == [4, 8, 16, 32] and gan.phase == 3
    assert out["frames"] == 4 * 4  # every 2 steps of the 8 of each phase
    for logs in out["logs"]:
        assert all(math.isfinite(v) for v in logs.values()), logs
    assert [lg["alpha"] for lg in out["logs"]] == pytest.approx(
        [1.0, np.mean([0, .25, .5, .75, 1, 1, 1, 1])] + [np.mean([0, .25, .5, .75, 1, 1, 1, 1])] * 2)
    grids = sorted((tmp_path / "grids").glob("phase_*.png"))
    assert [p.name for p in grids] == ["phase_0_4x4.png", "phase_1_8x8.png", "phase_2_16x16.png",
                                       "phase_3_32x32.png"]
    sizes = {Image.open(p).size for p in grids}
    assert len(sizes) == 1  # all shown at the final side
    gif = Image.open(tmp_path / "progress.gif")
    assert gif.n_frames == 16
    # the grown G draws other pictures than the 4x4 one did
    first, last = (np.asarray(Image.open(p).convert("L")) for p in (grids[0], grids[-1]))
    assert not np.array_equal(first, last)
    with pytest.raises(ValueError, match="batch_size must be a positive multiple of 4"):
        train_progan(tmp_path, gan, images[:64], steps_per_phase=2, batch_size=6)
    with pytest.raises(ValueError, match="steps_per_phase must be an integer >= 2"):
        train_progan(tmp_path, gan, images[:64], steps_per_phase=1)
