"""Lab 07: pix2pix (Isola 2017), paired image-to-image translation, and its ablation.

- `pix2pix_model`: the lab's model, the reference's U-Net and PatchGAN with
  the paper's settings (Adam(2e-4, beta_1=0.5), lambda = 100), scaled down.
- `train_pix2pix`: trains L1 + cGAN and the same G with L1 only (the paper's
  ablation, Table 1) from the same seed, and writes what students look at:
  samples.png (held-out input | L1 only | L1 + cGAN | target), TensorBoard
  (losses, held-out figures and the same grid every epoch, one folder per
  model), the generators, metrics.json.
- `triplet_grid`: the held-out grid itself.
"""

import keras
import numpy as np

import ganlab
from ganlab.data.paired import as_photos, load_pair_arrays, paired_dataset
from ganlab.grading import pix2pix as grader
from ganlab.models import Pix2Pix
from ganlab.models.schedules import ConstantThenLinearDecay
from ganlab.nets import patchgan_discriminator, unet_generator
from ganlab.training import figures
from ganlab.training.callbacks import fit_logged

SHOWN = 8
"""Held-out examples in samples.png."""


def pix2pix_model(image_size, in_channels, out_channels, ngf=64, ndf=64, n_layers=3,
                  lr=2e-4, lambda_l1=100.0, adversarial=True, seed=0, total_steps=None,
                  norm="batch", steps_per_execution=1):
    """Lab 07's model: a U-Net G and a PatchGAN D on (x, y) pairs, compiled as the paper.

    Args:
        image_size, in_channels, out_channels: the images (x has
            `in_channels`, y and G(x) `out_channels`).
        ngf, ndf: base filters of G and D (64 in the paper).
        n_layers: D's stride-2 layers: 3 is the 70x70 PatchGAN at 256x256;
            1 gives 16x16 patches (a quarter of a 32x32 image, as 70 is of 256).
        lr: Adam's rate (beta_1 = 0.5) for both.
        lambda_l1: weight of the L1 term.
        adversarial: False: the L1-only ablation.
        seed: the nets' dropout and the model's seed.
        total_steps: if given, the rate is constant for the first half of
            the steps and decays linearly to 0 over the second
            (`ConstantThenLinearDecay`, the reference code's schedule: 100
            constant epochs, then 100 decaying to 0).
        norm: the nets' normalisation, "batch" (the reference's default) or
            "instance" (what batchnorm computes at the paper's batch size 1,
            in batches of any size; see `unet_generator`).

    Returns:
        A compiled `ganlab.models.Pix2Pix`.
    """
    g = unet_generator(image_size, in_channels, out_channels, ngf=ngf, norm=norm, seed=seed)
    d = patchgan_discriminator(image_size, in_channels + out_channels, n_layers=n_layers, norm=norm,
                               ndf=ndf)
    model = Pix2Pix(g, d, seed=seed)
    def rate():
        return lr if total_steps is None else ConstantThenLinearDecay(lr, total_steps)

    model.compile(keras.optimizers.Adam(rate(), beta_1=0.5), keras.optimizers.Adam(rate(), beta_1=0.5),
                  lambda_l1=lambda_l1, adversarial=adversarial,
                  steps_per_execution=steps_per_execution)
    return model


def _gray_to_rgb(images):
    return np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images


def triplet_grid(columns):
    """Rows of held-out examples, one column per image kind (input, outputs..., target).

    Args:
        columns: list of arrays (n, H, W, C), C = 1 or 3, in [-1, 1].

    Returns:
        An (H', W', 3) uint8 image, n rows by len(columns) columns.
    """
    n = len(columns[0])
    stacked = np.stack([_gray_to_rgb(np.asarray(c, "float32")) for c in columns], axis=1)
    return figures.image_grid(stacked.reshape(n * len(columns), *stacked.shape[2:]), rows=n)


def task_channels(task, image_size=32, direction=None):
    """(input channels, output channels) of a task's pairs: colorize (1, 2), edges2photo (1, 3)."""
    x, y = load_pair_arrays(task, "test", image_size, direction)
    return x.shape[-1], y.shape[-1]


def train_pix2pix(run, build, task, image_size, epochs, steps_per_epoch, batch_size=16, seed=0,
                  direction=None):
    """Lab 07's run: L1 + cGAN, then L1 only from the same seed, on one paired task.

    Args:
        run: the `RunFolder`.
        build: callable adversarial -> compiled model (in the runtime's
            scope), e.g. `lambda adv: runtime.build(lambda: pix2pix_model(...))`.
        task: "colorize", "edges2photo" or "folder:PATH".
        image_size, epochs, steps_per_epoch, batch_size, seed: the training.
        direction: for folders and downloads, "AtoB" (the left half is the
            input) or "BtoA"; None: the dataset's usual one.

    Writes, under the task's names (`grader.run_files`: plain for
    colorize, tagged for the others, e.g. generator_edges2photo.keras),
    two TensorBoard folders (losses, held-out figures each epoch and the
    grid of the first `SHOWN` held-out pairs), the two generators, the
    L1 + cGAN discriminator and the samples grid (input | L1 only | L1 +
    cGAN | target).

    Returns:
        metrics: {"l1_cgan": {losses, figures}, "l1_only": ..., "baseline": figures}.
    """
    x, y = load_pair_arrays(task, "train", image_size, direction)
    xt, yt = load_pair_arrays(task, "test", image_size, direction)
    shown = slice(0, len(xt), max(1, len(xt) // SHOWN))
    photos = as_photos(task, xt, yt)
    files = grader.run_files(task)
    outputs, metrics = {}, {}
    for name, adversarial in (("l1_cgan", True), ("l1_only", False)):
        ganlab.seed(seed)  # the same initial G, dropout and batches for both
        model = build(adversarial)
        data = paired_dataset(x, y, batch_size, seed=seed).repeat()

        translate = grader.generator_translator(model.generator)  # as the grader: one image at a time

        def evaluate(m, translate=translate):
            return grader.translation_report(task, xt, translate(xt), yt)

        def render(m, epoch, translate=translate):
            made = as_photos(task, xt[shown], translate(xt[shown]))
            return triplet_grid([xt[shown], made, photos[shown]])

        fit_logged(model, data, run.file(files["tb"][name]), epochs, steps_per_epoch,
                   evaluate=evaluate, render=render, label=name,
                   checkpointer=lambda extras, model=model, name=name:
                   run.checkpointer(model, files["tb"][name].removeprefix("tb/"), extras))
        outputs[name] = translate(xt)
        metrics[name] = {"losses": {k: float(v) for k, v in model.results().items()
                                    if model.trackers[k] in model.metrics},
                         **grader.translation_report(task, xt, outputs[name], yt)}
        run.save_model(model.generator, files["generators"][name])
        if adversarial:
            run.save_model(model.discriminator, files["discriminator"])
    baseline = grader.baseline_translator(yt.shape[-1])(xt)
    metrics["baseline"] = grader.translation_report(task, xt, baseline, yt)
    made = {k: as_photos(task, xt[shown], v[shown]) for k, v in outputs.items()}
    figures.save_png(triplet_grid([xt[shown], made["l1_only"], made["l1_cgan"], photos[shown]]),
                     run.file(files["samples"]))
    return metrics
