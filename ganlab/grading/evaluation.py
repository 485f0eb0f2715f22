"""Lab 11's grader: the metrics rank real data, a trained G and an untrained G, and expose the cheat.

Recomputed from the lab 03 generator lab 11 copied into its run folder
(generators/03_dcgan/), with fixed seeds; metrics.json is never read. Four
sets of digits, measured with the judge (`ganlab.nets.judge`: its class
probabilities for the Inception Score, its 64-d features for the rest),
against the embedded training digits (1,437) as the reference:

- held-out real digits (the 360 of the test split): the ceiling;
- lab 03's trained G and an untrained G of the same architecture (the
  floor), 360 samples each (every figure compared at one sample count);
- the slide's cheat: one held-out digit per class (the judge's most
  confident one) repeated, class after class; 360 for the comparisons, and
  10,000 (1,000 copies of each) for its Inception Score.

The metrics are arguments (`metrics=`), so a planted bug in one is graded
like a student's implementation would be.

Planted faults (tests/grading/test_lab11.py), each failing for its reason:

| fault                                          | figure it gets                  | rejected by                     |
|------------------------------------------------|---------------------------------|---------------------------------|
| IS without shuffling (class-sorted splits)     | cheat IS 1.0                    | cheat inception_score           |
| Fréchet distance without the mean term          | closed-form check far off       | frechet closed form             |
| precision and recall swapped                   | cheat "recall" 1.0              | cheat recall                    |
| KID with the diagonal (biased V-statistic)     | KID of one distribution 0.032   | kid of two samples of one ...   |
| the "trained G" is untrained                   | Frechet ratio about 1           | frechet_ratio, cheat frechet    |
| lab 06's (conditional) generator copied in     | -                               | network: 2 inputs               |
| lab 03 run made on --dataset faces              | -                               | target check                    |
"""

import warnings

import numpy as np

from ganlab.grading.common import (
    GRADING_SEED,
    check_generator,
    check_targets,
    grade_or_fail,
    latent_sampler,
    load_run,
    untrained_like,
    verdict,
)

NUM_CLASSES = 10
CHEAT_SAMPLES = 10_000
BAR = {"cheat_is_tolerance": 0.05, "max_cheat_recall": 0.2, "max_frechet_ratio": 0.5,
       "closed_form_tolerance": 0.02, "kid_zero": 0.01}
"""The cheating set's IS is within 5% of the 10 classes, its recall below 0.2
and its Fréchet distance above the trained G's; the Fréchet distance, KID,
Inception Score and recall order held-out real digits > lab 03's trained G >
an untrained G, the trained G's Fréchet distance below half the untrained
one's; the Fréchet distance meets a closed form within 2% and KID is about 0
(within 0.01) for two samples of one distribution."""
HIGHER_IS_BETTER = {"inception_score": True, "recall": True,
                    "frechet_distance": False, "kid": False}
"""The figures whose order the bar checks, and which way is better."""
TARGET = {"dataset": "digits"}
GENERATOR = "generators/03_dcgan"
"""Where lab 11's run folder keeps the lab 03 run it evaluated (config.json, generator.keras)."""


def default_metrics():
    """The metric implementations the grader uses ({name: function}); tests swap one for a faulty one."""
    from ganlab.metrics.frechet import frechet_distance, kernel_inception_distance
    from ganlab.metrics.inception_score import inception_score
    from ganlab.metrics.precision_recall import precision_recall

    return {"inception_score": inception_score, "frechet_distance": frechet_distance,
            "kid": kernel_inception_distance, "precision_recall": precision_recall}


def cheat_set(judge, n, image_size=16):
    """The slide's cheat: per class, the held-out digit the judge is surest of, repeated n / 10 times.

    Returned class after class (all 0s, then all 1s, ...), as a list of
    images "one of each class" would be: the order the unshuffled IS trap needs.
    """
    from ganlab.data.images import load_image_arrays
    from ganlab.nets.judge import judge_predict

    x, y = load_image_arrays("digits", "test", image_size)
    probs = judge_predict(judge, x)
    picks = []
    for c in range(NUM_CLASSES):
        idx = np.flatnonzero(np.asarray(y) == c)
        picks.append(x[idx[np.argmax(probs[idx, c])]])
    return np.repeat(np.stack(picks), int(np.ceil(n / NUM_CLASSES)), axis=0)[:n]


def judge_figures(images, judge, reference, metrics=None, seed=GRADING_SEED):
    """IS, Fréchet distance, KID, precision and recall of digits, in judge space.

    Args:
        images: gray digits `(n, H, W, 1)` in [-1, 1].
        judge: the judge.
        reference: the judge features of the real reference set.
        metrics: {name: function} (`default_metrics()` when None).
        seed: seed of the IS shuffle and KID subsets.

    Returns:
        dict of floats: inception_score (+ _std), frechet_distance, kid
        (+ _std), precision, recall, and `samples`.
    """
    from ganlab.metrics.frechet import SingularCovarianceWarning
    from ganlab.nets.judge import judge_features, judge_predict

    m = metrics or default_metrics()
    probs, features = judge_predict(judge, images), judge_features(judge, images)
    is_mean, is_std = m["inception_score"](probs, seed=seed)
    with warnings.catch_warnings():  # repeated samples (the cheat) make a singular covariance
        warnings.simplefilter("ignore", SingularCovarianceWarning)
        fid = m["frechet_distance"](features, reference)
    kid, kid_std = m["kid"](features, reference, seed=seed)
    precision, recall = m["precision_recall"](reference, features)
    return {"inception_score": is_mean, "inception_score_std": is_std, "frechet_distance": fid,
            "kid": kid, "kid_std": kid_std, "precision": precision, "recall": recall,
            "samples": int(len(images))}


def closed_form_checks(metrics, tolerance, kid_zero, seed=GRADING_SEED):
    """The metrics on inputs with known answers: the Fréchet closed form, KID's zero.

    Fréchet: N(0, I_8) against N(1, 4 I_8), 20,000 samples each: exactly
    8 * 1 + 8 * (2 - 1)^2 = 16 (measured relative error 0.002).
    KID of two samples of N(0, I_8) (2,000 each; 50 subsets of 500): 0 in
    expectation; measured -0.0035 to +0.0004 over 4 seeds, where the biased
    V-statistic (the kernel's diagonal kept) gives +0.032.
    """
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(20_000, 8)), rng.normal(1.0, 2.0, size=(20_000, 8))
    fid_error = abs(metrics["frechet_distance"](a, b) - 16.0) / 16.0
    x, y = rng.normal(size=(2000, 8)), rng.normal(size=(2000, 8))
    kid_same = metrics["kid"](x, y, subsets=50, subset_size=500, seed=seed)[0]
    return [
        ("frechet closed form (N(0, I) vs N(1, 4I) in 8-d: 16), relative error", fid_error,
         "<=", tolerance, fid_error <= tolerance),
        ("kid of two samples of one distribution (unbiased: 0)", abs(kid_same), "<=",
         kid_zero, abs(kid_same) <= kid_zero),
    ]


def grade_evaluation(sampler, baseline_sampler, judge=None, metrics=None, seed=GRADING_SEED,
                     bar=None):
    """Lab 11's bar for a digit generator, its untrained baseline and the metrics themselves.

    Args:
        sampler: callable (n, seed) -> digits (n, H, H, 1) in [-1, 1] (lab 03's G).
        baseline_sampler: the same for an untrained G of the same architecture.
        judge: the judge; `load_judge()` when None.
        metrics: {name: function} overriding `default_metrics()` entries.
        seed: seed of the samplers, the IS shuffle and the KID subsets.
        bar: overrides of `BAR` entries.

    Returns:
        `sets` ({heldout, trained, untrained, cheat}: `judge_figures`),
        `cheat_inception_score` (10,000 images), plus `passed` and `failures`.
    """
    from ganlab.data.images import load_image_arrays
    from ganlab.nets.judge import judge_features, judge_predict, load_judge

    bar = {**BAR, **(bar or {})}
    m = {**default_metrics(), **(metrics or {})}
    judge = judge or load_judge()
    trained = np.asarray(sampler(360, seed), "float32")
    if trained.ndim != 4 or trained.shape[-1] != 1 or not np.all(np.isfinite(trained)):
        return {"passed": False, "failures": [
            f"samples must be finite gray digits (n, H, W, 1). Received: {trained.shape}"]}
    size = trained.shape[1]
    train, _ = load_image_arrays("digits", "train", size)
    heldout, _ = load_image_arrays("digits", "test", size)
    reference = judge_features(judge, train)
    sets = {"heldout": heldout, "trained": trained,
            "untrained": np.asarray(baseline_sampler(len(heldout), seed), "float32"),
            "cheat": cheat_set(judge, len(heldout), size)}
    figs = {name: judge_figures(x, judge, reference, m, seed) for name, x in sets.items()}
    cheat_is = m["inception_score"](judge_predict(judge, cheat_set(judge, CHEAT_SAMPLES, size)),
                                    seed=seed)[0]
    out = {"sets": figs, "cheat_inception_score": cheat_is, "cheat_samples": CHEAT_SAMPLES,
           "extractor": "judge (64-d features, 10 classes)", "reference_samples": len(train)}
    cheat, tr = figs["cheat"], figs["trained"]
    gap = abs(cheat_is - NUM_CLASSES) / NUM_CLASSES
    checks = [
        ("cheat inception_score, relative distance to 10 classes", gap, "<=",
         bar["cheat_is_tolerance"], gap <= bar["cheat_is_tolerance"]),
        ("cheat recall", cheat["recall"], "<", bar["max_cheat_recall"],
         cheat["recall"] < bar["max_cheat_recall"]),
        ("cheat frechet_distance above the trained G's", cheat["frechet_distance"], ">",
         tr["frechet_distance"], cheat["frechet_distance"] > tr["frechet_distance"]),
    ]
    ratio = tr["frechet_distance"] / max(figs["untrained"]["frechet_distance"], 1e-12)
    out["frechet_ratio"] = ratio
    checks.append(("frechet_ratio (trained G / untrained G)", ratio, "<", bar["max_frechet_ratio"],
                   ratio < bar["max_frechet_ratio"]))
    for key, higher in HIGHER_IS_BETTER.items():
        for better, worse in (("heldout", "trained"), ("trained", "untrained")):
            b, w = figs[better][key], figs[worse][key]
            checks.append((f"order {key}: {better} {'>' if higher else '<'} {worse}", b,
                           ">" if higher else "<", w, b > w if higher else b < w))
    checks += closed_form_checks(m, bar["closed_form_tolerance"], bar["kid_zero"], seed)
    return verdict(out, checks)


def lab03_generator(run_dir):
    """(config, generator) of the lab 03 run a lab 11 run folder keeps, checked as lab 03's."""
    from pathlib import Path

    config, generator = load_run(Path(run_dir) / GENERATOR)
    check_targets(config, TARGET, "03")
    check_generator(generator, 1, (None, None, 1), "03")
    return config, generator


@grade_or_fail
def grade_lab11(run_dir, seed=GRADING_SEED, judge=None, metrics=None):
    """Grade a lab 11 run folder: the metrics on the lab 03 generator it evaluated."""
    config, generator = lab03_generator(run_dir)
    dim, prior = generator.input_shape[-1], config.get("latent", {}).get("distribution", "normal")
    return grade_evaluation(latent_sampler(generator, dim, prior),
                            latent_sampler(untrained_like(generator), dim, prior),
                            judge=judge, metrics=metrics, seed=seed)
