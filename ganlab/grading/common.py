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
from ganlab.nets.inference import infer
from ganlab.training.runfolder import read_json

GRADING_SEED = 20141
GRADING_SAMPLES = 10_000
COPYING_LIMIT = -3.0
"""Meehan et al.'s C_T below which samples are copies of the training data.

C_T is a weighted mean of z-scores: held-out real digits against held-out
real digits give |C_T| < 1.3 (three splits, tests/metrics/test_copying.py),
training digits under noise, shifts, blur or a contrast change below -4.9."""


def latent_sampler(generator, latent_dim, distribution="normal"):
    """A sampler drawing z from the run's prior with numpy and mapping it by G."""
    latent.check_prior(distribution)  # an unknown prior fails now, not at sampling

    def sample(n, seed=GRADING_SEED):
        z = latent.draw(n, latent_dim, distribution, seed)
        return infer(generator, z, 2048)

    return sample


def conditional_sampler(generator, latent_dim, distribution="normal"):
    """A conditional sampler (labels, seed) -> G(z|y), z drawn with numpy from the run's prior."""
    latent.check_prior(distribution)  # an unknown prior fails now, not at sampling

    def sample(labels, seed=GRADING_SEED):
        z = latent.draw(len(labels), latent_dim, distribution, seed)
        return infer(generator, [z, np.asarray(labels, "int32")], 1000)

    return sample


def load_untrusted_model(path):
    """Load a student's `.keras` file in Keras's safe mode.

    `safe_mode=True` (Keras's default, stated here so that no refactoring
    loses it) refuses a Python lambda serialised in the file (a
    `keras.layers.Lambda` of a lambda: its bytecode would run on load) and,
    in Keras >= 3.9, classes and functions from outside Keras and the
    registered ganlab objects, even after a process-wide
    `keras.config.enable_unsafe_deserialization()`. It is no sandbox: see
    "Grading a whole class" in README.md for what it does not protect against.

    Raises:
        ValueError: for a file that is not a zip archive (truncated or
            corrupt: Keras would say "File not found"), or a lambda (the
            message says "Python lambda" or "Lambda"); Keras's own errors
            for other damage.
    """
    import zipfile

    # Keras lets a process-wide keras.config.enable_unsafe_deserialization() (called
    # by any module imported) override safe_mode=True; the scope overrides it back.
    from keras.src.saving.serialization_lib import SafeModeScope

    if Path(path).is_file() and not zipfile.is_zipfile(path):
        raise ValueError(f"{Path(path).name} is not a .keras (zip) file: truncated or corrupt. "
                         f"Received: path={str(path)!r}")
    with SafeModeScope(True):
        return keras.saving.load_model(path, safe_mode=True)


def load_run(run_dir, network="generator.keras"):
    """Load a run folder's config and one saved network (in safe mode: `load_untrusted_model`).

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
    return config, load_untrusted_model(path)


def load_networks(run_dir, networks):
    """(config, {key: network}) of a run folder's saved networks, `networks` = {key: file name}.

    Raises:
        ValueError: if the folder, its config.json or a network is missing.
    """
    config, nets = None, {}
    for key, name in networks.items():
        config, nets[key] = load_run(run_dir, name)
    return config, nets


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
    return draw_from(load_untrusted_model(path), config, n, label=label, seed=seed)


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
        return infer(generator, z, 32), None
    if label is None:
        labels = np.arange(n, dtype="int32") % num_classes
    else:
        labels = np.full(n, check_labels(label, num_classes, arg="label")[0], "int32")
    return infer(generator, [z, labels], 32), labels


def copying_report(samples, train, heldout, judge):
    """Meehan et al.'s data-copying statistic in two spaces where a copy cannot hide.

    - the judge's features: blind to a pixel of shift, a blur, a little noise;
    - pooled pixels, compared at every shift of up to 2 pixels
      (`shift_invariant_distances`): blind to pixel noise and to shifts.

    A copy perturbed to escape one space is caught in the other: noise of
    0.3 moves the features (C_T +3.9) but not the pooled pixels (-8.5); a
    1-pixel shift the reverse. The grade uses the lower of the two.

    Args:
        samples: generated images `(n, H, W, 1)` in [-1, 1].
        train: the training images, same shape per image.
        heldout: real images never trained on.
        judge: the judge (`ganlab.nets.load_judge()`).

    Returns:
        dict with `copying_features`, `copying_pixels` and `copying` (the lower).
    """
    from ganlab.metrics.copying import data_copying_statistic, shift_invariant_distances
    from ganlab.nets.judge import judge_features

    features = [judge_features(judge, x) for x in (train, heldout, samples)]
    in_features = data_copying_statistic(*features)["c_t"]
    in_pixels = data_copying_statistic(train, heldout, samples,
                                       distance=shift_invariant_distances)["c_t"]
    return {"copying_features": in_features, "copying_pixels": in_pixels,
            "copying": min(in_features, in_pixels)}


def copying_check(report, limit=COPYING_LIMIT):
    """The verdict check of `copying_report`: C_T at least `limit`."""
    return ("copying C_T (Meehan 2020; < 0: closer to the training data than new data)",
            report["copying"], ">=", limit, report["copying"] >= limit)


class RunError(ValueError):
    """A run folder cannot be graded: its one-line reason is the failure."""


def check_generator(generator, inputs, output_shape, lab):
    """Fail in one line when a saved generator is not the lab's kind of network.

    Args:
        generator: the loaded `keras.Model`.
        inputs: the number of inputs the lab's generator takes (1: z; 2: z and a label).
        output_shape: the expected output shape without the batch axis; None
            entries match any size.
        lab: the lab's name, for the message.

    Raises:
        RunError: naming what was found and what the lab's generator is.
    """
    found_inputs = len(generator.inputs)
    shape = tuple(generator.output_shape[1:])
    fits = len(shape) == len(output_shape) and all(
        want is None or want == got for want, got in zip(output_shape, shape, strict=True))
    if found_inputs != inputs or not fits:
        raise RunError(
            f"generator.keras takes {found_inputs} input(s) and makes {shape}; lab {lab}'s "
            f"generator takes {inputs} and makes {tuple(output_shape)}: not this lab's network"
        )


def check_targets(config, targets, lab):
    """Fail in one line when a run was made for other targets than the lab's bar.

    Args:
        config: the run's config.json.
        targets: {config key: the lab's value}.
        lab: the lab's name, for the message.

    Raises:
        RunError: "ran with --sigma 2.0; the bar is defined for 0.5".
    """
    for key, want in targets.items():
        got = config.get(key, want)
        if got != want:
            flag = "--" + key.replace("_", "-")
            raise RunError(f"lab {lab} ran with {flag} {got}; the bar is defined for {want}")


def latent_run_sampler(run_dir, targets, output_shape, lab):
    """(config, sampler) of a run folder's generator, checked against the lab's targets and network.

    z is drawn with the latent size of generator.keras itself and the prior
    config.json records (a wrong prior only hurts the run).

    Raises:
        RunError: for a run made for other targets, or another lab's network.
    """
    config, generator = load_run(run_dir)
    check_targets(config, targets, lab)
    check_generator(generator, 1, output_shape, lab)
    return config, latent_sampler(generator, generator.input_shape[-1],
                                  config.get("latent", {}).get("distribution", "normal"))


def grade_or_fail(grade_run):
    """Wrap a run-folder grader: a folder it cannot grade fails, with its one-line reason.

    A `ValueError` (a `RunError`, a missing or unreadable file, a generator
    whose samples have the wrong shape) becomes `{"passed": False,
    "failures": [its first line]}`, so an instructor's report names why.
    """

    def grade(run_dir, *args, **kwargs):
        try:
            return grade_run(run_dir, *args, **kwargs)
        except ValueError as e:
            return {"passed": False, "failures": [str(e).strip().splitlines()[0]]}

    grade.__doc__, grade.__name__ = grade_run.__doc__, grade_run.__name__
    return grade
