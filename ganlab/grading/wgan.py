"""Lab 05's grader: WGAN-GP covers the ring, and its critic's estimate tracks W1.

`critic_figures` is the one measurement of lab 05's curves: the lab's
recipe logs it every epoch and the grader recomputes it from the saved
snapshots.
"""

import concurrent.futures
import os
from pathlib import Path

import numpy as np

from ganlab.grading.common import (
    GRADING_SEED,
    RunError,
    check_generator,
    grade_or_fail,
    latent_sampler,
    load_run,
    verdict,
)
from ganlab.grading.mode_collapse import grade_modes

# min_points: evaluation points (snapshots) in the last half. Under no
# relation at all, Spearman's rho of 20 points has a standard deviation of
# 1 / sqrt(19) ~ 0.23, so 0.6 is 2.6 of them: a critic that says nothing
# passes by luck about once in 200 runs (of 10 points: once in 30).
BAR = {"min_modes": 7, "min_high_quality": 0.7, "min_spearman": 0.6, "min_points": 20,
       "min_tracking": 0.24}
REAL_POINTS = 50_000  # data points the grader draws (with GRADING_SEED) for the curves


def lab05_snapshot_name(epoch, network):
    """File name of lab 05's WGAN-GP `network` ("generator"/"critic") after `epoch`."""
    return f"snapshots/wgan_gp_e{int(epoch):03d}_{network}.keras"


def rank_correlation(estimates, quality):
    """Spearman rank correlation of two series.

    Returns -1 (a failing value) when either series is constant or too short
    (fewer than 3 points) to rank, or the quality is not finite.
    """
    from scipy import stats

    est = np.asarray(estimates, "float64")
    q = np.asarray(quality, "float64")
    if len(est) < 3 or np.ptp(est) == 0 or np.ptp(q) == 0 or not np.all(np.isfinite(q)):
        return -1.0
    return float(stats.spearmanr(est, q).statistic)


def spearman_last_half(estimates, quality):
    """`rank_correlation` of two per-epoch series over their last half."""
    half = slice(len(estimates) // 2, None)
    return rank_correlation(list(estimates)[half], list(quality)[half])


def critic_figures(generator, critic, real, kind, latent_dim, n=20_000, seed=0,
                   w1_points=500, w1_repeats=8, traced=False):
    """The two curves of lab 05 for one model at one moment, with fixed seeds.

    Both figures are averages chosen to be steady from one snapshot to the
    next, so that their rank correlation over a run measures the critic and
    not the sampling: the estimate is a mean over `n` points per side, and
    W1 is the mean of `w1_repeats` exact W1s, each between `w1_points`
    generated and `w1_points` data points (disjoint subsamples), solved as
    the assignment problem (`earth_movers_distance`). The same seed gives
    the same z and the same data points at every snapshot (common random
    numbers), so what moves the figures is the networks.

    Args:
        generator, critic: the networks (critic: a WGAN critic, or a GAN
            discriminator returning logits when kind == "gan").
        real: a large array of data samples (at least
            max(n, w1_points * w1_repeats) of them).
        kind: "gan", "wgan" or "wgan_gp".
        latent_dim: dimension of z ~ N(0, I).
        n: samples per side for the critic's estimate.
        seed: seed of z and of the data subsample.
        w1_points: points per side of one exact W1 (a transport problem).
        w1_repeats: how many disjoint subsample pairs W1 is averaged over.
        traced: take the critic's slope through a cached `tf.function`
            (the lab measures one critic every epoch; a grader measures
            each snapshot once, eagerly). The same figures up to rounding.

    Returns:
        dict with w1 (the mean exact W1 between w1_points generated and data
        points) and estimate: E_data[f] - E_G[f] for a critic, or the JS the
        discriminator certifies, (V(D) + log 4) / 2, for a GAN; for a
        critic also lipschitz (K, its largest gradient norm on the data, the
        samples and random points between them) and normalised (estimate / K).

    Raises:
        ValueError: if `real` has fewer points than the figures need.
    """
    from ganlab.metrics import divergences as dv

    n = max(int(n), w1_points * w1_repeats)
    if len(real) < n:
        raise ValueError(f"real must hold at least {n} samples (max(n, w1_points * "
                         f"w1_repeats)). Received: len(real)={len(real)}")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, latent_dim)).astype("float32")
    # Direct calls, not predict: no tf.function to trace for every snapshot.
    fake = np.asarray(generator(z, training=False))
    data = np.asarray(real, "float32")[rng.choice(len(real), n, replace=False)]
    f_real = np.asarray(critic(data, training=False), "float64").reshape(-1)
    f_fake = np.asarray(critic(fake, training=False), "float64").reshape(-1)
    if kind == "gan":
        value = -np.logaddexp(0, -f_real).mean() - np.logaddexp(0, f_fake).mean()
        estimate = dv.js_from_discriminator_value(value)
    else:
        estimate = float(f_real.mean() - f_fake.mean())
    if not np.all(np.isfinite(fake)):
        return {"w1": float("inf"), "estimate": float(estimate)}
    # The solver releases the GIL: the repeats run on every core, the same figures.
    starts = range(0, w1_points * w1_repeats, w1_points)
    with concurrent.futures.ThreadPoolExecutor(min(w1_repeats, os.cpu_count() or 1)) as pool:
        w1 = np.mean(list(pool.map(lambda i: dv.earth_movers_distance(
            fake[i:i + w1_points], data[i:i + w1_points]), starts)))
    figures = {"w1": float(w1), "estimate": float(estimate)}
    if kind != "gan":
        # K: the critic's steepest slope on the data, the samples and the lines between
        # them (where WGAN-GP's penalty acts). estimate / K is a 1-Lipschitz function's
        # E_data - E_G, a lower bound of W1 (Kantorovich-Rubinstein duality); the
        # critic that is trained against this G comes close to it, a stale one does not.
        t = np.random.default_rng(seed + 1).uniform(size=(n, 1)).astype("float32")
        points = np.concatenate([data, fake, t * data + (1 - t) * fake])
        k = float(np.max(dv.gradient_norms(critic, points, traced)))
        figures.update(lipschitz=k, normalised=float(estimate / k) if k > 0 else 0.0)
    return figures


def grade_lab05_curves(snapshots, real, latent_dim, seed=GRADING_SEED):
    """Recompute the critic's figures and W1 of each (generator, critic) snapshot.

    The figures are `critic_figures` with its defaults (the estimate on
    20,000 points per side, W1 the mean of 8 exact W1s of 500 points per
    side) and one seed for every snapshot. The grader gives the snapshots of
    the last half of training, the ones the bar ranks.

    Returns:
        dict of per-snapshot lists `estimates`, `w1`, `normalised`, and
        `spearman_last_half` (rank correlation of estimate and W1 over the
        snapshots given) and `tracking` (the median of normalised / W1).
    """
    figs = [critic_figures(g, c, real, "wgan_gp", latent_dim, seed=seed) for g, c in snapshots]
    est = [f["estimate"] for f in figs]
    w1 = [f["w1"] for f in figs]
    normalised = [f["normalised"] for f in figs]
    ratios = np.asarray(normalised) / np.maximum(np.asarray(w1), 1e-12)
    return {"estimates": est, "w1": w1, "normalised": normalised,
            "spearman_last_half": rank_correlation(est, w1),
            "tracking": float(np.median(ratios)) if len(ratios) else 0.0}


def load_snapshots(run_dir, generator):
    """The last half of the run's WGAN-GP (generator, critic) snapshots, which must end at `generator`.

    Snapshots are numbered from epoch 1 without gaps; of n of them, epochs
    n // 2 + 1 to n are loaded (the ones the bar ranks; the others are only
    counted).

    Raises:
        RunError: when there are none, or the last one's generator is not
            generator.keras (snapshots cut short, or taken from another run).
    """
    run_dir, count = Path(run_dir), 0
    while (run_dir / lab05_snapshot_name(count + 1, "critic")).is_file():
        count += 1
    if not count:
        raise RunError("lab 05's run has no snapshots/ of WGAN-GP: nothing to rank")
    snapshots = [tuple(load_run(run_dir, lab05_snapshot_name(epoch, net))[1]
                       for net in ("generator", "critic"))
                 for epoch in range(count // 2 + 1, count + 1)]
    last = snapshots[-1][0].get_weights()
    if len(last) != len(generator.get_weights()) or not all(
            np.array_equal(a, b) for a, b in zip(last, generator.get_weights(), strict=True)):
        raise RunError(f"snapshots/ end at epoch {count} with another generator than "
                       "generator.keras: the curves must lead to the graded generator")
    return snapshots


@grade_or_fail
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
    config, generator = load_run(run_dir)
    check_generator(generator, 1, (2,), "05")
    dim = generator.input_shape[-1]
    sampler = latent_sampler(generator, dim, config.get("latent", {}).get("distribution", "normal"))
    ring = ring_of_gaussians()
    modes = grade_modes(sampler, ring, seed=seed, min_modes=BAR["min_modes"],
                        min_high_quality=BAR["min_high_quality"])
    real = ring.sample(REAL_POINTS, seed=seed)
    curves = grade_lab05_curves(load_snapshots(run_dir, generator), real, dim, seed=seed)
    rho, tracking = curves["spearman_last_half"], curves["tracking"]
    points = len(curves["w1"])
    figures = {**{k: v for k, v in modes.items() if k not in ("passed", "failures")},
               **curves, "points_last_half": points}
    checks = [(f, v, op, lim, ok) for f, v, op, lim, ok in [
        ("modes_covered", modes["modes_covered"], ">=", BAR["min_modes"],
         modes["modes_covered"] >= BAR["min_modes"]),
        ("high_quality", modes["high_quality"], ">=", BAR["min_high_quality"],
         modes["high_quality"] >= BAR["min_high_quality"]),
        ("spearman_last_half", rho, ">=", BAR["min_spearman"],
         rho >= BAR["min_spearman"]),
        ("points_last_half", points, ">=", BAR["min_points"],
         points >= BAR["min_points"]),
        ("tracking (critic estimate / K over W1, median of the last half)", tracking, ">=",
         BAR["min_tracking"], tracking >= BAR["min_tracking"]),
    ]]
    return verdict(figures, checks)
