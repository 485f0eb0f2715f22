"""Lab 07's grader: pix2pix translations of held-out photos, against their targets.

A graded run (`--task colorize`, the default) trains two tasks, each with
an L1 + cGAN generator and the paper's "L1 alone" ablation from the same
seed (`run_files`): colorize (generator.keras, generator_l1_only.keras)
and edges2photo (generator_edges2photo.keras,
generator_edges2photo_l1_only.keras). The grader loads the four,
translates each task's held-out pairs (crops of the photos `chelsea` and
`flower`, never trained on; `ganlab.data.paired`) one image at a time in
training mode, as the paper tests (`generator_translator`), and recomputes
(`ganlab.metrics.image_quality`):

- PSNR (dB, mean over images), L1 and SSIM of the photos each generator
  makes against the held-out photos, and of the trivial baseline's: for
  `colorize` (L in, (a, b) out, as the reference code), the photo put
  together from the input's lightness and G's chroma, and the baseline
  a = b = 0: the gray input copied to the three channels; for
  `edges2photo`, a flat gray image;
- two figures of each G's own outputs (the chroma, for colorize) relative
  to the targets': `sharpness`, their gradient energy over the targets'
  (1 is as sharp as the photos; blur lowers it), and `spread`, the standard
  deviation of their values over the targets' (the width of the color
  histograms of Isola 2017, Fig. 7: averaging colors towards gray
  narrows it); and the distance of each to the targets', |log figure|
  (`sharpness_gap`, `spread_gap`).

The bar (`BAR`), four checks:

1. `psnr_gain`: colorize L1 + cGAN PSNR at least `psnr_gain_db` = 1 dB
   above the baseline's;
2. `spread_gap`: its colors closer to the photos' than the L1-only G's;
3. `edges_psnr_gain`: edges2photo L1 + cGAN PSNR at least
   `edges_psnr_gain_db` = 0 dB above the flat gray image's: the sharp
   photos it paints must be the held-out ones (a G that paints any real
   photos is sharp too, and scores 3.7 dB below gray);
4. `sharpness_gap`: its sharpness closer to the photos' than the L1-only G's.

Why the tasks split the two ablation checks: on colorize the gradient
energy does not separate the two the expected way: the adversarial term
makes the chroma busier than the photos' (sharpness 1.27 / 1.29 / 1.49 on
seeds 0 / 1 / 2 of --quick) while L1 alone stays near the photos' (1.00 /
0.88 / 1.01); what L1 alone loses there is the colors' spread (0.77 / 0.71
/ 0.81, against 0.86 / 0.83 / 0.87 with the cGAN term). On edges2photo L1
alone blurs (sharpness 0.28 / 0.25 / 0.27, the cGAN 0.92 / 0.91 / 0.93),
as in the paper's Fig. 4. All figures are reported for both tasks.

Planted faults (tests/grading/test_lab07.py), each failing for its reason,
with the figures they got against the --quick run of seed 0 (that run:
PSNR gains +1.70 and +0.60 dB, spread gap 0.152 against L1 alone's 0.265,
sharpness gap 0.080 against L1 alone's 1.268); a fault replaces the L1 +
cGAN generator of the tasks named (gain, edges: PSNR gains in dB;
spread, sharp: the gaps; fails on: the checks above):

| fault                                        | gain  | edges | spread | sharp | fails on     |
|----------------------------------------------|-------|-------|--------|-------|--------------|
| colorize: the trivial baseline (gray in RGB) | 0.00  | +0.60 | 27.6   | 0.080 | 1, 2         |
| both: an untrained G, same architecture      | -1.97 | -0.28 | 0.499  | 0.958 | 1, 2, 3      |
| both: the L1-only G as the L1 + cGAN one     | +2.44 | +1.32 | 0.265  | 1.268 | 2, 4         |
| edges2photo: the L1-only G                   | +1.70 | +1.32 | 0.152  | 1.268 | 4            |
| both: the nearest training input's target    | +0.48 | -5.33 | 0.194  | 1.796 | 1, 3, 4      |
| edges2photo: training photos, any input      | +1.70 | -3.74 | 0.152  | 0.919 | 3            |
| config.json edited to --task edges2photo     | -     | -     | -      | -     | target check |
| lab 06's (conditional digits) generator      | -     | -     | -      | -     | 2 inputs     |
| a run without the edges2photo generators     | -     | -     | -      | -     | missing file |

(Memorisation: the training pair whose input is nearest in pixels; the
held-out photos are never trained on, so a copy cannot score.)

The L1-only G gains the most PSNR on both tasks (+2.12 to +3.01 dB on
colorize, +1.32 to +1.40 on edges2photo, seeds 0-2): PSNR rewards the
averages L1 produces, which is why the bar asks the cGAN for PSNR above
the baseline and for outputs closer to the photos' than L1 alone, not
for the best PSNR.

A *translator* is any callable x -> outputs (numpy, same batch); planted
faults are translators too.
"""


import numpy as np
import tensorflow as tf

from ganlab.data.paired import as_photos, load_pair_arrays
from ganlab.grading.common import check_generator, check_targets, grade_or_fail, load_networks, verdict
from ganlab.metrics.image_quality import sharpness, spread, translation_figures

BAR = {"psnr_gain_db": 1.0, "edges_psnr_gain_db": 0.0}

SHARPNESS_TASK = "edges2photo"
"""The task the sharpness check is graded on: where L1 alone blurs (Isola 2017, Fig. 4)."""

GRADED_TASKS = ("colorize", SHARPNESS_TASK)
"""The tasks a graded lab 07 run trains (`--task colorize`, the default, trains both)."""

TARGET = {"task": "colorize"}
"""The data the bar is defined for (a run's config.json must not say otherwise)."""


def run_files(task):
    """The files of one task's models in a lab 07 run folder.

    colorize's keep the plain names (generator.keras, ...); the second task's
    carry its name (generator_edges2photo.keras, ...).

    Returns:
        {"generators": {"l1_cgan": file, "l1_only": file}, "discriminator":
        file, "samples": file, "tb": {"l1_cgan": folder, "l1_only": folder}}.
    """
    tag = "" if task == TARGET["task"] else f"_{task}"
    return {"generators": {"l1_cgan": f"generator{tag}.keras",
                           "l1_only": f"generator{tag}_l1_only.keras"},
            "discriminator": f"discriminator{tag}.keras", "samples": f"samples{tag}.png",
            "tb": {k: f"tb/{task + '_' if tag else ''}{k}" for k in ("l1_cgan", "l1_only")}}


NETWORKS = {f"{task}.{key}": name for task in GRADED_TASKS
            for key, name in run_files(task)["generators"].items()}
"""Every generator a graded run saves, {"task.model": file}."""


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


def task_report(task, translators, x, y):
    """The figures of each translator's outputs on one task's pairs (x, y).

    Args:
        task: the pairs' task (how they make photos: `as_photos`).
        translators: {name: translator}, e.g. "l1_cgan", "l1_only", "baseline".
        x, y: held-out inputs and targets.

    Returns:
        ({name: figures}, None), or (None, the failure line of the first
        translator whose outputs are not finite or not shaped as y).
    """
    figs = {}
    for name, fn in translators.items():
        out = np.asarray(fn(x), "float32")
        if out.shape != y.shape or not np.all(np.isfinite(out)):
            return None, (f"{task} {name}: outputs of shape {out.shape} (or not finite); "
                          f"the targets are {y.shape}")
        figs[name] = translation_report(task, x, out, y)
    return figs, None


def grade_pix2pix(translators, pairs, psnr_gain_db=BAR["psnr_gain_db"],
                  edges_psnr_gain_db=BAR["edges_psnr_gain_db"]):
    """Lab 07's bar on the held-out pairs of both graded tasks.

    Args:
        translators: {task: (L1 + cGAN translator, L1-only translator)} for
            "colorize" and SHARPNESS_TASK ("edges2photo").
        pairs: {task: (x, y)}, the held-out inputs and targets of each.
        psnr_gain_db: the PSNR the colorize L1 + cGAN outputs must gain over
            the baseline (the gray input in RGB).
        edges_psnr_gain_db: the same for edges2photo, over a flat gray image.

    Returns:
        For each task, {"l1_cgan", "l1_only", "baseline"}: each a dict of
        figures (l1, psnr, ssim, sharpness, sharpness_gap, spread,
        spread_gap); `psnr_gain` and `edges_psnr_gain` (dB), `images`,
        `passed`, `failures`.
    """
    figures = {}
    for task in GRADED_TASKS:
        x, y = pairs[task]
        translate, translate_l1_only = translators[task]
        figs, failure = task_report(task, {"l1_cgan": translate, "l1_only": translate_l1_only,
                                           "baseline": baseline_translator(y.shape[-1])}, x, y)
        if failure:
            return {"passed": False, "failures": [failure]}
        figures[task] = figs

    def gain(task):
        return figures[task]["l1_cgan"]["psnr"] - figures[task]["baseline"]["psnr"]

    def gaps(task, figure):
        return figures[task]["l1_cgan"][figure], figures[task]["l1_only"][figure]

    colors, colors_l1 = gaps("colorize", "spread_gap")
    sharp, sharp_l1 = gaps(SHARPNESS_TASK, "sharpness_gap")
    figures.update(psnr_gain=gain("colorize"), edges_psnr_gain=gain(SHARPNESS_TASK),
                   images=int(len(pairs["colorize"][0])))
    return verdict(figures, [
        ("psnr_gain", figures["psnr_gain"], ">=", psnr_gain_db, figures["psnr_gain"] >= psnr_gain_db),
        (f"spread_gap (the L1-only G's: {colors_l1:.3g})", colors, "<", colors_l1, colors < colors_l1),
        ("edges_psnr_gain", figures["edges_psnr_gain"], ">=", edges_psnr_gain_db,
         figures["edges_psnr_gain"] >= edges_psnr_gain_db),
        (f"sharpness_gap (the L1-only G's: {sharp_l1:.3g})", sharp, "<", sharp_l1, sharp < sharp_l1),
    ])


def load_pix2pix_run(run_dir):
    """(config, {task: {"l1_cgan": G, "l1_only": G}}) of a lab 07 run folder, both graded tasks.

    Raises:
        ValueError: if the folder, its config.json or a generator is missing.
    """
    nets = {}
    for task in GRADED_TASKS:
        config, nets[task] = load_networks(run_dir, run_files(task)["generators"])
    return config, nets


@grade_or_fail
def grade_lab07(run_dir):
    """Grade a lab 07 run folder: its four generators on the lab's held-out pairs.

    The pairs are the library's (never those a run recorded); the image size
    is read from the saved generators. A folder that cannot be graded (a
    missing file, a run on another task, a generator that is not an image
    net of the task's channels) fails with its one-line reason.
    """
    config, nets = load_pix2pix_run(run_dir)
    check_targets(config, TARGET, "07")
    translators, pairs = {}, {}
    for task, channels in (("colorize", (1, 2)), (SHARPNESS_TASK, (1, 3))):
        for net in nets[task].values():
            check_generator(net, 1, (None, None, channels[1]), "07")
        pairs[task] = held_out_pairs(task, nets[task]["l1_cgan"].input_shape[1])
        translators[task] = tuple(generator_translator(nets[task][k]) for k in ("l1_cgan", "l1_only"))
    return grade_pix2pix(translators, pairs)
