"""Lab 12: StyleGAN at a fixed 32x32, and what its styles and noise do.

- `stylegan_gan` and `train_stylegan`: the lab's model and its training run.
- `style_mixing_figure`: Karras 2019, Figure 3 ("style transfer" on the
  slide): rows take the coarse styles (4x4 and 8x8) of source A, columns the
  fine styles (16x16 and 32x32) of source B.
- `noise_figure`: Karras 2019, Figure 4: one w, several noise images, and
  the per-pixel standard deviation over many noise images (where the
  noise acts: strokes' edges, not the digit's identity).
- `truncation_figure`: Karras 2019, Figure 8: w_avg + psi (w - w_avg) for
  psi from 0 (the average digit) to 1 (no truncation).
"""

import keras
import numpy as np

from ganlab import latent
from ganlab.grading.stylegan import COARSE_STYLES
from ganlab.models import StyleGAN
from ganlab.nets import mapping_network, style_discriminator, synthesis_network
from ganlab.nets.inference import infer
from ganlab.nets.stylegan import draw_noise, mix_styles, synthesize
from ganlab.training import figures
from ganlab.training.callbacks import fit_logged

TRUNCATION_PSIS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def stylegan_gan(latent_dim=32, mapping_layers=8, image_size=32, channels=1, lr=2e-3, ema=0.995,
                 r1_gamma=1.0, mixing_prob=0.9, seed=0):
    """Lab 12's StyleGAN: w_dim = latent_dim, Adam(lr, beta_1=0, beta_2=0.99), G's weights averaged.

    Adam's betas are StyleGAN's (Karras 2019, Appendix C); the paper's
    lr is 0.001-0.003 by resolution, here 2e-3 for both networks (the
    mapping's 0.01 multiplier on top). G's weights are averaged (`ema`; the
    paper's G_s has a 10k-image half-life) and the averaged G is saved.

    Args:
        latent_dim: dimension of z and w (the paper's 512).
        mapping_layers: fully connected layers of the mapping network (8).
        image_size, channels: the images.
        lr: Adam's learning rate.
        ema: momentum of G's weight average, in [0, 1); 0: none.
        r1_gamma: gamma of R1.
        mixing_prob: style mixing probability (the paper's 0.9).
        seed: the model's seed.

    Returns:
        A compiled `ganlab.models.StyleGAN`.

    Raises:
        ValueError: for ema outside [0, 1) and the nets' and model's errors.
    """
    if not 0.0 <= ema < 1.0:
        raise ValueError(f"--ema must be in [0, 1) (0: no average). Received: ema={ema}")
    average = {"use_ema": True, "ema_momentum": ema} if ema else {}
    gan = StyleGAN(mapping_network(latent_dim, latent_dim, mapping_layers),
                   synthesis_network(image_size, channels, latent_dim),
                   style_discriminator(image_size, channels), seed=seed)
    gan.compile(keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.99, **average),
                keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.99),
                r1_gamma=r1_gamma, mixing_prob=mixing_prob)
    return gan


def _w(mapping, z):
    return infer(mapping, np.asarray(z, "float32"), 1000)


def style_mixing_figure(mapping, synthesis, z_a, z_b, coarse=COARSE_STYLES, noise_seed=0):
    """The style mixing grid (Karras 2019, Figure 3).

    The top row shows the sources B, the left column the sources A; cell
    (i, j) is g(coarse styles of A_i, fine styles of B_j). One noise image
    set for every cell.

    Args:
        mapping, synthesis: f and g.
        z_a, z_b: latents of the sources A (rows) and B (columns).
        coarse: the number of coarse styles (the crossover layer).
        noise_seed: seed of the shared noise.

    Returns:
        An (H, W, 3) uint8 grid of (len(z_a) + 1) x (len(z_b) + 1) cells
        (the top-left cell blank).
    """
    w_a, w_b = _w(mapping, z_a), _w(mapping, z_b)
    num_ws = int(synthesis.inputs[0].shape[1])
    noise = [np.repeat(n, len(w_b), axis=0) for n in draw_noise(synthesis, 1, noise_seed)]
    top = synthesize(synthesis, w_b, noise)
    rows = [np.concatenate([np.full_like(top[:1], 1.0), top])]
    for w in w_a:
        a = synthesize(synthesis, w[None], [n[:1] for n in noise])
        mixed = synthesize(synthesis, mix_styles(w[None], w_b, coarse, num_ws), noise)
        rows.append(np.concatenate([a, mixed]))
    return figures.image_grid(np.concatenate(rows), rows=len(rows))


def noise_figure(mapping, synthesis, z, shown=6, draws=64, noise_seed=0):
    """The same w under different noise, and the per-pixel std over `draws` noises (Karras 2019, Fig. 4).

    Returns:
        (grid, mean_std): an (H, W, 3) uint8 grid, one row per z: `shown`
        samples, then the std map (white = most variation in that row, scaled to
        its largest std); and the mean per-pixel std over all rows.
    """
    w = _w(mapping, z)
    cells, stds = [], []
    for i, wi in enumerate(w):
        noise = draw_noise(synthesis, draws, noise_seed + i)
        images = synthesize(synthesis, np.repeat(wi[None], draws, axis=0), noise)
        std = images.std(axis=0)
        stds.append(float(std.mean()))
        scaled = 2.0 * std / max(float(std.max()), 1e-8) - 1.0
        cells.append(np.concatenate([images[:shown], scaled[None]]))
    return figures.image_grid(np.concatenate(cells), rows=len(w)), float(np.mean(stds))


def truncation_figure(gan, z, psis=TRUNCATION_PSIS, noise_seed=0):
    """w_avg + psi (f(z) - w_avg) for each psi (columns) and z (rows), Karras 2019 Eq. 3 and Fig. 8."""
    z = np.asarray(z, "float32")
    cells = np.stack([gan.generate(z=z, psi=psi, noise_seed=noise_seed) for psi in psis], axis=1)
    return figures.image_grid(cells.reshape(-1, *cells.shape[2:]), rows=len(z))


def train_stylegan(run, gan, data, epochs, steps_per_epoch, seed=0):
    """Lab 12's run: train `gan`, save its networks and draw what the lab shows.

    Writes progress.gif, grids/ and tb/ (the same 64 z and noise every
    epoch, the live G), samples.png (the saved, averaged G), mapping.keras,
    synthesis.keras, discriminator.keras, style_mixing.png, noise.png and
    truncation.png.

    Returns:
        dict of figures: `noise_std` (mean per-pixel std of the noise
        figure) and `w_avg` (the tracked average w).
    """
    rng = np.random.default_rng(seed)
    grid_z = rng.standard_normal((64, gan.latent_dim)).astype("float32")
    folder = run.file("grids")
    folder.mkdir(parents=True, exist_ok=True)

    def render(model, epoch):
        grid = figures.image_grid(model.generate(z=grid_z, noise_seed=seed), 8)
        figures.save_png(grid, folder / f"epoch_{epoch:03d}.png")
        return grid

    fit_logged(gan, data.repeat(), run.file("tb"), epochs, steps_per_epoch, render=render,
               gif_path=run.file("progress.gif"), label="StyleGAN",
               checkpointer=lambda extras: run.checkpointer(gan, extras=extras))
    # fit has replaced G's weights by their average: samples.png shows the G that is saved
    figures.save_png(figures.image_grid(gan.generate(z=grid_z, noise_seed=seed), 8),
                     run.file("samples.png"))
    for name in ("mapping", "synthesis", "discriminator"):
        run.save_model(getattr(gan, name), f"{name}.keras")
    prior = gan.latent_distribution
    z_a, z_b = (latent.draw(6, gan.latent_dim, prior, seed + k) for k in (1, 2))
    figures.save_png(style_mixing_figure(gan.mapping, gan.synthesis, z_a, z_b, noise_seed=seed),
                     run.file("style_mixing.png"))
    grid, noise_std = noise_figure(gan.mapping, gan.synthesis,
                                   latent.draw(4, gan.latent_dim, prior, seed + 3), noise_seed=seed)
    figures.save_png(grid, run.file("noise.png"))
    figures.save_png(truncation_figure(gan, latent.draw(6, gan.latent_dim, prior, seed + 4),
                                       noise_seed=seed), run.file("truncation.png"))
    return {"noise_std": noise_std, "w_avg": gan.w_avg.numpy().tolist()}
