"""Lab 11: evaluating GANs, with the Parzen window, IS, FID, KID and precision/recall.

- `collect_generators`: the generators of labs 03, 05 and 06 from a runs
  folder, or trained by those labs with --quick when absent (lab 05's by a
  short WGAN-GP on the ring), copied into the lab 11 run folder;
- `digit_table`: every metric for every set of digits (held-out real,
  lab 03's G, lab 06's G, an untrained G, the cheat), in judge space, and
  the Parzen window in Goodfellow et al. 2014's Table 1 format;
- `parzen_curves`: how the Parzen estimate moves with sigma and with the
  number of samples;
- `sample_count_curves`: how each metric moves with the number of samples
  (FID's bias below 10,000);
- `ring_table`: lab 05's 2D generator, where the image metrics that need a
  classifier (IS) do not apply: Parzen, Fréchet, KID and P&R on raw 2D
  coordinates.
"""

import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

from ganlab import grading
from ganlab.grading import evaluation as grader
from ganlab.metrics.frechet import SingularCovarianceWarning, frechet_distance, kernel_inception_distance
from ganlab.metrics.parzen import SIGMAS, parzen_estimate, table1
from ganlab.metrics.precision_recall import precision_recall
from ganlab.training import figures

LABS = Path(__file__).resolve().parents[2] / "labs"
EVALUATED = ("03_dcgan", "05_wgan", "06_cgan")
COUNTS = (100, 300, 1000, 3000, 10_000)
"""Sample counts of the sample-count figures."""
RING_SIGMAS = np.logspace(-2.5, 0, 10)
"""Parzen widths for the ring (its modes have std 0.02, below the digit grid's 0.1)."""


def collect_generators(run, runs_dir, quick=True, seed=0, log=print):
    """Copy each evaluated lab's config.json and generator.keras into run/generators/<lab>/.

    A lab whose run folder (runs_dir/<lab>/generator.keras) is absent is
    trained first, into run/trained/: labs 03 and 06 by running the lab
    itself (with --quick when `quick`), lab 05 by `train_ring` (its
    WGAN-GP alone, shortened: lab 05 trains three models).

    Returns:
        {lab: {"source": folder, "trained_here": bool}}.
    """
    found = {}
    for name in EVALUATED:
        source = Path(runs_dir) / name if runs_dir else None
        trained = source is None or not (source / "generator.keras").is_file()
        if trained:
            source = run.file("trained") / name
            log(f"no run of {name} in {runs_dir}: training one ({'--quick' if quick else 'full'})")
            if name == "05_wgan":
                train_ring(source, seed)
            else:
                cmd = [sys.executable, str(LABS / f"{name}.py"), "--out", str(source.parent),
                       "--seed", str(seed), "--quiet"] + (["--quick"] if quick else [])
                proc = subprocess.run(cmd, capture_output=True, text=True)
                if proc.returncode != 0:
                    raise ValueError(f"training {name} failed: {proc.stderr.strip().splitlines()[-1]}")
        target = run.file(f"generators/{name}")
        target.mkdir(parents=True, exist_ok=True)
        for file in ("config.json", "generator.keras"):
            shutil.copy(source / file, target / file)
        found[name] = {"source": str(source), "trained_here": trained}
    return found


def train_ring(folder, seed=0, steps=1000, batch_size=256):
    """A short lab 05 stand-in: WGAN-GP on the ring of 8 (`wasserstein.ring_model`), saved as a run folder."""
    from ganlab.data import ring_of_gaussians
    from ganlab.recipes import wasserstein
    from ganlab.training.runfolder import save_model_atomic, write_json_atomic

    model = wasserstein.ring_model("wgan_gp", total_steps=steps, seed=seed)
    real = ring_of_gaussians().sample(100_000, seed=seed)
    model.fit(wasserstein.dataset_for(model, real, batch_size, seed), epochs=1,
              steps_per_epoch=steps, verbose=0)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_model_atomic(model.generator, folder / "generator.keras")
    write_json_atomic(folder / "config.json", {"lab": "05_wgan (short WGAN-GP, lab 11)",
                                               "latent": {"dim": 2, "distribution": "normal"},
                                               "mixture": "ring", "steps": steps, "seed": seed})


def _quiet_frechet(a, b):
    with warnings.catch_warnings():  # the cheat's repeated digits: singular covariance
        warnings.simplefilter("ignore", SingularCovarianceWarning)
        return frechet_distance(a, b)


def pixels01(images):
    """Digits in [-1, 1] as Goodfellow et al.'s Parzen window sees them: flat pixels in [0, 1]."""
    x = np.asarray(images, "float64")
    return ((x + 1) / 2).reshape(len(x), -1)


def digit_samplers(run, image_size):
    """{set name: sampler (n, seed) -> digits} of lab 03's G, its untrained twin, lab 06's G and the cheat."""
    config, g03 = grader.lab03_generator(run.path)
    dim = g03.input_shape[-1]
    samplers = {"lab 03 G": grading.latent_sampler(g03, dim),
                "untrained G": grading.latent_sampler(grading.untrained_like(g03), dim)}
    g06_dir = run.file("generators/06_cgan")
    if (g06_dir / "generator.keras").is_file():
        _, conditional = grading.conditional_run_sampler(g06_dir)
        samplers["lab 06 G"] = lambda n, seed: conditional(np.arange(n) % 10, seed)
    return samplers


def digit_table(run, judge, grade, n_parzen=10_000, seed=grading.GRADING_SEED):
    """Every metric of every set of digits: the judge's figures and the Parzen window.

    Judge figures (`grading.evaluation.judge_figures`) at 360 samples per set
    (the size of the held-out split) against the 1,437 training digits: the
    grade's (`grade_lab11`: held-out real, lab 03's G, untrained G, cheat)
    and lab 06's G's. The Parzen window at `n_parzen` samples (the training
    digits: all 1,437), sigma chosen on the first half of the held-out
    digits, scored on the second half. Returns {set: figures}.
    """
    from ganlab.data.images import load_image_arrays
    from ganlab.nets.judge import judge_features

    train, _ = load_image_arrays("digits", "train", 16)
    heldout, _ = load_image_arrays("digits", "test", 16)
    validation, test = pixels01(heldout[:180]), pixels01(heldout[180:])
    samplers = digit_samplers(run, 16)
    graded = grade.get("sets", {})
    names = {"held-out real": "heldout", "lab 03 G": "trained", "untrained G": "untrained",
             "lab 06 G": None, "cheat (1 digit per class)": "cheat"}
    large = {"held-out real": train, "cheat (1 digit per class)": grader.cheat_set(judge, n_parzen),
             **{name: s(n_parzen, seed + 1) for name, s in samplers.items()}}
    table = {}
    for name, key in names.items():
        if name not in large:
            continue  # no lab 06 run
        if key in graded:
            row = dict(graded[key])
        else:
            row = grader.judge_figures(samplers[name](len(heldout), seed), judge,
                                       judge_features(judge, train), seed=seed)
        row["parzen"] = parzen_estimate(pixels01(large[name]), validation, test)
        row["parzen_table1"] = table1(row["parzen"])
        row["extractor"] = "judge (64-d features, 10 classes); Parzen: pixels in [0, 1]"
        table[name] = row
    return table


def parzen_curves(run, image_size=16, seed=grading.GRADING_SEED):
    """Parzen on digits: validation log-likelihood against sigma, and test LL against sample count."""
    from ganlab.data.images import load_image_arrays

    heldout, _ = load_image_arrays("digits", "test", image_size)
    validation, test = pixels01(heldout[:180]), pixels01(heldout[180:])
    sampler = digit_samplers(run, image_size)["lab 03 G"]
    samples = pixels01(sampler(max(COUNTS), seed + 1))
    by_count = {n: parzen_estimate(samples[:n], validation, test) for n in COUNTS}
    return {"extractor": "pixels in [0, 1] (lab 03's G)", "validation_points": len(validation),
            "test_points": len(test),
            "sigmas": [float(s) for s in SIGMAS], "validation_by_sigma": by_count[max(COUNTS)]["validation"],
            "by_count": {str(n): {k: e[k] for k in ("mean", "std_error", "sigma")}
                         for n, e in by_count.items()}}


def sample_count_curves(run, judge, seed=grading.GRADING_SEED):
    """Every judge figure of lab 03's G at 100 ... 10,000 samples (the training digits as reference)."""
    from ganlab.data.images import load_image_arrays
    from ganlab.metrics.inception_score import inception_score
    from ganlab.nets.judge import judge_features, judge_predict

    train, _ = load_image_arrays("digits", "train", 16)
    reference = judge_features(judge, train)
    samples = digit_samplers(run, 16)["lab 03 G"](max(COUNTS), seed)
    cheat = grader.cheat_set(judge, max(COUNTS))
    curves = {}
    for n in COUNTS:
        row = grader.judge_figures(samples[:n], judge, reference, seed=seed)
        shuffled = cheat[np.random.default_rng(seed).permutation(len(cheat))[:n]]
        row["cheat_inception_score"] = inception_score(judge_predict(judge, shuffled), seed=seed)[0]
        row.update(extractor="judge (64-d features, 10 classes)", reference_samples=len(train))
        curves[str(n)] = row
    return curves


def ring_table(run, n=2000, seed=grading.GRADING_SEED):
    """Lab 05's 2D generator: Parzen, Fréchet, KID and P&R on raw coordinates (IS needs a classifier)."""
    from ganlab.data import ring_of_gaussians

    folder = run.file("generators/05_wgan")
    _, generator = grading.load_run(folder)
    dim = generator.input_shape[-1]
    ring = ring_of_gaussians()
    reference, validation, test = (ring.sample(k, seed=seed + i) for i, k in
                                   enumerate((n, 1000, 1000)))
    sets = {"held-out ring samples": ring.sample(n, seed=seed + 7),
            "lab 05 G (WGAN-GP)": grading.latent_sampler(generator, dim)(n, seed),
            "untrained G": grading.latent_sampler(grading.untrained_like(generator), dim)(n, seed)}
    table = {}
    for name, x in sets.items():
        x = np.asarray(x, "float64")
        p, r = precision_recall(reference, x)
        kid, kid_std = kernel_inception_distance(x, reference, seed=seed)
        est = parzen_estimate(x, validation, test, sigmas=RING_SIGMAS)
        table[name] = {"frechet_distance": _quiet_frechet(x, reference), "kid": kid,
                       "kid_std": kid_std, "precision": p, "recall": r, "parzen": est,
                       "parzen_table1": table1(est), "samples": n,
                       "extractor": "raw 2D coordinates"}
    return table


def table_markdown(digits, ring=None):
    """The lab's tables as Markdown (table.md)."""
    lines = ["| set (judge features; 360 samples) | IS | FID | KID | precision | recall | "
             "Parzen LL (Table 1) |", "|---|---|---|---|---|---|---|"]
    for name, r in digits.items():
        lines.append(f"| {name} | {r['inception_score']:.2f} | {r['frechet_distance']:.2f} | "
                     f"{r['kid']:.3f} | {r['precision']:.2f} | {r['recall']:.2f} | "
                     f"{r['parzen_table1']} (n={r['parzen']['samples']}) |")
    lines += ["", "Parzen: a Gaussian kernel on each of n samples (the held-out real row: on the "
              "1,437 training digits), pixels in [0, 1], sigma chosen on 180 held-out digits from "
              "logspace(-1, 0, 10), mean log-likelihood +- standard error of the other 180 (nats)."]
    if ring:
        lines += ["", "| set (raw 2D; IS: no classifier) | Frechet | KID | precision | recall | "
                  "Parzen LL |", "|---|---|---|---|---|---|"]
        for name, r in ring.items():
            lines.append(f"| {name} | {r['frechet_distance']:.4f} | {r['kid']:.4f} | "
                         f"{r['precision']:.2f} | {r['recall']:.2f} | {r['parzen_table1']} |")
    return "\n".join(lines) + "\n"


def draw(run, parzen, counts, judge):
    """parzen.png (LL vs sigma; LL vs samples), sample_count.png, cheat.png."""
    by_count = parzen["by_count"]
    figures.save_png(figures.side_by_side([
        figures.lines({"validation LL, 10,000 samples": (parzen["sigmas"], parzen["validation_by_sigma"])},
                      "Parzen window: sensitive to sigma", "sigma", "mean log-likelihood (nats)"),
        figures.lines({"test LL at the chosen sigma": ([int(n) for n in by_count],
                                                        [e["mean"] for e in by_count.values()])},
                      "... and to the sample count", "generated samples", "nats"),
    ]), run.file("parzen.png"))
    ns = [int(n) for n in counts]
    panels = [figures.lines({"lab 03 G": (ns, [counts[str(n)][key] for n in ns]), **extra},
                            title, "samples", key)
              for key, title, extra in (
                  ("frechet_distance", "FID (judge): biased upwards with few samples", {}),
                  ("kid", "KID (judge): unbiased", {}),
                  ("inception_score", "IS (judge)",
                   {"cheat": (ns, [counts[str(n)]["cheat_inception_score"] for n in ns])}),
                  ("recall", "recall (k=3)", {}))]
    figures.save_png(figures.side_by_side(panels), run.file("sample_count.png"))
    figures.save_png(figures.image_grid(grader.cheat_set(judge, 10), 1), run.file("cheat.png"))
