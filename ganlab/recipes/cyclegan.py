"""Lab 08: CycleGAN (Zhu 2017) removing text bleed-through from scans, without pairs.

- `cyclegan_model`: the lab's model, the reference's ResNet generators and
  instance-norm PatchGANs with the paper's losses and schedule, scaled down.
- `train_cyclegan`: trains it on an unpaired document task and writes what
  students look at: samples.png (held-out pages: x | G(x) | F(G(x)) | y |
  F(y) | G(F(y)) | clean), TensorBoard (the eight losses, the learning
  rate, the held-out figures and the grid every epoch), the four nets and
  metrics.json with the Otsu baseline beside F.
"""

import keras
import numpy as np

import ganlab
from ganlab.data.documents import unpaired_dataset
from ganlab.data.unpaired import load_unpaired_arrays
from ganlab.grading import cyclegan as grader
from ganlab.metrics.image_quality import psnr
from ganlab.models import ConstantThenLinearDecay, CycleGAN
from ganlab.nets import patchgan_discriminator, resnet_generator
from ganlab.training import figures
from ganlab.training.callbacks import fit_logged

SHOWN = 6
"""Held-out pages in samples.png."""

NET_FILES = {"generator": "generator.keras", "inverse_generator": "inverse_generator.keras",
             "discriminator": "discriminator.keras",
             "inverse_discriminator": "inverse_discriminator.keras"}


def cyclegan_model(image_size, ngf=64, n_blocks=9, ndf=64, n_layers=3, lr=2e-4, total_steps=None,
                   seed=0, pool_size=50, lambda_cyc=10.0, lambda_identity=0.5,
                   adversarial_loss="least_squares", steps_per_execution=1):
    """Lab 08's model: G, F (ResNet generators), D_Y, D_X (instance-norm PatchGANs), compiled as the paper.

    Args:
        image_size: side of the square RGB pages.
        ngf, n_blocks: the generators' base filters and residual blocks (64
            and 9 at 256x256 in the paper).
        ndf, n_layers: the discriminators' base filters and stride-2 layers
            (3: the 70x70 PatchGAN).
        lr: Adam's rate (beta_1 = 0.5) for both optimizers; with
            `total_steps`, constant for the first half and linear to exactly
            0 at the last step (`ConstantThenLinearDecay`).
        seed: the model's and the pools' seed.
        pool_size, lambda_cyc, lambda_identity, adversarial_loss: see `CycleGAN`.

    Returns:
        A compiled `ganlab.models.CycleGAN`.
    """
    def g(name):
        return resnet_generator(image_size, 3, 3, ngf=ngf, n_blocks=n_blocks, name=name)

    def d(name):
        return patchgan_discriminator(image_size, 3, n_layers=n_layers, norm="instance", ndf=ndf,
                                      name=name)

    model = CycleGAN(g("G"), d("D_Y"), g("F"), d("D_X"), pool_size=pool_size, seed=seed)

    def rate():
        return lr if total_steps is None else ConstantThenLinearDecay(lr, total_steps)

    model.compile(g_optimizer=keras.optimizers.Adam(rate(), beta_1=0.5),
                  d_optimizer=keras.optimizers.Adam(rate(), beta_1=0.5),
                  lambda_cyc=lambda_cyc, lambda_identity=lambda_identity,
                  adversarial_loss=adversarial_loss, steps_per_execution=steps_per_execution)
    return model


def cycle_grid(model, x, y, y_clean=None):
    """Rows of held-out images: x | G(x) | F(G(x)) | y | F(y) | G(F(y)) (| y's clean version)."""
    gx = model.translate(x)
    fy = model.translate(y, inverse=True)
    columns = [x, gx, model.translate(gx, inverse=True), y, fy, model.translate(fy)]
    if y_clean is not None:
        columns.append(y_clean)
    stacked = np.stack([np.asarray(c, "float32") for c in columns], axis=1)
    return figures.image_grid(stacked.reshape(-1, *stacked.shape[2:]), rows=len(x))


def train_cyclegan(run, build, task, image_size, epochs, steps_per_epoch, batch_size=1, seed=0,
                   name=None):
    """Lab 08's run: one CycleGAN on an unpaired document task.

    Args:
        run: the `RunFolder`.
        build: callable () -> compiled model (in the runtime's scope).
        task: "bleed", "fonts", "cycle_gan/NAME" or "folders:A,B"
            (`ganlab.data.unpaired`).
        image_size, epochs, steps_per_epoch, batch_size, seed: the training.
        name: None for the lab's graded model (tb/, progress.gif, samples.png
            and the four nets); a name for a second model shown beside it
            (tb/NAME/, progress_NAME.gif, samples_NAME.png; no nets saved).

    Returns:
        metrics: {"losses": ..., "figures": on the held-out images, the
        grader's (F, Otsu, cycle) where the task has clean versions, the
        cycle PSNR of both directions otherwise, "history": per epoch}.
    """
    train = load_unpaired_arrays(task, "train", image_size)
    test = load_unpaired_arrays(task, "test", image_size)
    shown = slice(0, SHOWN)
    ganlab.seed(seed)
    model = build()
    data = unpaired_dataset(train["x"], train["y"], batch_size, seed)
    x_shown, y_shown = test["x"][shown], test["y"][shown]
    clean_shown = test["y_clean"][shown] if "y_clean" in test else None

    def evaluate(m):
        g, f = grader.net_translator(m.generator), grader.net_translator(m.inverse_generator)
        if "y_clean" not in test:  # no ground truth: how well each cycle closes
            return {"cycle_psnr": float(psnr(g(f(test["y"])), test["y"]).mean()),
                    "cycle_x_psnr": float(psnr(f(g(test["x"])), test["x"]).mean())}
        report = grader.grade_cyclegan(f, g, test, train["x"])
        return {k: v for k, v in report.items() if isinstance(v, float)}

    suffix = "" if name is None else f"_{name}"
    _, figs = fit_logged(
        model, data, run.file("tb" if name is None else f"tb/{name}"), epochs, steps_per_epoch,
        evaluate=evaluate, render=lambda m, epoch: cycle_grid(m, x_shown, y_shown, clean_shown),
        gif_path=run.file(f"progress{suffix}.gif"), last_path=run.file(f"samples{suffix}.png"),
        label=name or "cyclegan",
        checkpointer=lambda extras: run.checkpointer(model, name or "cyclegan", extras))
    if name is None:
        for attribute, file in NET_FILES.items():
            run.save_model(getattr(model, attribute), file)
    return {"losses": {k: float(v) for k, v in model.results().items()
                       if model.trackers[k] in model.metrics},
            "figures": evaluate(model), "history": figs.records}
