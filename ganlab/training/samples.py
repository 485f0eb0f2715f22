"""What an image lab shows: fixed-noise sample grids and latent-space walks.

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

import numpy as np

from ganlab import latent
from ganlab.training import figures


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
    return model.predict(z, batch_size=1024, verbose=0)


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
