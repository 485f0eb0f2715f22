"""Labs 01 and 02: GANs of MLPs on the toy distributions (1D Gaussian, 2D mixtures).

A plain GAN on a 1D Gaussian ends with too small a variance and oscillates
around the optimum. The `stabilised` configuration adds three remedies the
lectures name, each a library option:

* minibatch discrimination in D (Salimans 2016, Section 3.2; also the fix of
  the well-known 1D-Gaussian GAN blog post): D sees how alike the samples
  of a minibatch are, so variance and mode collapse become visible to it;
* a cosine learning-rate decay to `lr_floor` of the initial rate (both
  networks), which damps the oscillation around the equilibrium;
* an exponential moving average of G's weights (Yazici 2019, "The unusual
  effectiveness of averaging in GAN training"), through Keras's own
  `use_ema` / `ema_momentum` optimizer options: G's weights are replaced by
  their average when `fit` ends (`GANBase.fit`).

`plain` is the same networks and optimizer without any of the three, so the
lab can show the difference; `averaged` keeps the decay and the average but
not minibatch discrimination, `minibatch` the decay and minibatch
discrimination but not the average (averaging the weights of a generator
that moves between modes blurs them, which costs sample quality in 2D).
"""

import functools

import keras
import numpy as np
import tensorflow as tf

from ganlab import losses
from ganlab.data import toy_dataset
from ganlab.metrics import mode_report, normal_fit_report
from ganlab.models import GAN
from ganlab.nets import mlp_discriminator, mlp_generator
from ganlab.nets.inference import infer
from ganlab.training import figures
from ganlab.training.callbacks import fit_logged, fit_together, history_series

# Which stabilisers each configuration turns on.
CONFIGS = {
    "plain": frozenset(),
    "stabilised": frozenset({"minibatch", "decay", "average"}),
    "averaged": frozenset({"decay", "average"}),
    "minibatch": frozenset({"minibatch", "decay"}),
}


def toy_gan(
    data_dim,
    config="stabilised",
    generator_loss="non_saturating",
    d_steps=1,
    latent_dim=8,
    hidden=64,
    total_steps=6000,
    lr=1e-3,
    lr_floor=0.02,
    ema_momentum=0.999,
    seed=0,
):
    """Build and compile a GAN of MLPs for a toy distribution.

    G is an MLP with tanh hidden units and a linear output, D an MLP with
    leaky-ReLU units (and, when stabilised, minibatch discrimination before
    its logit). Both use Adam(lr, beta_1=0.5) as in Radford 2016.

    Args:
        data_dim: dimension of a sample (1 or 2).
        config: one of `CONFIGS` (see the module docstring).
        generator_loss: "non_saturating" or "minimax".
        d_steps: k, D steps per G step (Algorithm 1).
        latent_dim: dimension of z ~ N(0, I).
        hidden: units in each of the two hidden layers of G and D.
        total_steps: G steps of the whole run (the decay schedule's length).
        lr: initial learning rate of both optimizers.
        lr_floor: final learning rate as a fraction of `lr` (stabilised).
        ema_momentum: momentum of G's weight average (stabilised).
        seed: the model's seed.

    Returns:
        A compiled `ganlab.models.GAN`.

    Raises:
        ValueError: for an unknown config, loss, or a bad k.
    """
    if config not in CONFIGS:
        raise ValueError(
            f"config must be one of {sorted(CONFIGS)}. Received: config={config!r}"
        )
    on = CONFIGS[config]
    generator = mlp_generator(latent_dim, data_dim, (hidden, hidden), activation="tanh")
    discriminator = mlp_discriminator(
        data_dim,
        (hidden, hidden),
        activation="leaky_relu",
        minibatch_features="discrimination" if "minibatch" in on else None,
    )
    gan = GAN(generator, discriminator, seed=seed)
    gan.configure(generator_loss=generator_loss, d_steps=d_steps)  # validate first

    def schedule(steps):
        if "decay" not in on:
            return lr
        return keras.optimizers.schedules.CosineDecay(lr, steps, alpha=lr_floor)

    ema = {"use_ema": True, "ema_momentum": ema_momentum} if "average" in on else {}
    gan.compile(
        keras.optimizers.Adam(schedule(total_steps), beta_1=0.5, **ema),
        keras.optimizers.Adam(schedule(total_steps * d_steps), beta_1=0.5),
        generator_loss=generator_loss,
        d_steps=d_steps,
        steps_per_execution=50,
    )
    return gan


def saturation_curves(num=101):
    """Gradient of each generator loss with respect to D's logit, against D(G(z)).

    Computed by differentiating the library's own loss functions. The
    minimax loss's gradient is -D(G(z)): it vanishes where D rejects the
    samples (left end), exactly when G most needs to learn.

    Returns:
        dict {loss name: (D(G(z)) values, |dL/dlogit|)}.
    """
    logits = tf.linspace(-7.0, 7.0, num)
    curves = {}
    for name, loss_fn in losses.GENERATOR_LOSSES.items():
        with tf.GradientTape() as tape:
            tape.watch(logits)
            # Sum of per-example losses: the mean times n.
            total = loss_fn(logits) * num
        grad = tape.gradient(total, logits)
        curves[name] = (tf.sigmoid(logits).numpy(), np.abs(grad.numpy()))
    return curves


def dataset_for(gan, samples, batch_size, seed=0):
    """The endless dataset `fit` needs: batches of k minibatches of `batch_size`."""
    return toy_dataset(samples, batch_size * gan.d_steps, seed=seed)


def discriminator_curve(gan, xs, context=63):
    """D(x) over the points `xs`, each judged inside a minibatch of G's samples.

    A discriminator with minibatch features judges a sample by its
    minibatch, so D(x) of a bare grid of points means nothing. Here each
    point is scored in a minibatch of itself and `context` fresh generator
    samples, which is how D meets real data during training.

    Args:
        gan: a trained GAN.
        xs: (n, d) points.
        context: generator samples sharing each point's minibatch.

    Returns:
        (n,) array of D(x) in [0, 1].
    """
    xs = np.asarray(xs, "float32")
    n = len(xs)
    fakes = gan.generate(n * context).reshape(n, context, -1)
    batches = np.concatenate([xs[:, None, :], fakes], axis=1).reshape(n * (context + 1), -1)
    logits = infer(gan.discriminator, batches, context + 1)
    return tf.sigmoid(logits.reshape(n, context + 1)[:, 0]).numpy()


def train_side_by_side(run, builds, samples, batch_size, epochs, steps_per_epoch,
                       evaluate, render, graded, seed=0,
                       comparison="comparison.png", runtime=None):
    """Train several toy GANs from one seed, each logged under tb/<name>.

    The graded one also writes progress.gif, generator.keras,
    discriminator.keras and samples.png; every final picture goes into
    comparison.png, side by side, so the student sees the difference.
    The models train at once, one thread each (`fit_together`; one after
    the other under several replicas), each exactly as it would alone. The
    progress output names the model training ("plain (2/3)"); each model
    checkpoints under OUT/NAME.ckpt/<name>/ every epoch, so a resumed run
    (`run.resume`) continues each from its last checkpoint (a model that
    had finished trains no further).

    Args:
        run: the `RunFolder` being written.
        builds: {name: callable () -> compiled GAN}.
        samples: the training data array.
        batch_size: minibatch size m (fit sees k*m per step).
        epochs, steps_per_epoch: the training length; `epochs` may be a
            dict {name: epochs} to run some configurations shorter.
        evaluate: callable gan -> dict of figures (logged every epoch).
        render: callable (gan, title) -> image.
        graded: the name of the graded configuration.
        seed: data shuffling seed.
        comparison: file name of the side-by-side picture.
        runtime: a `ganlab.training.strategy.Runtime` (`lab.runtime()`):
            models are built in its scope and prepared by it (--devices,
            --precision, --xla); None builds them as they are.

    Returns:
        ({name: final figures}, {name: trained gan}).
    """
    results, pictures = {}, []
    models = {name: build() if runtime is None else runtime.build(build)
              for name, build in builds.items()}

    # Built, and their data set up, here: the draws keep the order of one after the other.
    datasets = {name: dataset_for(gan, samples, batch_size, seed) for name, gan in models.items()}

    def train(i, name):
        gan, is_graded = models[name], name == graded
        # Pictures every epoch (TensorBoard images, progress.gif) for the
        # graded model only; the others are pictured once, at the end.
        _, figs = fit_logged(
            gan, datasets[name], run.file(f"tb/{name}"),
            epochs[name] if isinstance(epochs, dict) else epochs, steps_per_epoch, evaluate,
            (lambda model, epoch: render(model, f"{name}, epoch {epoch}")) if is_graded else None,
            gif_path=run.file("progress.gif") if is_graded else None,
            label=f"{name} ({i + 1}/{len(builds)})",
            checkpointer=lambda extras: run.checkpointer(gan, name, extras))
        return figs

    trained = fit_together([functools.partial(train, i, name) for i, name in enumerate(models)],
                           runtime)
    for (name, gan), figs in zip(models.items(), trained, strict=True):
        results[name] = evaluate(gan)
        results[name]["history"] = figs.records
        pictures.append(render(gan, f"{name}, final"))
        if name == graded:
            run.save_model(gan.generator, "generator.keras")
            run.save_model(gan.discriminator, "discriminator.keras")
            figures.save_png(pictures[-1], run.file("samples.png"))
    figures.save_png(figures.side_by_side(pictures), run.file(comparison))
    return results, models


# ------------------------------------------------------------------ lab 01
# name: (configuration, generator loss; None = the lab's --loss)
GAUSSIAN_RUNS = {
    "stabilised": ("stabilised", None),
    "plain": ("plain", None),
    "minimax": ("plain", "minimax"),
}


def learn_gaussian(run, real, mu, sigma, loss="non_saturating", k=1, batch_size=64, epochs=10,
                   steps_per_epoch=600, latent_dim=8, seed=0, runtime=None):
    """Lab 01: the GANs of `GAUSSIAN_RUNS` learn N(mu, sigma^2) side by side.

    Writes into the run folder what `train_side_by_side` writes (the graded
    model is `stabilised`; samples.png is the blog's picture of data
    density, G's density and D(x)) and saturation.png (why the
    non-saturating loss).

    Args:
        run: the lab's `RunFolder`.
        real: samples of the target, (n, 1).
        mu, sigma: the target's mean and standard deviation.
        loss: generator loss of the `plain` and `stabilised` runs.
        k: D steps per G step.
        batch_size, epochs, steps_per_epoch: minibatch m and training length.
        latent_dim: dimension of z ~ N(0, I).
        seed: seed of the models and the data order.
        runtime: the lab's `Runtime`, or None.

    Returns:
        {name: final figures, with "history"}.
    """
    builds = {name: (lambda config=config, gen_loss=gen_loss: toy_gan(
        1, config, gen_loss or loss, k, latent_dim, seed=seed,
        total_steps=epochs * steps_per_epoch)) for name, (config, gen_loss) in GAUSSIAN_RUNS.items()}
    results, _ = train_side_by_side(
        run, builds, real, batch_size, epochs, steps_per_epoch,
        lambda gan: normal_fit_report(gan.generate(2000), mu, sigma),
        lambda gan, title: figures.density_1d(
            gan.generate(5000), mu, sigma, lambda x: discriminator_curve(gan, x), title),
        graded="stabilised", seed=seed, runtime=runtime)
    figures.save_png(figures.lines(saturation_curves(), "why non-saturating",
                                   "D(G(z))", "|dL_G / d logit|"),
                     run.file("saturation.png"))
    return results


# ------------------------------------------------------------------ lab 02
def compare_on_mixtures(run, mixtures, batch_size=128, epochs=8, steps_per_epoch=500,
                        latent_dim=4, seed=0, runtime=None):
    """Lab 02: a plain GAN and one with minibatch discrimination on each 2D mixture.

    For each mixture `name` the two runs `<name>_plain` and
    `<name>_minibatch` train from one seed (comparison_<name>.png,
    tb/<name>_<config>); `ring_minibatch` is the graded model. modes.png
    shows the modes covered during training, every run on one plot.

    Args:
        run: the lab's `RunFolder`.
        mixtures: {name: `ganlab.data.Mixture2D`}, "ring" among them.
        batch_size, epochs, steps_per_epoch: minibatch and training length.
        latent_dim: dimension of z ~ N(0, I).
        seed: seed of the models, the data and its order.
        runtime: the lab's `Runtime`, or None.

    Returns:
        {run name: final mode figures, with "history"}.
    """
    results = {}
    for data, mixture in mixtures.items():
        builds = {f"{data}_{config}": (lambda config=config: toy_gan(
            2, config, latent_dim=latent_dim, hidden=128, seed=seed,
            total_steps=epochs * steps_per_epoch)) for config in ("plain", "minibatch")}
        found, _ = train_side_by_side(
            run, builds, mixture.sample(100_000, seed=seed), batch_size,
            epochs, steps_per_epoch,
            lambda gan, m=mixture: mode_report(gan.generate(5000), m.centers, m.std),
            lambda gan, title, m=mixture: figures.samples_2d(gan.generate(2000), m.centers, title),
            graded="ring_minibatch", seed=seed, comparison=f"comparison_{data}.png",
            runtime=runtime)
        results.update(found)
    figures.save_png(figures.lines(
        {name: history_series(r["history"], "modes_covered") for name, r in results.items()},
        "modes covered during training", ylabel="modes"), run.file("modes.png"))
    return results
