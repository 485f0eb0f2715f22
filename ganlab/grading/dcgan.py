"""Lab 03's grader: digits the judge reads, of every class, close to the data, not copied.

Planted faults (tests/grading/test_lab03.py), each failing for its reason:

| fault                                     | figure it gets                 | rejected by       |
|-------------------------------------------|--------------------------------|-------------------|
| untrained generator                       | Frechet ratio about 1          | frechet_ratio     |
| one fixed real digit                      | min class share 0              | min_class_share   |
| training digits verbatim                  | C_T about -14                  | copying           |
| training digits + N(0, 0.15) pixel noise  | C_T about -13 (pooled pixels)  | copying           |
| training digits shifted by 1 pixel        | C_T about -11 (judge features) | copying           |
| config.json edited to --dataset faces     | -                              | target check      |
| lab 06's (conditional) generator          | -                              | network: 2 inputs |

The old copy test (a sample closer to a training image than any held-out
image ever is) passed the noisy memoriser: confident 0.943, Frechet ratio
0.008, copy share 0.0. Meehan et al.'s test in two spaces does not.
"""

import numpy as np

from ganlab.grading.common import (
    GRADING_SEED,
    check_generator,
    check_targets,
    copying_check,
    copying_report,
    grade_or_fail,
    latent_sampler,
    load_run,
    untrained_like,
    verdict,
)

SAMPLES = 1_000
BAR = {
    "min_confident_share": 0.7,
    "min_class_share": 0.04,
    "max_frechet_ratio": 0.5,
    "min_copying": -3.0,
}
"""Lab 03 (DCGAN on digits): >= 70% of samples judged with confidence > 0.9,
every class >= 4% of samples, judge-feature Fréchet distance < half the
untrained generator's, and no data-copying: Meehan et al.'s C_T >= -3
(`ganlab.grading.common.copying_report`)."""
TARGET = {"dataset": "digits"}


def grade_digits(sampler, baseline_sampler, n=SAMPLES, seed=GRADING_SEED,
                 judge=None, bar=None):
    """Lab 03's bar for a digit generator, measured with the judge.

    Draws `n` samples and computes `ganlab.metrics.judge.digit_report`
    against the embedded `digits` at the samples' size (Fréchet reference:
    the training split), the data-copying statistic against the training
    and held-out splits (`copying_report`), and the Fréchet distance of the baseline
    (an untrained generator of the same architecture) from the same seed.

    Args:
        sampler: callable (n, seed) -> gray digits (n, H, W, 1) in [-1, 1],
            H in `ganlab.data.images.DIGIT_SIZES`.
        baseline_sampler: the same for the untrained baseline.
        n: number of samples (1,000 for the bar).
        seed: seed of the samplers.
        judge: the judge; `ganlab.nets.load_judge()` when None.
        bar: overrides of `BAR` entries.

    Returns:
        The report's figures, `baseline_frechet_distance`, `frechet_ratio`,
        the copying figures, plus `passed` and `failures`.

    Raises:
        ValueError: for samples that are not a batch of one-channel square
            images of a size `digits` comes in.
    """
    from ganlab.data.images import DIGIT_SIZES, load_image_arrays
    from ganlab.metrics.judge import digit_report, frechet_distance
    from ganlab.nets.judge import judge_features, load_judge

    bar = {**BAR, **(bar or {})}
    x = np.asarray(sampler(n, seed), "float32")
    if x.ndim != 4 or x.shape[-1] != 1 or x.shape[1] != x.shape[2] or x.shape[1] not in DIGIT_SIZES:
        raise ValueError(
            f"grade_digits needs gray square digits (n, H, H, 1) with H in {DIGIT_SIZES}. "
            f"Received: samples.shape={x.shape}"
        )
    if not np.all(np.isfinite(x)):
        return {"passed": False, "failures": ["samples are not finite"]}
    judge = judge or load_judge()
    train, _ = load_image_arrays("digits", "train", x.shape[1])
    heldout, _ = load_image_arrays("digits", "test", x.shape[1])
    fig = digit_report(judge, x, train)
    fig.update(copying_report(x, train, heldout, judge))
    base = np.asarray(baseline_sampler(n, seed), "float32")
    fig["baseline_frechet_distance"] = frechet_distance(
        judge_features(judge, base), judge_features(judge, train))
    fig["frechet_ratio"] = fig["frechet_distance"] / fig["baseline_frechet_distance"]
    return verdict(fig, [
        ("confident_share", fig["confident_share"], ">=", bar["min_confident_share"],
         fig["confident_share"] >= bar["min_confident_share"]),
        ("min_class_share", fig["min_class_share"], ">=", bar["min_class_share"],
         fig["min_class_share"] >= bar["min_class_share"]),
        ("frechet_ratio", fig["frechet_ratio"], "<", bar["max_frechet_ratio"],
         fig["frechet_ratio"] < bar["max_frechet_ratio"]),
        copying_check(fig, bar["min_copying"]),
    ])


@grade_or_fail
def grade_lab03(run_dir, seed=GRADING_SEED, judge=None):
    """Grade a lab 03 run folder: its generator.keras against the untrained baseline."""
    config, generator = load_run(run_dir)
    check_targets(config, TARGET, "03")
    check_generator(generator, 1, (None, None, 1), "03")
    dim, prior = generator.input_shape[-1], config.get("latent", {}).get("distribution", "normal")
    return grade_digits(latent_sampler(generator, dim, prior),
                        latent_sampler(untrained_like(generator), dim, prior), seed=seed,
                        judge=judge)
