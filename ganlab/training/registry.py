"""What `ganlab train` can train, and how `ganlab sample` / `ganlab eval` read a run.

Four small registries, filled here for what exists and added to by each
variant's developer (one call each, next to the others below):

* `register_dataset(name, load, kind, description)`: `load(seed)` returns
  the training samples as a float32 numpy array: (n, d) vectors
  (kind "vectors") or (n, H, W, C) images in [-1, 1] (kind "images").
* `register_variant(name, build, kinds, description)`: `build(data_shape,
  kind, seed, total_steps)` returns a *compiled* model (a
  `ganlab.models.GANBase`), built with the global dtype policy; it runs
  inside the strategy's scope, and the CLI then wraps its optimizers for
  mixed precision and sets XLA (`Runtime.prepare`).
* `register_sampler(variant, fn)`: `fn(generator, config, n, seed,
  **options)` -> numpy samples, for `ganlab sample` (e.g. a conditional
  GAN's `label=` option). Unregistered variants draw z from the run's
  latent prior.
* `register_evaluator(predicate, fn)`: `fn(run_dir, config)` -> dict of
  figures for `ganlab eval`, used for the runs whose config.json satisfies
  `predicate(config)`.

Example (in the WGAN developer's hands):

    register_variant("wgan", build_wgan, kinds=("vectors", "images"),
                     description="WGAN with weight clipping (Arjovsky 2017)")
"""

import dataclasses
from typing import Callable

import keras
import numpy as np

DATASETS = {}
VARIANTS = {}
SAMPLERS = {}
EVALUATORS = []


@dataclasses.dataclass(frozen=True)
class DatasetEntry:
    name: str
    load: Callable
    kind: str
    description: str
    facts: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class VariantEntry:
    name: str
    build: Callable
    kinds: tuple
    description: str


def register_dataset(name, load, kind, description, **facts):
    """Register a training dataset for `ganlab train --dataset NAME`.

    Args:
        facts: recorded in config.json (e.g. mu and sigma of the Gaussian),
            where evaluators read them.
    """
    if kind not in ("vectors", "images"):
        raise ValueError(f"kind must be 'vectors' or 'images'. Received: kind={kind!r}")
    DATASETS[name] = DatasetEntry(name, load, kind, description, dict(facts))


def register_variant(name, build, kinds, description):
    """Register a GAN variant for `ganlab train NAME`."""
    VARIANTS[name] = VariantEntry(name, build, tuple(kinds), description)


def register_sampler(variant, fn):
    """Register how `ganlab sample` draws from a variant's generator."""
    SAMPLERS[variant] = fn


def register_evaluator(predicate, fn):
    """Register figures `ganlab eval` computes for runs matching `predicate`."""
    EVALUATORS.append((predicate, fn))


def dataset(name):
    if name not in DATASETS:
        raise ValueError(
            f"Unknown dataset. Received: dataset={name!r}; "
            f"available: {', '.join(sorted(DATASETS))}"
        )
    return DATASETS[name]


def variant(name):
    if name not in VARIANTS:
        raise ValueError(
            f"Unknown variant. Received: variant={name!r}; "
            f"available: {', '.join(sorted(VARIANTS))}"
        )
    return VARIANTS[name]


# ------------------------------------------------------------------ datasets
def _gaussian(seed):
    from ganlab.data import gaussian_1d

    return gaussian_1d(100_000, 4.0, 0.5, seed=seed)


def _mixture(name):
    def load(seed):
        from ganlab.data import mixture_2d

        return mixture_2d(name).sample(100_000, seed=seed)

    return load


def _images(name, size=32):
    def load(seed):
        from ganlab.data import load_image_arrays

        arrays = load_image_arrays(name, "train", image_size=size)
        images = arrays[0] if isinstance(arrays, tuple) else arrays
        return np.asarray(images, "float32")

    return load


register_dataset("gaussian", _gaussian, "vectors", "1D N(4, 0.5^2) (lab 01)", mu=4.0, sigma=0.5)
register_dataset("ring", _mixture("ring"), "vectors", "2D ring of 8 Gaussians (lab 02)", mixture="ring")
register_dataset("grid", _mixture("grid"), "vectors", "2D grid of 25 Gaussians (lab 02)", mixture="grid")
register_dataset("digits", _images("digits"), "images", "scikit-learn digits, 32x32 gray")


# ------------------------------------------------------------------ variants
def _build_gan(data_shape, kind, seed, total_steps):
    from ganlab.models import GAN
    from ganlab.nets.dcgan import dcgan_discriminator, dcgan_generator
    from ganlab.training import toy

    if kind == "vectors":
        return toy.toy_gan(data_shape[-1], "stabilised", seed=seed, total_steps=total_steps)
    size, channels = data_shape[0], data_shape[-1]
    gan = GAN(
        dcgan_generator(100, size, channels, width=32),
        dcgan_discriminator(size, channels, width=32),
        seed=seed,
    )
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    return gan


register_variant("gan", _build_gan, ("vectors", "images"),
                 "GAN, Algorithm 1 (Goodfellow 2014): MLPs on vectors, DCGAN nets on images")


# ---------------------------------------------------------------- evaluators
def _is_gaussian(config):
    return "mu" in config and "sigma" in config


def _eval_gaussian(run_dir, config):
    from ganlab import grading

    _, sampler = grading.run_sampler(run_dir)
    return grading.grade_gaussian(sampler, config["mu"], config["sigma"])


def _is_mixture(config):
    return config.get("mixture") in ("ring", "grid")


def _eval_mixture(run_dir, config):
    from ganlab import grading
    from ganlab.data import mixture_2d

    _, sampler = grading.run_sampler(run_dir)
    return grading.grade_modes(sampler, mixture_2d(config["mixture"]))


register_evaluator(_is_gaussian, _eval_gaussian)
register_evaluator(_is_mixture, _eval_mixture)
