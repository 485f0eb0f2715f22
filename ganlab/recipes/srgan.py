"""Lab 09: SRGAN (Ledig 2017), 4x super-resolution: SRResNet (stage 1), then SRGAN (stage 2).

- `srresnet_model`, `srgan_model`: the two stages' compiled `SRGAN` models
  (Adam, the paper's optimiser; stage 2's G starts from stage 1's weights).
- `train_srgan`: both stages on the embedded photos, and what students look
  at: samples.png (held-out tiles: bicubic | SRResNet | SRGAN | HR, with
  PSNR / SSIM in the titles, the paper's Fig. 2), TensorBoard (losses and
  held-out figures every epoch, one folder per stage), the generators,
  the table over the held-out set (metrics.json).
"""

import keras
import numpy as np

import ganlab
from ganlab.data.superres import held_out_pairs, load_div2k, load_folder_hr, sr_dataset, training_hr
from ganlab.grading import srgan as grader
from ganlab.metrics.image_quality import sr_psnr, sr_ssim
from ganlab.models import SRGAN
from ganlab.models.schedules import ConstantThenLinearDecay
from ganlab.nets import srgan_discriminator, srresnet_generator
from ganlab.training import figures
from ganlab.training.callbacks import fit_logged

SHOWN = (1, 5, 26, 27)
"""Held-out tiles in samples.png: chelsea's fur and face, the flower's petals (the most
detailed tiles; the flower's defocused background, where bicubic scores above 50 dB,
is a third of the set)."""

VARIANTS = {"mse": "SRGAN-MSE", "vgg22": "SRGAN-VGG22", "vgg54": "SRGAN-VGG54"}
"""Ledig 2017, Table 2: the SRGAN variant of each content loss (the paper's 'SRGAN' is VGG54)."""


def _rate(lr, total_steps):
    return lr if total_steps is None else ConstantThenLinearDecay(lr, total_steps, decay_start=0)


def srresnet_model(blocks=16, scale=4, filters=64, lr=1e-4, total_steps=None, bicubic_skip=False,
                   seed=0):
    """Stage 1: SRResNet-MSE, G alone on the pixel MSE (Adam, beta_1 = 0.9, the paper's).

    Args:
        blocks, scale, filters, bicubic_skip: the generator (`srresnet_generator`).
        lr: Adam's rate (1e-4 in the paper).
        total_steps: if given, the rate decays linearly to 0 over the run.
    """
    model = SRGAN(srresnet_generator(blocks, scale, filters, bicubic_skip=bicubic_skip), seed=seed)
    model.compile(keras.optimizers.Adam(_rate(lr, total_steps)))
    return model


def srgan_model(srresnet, hr_size, d_filters=64, dense=1024, lr=1e-4, d_lr=None, total_steps=None,
                content="mse", adversarial_weight=1e-3, vgg_weights=None, seed=0):
    """Stage 2: SRGAN, its G a copy of stage 1's trained G, and a new discriminator.

    Args:
        srresnet: the trained stage-1 generator (copied, not shared).
        hr_size: side of the HR training crops (D's input).
        d_filters, dense: the discriminator (`srgan_discriminator`).
        lr, d_lr: Adam's rates of G and D (d_lr: lr when None).
        content: "mse" (SRGAN-MSE), "vgg22" or "vgg54" (the VGG losses
            need the VGG19 ImageNet weights: `vgg_weights` or the Keras cache).
        adversarial_weight: the weight of the adversarial loss (1e-3).
    """
    g = keras.models.clone_model(srresnet)
    g.set_weights(srresnet.get_weights())
    model = SRGAN(g, srgan_discriminator(hr_size, d_filters, dense), seed=seed)
    model.compile(keras.optimizers.Adam(_rate(lr, total_steps)),
                  keras.optimizers.Adam(_rate(d_lr or lr, total_steps)),
                  content=content, adversarial_weight=adversarial_weight, vgg_weights=vgg_weights)
    return model


def panels(rows, titles):
    """The held-out figure: one row per tile, one column per method, a title over each image.

    Args:
        rows: list of lists of images (H, W, 3) in [-1, 1].
        titles: the same structure of strings.

    Returns:
        An (H', W', 3) uint8 image.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n, m = len(rows), len(rows[0])
    fig, axes = plt.subplots(n, m, figsize=(2.6 * m, 2.8 * n), squeeze=False)
    for i in range(n):
        for j in range(m):
            ax = axes[i][j]
            ax.imshow(np.clip((np.asarray(rows[i][j]) + 1) / 2, 0, 1), interpolation="nearest")
            ax.set_title(titles[i][j], fontsize=8)
            ax.axis("off")
    fig.tight_layout()
    image = figures.figure_to_array(fig)
    plt.close(fig)
    return image


def held_out_panels(outputs, hr, scale, shown=SHOWN):
    """`panels` of the shown tiles: each method's output, its PSNR / SSIM (Y, cropped) in the title."""
    rows, titles = [], []
    for i in shown:
        row, title = [], []
        for name, images in outputs.items():
            one, ref = images[i : i + 1], hr[i : i + 1]
            row.append(one[0])
            title.append(f"{name}\n{float(sr_psnr(one, ref, scale)[0]):.2f} dB / "
                         f"{float(sr_ssim(one, ref, scale)[0]):.4f}")
        rows.append(row + [hr[i]])
        titles.append(title + ["HR\nPSNR / SSIM"])
    return panels(rows, titles)


def training_data(data, hr_size, scale, batch_size, seed):
    """The endless training batches: "photos" (embedded) or "div2k" (TFDS, x4 only)."""
    if data == "photos":
        return sr_dataset(training_hr(hr_size), batch_size, scale, seed=seed).repeat()
    if data == "div2k":
        if scale != 4:
            raise ValueError(f"div2k/bicubic_x4 is x4 data. Received: scale={scale!r}")
        return load_div2k("train", hr_size, batch_size, seed).repeat()
    raise ValueError(f"data must be 'photos' or 'div2k'. Received: data={data!r}")


def folder_report(generators, folder, scale):
    """PSNR / SSIM (Y, cropped) of bicubic and each generator on a folder of HR images (Set5, ...).

    Each image is super-resolved whole, one at a time; the figures are means over the images.

    Args:
        generators: {name: generator}.
        folder: the folder of HR images (`load_folder_hr`).
    """
    lrs, hrs = load_folder_hr(folder, scale)
    methods = {"bicubic": grader.bicubic_sr(scale),
               **{k: grader.generator_sr(g, 1) for k, g in generators.items()}}
    report = {}
    for name, sr in methods.items():
        figs = [grader.sr_report(sr, lr, hr, scale) for lr, hr in zip(lrs, hrs, strict=True)]
        report[name] = {k: float(np.mean([f[k] for f in figs])) for k in ("psnr", "ssim")}
    return {"folder": str(folder), "images": len(hrs), **report}


def train_srgan(run, build_srresnet, build_srgan, hr_size=64, scale=4, epochs=6, gan_epochs=2,
                steps_per_epoch=100, batch_size=16, seed=0, data="photos", test_folder=None):
    """Lab 09's run: SRResNet (stage 1), then SRGAN from it (stage 2), on the embedded photos.

    Args:
        run: the `RunFolder`.
        build_srresnet: callable () -> compiled stage-1 model (in the runtime's scope).
        build_srgan: callable trained stage-1 generator -> compiled stage-2 model.
        hr_size, scale: HR crops and the factor (LR crops are hr_size / scale).
        epochs, gan_epochs, steps_per_epoch, batch_size, seed: the training.
        data: the training HR images, "photos" (embedded) or "div2k".
        test_folder: a folder of HR images (Set5, Set14, BSD100) also
            reported on (metrics["folder"]), or None.

    Writes tb/srresnet and tb/srgan (losses and the held-out figures each
    epoch, the panels), srresnet.keras, generator.keras (SRGAN's G),
    discriminator.keras and samples.png.

    Returns:
        metrics: {"bicubic": figures, "srresnet": {losses, figures},
        "srgan": ..., "table": per-tile PSNR / SSIM of the three}.
    """
    lr_t, hr_t = held_out_pairs(scale)
    outputs, metrics = {"bicubic": grader.bicubic_sr(scale)(lr_t)}, {}
    metrics["bicubic"] = grader.sr_report(grader.bicubic_sr(scale), lr_t, hr_t, scale)
    trained, trained_nets = None, {}
    for stage, epochs_of in (("srresnet", epochs), ("srgan", gan_epochs)):
        ganlab.seed(seed + (stage == "srgan"))
        model = build_srresnet() if stage == "srresnet" else build_srgan(trained)
        sr = grader.generator_sr(model.generator)

        def evaluate(m, sr=sr):
            return grader.sr_report(sr, lr_t, hr_t, scale)

        def render(m, epoch, sr=sr, stage=stage):
            return held_out_panels({**{k: v for k, v in outputs.items() if k != stage},
                                    stage: sr(lr_t)}, hr_t, scale)

        # A pipeline per stage, made after its seed: each stage's batches are
        # the first pass of their own pipeline, so a resumed stage replays them exactly.
        fit_logged(model, training_data(data, hr_size, scale, batch_size, seed),
                   run.file(f"tb/{stage}"), epochs_of, steps_per_epoch, evaluate=evaluate,
                   render=render, label=stage,
                   checkpointer=lambda extras, model=model, stage=stage:
                   run.checkpointer(model, stage, extras))
        outputs[stage] = sr(lr_t)
        metrics[stage] = {"losses": {k: float(v) for k, v in model.results().items()
                                     if model.trackers[k] in model.metrics},
                          **grader.sr_report(sr, lr_t, hr_t, scale)}
        run.save_model(model.generator, grader.NETWORKS[stage])
        if stage == "srgan":
            run.save_model(model.discriminator, "discriminator.keras")
        trained = trained_nets[stage] = model.generator
    metrics["table"] = {name: {"psnr": [round(float(v), 3) for v in sr_psnr(out, hr_t, scale)],
                               "ssim": [round(float(v), 4) for v in sr_ssim(out, hr_t, scale)]}
                        for name, out in outputs.items()}
    figures.save_png(held_out_panels(outputs, hr_t, scale), run.file("samples.png"))
    if test_folder:
        metrics["folder"] = folder_report({"srresnet": trained_nets["srresnet"], "srgan": trained},
                                          test_folder, scale)
    return metrics
