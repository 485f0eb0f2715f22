"""Lab 03: DCGAN on images; what an image lab shows (sample grids, latent walks).

- `dcgan_gan` and `train_dcgan`: the lab's model and its training run.

- `sample_grid_renderer`: the `render` of `EpochFigures` / `fit_logged` for
  image GANs. It maps the same latent vectors through G every epoch, so the
  grids (TensorBoard image, progress.gif, one PNG per epoch) show the same
  samples improving, as in Radford et al. 2016, Fig. 2-3.
- `interpolation_figure`: rows of G(z) along linear and spherical paths
  between pairs of z (`ganlab.latent`).
- `digit_arithmetic_figure`: Radford et al. 2016's vector arithmetic
  (Fig. 7) on digits, with kinds chosen by the judge: mean z of bold
  digits a - mean z of thin a + mean z of thin b, which should draw a bold b.
"""

from pathlib import Path

import keras
import numpy as np

from ganlab import latent
from ganlab.models import GAN
from ganlab.nets import dcgan_discriminator, dcgan_generator, judge_predict, load_judge
from ganlab.nets.inference import infer
from ganlab.training import figures
from ganlab.training.callbacks import fit_logged


def sample_grid_renderer(z, rows, folder=None):
    """A `render(model, epoch)` drawing G(z) for fixed z as an image grid.

    Args:
        z: the fixed latent vectors (n, latent_dim), drawn once.
        rows: rows of the grid.
        folder: if given, each epoch's grid is also written there as
            `epoch_NNN.png` (the folder is created).

    Returns:
        A callable (model, epoch) -> (H, W, 3) uint8 grid, for `fit_logged`.
        `model` is a ganlab GAN (its `generate`) or a generator `keras.Model`.
    """
    z = np.asarray(z, "float32")
    if folder is not None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)

    def render(model, epoch):
        images = _generate(model, z)
        grid = figures.image_grid(images, rows)
        if folder is not None:
            figures.save_png(grid, folder / f"epoch_{epoch:03d}.png")
        return grid

    return render


def _generate(model, z):
    if hasattr(model, "generate"):
        return model.generate(z=z)
    return infer(model, z, 1024)


def interpolation_figure(generator, pairs, steps=10):
    """G along linear and spherical interpolations between pairs of z.

    Args:
        generator: a generator `keras.Model` (or a GAN with `generate`).
        pairs: list of (z0, z1) latent vector pairs.
        steps: images per path, both ends included.

    Returns:
        A dict {"linear": grid, "slerp": grid} of (H, W, 3) uint8 images;
        each grid has one row per pair.
    """
    out = {}
    for method in ("linear", "slerp"):
        z = np.concatenate([latent.interpolate(a, b, steps, method) for a, b in pairs])
        out[method] = figures.image_grid(_generate(generator, z), rows=len(pairs))
    return out


def ink(images):
    """Stroke weight of gray digits: the share of pixels that are ink (> 0)."""
    x = np.asarray(images)
    return (x.reshape(len(x), -1) > 0).mean(axis=1)


def digit_arithmetic_figure(generator, z, probs, pairs=((0, 6), (1, 7), (3, 8), (4, 9)),
                            per_kind=3, variants=3, noise=0.25, seed=0, classify=None):
    """Radford et al. 2016 (Fig. 7) vector arithmetic on digits, kinds by the judge.

    Among samples the judge is confident about (p > 0.9), the `per_kind`
    with the most ink of class a are "bold a", the `per_kind` with the least
    "thin a". Each row shows, left to right: bold a, thin a, thin b (the
    means' images), then G(bold a - thin a + thin b) and `variants` images
    of that vector plus uniform noise in [-noise, noise] (the paper's 0.25).

    Args:
        generator: a generator `keras.Model` (or a GAN with `generate`).
        z: latent vectors (n, d) of samples already drawn.
        probs: the judge's probabilities (n, 10) for G(z).
        pairs: (a, b) class pairs, one row each; rows whose kinds have too
            few confident samples are skipped.
        per_kind, variants, noise, seed: as described above.
        classify: optional callable images -> class probabilities (e.g.
            `lambda x: judge_predict(judge, x)`), to report the result's class.

    Returns:
        (grid, rows): the (H, W, 3) uint8 image, or None when no pair had
        enough samples, and per row a dict with `a`, `b` and `ink_gain`:
        the result's ink minus the thin b's, positive when the stroke
        weight carried over, and with `classify`, `result_class` (b when
        the arithmetic kept the digit).
    """
    z = np.asarray(z, "float32")
    probs = np.asarray(probs)
    stroke = ink(_generate(generator, z))
    confident = probs.max(axis=1) > 0.9
    label = probs.argmax(axis=1)
    rng = np.random.default_rng(seed)
    cells, rows = [], []
    for a, b in pairs:
        bold_a = latent.kind_means(z, np.where(confident & (label == a), 1, -1), per_kind, stroke)
        thin_a = latent.kind_means(z, np.where(confident & (label == a), 1, -1), per_kind, -stroke)
        thin_b = latent.kind_means(z, np.where(confident & (label == b), 1, -1), per_kind, -stroke)
        if not (bold_a and thin_a and thin_b):
            continue
        result = latent.latent_arithmetic([bold_a[1], thin_b[1]], [thin_a[1]])
        jitter = rng.uniform(-noise, noise, (variants, len(result))).astype("float32")
        row = np.stack([bold_a[1], thin_a[1], thin_b[1], result, *(result + jitter)])
        images = _generate(generator, row)
        cells.append(images)
        rows.append({"a": a, "b": b, "ink_gain": float(ink(images[3:4])[0] - ink(images[2:3])[0])})
        if classify is not None:
            rows[-1]["result_class"] = int(np.argmax(classify(images[3:4])[0]))
    if not cells:
        return None, rows
    return figures.image_grid(np.concatenate(cells), rows=len(cells)), rows


def dcgan_gan(latent_dim, image_size, channels, width=64, lr=2e-4, ema=0.995, translation=2,
              seed=0):
    """Lab 03's GAN: DCGAN nets, Adam(lr, beta_1=0.5), G's weights averaged, D on shifted images.

    Args:
        latent_dim, image_size, channels, width: the nets (`dcgan_generator`).
        lr: Adam's learning rate, both networks.
        ema: momentum of the average of G's weights, in [0, 1); 0: no average.
        translation: largest shift in pixels of the images D sees (DiffAugment); 0: off.
        seed: the model's seed.

    Returns:
        A compiled `ganlab.models.GAN`.

    Raises:
        ValueError: for ema outside [0, 1).
    """
    if not 0.0 <= ema < 1.0:
        raise ValueError(f"--ema must be in [0, 1) (0: no average). Received: ema={ema}")
    average = {"use_ema": True, "ema_momentum": ema} if ema else {}
    gan = GAN(dcgan_generator(latent_dim, image_size, channels, width),
              dcgan_discriminator(image_size, channels, width), seed=seed)
    gan.compile(keras.optimizers.Adam(lr, beta_1=0.5, **average),  # G's weights averaged
                keras.optimizers.Adam(lr, beta_1=0.5),
                translation=translation)  # D sees shifted digits (DiffAugment)
    return gan


def train_dcgan(run, gan, data, epochs, steps_per_epoch, seed=0, digits=True):
    """Lab 03's run: train `gan` on `data` and draw what the lab shows.

    Writes progress.gif, grids/ and tb/ (the same 64 z every epoch),
    samples.png (those z through the saved, averaged G), generator.keras,
    discriminator.keras, interpolation_linear.png and
    interpolation_slerp.png, and with `digits` arithmetic.png.

    Args:
        run: the lab's `RunFolder`.
        gan: a compiled GAN (`dcgan_gan`), built in the runtime's scope.
        data: batches of images (an endless copy is taken).
        epochs, steps_per_epoch: the training length.
        seed: seed of the fixed z of the pictures.
        digits: draw the judge's vector arithmetic (the data are digits).

    Returns:
        dict of figures: "arithmetic" rows when `digits`.
    """
    rng = np.random.default_rng(seed)
    grid_z = rng.standard_normal((64, gan.latent_dim)).astype("float32")
    render = sample_grid_renderer(grid_z, 8, folder=run.file("grids"))
    fit_logged(gan, data.repeat(), run.file("tb"), epochs, steps_per_epoch, render=render,
               gif_path=run.file("progress.gif"), label="DCGAN",
               checkpointer=lambda extras: run.checkpointer(gan, extras=extras))
    # fit has replaced G's weights by their average: samples.png shows the G that is saved
    figures.save_png(figures.image_grid(gan.generate(z=grid_z), 8), run.file("samples.png"))
    run.save_model(gan.generator, "generator.keras")
    run.save_model(gan.discriminator, "discriminator.keras")
    pairs = rng.standard_normal((4, 2, gan.latent_dim))
    for method, grid in interpolation_figure(gan.generator, pairs).items():
        figures.save_png(grid, run.file(f"interpolation_{method}.png"))
    found = {}
    if digits:
        judge, z = load_judge(), rng.standard_normal((2000, gan.latent_dim)).astype("float32")
        grid, rows = digit_arithmetic_figure(
            gan.generator, z, judge_predict(judge, gan.generate(z=z)), seed=seed,
            classify=lambda x: judge_predict(judge, x))
        if grid is not None:
            figures.save_png(grid, run.file("arithmetic.png"))
        found["arithmetic"] = rows
    return found
