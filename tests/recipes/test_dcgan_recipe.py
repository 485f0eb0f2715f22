"""Image grids, the fixed-noise renderer and the latent-walk figures."""

import numpy as np
import pytest

from ganlab.nets import dcgan_generator
from ganlab.recipes import dcgan as samples
from ganlab.training import figures


def test_image_grid_layout_and_values():
    images = np.stack([np.full((4, 4, 1), v, "float32") for v in (-1.0, 0.0, 1.0)])
    grid = figures.image_grid(images, rows=2, scale=1, pad=1)
    assert grid.shape == (2 * 5 + 1, 2 * 5 + 1, 3) and grid.dtype == np.uint8
    assert (grid[1:5, 1:5] == 0).all()          # -1 -> black
    assert (grid[1:5, 6:10] == 128).all()       # 0 -> mid gray
    assert (grid[6:10, 1:5] == 255).all()       # +1 -> white
    assert (grid[6:10, 6:10] == 255).all()      # empty cell stays white
    assert figures.image_grid(np.zeros((2, 8, 8, 3)), rows=1).shape == (34, 67, 3)  # scale 4


@pytest.mark.parametrize("kwargs, match", [
    ({"images": np.zeros((0, 4, 4, 1)), "rows": 1}, "non-empty"),
    ({"images": np.zeros((2, 4, 4, 2)), "rows": 1}, "C = 1 or 3"),
    ({"images": np.zeros((2, 4, 4, 1)), "rows": 3}, "rows"),
])
def test_image_grid_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        figures.image_grid(**kwargs)


@pytest.fixture(scope="module")
def generator():
    return dcgan_generator(latent_dim=8, image_size=8, channels=1, width=8)


def test_renderer_uses_the_same_noise_every_epoch(generator, tmp_path):
    z = np.random.default_rng(0).standard_normal((6, 8))
    render = samples.sample_grid_renderer(z, rows=2, folder=tmp_path / "grids")
    first, second = render(generator, 1), render(generator, 2)
    np.testing.assert_array_equal(first, second)
    assert sorted(p.name for p in (tmp_path / "grids").iterdir()) == ["epoch_001.png", "epoch_002.png"]


def test_interpolation_figure(generator):
    pairs = np.random.default_rng(0).standard_normal((3, 2, 8))
    grids = samples.interpolation_figure(generator, pairs, steps=5)
    assert set(grids) == {"linear", "slerp"}
    assert grids["slerp"].shape == grids["linear"].shape == (3 * 33 + 1, 5 * 33 + 1, 3)


def test_digit_arithmetic_figure_rows(generator):
    z = np.random.default_rng(0).standard_normal((40, 8)).astype("float32")
    probs = np.zeros((40, 10))
    probs[:20, 0] = probs[20:, 6] = 1.0   # "judged" 0 and 6, confidently
    grid, rows = samples.digit_arithmetic_figure(generator, z, probs, pairs=((0, 6), (1, 7)),
                                                 classify=lambda x: np.eye(10)[[6] * len(x)])
    assert [(r["a"], r["b"]) for r in rows] == [(0, 6)]   # no 1s or 7s: row skipped
    assert rows[0]["result_class"] == 6
    assert grid.shape == (33 + 1, 7 * 33 + 1, 3)
    none, _ = samples.digit_arithmetic_figure(generator, z, probs, pairs=((1, 7),))
    assert none is None
