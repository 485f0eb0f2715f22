"""Lab 06: the conditional GAN on digits, and what a conditional image lab shows.

- `conditional_gan` and `train_conditional`: the lab's model and its run.

- `class_grid_renderer`: the `render` of `fit_logged` for conditional GANs:
  a grid with one row per class and one column per fixed z, so each column
  keeps its "style" (slant, thickness) across the classes.
- `class_interpolation_figure`: G(z | (1 - t) c(a) + t c(b)) at a fixed z,
  one row per pair of classes.
"""

import keras
import numpy as np

from ganlab.models import ConditionalGAN
from ganlab.models.cgan import interpolate_classes
from ganlab.nets import conditional_dcgan_discriminator, conditional_dcgan_generator
from ganlab.nets.inference import infer
from ganlab.training import figures
from ganlab.training.callbacks import fit_logged

PAIRS = ((0, 6), (1, 7), (3, 8), (4, 9))


def class_grid(generator, z, num_classes):
    """Images G(z_j | i): row i = class i, column j = the fixed z_j, as numpy."""
    z = np.asarray(z, "float32")
    labels = np.repeat(np.arange(num_classes, dtype="int32"), len(z))
    return infer(generator, [np.tile(z, (num_classes, 1)), labels], 32)


def class_grid_renderer(z, num_classes):
    """A `render(model, epoch)` drawing the class x fixed-z grid (see `class_grid`).

    `model` is a `ConditionalGAN` or a conditional generator.
    """
    z = np.asarray(z, "float32")

    def render(model, epoch):
        generator = getattr(model, "generator", model)
        return figures.image_grid(class_grid(generator, z, num_classes), rows=num_classes)

    return render


def class_interpolation_figure(generator, pairs, z, steps=10):
    """Rows G(z | (1 - t) c(a) + t c(b)), t = 0..1, one row per class pair (a, b), same z.

    Args:
        generator: a conditional generator (one-hot or embedding conditioning).
        pairs: sequence of (a, b) class pairs.
        z: one latent vector `(latent_dim,)` used for every row.
        steps: images per row.

    Returns:
        An (H, W, 3) uint8 image.
    """
    z = np.asarray(z, "float32").reshape(1, -1)
    rows = [interpolate_classes(generator, a, b, z, steps) for a, b in pairs]
    return figures.image_grid(np.concatenate(rows), rows=len(pairs))


def conditional_gan(num_classes, latent_dim, image_size, channels, width=32,
                    conditioning="onehot", label_sampling="data", lr=2e-4, steps_per_execution=1,
                    seed=0):
    """Lab 06's model: conditional DCGAN nets, Adam(lr, beta_1=0.5) for both.

    Args:
        conditioning: how y enters D: "onehot" (the paper's), "embedding" or
            "projection" (Miyato 2018); G takes an embedding for the last.
        label_sampling: labels of the fakes (`ConditionalGAN.compile`).
        The rest: the nets (`conditional_dcgan_generator`), the optimizers'
        rate, `fit`'s steps per execution and the model's seed.

    Returns:
        A compiled `ganlab.models.ConditionalGAN`.
    """
    g_cond = "embedding" if conditioning == "projection" else conditioning
    gan = ConditionalGAN(
        conditional_dcgan_generator(latent_dim, num_classes, image_size, channels, width, g_cond),
        conditional_dcgan_discriminator(num_classes, image_size, channels, width, conditioning),
        num_classes=num_classes, seed=seed)
    gan.compile(keras.optimizers.Adam(lr, beta_1=0.5),
                keras.optimizers.Adam(lr, beta_1=0.5), label_sampling=label_sampling,
                steps_per_execution=steps_per_execution)
    return gan


def train_conditional(run, gan, data, epochs, steps_per_epoch, seed=0):
    """Lab 06's run: train `gan` on labeled batches and draw the class grids.

    Writes progress.gif, samples.png and tb/ (rows = classes, columns = ten
    fixed z), generator.keras, discriminator.keras and interpolation.png
    (class interpolation at one z for the pairs of `PAIRS`).

    Returns:
        {"losses": the last epoch's losses}.
    """
    rng = np.random.default_rng(seed)
    num_classes = gan.num_classes
    render = class_grid_renderer(rng.standard_normal((10, gan.latent_dim)), num_classes)
    fit_logged(gan, data.repeat(), run.file("tb"), epochs, steps_per_epoch, render=render,
               gif_path=run.file("progress.gif"), last_path=run.file("samples.png"),
               label="conditional GAN",
               checkpointer=lambda extras: run.checkpointer(gan, extras=extras))
    run.save_model(gan.generator, "generator.keras")
    run.save_model(gan.discriminator, "discriminator.keras")
    figures.save_png(class_interpolation_figure(
        gan.generator, PAIRS, rng.standard_normal(gan.latent_dim)), run.file("interpolation.png"))
    return {"losses": {k: float(v) for k, v in gan.results().items()}}
