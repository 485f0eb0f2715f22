"""Labs 04 and 05: divergences on parallel lines, and the Wasserstein GANs on the ring.

Lab 04 trains, at a fixed theta of Arjovsky's parallel lines, a
discriminator (the GAN's) and a critic (WGAN-GP's) against a generator that
does not move (its one weight, theta, has a zero learning rate): what each
network learns is then a function of theta alone, the curve the lecture
plots.

Lab 05 trains three models on the ring of 8 from one seed, with the papers'
optimizers:

* "gan":     GAN, non-saturating loss, Adam(lr, beta_1=0.5) (Radford 2016);
* "wgan":    WGAN, RMSProp(5e-5), c = 0.01, n_critic = 5 (Arjovsky 2017, Alg. 1);
* "wgan_gp": WGAN-GP, Adam(beta_1=0, beta_2=0.9), n_critic = 5 (Gulrajani
             2017, Alg. 1), with the generator slower than the critic and
             lambda = 1 (see `ring_model`).
"""

import functools

import keras
import numpy as np

from ganlab.data import toy_dataset
from ganlab.models import GAN, WGAN, WGANGP
from ganlab.nets import mlp_discriminator, mlp_generator
from ganlab.nets.inference import infer
from ganlab.nets.parallel_lines import parallel_line_generator

KINDS = ("gan", "wgan", "wgan_gp")
LINE_KINDS = ("discriminator", "critic")


def parallel_lines_model(theta, kind, hidden=64, lr=1e-3, seed=0):
    """A compiled model that trains only its discriminator or critic against P_theta.

    Args:
        theta: the offset of the generator's segment (held fixed).
        kind: "discriminator" (a `GAN`, minimax D loss, Adam(lr, 0.5)) or
            "critic" (a `WGANGP`, lambda = 10, n_critic = 5,
            Adam(lr, 0, 0.9)): a critic made 1-Lipschitz by the penalty.
        hidden: units of the two hidden layers (leaky ReLU).
        lr: the network's learning rate.
        seed: the model's seed.

    Returns:
        The compiled model; its generator's theta has learning rate 0.

    Raises:
        ValueError: for an unknown kind.
    """
    if kind not in LINE_KINDS:
        raise ValueError(f"kind must be one of {LINE_KINDS}. Received: kind={kind!r}")
    generator = parallel_line_generator(theta)
    net = mlp_discriminator(2, (hidden, hidden), activation="leaky_relu", name=kind)
    frozen = keras.optimizers.SGD(0.0)  # the generator holds still
    if kind == "discriminator":
        model = GAN(generator, net, latent_distribution="uniform", seed=seed)
        model.compile(frozen, keras.optimizers.Adam(lr, beta_1=0.5), d_steps=1,
                      steps_per_execution=50)
    else:
        model = WGANGP(generator, net, latent_distribution="uniform", seed=seed)
        model.compile(frozen, keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
                      n_critic=5, gp_weight=10.0, steps_per_execution=50)
    return model


def ring_model(kind, hidden=128, latent_dim=2, total_steps=3000, lr=1e-3, generator_lr=3e-4,
               gp_weight=1.0, seed=0):
    """A compiled GAN, WGAN or WGAN-GP of MLPs for the 2D ring (lab 05).

    G: three hidden ReLU layers and a linear output; the discriminator or
    critic: three hidden leaky-ReLU layers, no normalisation (none may be
    used in a WGAN-GP critic). GAN and WGAN-GP decay their learning rates by
    a cosine to 5% over the run (each network over its own steps), which
    tightens the modes; WGAN keeps the paper's constant RMSProp(5e-5).

    WGAN-GP departs from the paper's image settings in two ways, both
    measured on this ring (WGAN-GP alone, batch 256, 3,000 G steps, seeds
    0-5):

    * Its generator learns slower than its critic (`generator_lr` < `lr`),
      the two time-scale update rule of Heusel 2017, who train WGAN-GP with
      it. With one rate (1e-3 or 5e-4) for both, the first hundreds to
      thousands of steps can be a limit cycle: W1 swings between 1 and 3 and
      the critic's estimate turns negative (G has run past it); at either
      rate 1 seed in 6 never left it (0 of 8 modes). With G at 3e-4 and the
      critic at 1e-3, all 6 converged smoothly to 8 of 8 modes.
    * lambda = 1 rather than 10: the authors' own toy script
      (gan_toy.py of Gulrajani 2017's code) lowers lambda for the 2D tasks
      (to 0.1). At lambda = 10 the samples stayed loose around the modes
      (61-74% within 3 std); at 1, 74-76%. At 0.1 the critic was no longer
      1-Lipschitz: its estimate (4.3) exceeded W1 (1.0), so it no longer
      estimates W1.

    Args:
        kind: "gan", "wgan" or "wgan_gp".
        hidden: units per hidden layer.
        latent_dim: dimension of z ~ N(0, I).
        total_steps: generator steps of the whole run (the decay's length).
        lr: initial Adam learning rate of the GAN (both networks) and of
            WGAN-GP's critic.
        generator_lr: initial Adam learning rate of WGAN-GP's generator.
        gp_weight: WGAN-GP's lambda.
        seed: the model's seed.

    Raises:
        ValueError: for an unknown kind.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}. Received: kind={kind!r}")
    g = mlp_generator(latent_dim, 2, (hidden,) * 3)
    d = mlp_discriminator(2, (hidden,) * 3, activation="leaky_relu",
                          name="critic" if kind != "gan" else "discriminator")

    def decayed(rate, steps):
        return keras.optimizers.schedules.CosineDecay(rate, steps, alpha=0.05)

    if kind == "gan":
        model = GAN(g, d, seed=seed)
        model.compile(keras.optimizers.Adam(decayed(lr, total_steps), beta_1=0.5),
                      keras.optimizers.Adam(decayed(lr, total_steps), beta_1=0.5),
                      steps_per_execution=50)
    elif kind == "wgan":
        model = WGAN(g, d, seed=seed)
        model.compile(keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5),
                      n_critic=5, clip_value=0.01, steps_per_execution=50)
    else:
        model = WGANGP(g, d, seed=seed)
        model.compile(
            keras.optimizers.Adam(decayed(generator_lr, total_steps), beta_1=0.0, beta_2=0.9),
            keras.optimizers.Adam(decayed(lr, 5 * total_steps), beta_1=0.0, beta_2=0.9),
            n_critic=5, gp_weight=gp_weight, steps_per_execution=50)
    return model


def dataset_for(model, samples, batch_size, seed=0):
    """Batches of d_steps (k or n_critic) minibatches of `batch_size` for `fit`."""
    return toy_dataset(samples, batch_size * model.d_steps, seed=seed)


# ------------------------------------------------------------ lab 04 pieces
def emd_demo(seed=0):
    """The slide's EMD example and the checks of the linear program.

    Returns:
        dict with "plan_example": (x, p, y, q, plan, value) of two small 2D
        discrete distributions and their optimal transport plan, and
        "checks": the LP's W1 against `scipy.stats.wasserstein_distance` on
        random 1D discrete distributions, and KL / JS of the example.
    """
    from scipy import stats

    from ganlab.metrics import divergences as dv

    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 4, (5, 2))
    y = rng.uniform(0, 4, (4, 2)) + [3.0, 0.0]
    p = rng.uniform(0.5, 1.5, 5)
    q = rng.uniform(0.5, 1.5, 4)
    value, plan = dv.earth_movers_distance(x, y, p, q, return_plan=True)
    checks = []
    for _ in range(5):
        a, b = rng.normal(size=30), rng.normal(1.0, 2.0, size=40)
        wa, wb = rng.uniform(size=30), rng.uniform(size=40)
        checks.append({"lp": dv.earth_movers_distance(a, b, wa, wb, method="lp"),
                       "scipy": float(stats.wasserstein_distance(a, b, wa, wb))})
    hist_p, hist_q = np.array([0.1, 0.4, 0.5]), np.array([0.3, 0.3, 0.4])
    return {
        "plan_example": (x, p / p.sum(), y, q / q.sum(), plan, value),
        "checks": {"w1_1d_lp_vs_scipy": checks,
                   "kl_example": dv.kl_divergence(hist_p, hist_q),
                   "js_example": dv.js_divergence(hist_p, hist_q)},
    }


def transport_plan_figure(x, p, y, q, plan, value):
    """The EMD slide: two weighted point sets and the optimal flow between them."""
    from ganlab.training import figures

    plt = figures.plt
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.scatter(x[:, 0], x[:, 1], s=2000 * p, color="tab:blue", alpha=0.6, label="P")
    ax.scatter(y[:, 0], y[:, 1], s=2000 * q, color="tab:orange", alpha=0.6, label="Q")
    for i, j in zip(*np.nonzero(plan > 1e-9), strict=True):
        ax.plot([x[i, 0], y[j, 0]], [x[i, 1], y[j, 1]], "k-",
                lw=0.5 + 20 * plan[i, j], alpha=0.6)
    ax.set_title(f"optimal transport plan, W1 = {value:.3f}")
    ax.legend()
    fig.tight_layout()
    return figures.figure_to_array(fig)


def lab04_curves(rows, which):
    """Series {name: (thetas, values)} for lab 04's two plots.

    which: "values" (W, JS, KL clipped for display, the trained networks'
    estimates) or "gradients" (d loss / d theta of each network).
    """
    from ganlab.metrics.divergences import LOG2

    t = np.array([r["theta"] for r in rows])
    if which == "values":
        kl = np.array([min(r["kl"], 2.0) for r in rows])
        return {
            "W = |theta|": (t, [r["w"] for r in rows]),
            "JS (exact)": (t, [r["js"] for r in rows]),
            "KL (exact; inf drawn at 2)": (t, kl),
            "critic estimate / K": (t, [r["critic"]["normalised"] for r in rows]),
            "discriminator JS_hat": (t, [r["discriminator"]["js"] for r in rows]),
            "log 2": (t, np.full(len(t), LOG2)),
        }
    return {
        "critic: d(-E f)/d theta": (t, [r["critic"]["grad_theta"] for r in rows]),
        "discriminator (minimax): d E log(1-D) / d theta":
            (t, [r["discriminator"]["grad_theta"] for r in rows]),
    }


def train_on_lines(theta, kind, epochs, batch_size=256, seed=0, runtime=None, run=None):
    """Train lab 04's discriminator (epochs * 100 steps) or critic (epochs * 50 x 5) at theta.

    The discriminator learns at 3e-3, the critic at 1e-3 (`parallel_lines_model`).
    With `run` (the lab's `RunFolder`), the trained model is checkpointed
    under OUT/NAME.ckpt/<kind>_<theta>/, so a resumed lab skips it.

    Returns:
        The trained model (its network is `model.discriminator`).
    """
    from ganlab.metrics import divergences as dv
    from ganlab.training.progress import Progress

    def make():
        return parallel_lines_model(theta, kind, seed=seed,
                                    lr=3e-3 if kind == "discriminator" else 1e-3)

    model = make() if runtime is None else runtime.build(make)
    real = dv.parallel_lines(0.0, 20_000, seed=seed)
    steps = epochs * (100 if kind == "discriminator" else 50)
    dataset = dataset_for(model, real, batch_size, seed)
    callbacks = [Progress(f"{kind} at theta {theta:g}")]
    if run is not None:
        ckpt = run.checkpointer(model, f"{kind}_{theta:g}")
        dataset = ckpt.dataset(dataset, steps)
        callbacks.append(ckpt)
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=callbacks)
    return model


def divergences_on_lines(run, thetas, epochs, batch_size=256, seed=0, runtime=None):
    """Lab 04: at each theta, a discriminator and a critic, against the exact divergences.

    Saves each network (`ganlab.grading.lab04_network_name`) and writes
    divergences.png, gradients.png and emd.png into the run folder.

    Args:
        run: the lab's `RunFolder`.
        thetas: offsets of the generator's segment.
        epochs, batch_size, seed: training length, minibatch and seed.
        runtime: the lab's `Runtime`, or None.

    Returns:
        (rows, emd): per theta the exact W, JS, KL and the two networks'
        reports; `emd_demo`'s result.
    """
    from ganlab import grading
    from ganlab.metrics import divergences as dv
    from ganlab.training import figures

    rows = []
    for theta in thetas:
        d = train_on_lines(theta, "discriminator", epochs, batch_size, seed, runtime, run).discriminator
        c = train_on_lines(theta, "critic", epochs, batch_size, seed, runtime, run).discriminator
        run.save_model(d, grading.lab04_network_name("discriminator", theta))
        run.save_model(c, grading.lab04_network_name("critic", theta))
        rows.append({"theta": theta, **dv.parallel_lines_divergences(theta),
                     "discriminator": dv.discriminator_report(d, theta),
                     "critic": dv.critic_report(c, theta)})
    emd = emd_demo(seed)
    figures.save_png(figures.lines(lab04_curves(rows, "values"),
                                   "divergences on parallel lines", "theta", "nats / distance"),
                     run.file("divergences.png"))
    figures.save_png(figures.lines(lab04_curves(rows, "gradients"),
                                   "gradient handed to the generator", "theta",
                                   "d loss / d theta"), run.file("gradients.png"))
    figures.save_png(transport_plan_figure(*emd["plan_example"]), run.file("emd.png"))
    return rows, emd


# ------------------------------------------------------------ lab 05 pieces
def curves_figure(series, quality="W1 to data (exact)"):
    """One panel per model: the quality figure (left) and the critic's estimate (right).

    Args:
        series: {kind: (epochs, quality values, estimates)}.
        quality: name of the quality figure.
    """
    from ganlab.training import figures

    plt = figures.plt
    fig, axes = plt.subplots(1, len(series), figsize=(4.2 * len(series), 3.4))
    for ax, (kind, (ep, w1, est)) in zip(np.atleast_1d(axes), series.items(), strict=True):
        ax.plot(ep, w1, "k-", label=quality)
        ax.set_xlabel("epoch")
        ax.set_ylabel(quality)
        ax2 = ax.twinx()
        ax2.plot(ep, est, "r--", label="JS_hat of D" if kind == "gan" else "critic estimate")
        ax2.set_ylabel("discriminator JS_hat" if kind == "gan" else "critic estimate", color="r")
        ax.set_title(kind)
        ax.legend(loc="upper right", fontsize=7)
        ax2.legend(loc="center right", fontsize=7)
    fig.tight_layout()
    return figures.figure_to_array(fig)


def weight_histogram_figure(critics, clip_value=0.01):
    """Histograms of critic weights: WGAN's pile at +-c, WGAN-GP's do not."""
    from ganlab.training import figures

    plt = figures.plt
    fig, axes = plt.subplots(1, len(critics), figsize=(4.2 * len(critics), 3.2))
    for ax, (name, net) in zip(np.atleast_1d(axes), critics.items(), strict=True):
        w = np.concatenate([np.ravel(v) for v in net.get_weights()])
        ax.hist(w, bins=80, color="tab:purple")
        if name == "wgan":
            for s in (-1, 1):
                ax.axvline(s * clip_value, color="r", ls="--", lw=0.8)
        ax.set_title(f"{name} critic weights")
        ax.set_yscale("log")
    fig.tight_layout()
    return figures.figure_to_array(fig)


def share_at_clip(net, clip_value=0.01, tol=0.01):
    """Share of a critic's weights within tol * c of +-c."""
    w = np.abs(np.concatenate([np.ravel(v) for v in net.get_weights()]))
    return float(np.mean(w >= (1 - tol) * clip_value))


def compare_on_ring(run, real, epochs, steps_per_epoch, batch_size, latent_dim=2, seed=0,
                    runtime=None):
    """Lab 05 on the ring of 8: GAN, WGAN and WGAN-GP from one seed.

    Each model is built by `ring_model` and trained for `epochs` epochs of
    `steps_per_epoch` generator steps, the three at once (`fit_together`); at every epoch end `critic_figures`
    gives W1 and the critic's estimate (computed on copies of the nets while
    the next epoch trains: `in_background`; W1 from 8 transport problems for
    WGAN-GP, the graded model, 4 for the others), and WGAN-GP's generator and
    critic are saved to snapshots/ (the grader recomputes its curves from
    them, with 8).
    Writes into the run folder: generator.keras and critic.keras (WGAN-GP,
    the graded model), gan_* and wgan_* for the others, tb/<kind>,
    samples.png, curves.png and weights.png.

    Args:
        run: the lab's `RunFolder`.
        real: data samples of the ring (at least 20,000).
        epochs, steps_per_epoch, batch_size: training length and minibatch m.
        latent_dim: dimension of z ~ N(0, I).
        seed: seed of the models, the data order and the figures.
        runtime: optional `ganlab.training.strategy.Runtime` to build under.

    Returns:
        {kind: {"curves": per-epoch records, "spearman_last_half": rho,
        "modes": lab 02's mode figures}, "wgan_weights_at_clip": share}.
    """
    from ganlab import grading
    from ganlab.data import ring_of_gaussians
    from ganlab.training import figures
    from ganlab.training.callbacks import fit_logged, fit_together, in_background

    ring, results, series, clouds, critics = ring_of_gaussians(), {}, {}, [], {}
    run.file("snapshots").mkdir(exist_ok=True)
    models, trainings = {}, []
    for kind in KINDS:  # built here, one after the other: the same weights as trained alone
        make = functools.partial(ring_model, kind, latent_dim=latent_dim, seed=seed,
                                 total_steps=epochs * steps_per_epoch)
        model = models[kind] = make() if runtime is None else runtime.build(make)
        # The figures of an epoch are computed while the next one trains.
        # W1 of the ungraded GAN and WGAN averages half as many transport problems.
        figures_of = in_background(functools.partial(
            grading.critic_figures, real=real, kind=kind, latent_dim=latent_dim, seed=seed,
            w1_repeats=8 if kind == "wgan_gp" else 4, traced=True),
            model.generator, model.discriminator)

        def evaluate(m, kind=kind, figures_of=figures_of):
            # The epoch from G's step count, not a counter: a resumed run continues it.
            epoch = int(m.g_optimizer.iterations) // steps_per_epoch
            if kind == "wgan_gp":
                for net, name in ((m.generator, "generator"), (m.discriminator, "critic")):
                    run.save_model(net, grading.lab05_snapshot_name(epoch, name))
            return figures_of(m)

        trainings.append(functools.partial(
            fit_logged, model, dataset_for(model, real, batch_size, seed),
            run.file(f"tb/{kind}"), epochs, steps_per_epoch, evaluate,
            label=f"{kind} on the ring",
            checkpointer=lambda extras, model=model, kind=kind:
            run.checkpointer(model, f"ring_{kind}", extras)))
    # The three train at once (their small steps leave a core idle each).
    for (kind, model), (_, figs) in zip(models.items(), fit_together(trainings, runtime),
                                        strict=True):
        w1 = [r["w1"] for r in figs.records]
        est = [r["estimate"] for r in figs.records]
        series[kind] = ([r["epoch"] for r in figs.records], w1, est)
        results[kind] = {"curves": figs.records,
                         "spearman_last_half": grading.spearman_last_half(est, w1),
                         "modes": grading.grade_modes(
                             grading.latent_sampler(model.generator, latent_dim), ring)}
        clouds.append(figures.samples_2d(model.generate(2000), ring.centers, title=kind))
        critics[kind] = model.discriminator
        prefix = "" if kind == "wgan_gp" else f"{kind}_"
        run.save_model(model.generator, f"{prefix}generator.keras")
        run.save_model(model.discriminator, f"{prefix}critic.keras")
    results["wgan_weights_at_clip"] = share_at_clip(critics["wgan"])
    figures.save_png(figures.side_by_side(clouds), run.file("samples.png"))
    figures.save_png(curves_figure(series), run.file("curves.png"))
    figures.save_png(weight_histogram_figure({k: critics[k] for k in ("wgan", "wgan_gp")}),
                     run.file("weights.png"))
    return results


# ------------------------------------------------- lab 05 on digits (full run)
def image_model(kind, image_size=16, latent_dim=32, width=32, total_steps=10_000,
                lr=1e-4, seed=0):
    """A compiled GAN, WGAN or WGAN-GP of DCGAN nets for gray images (lab 05, digits).

    G is `dcgan_generator`. The GAN's discriminator is `dcgan_discriminator`
    (batch norm); both Wasserstein models use `dcgan_critic` with layer
    normalisation (no batch norm: the penalty is per example). Optimizers
    are the papers': Adam(2e-4, 0.5) for the GAN (Radford 2016),
    RMSProp(5e-5) and c = 0.01 for WGAN, Adam(lr, 0, 0.9) and lambda = 10 for
    WGAN-GP; n_critic = 5 for both Wasserstein models.

    Raises:
        ValueError: for an unknown kind.
    """
    from ganlab.nets.critic import dcgan_critic
    from ganlab.nets.dcgan import dcgan_discriminator, dcgan_generator

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}. Received: kind={kind!r}")
    g = dcgan_generator(latent_dim, image_size, 1, width)
    if kind == "gan":
        model = GAN(g, dcgan_discriminator(image_size, 1, width), seed=seed)
        model.compile(keras.optimizers.Adam(2e-4, beta_1=0.5),
                      keras.optimizers.Adam(2e-4, beta_1=0.5))
    elif kind == "wgan":
        model = WGAN(g, dcgan_critic(image_size, 1, width), seed=seed)
        model.compile(keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5),
                      n_critic=5, clip_value=0.01)
    else:
        model = WGANGP(g, dcgan_critic(image_size, 1, width), seed=seed)
        model.compile(keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
                      keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
                      n_critic=5, gp_weight=10.0)
    return model


def image_figures(generator, critic, real, kind, judge, latent_dim, n=1000, seed=0):
    """Lab 05's two curves on images: the judge's Fréchet distance and the critic's estimate.

    Returns:
        dict with fd (Fréchet distance between judge features of n generated
        and n real images) and estimate (as `critic_figures`).
    """
    from ganlab.metrics import divergences as dv
    from ganlab.metrics.judge import frechet_distance
    from ganlab.nets.judge import judge_features

    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, latent_dim)).astype("float32")
    fake = np.asarray(infer(generator, z, 250))
    data = np.asarray(real, "float32")[rng.choice(len(real), min(n, len(real)), replace=False)]
    f_real = infer(critic, data, 250).reshape(-1).astype("float64")
    f_fake = infer(critic, fake, 250).reshape(-1).astype("float64")
    if kind == "gan":
        value = -np.logaddexp(0, -f_real).mean() - np.logaddexp(0, f_fake).mean()
        estimate = dv.js_from_discriminator_value(value)
    else:
        estimate = float(f_real.mean() - f_fake.mean())
    fd = frechet_distance(judge_features(judge, fake), judge_features(judge, data))
    return {"fd": float(fd), "estimate": float(estimate)}


def compare_on_digits(run, epochs, batch_size=64, seed=0, steps_per_epoch=200, runtime=None):
    """Lab 05's comparison on 16x16 digits (its full run): GAN, WGAN, WGAN-GP.

    Each model is trained with `image_model`; at every epoch end the judge's
    Fréchet distance and the critic's estimate are computed
    (`image_figures`). Writes curves_digits.png, samples_digits.png, the
    generators (digits_<kind>_generator.keras) and TensorBoard runs
    tb/digits_<kind> into the run folder.

    Args:
        run: the lab's `RunFolder`.
        epochs, batch_size, seed, steps_per_epoch: training length and data.
        runtime: optional `ganlab.training.strategy.Runtime` (the lab's
            --devices / --precision) to build the models under.

    Returns:
        {kind: {"curves": per-epoch records, "spearman_last_half": rho}}.
    """
    from ganlab.data.images import load_image_arrays
    from ganlab.grading import spearman_last_half
    from ganlab.nets.judge import load_judge
    from ganlab.training import figures
    from ganlab.training.callbacks import fit_logged

    real, _ = load_image_arrays("digits", "train", 16)
    judge, out, series, grids = load_judge(), {}, {}, []
    for kind in KINDS:
        make = functools.partial(image_model, kind, total_steps=epochs * steps_per_epoch,
                                 seed=seed)
        model = make() if runtime is None else runtime.build(make)

        def evaluate(m, kind=kind):
            return image_figures(m.generator, m.discriminator, real, kind, judge,
                                 m.latent_dim, seed=seed)

        _, figs = fit_logged(model, dataset_for(model, real, batch_size, seed),
                             run.file(f"tb/digits_{kind}"), epochs, steps_per_epoch, evaluate,
                             label=f"{kind} on digits",
                             checkpointer=lambda extras, model=model, kind=kind:
                             run.checkpointer(model, f"digits_{kind}", extras))
        fd = [r["fd"] for r in figs.records]
        est = [r["estimate"] for r in figs.records]
        series[kind] = ([r["epoch"] for r in figs.records], fd, est)
        out[kind] = {"curves": figs.records, "spearman_last_half": spearman_last_half(est, fd)}
        grids.append(figures.image_grid(model.generate(64), 8))
        run.save_model(model.generator, f"digits_{kind}_generator.keras")
    figures.save_png(curves_figure(series, "judge FD"), run.file("curves_digits.png"))
    figures.save_png(figures.side_by_side(grids), run.file("samples_digits.png"))
    return out
