"""What a conditional image lab shows, and sampling a saved run by class.

- `class_grid_renderer`: the `render` of `fit_logged` for conditional GANs:
  a grid with one row per class and one column per fixed z, so each column
  keeps its "style" (slant, thickness) across the classes.
- `class_interpolation_figure`: G(z | (1 - t) c(a) + t c(b)) at a fixed z,
  one row per pair of classes.
- `sample_run`: samples of a chosen class from a run folder's
  generator.keras (what `ganlab sample RUN_DIR --label 7` calls).
"""

from pathlib import Path

import keras
import numpy as np

from ganlab import latent
from ganlab.models.cgan import check_labels, interpolate_classes
from ganlab.training import figures
from ganlab.training.runfolder import read_json


def class_grid(generator, z, num_classes):
    """Images G(z_j | i): row i = class i, column j = the fixed z_j, as numpy."""
    z = np.asarray(z, "float32")
    labels = np.repeat(np.arange(num_classes, dtype="int32"), len(z))
    return generator.predict([np.tile(z, (num_classes, 1)), labels], verbose=0)


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


def sample_run(run_dir, n, label=None, seed=0):
    """Draw `n` samples from a run folder's generator.keras, of one class if asked.

    z is drawn with numpy (`seed`) from the prior in the run's config.json
    (`latent: {dim, distribution}`). A conditional run (config.json has
    `num_classes`) draws class `label`, or, with `label=None`, the classes
    0, 1, ..., K-1, 0, 1, ... in turn.

    Args:
        run_dir: a run folder (e.g. runs/06_cgan).
        n: number of samples, >= 1.
        label: class to draw (conditional runs only), or None.
        seed: seed of the latent vectors.

    Returns:
        (samples, labels): numpy samples `(n, ...)` and their int32 labels
        `(n,)` (None for an unconditional run).

    Raises:
        ValueError: for a missing folder, config or generator, `n` < 1, a
            label outside [0, num_classes), or a label for an
            unconditional run.

    Example:
        >>> images, labels = sample_run("runs/06_cgan", 16, label=7)  # doctest: +SKIP
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ValueError(f"Run folder not found. Received: run_dir={str(run_dir)!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1. Received: n={n!r}")
    config = read_json(run_dir / "config.json")
    path = run_dir / "generator.keras"
    if not path.is_file():
        raise ValueError(f"The run has no generator.keras. Received: path={str(path)!r}")
    return draw_from(keras.saving.load_model(path), config, n, label=label, seed=seed)


def draw_from(generator, config, n, label=None, seed=0):
    """`sample_run` for a generator already loaded, with its run's config.

    Returns:
        (samples, labels), as `sample_run`.

    Raises:
        ValueError: for a label outside [0, num_classes), or a label for an
            unconditional run.
    """
    num_classes = config.get("num_classes")
    if label is not None and num_classes is None:
        raise ValueError(
            "label is only for conditional runs (config.json without num_classes). "
            f"Received: label={label!r}"
        )
    prior = config["latent"]
    z = latent.draw(n, prior["dim"], prior["distribution"], seed)
    if num_classes is None:
        return generator.predict(z, verbose=0), None
    if label is None:
        labels = np.arange(n, dtype="int32") % num_classes
    else:
        labels = np.full(n, check_labels(label, num_classes, arg="label")[0], "int32")
    return generator.predict([z, labels], verbose=0), labels
