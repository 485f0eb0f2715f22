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

| fault                                       | figure it gets                | rejected by            |
|---------------------------------------------|-------------------------------|------------------------|
| IS without shuffling (class-sorted splits)  | cheat IS 1.0                  | cheat inception_score  |
| Fréchet distance without the mean term      | closed form: 8.1 for 16       | frechet closed form    |
| precision and recall swapped                | cheat "recall" 0.4            | cheat recall           |
| KID keeping the kernel's diagonal (biased)  | 0.032 for one distribution    | kid of two samples ... |
| the "trained G" is untrained                | Frechet ratio 1.0             | frechet_ratio, cheat   |
| lab 06's (conditional) generator copied in  | -                             | network: 2 inputs      |
| the lab 03 run made on --dataset faces      | -                             | target check           |
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
KID_SUBSETS = 20
"""The grader's KID subsets (KID's default is 100): its 360-sample sets are
whole in every subset, only the reference's 360 of 1,437 vary; 20 suffice."""
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


def judge_figures(images, judge, reference, metrics=None, seed=GRADING_SEED,
                  kid_subsets=KID_SUBSETS):
    """IS, Fréchet distance, KID, precision and recall of digits, in judge space.

    Args:
        images: gray digits `(n, H, W, 1)` in [-1, 1].
        judge: the judge.
        reference: the judge features of the real reference set.
        metrics: {name: function} (`default_metrics()` when None).
        seed: seed of the IS shuffle and KID subsets.
        kid_subsets: KID's number of subsets (of up to 1,000 features).

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
    kid, kid_std = m["kid"](features, reference, subsets=kid_subsets, seed=seed)
    precision, recall = m["precision_recall"](reference, features)
    return {"inception_score": is_mean, "inception_score_std": is_std, "frechet_distance": fid,
            "kid": kid, "kid_std": kid_std, "precision": precision, "recall": recall,
            "samples": int(len(images))}


def closed_form_checks(metrics, tolerance, kid_zero, seed=GRADING_SEED):
    """The metrics on inputs with known answers: the Fréchet closed form, KID's zero.

    Fréchet: N(0, I_8) against N(1, 4 I_8), 20,000 samples each: exactly
    8 * 1 + 8 * (2 - 1)^2 = 16 (measured relative error 0.001).
    KID of two samples of N(0, I_8) (2,000 each; 20 subsets of 500): 0 in
    expectation; measured -0.0021 to +0.0033 over 6 seeds, where the biased
    V-statistic (the kernel's diagonal kept) gives +0.030 to +0.037.
    """
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(20_000, 8)), rng.normal(1.0, 2.0, size=(20_000, 8))
    fid_error = abs(metrics["frechet_distance"](a, b) - 16.0) / 16.0
    x, y = rng.normal(size=(2000, 8)), rng.normal(size=(2000, 8))
    kid_same = metrics["kid"](x, y, subsets=20, subset_size=500, seed=seed)[0]
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


def inception_figures(samples, reference_images, cache, log=print):
    """FID and KID in InceptionV3 features, or {"skipped": why} (one line logged) without the weights.

    The reference's features and statistics are cached beside `cache`
    (.npz: mu, sigma; .features.npy: the features KID needs), computed once.
    """
    from pathlib import Path

    from ganlab.metrics.frechet import cached_statistics, figure, frechet_distance
    from ganlab.metrics.frechet import kernel_inception_distance as kid
    from ganlab.nets import inception

    try:
        model = inception.inception_extractor()
    except inception.WeightsUnavailableError as e:
        log(str(e))
        return {"skipped": str(e)}
    cache = Path(cache)
    stored = cache.with_suffix(".features.npy")
    if stored.is_file():
        real = np.load(stored)
    else:
        real = inception.inception_features(model, reference_images)
        stored.parent.mkdir(parents=True, exist_ok=True)
        np.save(stored, real)
    mu, sigma, n_ref = cached_statistics(cache, lambda: real)
    fake = inception.inception_features(model, samples)
    name = inception.EXTRACTOR_NAME
    return {"frechet_distance": figure(frechet_distance(fake, (mu, sigma)), name, len(fake), n_ref),
            "kid": figure(kid(fake, real)[0], name, len(fake), len(real))}


def evaluation_figures(run_dir, config, target=None, n=1000, seed=GRADING_SEED, log=print):
    """Every lab 11 figure that applies to a run's data, each with its extractor and sample counts.

    - runs on the embedded digits (gray, a `digits` size): IS, Fréchet distance, KID,
      precision and recall in judge features against the training digits,
      and the Parzen window on pixels in [0, 1];
    - any images: Fréchet distance and KID in InceptionV3 features when
      its weights are on this machine (else one line says where to put
      them, and they are skipped);
    - 2D or 1D vectors: Fréchet distance, KID, precision/recall and the
      Parzen window on the raw coordinates, against the run's target.

    Args:
        run_dir: the run folder (config.json, generator.keras).
        config: its config.json.
        target: for vector runs, a callable (n, seed) -> samples of the
            data the run learnt (its Gaussian or mixture); None: no figures.
        n: generated samples per figure.
        seed: seed of the samples, the IS shuffle and the KID subsets.
        log: where the one-line notes go (e.g. missing InceptionV3 weights).

    Returns:
        {figure: {"value", "extractor", "samples", ...}}; empty when no
        figure applies.
    """
    from pathlib import Path

    from ganlab.grading.common import draw_from
    from ganlab.metrics.frechet import figure, frechet_distance
    from ganlab.metrics.frechet import kernel_inception_distance as kid
    from ganlab.metrics.parzen import parzen_estimate, table1
    from ganlab.metrics.precision_recall import precision_recall

    _, generator = load_run(run_dir)
    x, _ = draw_from(generator, config, n, seed=seed)
    x = np.asarray(x, "float32")
    out = {}
    if x.ndim == 4:
        from ganlab.data.images import DIGIT_SIZES, load_image_arrays

        dataset = config.get("dataset", "digits")
        if dataset == "digits" and x.shape[-1] == 1 and x.shape[1] in DIGIT_SIZES:
            from ganlab.nets.judge import judge_features, load_judge

            judge = load_judge()
            train, _ = load_image_arrays("digits", "train", x.shape[1])
            heldout, _ = load_image_arrays("digits", "test", x.shape[1])
            f = judge_figures(x, judge, judge_features(judge, train), seed=seed)
            name = "judge (64-d features, 10 classes)"
            for key in ("inception_score", "frechet_distance", "kid", "precision", "recall"):
                out[f"judge_{key}"] = figure(f[key], name, len(x), None if key == "inception_score"
                                             else len(train))
            half = len(heldout) // 2
            flat = [((a + 1) / 2).reshape(len(a), -1) for a in (x, heldout[:half], heldout[half:])]
            est = parzen_estimate(*flat)
            out["parzen"] = figure(est["mean"], "pixels in [0, 1]", len(x), est["test_points"],
                                   std_error=est["std_error"], sigma=est["sigma"],
                                   table1=table1(est))
        try:
            reference, _ = load_image_arrays(dataset, "train", x.shape[1])
        except Exception as e:  # a TFDS dataset offline: say so and skip
            log(f"no reference images of {dataset!r} for InceptionV3 ({str(e).splitlines()[0]})")
        else:
            cache = Path.home() / ".cache" / "ganlab" / f"{dataset}-{x.shape[1]}-inception.npz"
            out["inception"] = inception_figures(x, reference[:n * 5], cache, log)
    elif x.ndim == 2 and x.shape[1] in (1, 2):
        if target is None:
            return out
        real = np.asarray(target(3 * n, seed), "float64").reshape(3 * n, -1)
        ref, validation, test = real[:n], real[n:2 * n], real[2 * n:]
        name = "raw coordinates"
        p, r = precision_recall(ref, x)
        est = parzen_estimate(x, validation, test, sigmas=np.logspace(-2.5, 0, 10))
        out.update(frechet_distance=figure(frechet_distance(x, ref), name, len(x), len(ref)),
                   kid=figure(kid(x, ref, seed=seed)[0], name, len(x), len(ref)),
                   precision=figure(p, name, len(x), len(ref)),
                   recall=figure(r, name, len(x), len(ref)),
                   parzen=figure(est["mean"], name, len(x), est["test_points"],
                                 std_error=est["std_error"], sigma=est["sigma"], table1=table1(est)))
    return out
