"""What `ganlab train` can train, and how `ganlab sample` / `ganlab eval` read a run.

Four small registries, filled here for what exists and added to by each
variant's developer (one call each, next to the others below):

* `register_dataset(name, load, kind, description, num_classes=None)`:
  `load(seed)` returns the training samples as a float32 numpy array:
  (n, d) vectors (kind "vectors") or (n, H, W, C) images in [-1, 1] (kind
  "images"); a labeled dataset (`num_classes` given) returns the tuple
  `(samples, labels)`, labels int32 in [0, num_classes).
* `register_variant(name, build, kinds, description, conditional=False)`:
  `build(data_shape, kind, seed, total_steps)` returns a *compiled* model
  (a `ganlab.models.GANBase`), built with the global dtype policy; it runs
  inside the strategy's scope, and the CLI then wraps its optimizers for
  mixed precision and sets XLA (`Runtime.prepare`). A conditional
  variant's build also takes `num_classes=` and trains on labeled data
  only.
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
    num_classes: int = None


@dataclasses.dataclass(frozen=True)
class VariantEntry:
    name: str
    build: Callable
    kinds: tuple
    description: str
    conditional: bool = False


def register_dataset(name, load, kind, description, num_classes=None, **facts):
    """Register a training dataset for `ganlab train --dataset NAME`.

    Args:
        num_classes: the number of classes of a labeled dataset (its `load`
            then returns `(samples, labels)`); None for unlabeled data.
        facts: recorded in config.json (e.g. mu and sigma of the Gaussian),
            where evaluators read them.
    """
    if kind not in ("vectors", "images"):
        raise ValueError(f"kind must be 'vectors' or 'images'. Received: kind={kind!r}")
    DATASETS[name] = DatasetEntry(name, load, kind, description, dict(facts), num_classes)


def register_variant(name, build, kinds, description, conditional=False):
    """Register a GAN variant for `ganlab train NAME`."""
    VARIANTS[name] = VariantEntry(name, build, tuple(kinds), description, conditional)


def register_sampler(variant, fn):
    """Register how `ganlab sample` draws from a variant's generator."""
    SAMPLERS[variant] = fn


def register_evaluator(predicate, fn):
    """Register figures `ganlab eval` computes for runs matching `predicate`."""
    EVALUATORS.append((predicate, fn))


def _lookup(table, what, name):
    if name not in table:
        raise ValueError(
            f"Unknown {what}. Received: {what}={name!r}; available: {', '.join(sorted(table))}"
        )
    return table[name]


def dataset(name):
    """The registered dataset `name`; ValueError naming the available ones otherwise."""
    return _lookup(DATASETS, "dataset", name)


def variant(name):
    """The registered variant `name`; ValueError naming the available ones otherwise."""
    return _lookup(VARIANTS, "variant", name)


def describe():
    """The registered variants and datasets, and which pairs train, as help text."""
    lines = ["variants:"]
    for name in sorted(VARIANTS):
        v = VARIANTS[name]
        lines.append(f"  {name:10s} {v.description}")
        usable = [d for d in sorted(DATASETS) if usable_pair(name, d)]
        lines.append(f"  {'':10s} datasets: {', '.join(usable)}")
    lines.append("datasets:")
    for name in sorted(DATASETS):
        d = DATASETS[name]
        lines.append(f"  {name:10s} {d.description} ({d.kind})")
    return "\n".join(lines)


def usable_pair(variant_name, dataset_name):
    """Whether `ganlab train VARIANT --dataset DATASET` is a combination that trains."""
    v, d = VARIANTS[variant_name], DATASETS[dataset_name]
    return d.kind in v.kinds and (not v.conditional or d.num_classes is not None)


def mixture_of(config):
    """The `ganlab.data.Mixture2D` a run's config.json records, or None.

    `ganlab train` records the mixture's name ("ring"); lab 02 records a
    dict with its name and parameters (radius, std, ...).
    """
    import inspect

    from ganlab.data import grid_of_gaussians, mixture_2d, ring_of_gaussians

    makers = {"ring": ring_of_gaussians, "grid": grid_of_gaussians}
    recorded = config.get("mixture")
    if isinstance(recorded, str) and recorded in makers:
        return mixture_2d(recorded)
    if isinstance(recorded, dict) and recorded.get("name") in makers:
        accepted = inspect.signature(makers[recorded["name"]]).parameters
        return mixture_2d(recorded["name"],
                          **{k: v for k, v in recorded.items() if k != "name" and k in accepted})
    return None


def target_sampler(config):
    """(n, seed) -> samples of the data a vector run learnt (its Gaussian or mixture), or None."""
    if "mu" in config and "sigma" in config:
        from ganlab.data import gaussian_1d

        return lambda n, seed: gaussian_1d(n, config["mu"], config["sigma"], seed=seed)
    mixture = mixture_of(config)
    return None if mixture is None else mixture.sample


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

        images, labels = load_image_arrays(name, "train", image_size=size)
        images = np.asarray(images, "float32")
        return images if labels is None else (images, np.asarray(labels, "int32"))

    return load


register_dataset("gaussian", _gaussian, "vectors", "1D N(4, 0.5^2) (lab 01)", mu=4.0, sigma=0.5)
register_dataset("ring", _mixture("ring"), "vectors", "2D ring of 8 Gaussians (lab 02)", mixture="ring")
register_dataset("grid", _mixture("grid"), "vectors", "2D grid of 25 Gaussians (lab 02)", mixture="grid")
register_dataset("digits", _images("digits"), "images", "scikit-learn digits, 32x32 gray, labeled",
                 num_classes=10)
register_dataset("faces", _images("faces"), "images", "scikit-image LFW faces, 32x32 gray")


# ------------------------------------------------------------------ variants
def _build_gan(data_shape, kind, seed, total_steps):
    from ganlab.models import GAN
    from ganlab.nets.dcgan import dcgan_discriminator, dcgan_generator
    from ganlab.recipes import toy

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


def _build_wasserstein(kind):
    def build(data_shape, data_kind, seed, total_steps):
        from ganlab.recipes import wasserstein

        return wasserstein.image_model(kind, image_size=data_shape[0], seed=seed,
                                       total_steps=total_steps)

    return build


def _build_cgan(data_shape, kind, seed, total_steps, num_classes):
    from ganlab.models import ConditionalGAN
    from ganlab.nets import conditional_dcgan_discriminator, conditional_dcgan_generator

    size, channels = data_shape[0], data_shape[-1]
    gan = ConditionalGAN(
        conditional_dcgan_generator(32, num_classes, size, channels, 32, "onehot"),
        conditional_dcgan_discriminator(num_classes, size, channels, 32, "onehot"),
        num_classes=num_classes, seed=seed)
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    return gan


register_variant("gan", _build_gan, ("vectors", "images"),
                 "GAN, Algorithm 1 (Goodfellow 2014): MLPs on vectors, DCGAN nets on images")
register_variant("wgan", _build_wasserstein("wgan"), ("images",),
                 "WGAN, weight clipping (Arjovsky 2017): DCGAN G, layer-norm critic")
register_variant("wgan_gp", _build_wasserstein("wgan_gp"), ("images",),
                 "WGAN-GP, gradient penalty (Gulrajani 2017): DCGAN G, layer-norm critic")
register_variant("cgan", _build_cgan, ("images",),
                 "conditional GAN (Mirza 2014), one-hot labels into DCGAN nets", conditional=True)


# ---------------------------------------------------------------- evaluators
def _is_gaussian(config):
    return "mu" in config and "sigma" in config


def _eval_gaussian(run_dir, config):
    from ganlab import grading

    _, sampler = grading.run_sampler(run_dir)
    return grading.grade_gaussian(sampler, config["mu"], config["sigma"])


def _is_mixture(config):
    return mixture_of(config) is not None


def _eval_mixture(run_dir, config):
    from ganlab import grading

    _, sampler = grading.run_sampler(run_dir)
    return grading.grade_modes(sampler, mixture_of(config))


def _is_digits(config):
    return config.get("dataset") == "digits"


def _eval_digits(run_dir, config):
    from ganlab import grading

    if "num_classes" in config:  # conditional: does the judge see the asked class?
        _, sampler = grading.conditional_run_sampler(run_dir)
        return grading.grade_conditional(sampler, config["num_classes"])
    _, generator = grading.load_run(run_dir)
    latent = config["latent"]
    sampler, baseline = (grading.latent_sampler(g, latent["dim"], latent["distribution"])
                         for g in (generator, grading.untrained_like(generator)))
    return grading.grade_digits(sampler, baseline)


def _is_pix2pix(config):
    return "task" in config and "lambda_l1" in config


def _eval_pix2pix(run_dir, config):
    from ganlab import grading

    return grading.grade_lab07(run_dir)


def _is_srgan(config):
    return str(config.get("variant", "")).startswith("SRGAN-") and "bicubic_skip" in config


def _eval_srgan(run_dir, config):
    from ganlab import grading

    return grading.grade_lab09(run_dir)


register_evaluator(_is_gaussian, _eval_gaussian)
register_evaluator(_is_mixture, _eval_mixture)
register_evaluator(_is_digits, _eval_digits)
register_evaluator(_is_pix2pix, _eval_pix2pix)
register_evaluator(_is_srgan, _eval_srgan)
