"""ganlab.latent: interpolation paths and latent vector arithmetic."""

import numpy as np
import pytest

from ganlab import latent


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    return rng.standard_normal(64), rng.standard_normal(64)


@pytest.mark.parametrize("fn", [latent.lerp, latent.slerp])
def test_endpoints_and_shape(fn, pair):
    z0, z1 = pair
    path = fn(z0, z1, 7)
    assert path.shape == (7, 64) and path.dtype == np.float32
    np.testing.assert_allclose(path[0], z0, atol=1e-5)
    np.testing.assert_allclose(path[-1], z1, atol=1e-5)


def test_lerp_is_evenly_spaced(pair):
    path = latent.lerp(*pair, 5).astype("float64")
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    np.testing.assert_allclose(steps, steps[0], rtol=1e-5)


def test_slerp_keeps_the_norm_of_equal_norm_vectors(pair):
    z0, z1 = pair
    z1 = z1 / np.linalg.norm(z1) * np.linalg.norm(z0)
    norms = np.linalg.norm(latent.slerp(z0, z1, 9), axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(z0), rtol=1e-5)
    # lerp cuts through the inside of the sphere (White 2016)
    assert np.linalg.norm(latent.lerp(z0, z1, 9)[4]) < 0.9 * np.linalg.norm(z0)


def test_slerp_turns_at_constant_angular_speed(pair):
    z0, z1 = pair
    z1 = z1 / np.linalg.norm(z1) * np.linalg.norm(z0)
    path = latent.slerp(z0, z1, 6).astype("float64")
    def angle(a, b):
        return np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1))
    omega = angle(z0, z1)
    got = [angle(z0, p) for p in path]
    np.testing.assert_allclose(got, omega * np.linspace(0, 1, 6), atol=1e-4)


def test_slerp_quarter_circle():
    mid = latent.slerp([1.0, 0.0], [0.0, 1.0], 3)[1]
    np.testing.assert_allclose(mid, [np.sqrt(0.5)] * 2, atol=1e-6)


def test_slerp_of_parallel_vectors_is_lerp():
    np.testing.assert_allclose(latent.slerp([1.0, 1.0], [2.0, 2.0], 3),
                               [[1, 1], [1.5, 1.5], [2, 2]], atol=1e-6)


@pytest.mark.parametrize("z0, z1, steps, match", [
    ([1.0, 0.0], [-2.0, 0.0], 3, "opposite"),
    ([0.0, 0.0], [1.0, 0.0], 3, "non-zero"),
    ([1.0, 0.0], [1.0, 0.0, 0.0], 3, "same shape"),
    ([1.0, 0.0], [0.0, 1.0], 1, "steps"),
])
def test_slerp_bad_inputs(z0, z1, steps, match):
    with pytest.raises(ValueError, match=match):
        latent.slerp(z0, z1, steps)


def test_interpolate_method_name(pair):
    np.testing.assert_array_equal(latent.interpolate(*pair, 4, "linear"), latent.lerp(*pair, 4))
    with pytest.raises(ValueError, match="method"):
        latent.interpolate(*pair, 4, "cubic")


def test_kind_means_top_scored():
    z = np.array([[0.0], [10.0], [2.0], [4.0], [100.0]])
    kinds = [1, 1, 1, 1, -1]            # -1: no kind, left out
    scores = [0.1, 0.2, 0.9, 0.8, 1.0]
    means = latent.kind_means(z, kinds, per_kind=2, scores=scores)
    assert list(means) == [1]
    np.testing.assert_allclose(means[1], [3.0])  # mean of the two best: 2 and 4
    assert latent.kind_means(z, kinds, per_kind=5) == {}  # too few samples
    with pytest.raises(ValueError, match="per row"):
        latent.kind_means(z, kinds[:3])


def test_latent_arithmetic():
    a, b, c = np.eye(3)
    np.testing.assert_allclose(latent.latent_arithmetic([a, c], [b]), [1, -1, 1])
    with pytest.raises(ValueError, match="at least one"):
        latent.latent_arithmetic([], [a])


# ------------------------------------------------------------ the prior
def test_draw_follows_the_prior_and_the_seed():
    normal = latent.draw(20_000, 3, "normal", seed=5)
    uniform = latent.draw(20_000, 3, "uniform", seed=5)
    assert normal.shape == uniform.shape == (20_000, 3) and normal.dtype == np.float32
    assert abs(normal.mean()) < 0.02 and abs(normal.std() - 1.0) < 0.02
    assert uniform.min() >= -1.0 and uniform.max() <= 1.0
    assert abs(uniform.var() - 1.0 / 3.0) < 0.01  # Var U(-1, 1) = 1/3
    np.testing.assert_array_equal(latent.draw(4, 3, seed=5), normal[:4])
    assert not np.array_equal(latent.draw(4, 3, seed=6), normal[:4])


def test_draw_rejects_an_unknown_prior():
    with pytest.raises(ValueError, match="distribution='cauchy'"):
        latent.draw(4, 3, "cauchy")


def test_samplers_reject_an_unknown_prior_when_built():
    from ganlab import grading

    for make in (grading.latent_sampler, grading.conditional_sampler):
        with pytest.raises(ValueError, match="distribution='cauchy'"):
            make(None, 3, "cauchy")  # no generator needed: it fails before sampling
