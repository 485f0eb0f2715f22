"""What every grader shares: the fixed seeds, samplers, loading a run, the verdict.

Graders never trust metrics.json (nor the targets a run's config.json
records): they load the run's networks, draw fresh samples with fixed seeds
and recompute every figure. The labs call the same graders at the end of a
run, so a student sees the verdict the instructor will see.

A *sampler* is any callable (n, seed) -> numpy samples (a conditional
sampler: (labels, seed) -> samples); planted faults in the grading tests are
samplers too.
"""

from pathlib import Path

import keras
import numpy as np

from ganlab import latent
from ganlab.models.cgan import check_labels
from ganlab.training.runfolder import read_json

GRADING_SEED = 20141
GRADING_SAMPLES = 10_000


def latent_sampler(generator, latent_dim, distribution="normal"):
    """A sampler drawing z from the run's prior with numpy and mapping it by G."""
    latent.check_prior(distribution)  # an unknown prior fails now, not at sampling

    def sample(n, seed=GRADING_SEED):
        z = latent.draw(n, latent_dim, distribution, seed)
        return generator.predict(z, batch_size=2048, verbose=0)

    return sample


def conditional_sampler(generator, latent_dim, distribution="normal"):
    """A conditional sampler (labels, seed) -> G(z|y), z drawn with numpy from the run's prior."""
    latent.check_prior(distribution)  # an unknown prior fails now, not at sampling

    def sample(labels, seed=GRADING_SEED):
        z = latent.draw(len(labels), latent_dim, distribution, seed)
        return generator.predict([z, np.asarray(labels, "int32")], batch_size=1000, verbose=0)

    return sample


def load_run(run_dir, network="generator.keras"):
    """Load a run folder's config and one saved network.

    Raises:
        ValueError: if the folder, its config.json or the network is missing.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ValueError(f"Run folder not found. Received: run_dir={str(run_dir)!r}")
    config = read_json(run_dir / "config.json")
    path = run_dir / network
    if not path.is_file():
        raise ValueError(f"The run has no {network}. Received: path={str(path)!r}")
    return config, keras.saving.load_model(path)


def run_sampler(run_dir):
    """(config, sampler) of a run folder's saved generator and latent prior."""
    config, generator = load_run(run_dir)
    prior = config["latent"]
    return config, latent_sampler(generator, prior["dim"], prior["distribution"])


def conditional_run_sampler(run_dir):
    """(config, conditional sampler) of a lab 06 run folder's generator.keras."""
    config, generator = load_run(run_dir)
    prior = config["latent"]
    return config, conditional_sampler(generator, prior["dim"], prior["distribution"])


def untrained_like(generator, seed=GRADING_SEED):
    """A freshly initialised generator of the same architecture (the baseline).

    `keras.models.clone_model` rebuilds the layers from their configs, so
    the weights are drawn anew from the initialisers; the global seed is set
    to `seed` first (this reseeds Python, NumPy and TensorFlow) so the
    baseline is the same every time.
    """
    keras.utils.set_random_seed(seed)
    return keras.models.clone_model(generator)



def verdict(figures, checks):
    """A grade: the figures, `passed`, and one `failures` line per failed check.

    Args:
        figures: dict of the grader's figures.
        checks: (name, value, op, limit, ok) tuples; op ("<", ">=", ...) and
            limit only word the failure line.
    """
    failures = [f"{name} = {value:.4g} not {op} {limit:g}" for name, value, op, limit, ok in checks if not ok]
    return {**figures, "passed": not failures, "failures": failures}


def verdict_line(grade):
    """The line a lab ends with: whether the grader's bar is met, and if not, why."""
    if grade["passed"]:
        return "bar: PASSED"
    return "bar: FAILED: " + "; ".join(grade["failures"])


def sample_run(run_dir, n, label=None, seed=0):
    """Draw `n` samples from a run folder's generator.keras, of one class if asked.

    z is drawn with numpy (`seed`) from the prior in the run's config.json
    (`latent: {dim, distribution}`). A conditional run (config.json has
    `num_classes`) draws class `label`, or, with `label=None`, the classes
    0, 1, ..., K-1, 0, 1, ... in turn.

    Args:
        run_dir: a run folder (e.g. runs/06_cgan).
        n: number of samples, >= 1.
        label: class to draw (conditional runs only), or None.
        seed: seed of the latent vectors.

    Returns:
        (samples, labels): numpy samples `(n, ...)` and their int32 labels
        `(n,)` (None for an unconditional run).

    Raises:
        ValueError: for a missing folder, config or generator, `n` < 1, a
            label outside [0, num_classes), or a label for an
            unconditional run.

    Example:
        >>> images, labels = sample_run("runs/06_cgan", 16, label=7)  # doctest: +SKIP
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ValueError(f"Run folder not found. Received: run_dir={str(run_dir)!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1. Received: n={n!r}")
    config = read_json(run_dir / "config.json")
    path = run_dir / "generator.keras"
    if not path.is_file():
        raise ValueError(f"The run has no generator.keras. Received: path={str(path)!r}")
    return draw_from(keras.saving.load_model(path), config, n, label=label, seed=seed)


def draw_from(generator, config, n, label=None, seed=0):
    """`sample_run` for a generator already loaded, with its run's config.

    Returns:
        (samples, labels), as `sample_run`.

    Raises:
        ValueError: for a label outside [0, num_classes), or a label for an
            unconditional run.
    """
    num_classes = config.get("num_classes")
    if label is not None and num_classes is None:
        raise ValueError(
            "label is only for conditional runs (config.json without num_classes). "
            f"Received: label={label!r}"
        )
    prior = config["latent"]
    z = latent.draw(n, prior["dim"], prior["distribution"], seed)
    if num_classes is None:
        return generator.predict(z, verbose=0), None
    if label is None:
        labels = np.arange(n, dtype="int32") % num_classes
    else:
        labels = np.full(n, check_labels(label, num_classes, arg="label")[0], "int32")
    return generator.predict([z, labels], verbose=0), labels
