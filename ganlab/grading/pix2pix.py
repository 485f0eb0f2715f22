"""Lab 07's grader: pix2pix translations of held-out photos, against their targets.

The grader loads the run's two generators, `generator.keras` (L1 + cGAN)
and `generator_l1_only.keras` (the paper's "L1 alone" ablation, trained from
the same seed), translates the held-out pairs of the task (the photos
`chelsea` and `flower`, never trained on; `ganlab.data.paired`) one image
at a time in training mode, as the paper tests (`generator_translator`),
and recomputes (`ganlab.metrics.image_quality`):

- PSNR (dB, mean over images), L1 and SSIM of the photos each generator
  makes against the held-out photos, and of the trivial baseline's: for
  `colorize` (L in, (a, b) out, as the reference code), the photo put
  together from the input's lightness and G's chroma, and the baseline
  a = b = 0: the gray input copied to the three channels;
- two figures of each G's own outputs (the chroma, for colorize) relative
  to the targets': `sharpness`, their gradient energy over the targets'
  (1 is as sharp as the photos; blur lowers it), and `spread`, the standard
  deviation of their values over the targets' (the width of the color
  histograms of Isola 2017, Fig. 7: averaging colors towards gray
  narrows it); and the distance of each to the targets', |log figure|
  (`sharpness_gap`, `spread_gap`).

The bar (`BAR`, `colorize` only): the L1 + cGAN generator's PSNR is at least
`psnr_gain_db` = 1 dB above the baseline's, and its colors are closer to the
photos' than the L1-only generator's: spread_gap smaller. The gradient
energy was the first candidate for that second check, but on colorize it
does not separate the two the expected way: the adversarial term makes the
chroma busier than the photos' (sharpness 1.28 / 1.30 / 1.47 on seeds 0 / 1
/ 2 of --quick) while L1 alone stays near the photos' (1.04 / 0.89 / 1.01);
what L1 alone loses is the colors' spread (0.80 / 0.72 / 0.82, against
0.88 / 0.82 / 0.87 with the cGAN term). Both figures are reported.

Planted faults (tests/grading/test_lab07.py), each failing for its reason,
with the figures they got against the --quick run of seed 0 (baseline PSNR
17.96 dB; that run's G: +1.74 dB, spread gap 0.134; its L1-only G's spread
gap 0.223):

| fault                                          | PSNR gain | spread gap | fails on           |
|------------------------------------------------|-----------|------------|--------------------|
| the trivial baseline (a = b = 0: gray in RGB)  | 0.00 dB   | 27.6       | PSNR gain, spread  |
| an untrained G of the same architecture        | -1.97 dB  | 0.499      | PSNR gain, spread  |
| the L1-only G submitted as the L1 + cGAN one   | +2.30 dB  | 0.223      | spread (not closer)|
| the target of the nearest training input       | +0.48 dB  | 0.194      | PSNR gain          |
  (memorisation: the training pair whose L is nearest in pixels; the
  held-out photos are never trained on, so a copy cannot score)
| config.json edited to --task edges2photo       | -         | -          | target check       |
| lab 06's (conditional digits) generator        | -         | -          | network: 2 inputs  |

The L1-only G gains the most PSNR (+2.12 to +2.93 dB on seeds 0-2): PSNR
rewards the averaged colors that L1 produces, which is why the bar asks the
cGAN for PSNR above the baseline and for colors closer to the photos'
than L1 alone, not for the best PSNR.

A *translator* is any callable x -> outputs (numpy, same batch); planted
faults are translators too.
"""


import numpy as np
import tensorflow as tf

from ganlab.data.paired import as_photos, load_pair_arrays
from ganlab.grading.common import check_generator, check_targets, grade_or_fail, load_networks, verdict
from ganlab.metrics.image_quality import sharpness, spread, translation_figures

BAR = {"psnr_gain_db": 1.0}

GRADED_TASKS = ("colorize",)
"""Tasks with a grading bar (the others are reported, not graded)."""

TARGET = {"task": "colorize"}
"""The data the bar is defined for (a run's config.json must not say otherwise)."""

NETWORKS = {"l1_cgan": "generator.keras", "l1_only": "generator_l1_only.keras"}


def baseline_translator(channels):
    """The trivial translation the bar is measured against: zeros in G's output space.

    For `colorize` (G predicts a and b) that is a = b = 0, the gray input
    copied to the three channels; for the other tasks (no bar) a flat gray
    image, a reference figure only.
    """

    def translate(x):
        x = np.asarray(x, "float32")
        return np.zeros((*x.shape[:-1], channels), "float32")

    return translate


def translation_report(task, x, outputs, y):
    """The figures of one set of outputs G(x) against the targets y.

    L1, PSNR and SSIM compare the photos (`as_photos`: for colorize, L and
    (a, b) joined into RGB); sharpness and sharpness_gap compare G's own
    outputs with the targets (the chroma, for colorize), and so do spread
    and spread_gap.
    """
    figures = translation_figures(as_photos(task, x, outputs), as_photos(task, x, y))
    for name, value in (("sharpness", sharpness(outputs, y)), ("spread", spread(outputs, y))):
        figures[name] = value
        figures[f"{name}_gap"] = float(abs(np.log(max(value, 1e-12))))
    return figures


def generator_translator(generator):
    """A translator G(x) of a saved generator, run as the paper tests it.

    "At inference time, we run the generator net in exactly the same manner
    as during the training phase ... we apply dropout at test time, and we
    apply batch normalization using the statistics of the test batch"
    (Isola 2017, Section 3.3), with test batches of one image (the reference
    code's test.py): each image is translated on its own, in training mode,
    so its batchnorm statistics are its own (instance normalisation) and no
    held-out image affects another's translation. The calls are stateless:
    the network's variables (batchnorm statistics, dropout seeds) do not
    change, so the same network gives the same translations every time.
    """

    @tf.function(reduce_retracing=True)
    def one(trainable, frozen, image):
        return generator.stateless_call(trainable, frozen, image, training=True)[0]

    def translate(x):
        trainable = [v.value for v in generator.trainable_variables]
        frozen = [v.value for v in generator.non_trainable_variables]
        x = tf.convert_to_tensor(np.asarray(x, "float32"))
        return np.concatenate([one(trainable, frozen, x[i : i + 1]).numpy() for i in range(len(x))])

    return translate


def held_out_pairs(task, image_size):
    """The lab's fixed held-out pairs (never those a run recorded)."""
    return load_pair_arrays(task, "test", image_size)


def grade_pix2pix(translate, translate_l1_only, x, y, baseline, task="colorize",
                  psnr_gain_db=BAR["psnr_gain_db"]):
    """Lab 07's bar on held-out pairs (x, y).

    Args:
        task: the pairs' task (how they make photos: `as_photos`).
        translate: the L1 + cGAN translator, x -> outputs.
        translate_l1_only: the L1-only translator (the ablation).
        x, y: held-out inputs and targets.
        baseline: the trivial translator (`baseline_translator`).
        psnr_gain_db: the PSNR the L1 + cGAN outputs must gain over the baseline.

    Returns:
        `l1_cgan`, `l1_only`, `baseline`: each a dict of figures (l1, psnr,
        ssim, sharpness, sharpness_gap, spread, spread_gap); `psnr_gain`
        (dB) and `passed`, `failures`.
    """
    figs = {}
    for name, fn in (("l1_cgan", translate), ("l1_only", translate_l1_only),
                     ("baseline", baseline)):
        out = np.asarray(fn(x), "float32")
        if out.shape != y.shape or not np.all(np.isfinite(out)):
            return {"passed": False,
                    "failures": [f"{name}: outputs of shape {out.shape} (or not finite); "
                                 f"the targets are {y.shape}"]}
        figs[name] = translation_report(task, x, out, y)
    gain = figs["l1_cgan"]["psnr"] - figs["baseline"]["psnr"]
    gap, gap_l1 = figs["l1_cgan"]["spread_gap"], figs["l1_only"]["spread_gap"]
    figures = {**figs, "psnr_gain": gain, "images": int(len(x))}
    return verdict(figures, [
        ("psnr_gain", gain, ">=", psnr_gain_db, gain >= psnr_gain_db),
        (f"spread_gap (the L1-only G's: {gap_l1:.3g})", gap, "<", gap_l1, gap < gap_l1),
    ])


def load_pix2pix_run(run_dir):
    """(config, {"l1_cgan": G, "l1_only": G}) of a lab 07 run folder.

    Raises:
        ValueError: if the folder, its config.json or a generator is missing.
    """
    return load_networks(run_dir, NETWORKS)


@grade_or_fail
def grade_lab07(run_dir):
    """Grade a lab 07 run folder: both generators on the lab's held-out colorize pairs.

    The pairs are the library's (never those a run recorded); the image size
    is read from the saved generator. A folder that cannot be graded (a
    missing file, a run on another task, a generator that is not an
    L -> (a, b) image net) fails with its one-line reason.
    """
    config, nets = load_pix2pix_run(run_dir)
    check_targets(config, TARGET, "07")
    for net in nets.values():
        check_generator(net, 1, (None, None, 2), "07")
    size = nets["l1_cgan"].input_shape[1]
    x, y = held_out_pairs(TARGET["task"], size)
    return grade_pix2pix(generator_translator(nets["l1_cgan"]), generator_translator(nets["l1_only"]),
                         x, y, baseline_translator(y.shape[-1]), TARGET["task"])
