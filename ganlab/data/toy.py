"""Generated toy distributions: the 1D Gaussian (lab 01), 2D mixtures (lab 02)."""

import dataclasses

import numpy as np
import tensorflow as tf


def _check_positive(**values):
    for name, value in values.items():
        if not value > 0:
            raise ValueError(f"{name} must be > 0. Received: {name}={value}")


def gaussian_1d(n, mu=4.0, sigma=0.5, seed=0):
    """Draw `n` samples of N(mu, sigma^2), shape (n, 1), float32.

    Raises:
        ValueError: if sigma <= 0 or n < 1.
    """
    _check_positive(sigma=sigma, n=n)
    rng = np.random.default_rng(seed)
    return rng.normal(mu, sigma, size=(int(n), 1)).astype("float32")


@dataclasses.dataclass(frozen=True)
class Mixture2D:
    """An equal-weight mixture of isotropic 2D Gaussians.

    Attributes:
        centers: (K, 2) array of the modes.
        std: the standard deviation of every component.
        name: a short name ("ring", "grid").
    """

    centers: np.ndarray
    std: float
    name: str = "mixture"

    @property
    def num_modes(self):
        return len(self.centers)

    def sample(self, n, seed=0):
        """Draw `n` samples, shape (n, 2), float32, equal share per mode."""
        _check_positive(n=n)
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, self.num_modes, size=int(n))
        x = self.centers[idx] + rng.normal(0.0, self.std, size=(int(n), 2))
        return x.astype("float32")


def ring_of_gaussians(num_modes=8, radius=2.0, std=0.02):
    """The ring of Metz 2016 (unrolled GAN): 8 modes on a circle.

    Defaults are the paper's: radius 2, standard deviation 0.02.

    Raises:
        ValueError: for num_modes < 1, radius <= 0 or std <= 0.
    """
    _check_positive(num_modes=num_modes, radius=radius, std=std)
    angles = 2.0 * np.pi * np.arange(num_modes) / num_modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return Mixture2D(centers.astype("float32"), float(std), "ring")


def grid_of_gaussians(side=5, spacing=2.0, std=0.05):
    """The 5x5 grid of Srivastava 2017 (VEEGAN): modes at {-4,-2,0,2,4}^2.

    Defaults are the paper's: spacing 2, standard deviation 0.05.

    Raises:
        ValueError: for side < 1, spacing <= 0 or std <= 0.
    """
    _check_positive(side=side, spacing=spacing, std=std)
    ticks = (np.arange(side) - (side - 1) / 2.0) * spacing
    xx, yy = np.meshgrid(ticks, ticks)
    centers = np.stack([xx.ravel(), yy.ravel()], axis=1)
    return Mixture2D(centers.astype("float32"), float(std), "grid")


def mixture_2d(name, **kwargs):
    """Return the named mixture: "ring" or "grid".

    Raises:
        ValueError: for another name.
    """
    makers = {"ring": ring_of_gaussians, "grid": grid_of_gaussians}
    if name not in makers:
        raise ValueError(
            f"Unknown mixture. Received: name={name!r}; allowed: {sorted(makers)}"
        )
    return makers[name](**kwargs)


def toy_dataset(samples, batch_size, seed=0):
    """An endless, shuffled, batched `tf.data.Dataset` over `samples`.

    Args:
        samples: array of shape (n, ...), or a tuple `(samples, labels)`
            (labels int32 of shape (n,)) for a conditional model.
        batch_size: global batch size (what `fit` sees per step).
        seed: shuffling seed.

    Returns:
        A dataset of float32 batches of shape (batch_size, ...), or of
        `(samples, labels)` batches when given a tuple.

    Raises:
        ValueError: if batch_size < 1.
    """
    _check_positive(batch_size=batch_size)
    if isinstance(samples, tuple):
        x, y = samples
        ds = tf.data.Dataset.from_tensor_slices((np.asarray(x, "float32"), np.asarray(y, "int32")))
        n = len(x)
    else:
        ds = tf.data.Dataset.from_tensor_slices(np.asarray(samples, "float32"))
        n = len(samples)
    ds = ds.shuffle(min(n, 100_000), seed=seed, reshuffle_each_iteration=True)
    return ds.repeat().batch(int(batch_size), drop_remainder=True).prefetch(
        tf.data.AUTOTUNE
    )
