"""The grading bars of the labs, recomputed from saved networks.

Graders never trust metrics.json: they load the run's networks, draw fresh
samples with fixed seeds and recompute every figure here. The labs call the
same functions at the end of a run so a student sees the verdict the
instructor will see.

A *sampler* is any callable (n, seed) -> numpy samples; planted faults in the
grading tests are samplers too.
"""

from pathlib import Path

import keras
import numpy as np

from ganlab import latent
from ganlab.metrics import mode_report, normal_fit_report
from ganlab.training.runfolder import read_json  # noqa: F401 (graders use it)

GRADING_SEED = 20141
GRADING_SAMPLES = 10_000

LAB01_BAR = {"w1_over_sigma": 0.1, "mean_error_over_sigma": 0.1, "std_error_over_sigma": 0.2}
LAB02_BAR = {"min_modes": 7, "min_high_quality": 0.7}


def latent_sampler(generator, latent_dim, distribution="normal"):
    """A sampler drawing z from the run's prior with numpy and mapping it by G."""
    latent.check_prior(distribution)  # an unknown prior fails now, not at sampling

    def sample(n, seed=GRADING_SEED):
        z = latent.draw(n, latent_dim, distribution, seed)
        return generator.predict(z, batch_size=2048, verbose=0)

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


def _verdict(figures, checks):
    failures = [f"{name} = {value:.4g} not {op} {limit:g}" for name, value, op, limit, ok in checks if not ok]
    return {**figures, "passed": not failures, "failures": failures}


def grade_gaussian(sampler, mu, sigma, n=GRADING_SAMPLES, seed=GRADING_SEED):
    """Lab 01's bar: W1 < 0.1 sigma, |mean - mu| < 0.1 sigma, |std - sigma| < 0.2 sigma.

    Returns:
        normal_fit_report's figures plus `passed` and `failures`.
    """
    x = np.asarray(sampler(n, seed), "float64")
    if not np.all(np.isfinite(x)):
        return {"passed": False, "failures": ["samples are not finite"]}
    fig = normal_fit_report(x, mu, sigma)
    return _verdict(fig, [
        (k, fig[k], "<", limit, fig[k] < limit) for k, limit in LAB01_BAR.items()
    ])


def grade_modes(sampler, mixture, n=GRADING_SAMPLES, seed=GRADING_SEED,
                min_modes=None, min_high_quality=LAB02_BAR["min_high_quality"]):
    """Lab 02's bar on a 2D mixture: modes covered and share of high-quality samples.

    Args:
        min_modes: modes that must be covered; by default K - 1 of K (7 of 8).
    """
    if min_modes is None:
        min_modes = mixture.num_modes - 1
    fig = mode_report(sampler(n, seed), mixture.centers, mixture.std)
    return _verdict(fig, [
        ("modes_covered", fig["modes_covered"], ">=", min_modes, fig["modes_covered"] >= min_modes),
        ("high_quality", fig["high_quality"], ">=", min_high_quality,
         fig["high_quality"] >= min_high_quality),
    ])


# ------------------------------------------------------------------ lab 03
LAB03_SAMPLES = 1_000
LAB03_BAR = {
    "min_confident_share": 0.7,
    "min_class_share": 0.04,
    "max_frechet_ratio": 0.5,
    "max_copy_share": 0.1,
}
"""Lab 03 (DCGAN on digits): >= 70% of samples judged with confidence > 0.9,
every class >= 4% of samples, judge-feature Fréchet distance < half the
untrained generator's, and at most 10% copies of training images."""


def untrained_like(generator, seed=GRADING_SEED):
    """A freshly initialised generator of the same architecture (the baseline).

    `keras.models.clone_model` rebuilds the layers from their configs, so
    the weights are drawn anew from the initialisers; the global seed is set
    to `seed` first (this reseeds Python, NumPy and TensorFlow) so the
    baseline is the same every time.
    """
    keras.utils.set_random_seed(seed)
    return keras.models.clone_model(generator)


def grade_digits(sampler, baseline_sampler, n=LAB03_SAMPLES, seed=GRADING_SEED,
                 judge=None, bar=None):
    """Lab 03's bar for a digit generator, measured with the judge.

    Draws `n` samples and computes `ganlab.metrics.judge.digit_report`
    against the embedded `digits` at the samples' size (Fréchet reference:
    the training split; memorisation: nearest training image, against the
    held-out split's distances), and the Fréchet distance of the baseline
    (an untrained generator of the same architecture) from the same seed.

    Args:
        sampler: callable (n, seed) -> gray digits (n, H, W, 1) in [-1, 1],
            H in `ganlab.data.images.DIGIT_SIZES`.
        baseline_sampler: the same for the untrained baseline.
        n: number of samples (1,000 for the bar).
        seed: seed of the samplers.
        judge: the judge; `ganlab.nets.load_judge()` when None.
        bar: overrides of `LAB03_BAR` entries.

    Returns:
        The report's figures, `baseline_frechet_distance`, `frechet_ratio`,
        `memorised`, plus `passed` and `failures`.

    Raises:
        ValueError: for samples that are not a batch of one-channel square
            images of a size `digits` comes in.
    """
    from ganlab.data.images import DIGIT_SIZES, load_image_arrays
    from ganlab.metrics.judge import digit_report, frechet_distance
    from ganlab.nets.judge import judge_features, load_judge

    bar = {**LAB03_BAR, **(bar or {})}
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
    fig = digit_report(judge, x, train, train, heldout)
    base = np.asarray(baseline_sampler(n, seed), "float32")
    fig["baseline_frechet_distance"] = frechet_distance(
        judge_features(judge, base), judge_features(judge, train))
    fig["frechet_ratio"] = fig["frechet_distance"] / fig["baseline_frechet_distance"]
    fig["memorised"] = fig["copy_share"] > bar["max_copy_share"]
    return _verdict(fig, [
        ("confident_share", fig["confident_share"], ">=", bar["min_confident_share"],
         fig["confident_share"] >= bar["min_confident_share"]),
        ("min_class_share", fig["min_class_share"], ">=", bar["min_class_share"],
         fig["min_class_share"] >= bar["min_class_share"]),
        ("frechet_ratio", fig["frechet_ratio"], "<", bar["max_frechet_ratio"],
         fig["frechet_ratio"] < bar["max_frechet_ratio"]),
        ("copy_share", fig["copy_share"], "<=", bar["max_copy_share"],
         fig["copy_share"] <= bar["max_copy_share"]),
    ])


# --------------------------------------------------------------- lab 06 (cGAN)
LAB06_BAR = {"min_accuracy": 0.90, "min_class_accuracy": 0.70}
LAB06_PER_CLASS = 100


def conditional_sampler(generator, latent_dim, distribution="normal"):
    """A conditional sampler (labels, seed) -> G(z|y), z drawn with numpy from the run's prior."""
    latent.check_prior(distribution)  # an unknown prior fails now, not at sampling

    def sample(labels, seed=GRADING_SEED):
        z = latent.draw(len(labels), latent_dim, distribution, seed)
        return generator.predict([z, np.asarray(labels, "int32")], batch_size=1000, verbose=0)

    return sample


def grade_conditional(sampler, num_classes=10, per_class=LAB06_PER_CLASS, seed=GRADING_SEED,
                      judge=None, min_accuracy=LAB06_BAR["min_accuracy"],
                      min_class_accuracy=LAB06_BAR["min_class_accuracy"]):
    """Lab 06's bar: the judge recognises the class that was asked for.

    `per_class` samples of each class (1,000 for 10 classes) are drawn with
    the fixed seed; the judge (`ganlab.nets.judge`, 99.2% on held-out digits)
    classifies them. Passes when the judge's class equals the requested one
    for >= 90% of all samples and for >= 70% of every class's own samples.

    Args:
        sampler: callable (labels, seed) -> gray images in [-1, 1].
        judge: the judge model (`load_judge()` when None).

    Returns:
        accuracy, class_accuracy (list), worst_class, min_class_accuracy,
        confusion (requested x judged counts), plus `passed` and `failures`.
    """
    from ganlab.nets.judge import judge_predict, load_judge

    judge = load_judge() if judge is None else judge
    labels = np.repeat(np.arange(num_classes), per_class)
    x = np.asarray(sampler(labels, seed), "float32")
    if x.shape[0] != len(labels) or not np.all(np.isfinite(x)):
        return {"passed": False, "failures": ["samples are missing or not finite"]}
    judged = judge_predict(judge, x).argmax(-1)
    hits = judged == labels
    per = hits.reshape(num_classes, per_class).mean(axis=1)
    confusion = np.zeros((num_classes, judge.output_shape[-1]), int)
    np.add.at(confusion, (labels, judged), 1)
    fig = {"accuracy": float(hits.mean()), "class_accuracy": [float(a) for a in per],
           "min_class_accuracy": float(per.min()), "worst_class": int(per.argmin()),
           "confusion": confusion.tolist(), "samples": int(len(labels))}
    return _verdict(fig, [
        ("accuracy", fig["accuracy"], ">=", min_accuracy, fig["accuracy"] >= min_accuracy),
        ("min_class_accuracy", fig["min_class_accuracy"], ">=", min_class_accuracy,
         fig["min_class_accuracy"] >= min_class_accuracy),
    ])


def conditional_run_sampler(run_dir):
    """(config, conditional sampler) of a lab 06 run folder's generator.keras."""
    config, generator = load_run(run_dir)
    prior = config["latent"]
    return config, conditional_sampler(generator, prior["dim"], prior["distribution"])


# ------------------------------------------------------------------ lab 04
LAB04_BAR = {"critic_rel_error": 0.10, "js_error": 0.02, "js_min_abs_theta": 0.5}


def lab04_network_name(kind, theta):
    """File name of lab 04's discriminator or critic trained at `theta`."""
    return f"{kind}_theta{float(theta):+.2f}.keras"


def grade_lab04_networks(critics, discriminators, n=GRADING_SAMPLES, seed=GRADING_SEED):
    """Lab 04's bar from the networks themselves ({theta: net} for each kind).

    For every theta != 0 the critic's estimate E_P0[f] - E_Ptheta[f], divided
    by its measured Lipschitz constant K, must be within 10% of |theta|;
    for every |theta| >= 0.5 the discriminator's JS_hat = (V(D) + log 4) / 2
    within 0.02 of log 2.

    Returns:
        dict with per-theta figures ("critic", "discriminator"), `passed`
        and `failures`.
    """
    from ganlab.metrics import divergences as dv

    figures, checks = {"critic": {}, "discriminator": {}}, []
    for theta, net in sorted(critics.items()):
        r = dv.critic_report(net, theta, n, seed)
        figures["critic"][f"{theta:+.2f}"] = r
        if theta != 0:
            err = abs(r["normalised"] - abs(theta)) / abs(theta)
            ok = bool(np.isfinite(err) and err <= LAB04_BAR["critic_rel_error"])
            checks.append((f"critic |estimate/K - |theta|| / |theta| at theta={theta:+.2f}",
                           err, "<=", LAB04_BAR["critic_rel_error"], ok))
    for theta, net in sorted(discriminators.items()):
        r = dv.discriminator_report(net, theta, n, seed)
        figures["discriminator"][f"{theta:+.2f}"] = r
        if abs(theta) >= LAB04_BAR["js_min_abs_theta"]:
            err = abs(r["js"] - dv.LOG2)
            checks.append((f"|JS_hat - log 2| at theta={theta:+.2f}", err, "<=",
                           LAB04_BAR["js_error"], bool(err <= LAB04_BAR["js_error"])))
    if not checks:
        checks.append(("graded thetas", 0, ">", 0, False))
    return _verdict(figures, checks)


def grade_lab04(run_dir, thetas=None):
    """Load lab 04's saved networks from a run folder and grade them.

    Args:
        run_dir: the run folder.
        thetas: the thetas to grade (default: those in config.json).
    """
    run_dir = Path(run_dir)
    config = read_json(run_dir / "config.json")
    thetas = config["thetas"] if thetas is None else thetas
    nets = {kind: {float(t): load_run(run_dir, lab04_network_name(kind, t))[1] for t in thetas}
            for kind in ("critic", "discriminator")}
    return grade_lab04_networks(nets["critic"], nets["discriminator"])


# ------------------------------------------------------------------ lab 05
# min_points: evaluation points (snapshots) in the last half. Under no
# relation at all, Spearman's rho of 20 points has a standard deviation of
# 1 / sqrt(19) ~ 0.23, so 0.6 is 2.6 of them: a critic that says nothing
# passes by luck about once in 200 runs (of 10 points: once in 30).
LAB05_BAR = {"min_modes": 7, "min_high_quality": 0.7, "min_spearman": 0.6, "min_points": 20}
LAB05_REAL = 50_000  # data points the grader draws (with GRADING_SEED) for the curves


def lab05_snapshot_name(epoch, network):
    """File name of lab 05's WGAN-GP `network` ("generator"/"critic") after `epoch`."""
    return f"snapshots/wgan_gp_e{int(epoch):03d}_{network}.keras"


def spearman_last_half(estimates, quality):
    """Spearman rank correlation of two per-epoch series over their last half.

    Returns -1 (a failing value) when either half-series is constant or too
    short to rank.
    """
    from scipy import stats

    est = np.asarray(estimates, "float64")
    q = np.asarray(quality, "float64")
    half = slice(len(est) // 2, None)
    est, q = est[half], q[half]
    if len(est) < 3 or np.ptp(est) == 0 or np.ptp(q) == 0 or not np.all(np.isfinite(q)):
        return -1.0
    return float(stats.spearmanr(est, q).statistic)


def grade_lab05_curves(snapshots, real, latent_dim, seed=GRADING_SEED):
    """Recompute the critic estimate and W1 of each (generator, critic) snapshot.

    The figures are `ganlab.training.wasserstein.critic_figures` with its
    defaults (the estimate on 20,000 points per side, W1 the mean of 8
    exact W1s of 500 points per side) and one seed for every snapshot.

    Returns:
        (estimates, w1s, Spearman correlation over the last half).
    """
    from ganlab.training.wasserstein import critic_figures

    figs = [critic_figures(g, c, real, "wgan_gp", latent_dim, seed=seed) for g, c in snapshots]
    est = [f["estimate"] for f in figs]
    w1 = [f["w1"] for f in figs]
    return est, w1, spearman_last_half(est, w1)


def grade_lab05(run_dir, seed=GRADING_SEED):
    """Lab 05's bar, recomputed from generator.keras and the WGAN-GP snapshots.

    WGAN-GP covers >= 7 of 8 ring modes with >= 70% high-quality samples,
    and the Spearman correlation between its critic's estimate and the exact
    W1 to the data, over the last half of the epochs (at least 20 snapshots
    in it), is >= 0.6.

    Args:
        run_dir: the run folder.
        seed: seed of the data, latent and subsample draws (the grader's is
            fixed; other values measure how much the verdict owes to it).
    """
    from ganlab.data import ring_of_gaussians

    run_dir = Path(run_dir)
    config, sampler = run_sampler(run_dir)
    ring = ring_of_gaussians()
    modes = grade_modes(sampler, ring, seed=seed, min_modes=LAB05_BAR["min_modes"],
                        min_high_quality=LAB05_BAR["min_high_quality"])
    snapshots = []
    for epoch in range(1, int(config["epochs"]) + 1):
        snapshots.append(tuple(
            load_run(run_dir, lab05_snapshot_name(epoch, net))[1] for net in ("generator", "critic")))
    real = ring.sample(LAB05_REAL, seed=seed)
    est, w1, rho = grade_lab05_curves(snapshots, real, config["latent"]["dim"], seed=seed)
    points = len(est) - len(est) // 2
    figures = {**{k: v for k, v in modes.items() if k not in ("passed", "failures")},
               "estimates": est, "w1": w1, "spearman_last_half": rho,
               "points_last_half": points}
    checks = [(f, v, op, lim, ok) for f, v, op, lim, ok in [
        ("modes_covered", modes["modes_covered"], ">=", LAB05_BAR["min_modes"],
         modes["modes_covered"] >= LAB05_BAR["min_modes"]),
        ("high_quality", modes["high_quality"], ">=", LAB05_BAR["min_high_quality"],
         modes["high_quality"] >= LAB05_BAR["min_high_quality"]),
        ("spearman_last_half", rho, ">=", LAB05_BAR["min_spearman"],
         rho >= LAB05_BAR["min_spearman"]),
        ("points_last_half", points, ">=", LAB05_BAR["min_points"],
         points >= LAB05_BAR["min_points"]),
    ]]
    return _verdict(figures, checks)
