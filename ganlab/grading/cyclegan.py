"""Lab 08's grader: CycleGAN's F cleaning held-out bleed-through scans, against their clean versions.

The grader loads the run's two generators, `generator.keras` (G: clean ->
bleed-through) and `inverse_generator.keras` (F: bleed-through -> clean),
and on the lab's fixed held-out pages (`ganlab.data.documents`, `bleed`
test split at the generators' size, never trained on) recomputes
(`ganlab.metrics.image_quality.psnr`, on [0, 1], mean over pages):

- `scan_psnr`: PSNR(y, clean), the scans as they are;
- `f_psnr`: PSNR(F(y), clean), and `gain` = f_psnr - scan_psnr;
- `otsu_psnr`: the rule-based baseline (`otsu_translator`);
- `cycle_psnr`: PSNR(G(F(y)), y), the cycle's reconstruction.

The bar (`BAR`): gain >= 3 dB, f_psnr > otsu_psnr, cycle_psnr >= 25 dB.

Planted faults (tests/grading/test_lab08.py), each failing for its reason,
with the figures they got against the --quick run of seed 0 (its F: 22.72
dB, gain +6.33 dB, cycle 25.83 dB; the scans 16.39 dB, Otsu 20.03 dB):

| fault                                   | F PSNR   | gain     | cycle    | fails on              |
|-----------------------------------------|----------|----------|----------|-----------------------|
| F = identity (returns the scan)         | 16.39 dB | 0.00 dB  | 26.62 dB | gain, below Otsu      |
| an untrained F of the same architecture | 7.52 dB  | -8.87 dB | 16.69 dB | gain, Otsu, cycle     |
| Otsu's binarisation submitted as F      | 20.03 dB | +3.64 dB | 23.39 dB | not above Otsu, cycle |
| F returns the mean clean training page  | 20.06 dB | +3.67 dB | 19.55 dB | cycle                 |
| config.json edited to --task fonts      | -        | -        | -        | target check          |
| lab 07's kind of net as inverse_generator | -      | -        | -        | network: makes (32, 32, 2) |

(The identity F keeps a high cycle PSNR because the identity loss taught G
to leave scans alone.)

The mean clean page scores 20.06 dB, as much as Otsu (20.03 dB): the
paper dominates a page's PSNR. It passes the gain check and ties with the
baseline, which is why the bar also asks the cycle to rebuild the scan,
which no G can do from a constant.

A *translator* is any callable images -> images (numpy, same shape);
planted faults are translators too.
"""

import numpy as np

from ganlab.data.documents import load_document_arrays
from ganlab.grading.common import check_generator, check_targets, grade_or_fail, load_networks, verdict
from ganlab.metrics.image_quality import psnr
from ganlab.nets.inference import infer

BAR = {"min_gain_db": 3.0, "min_cycle_psnr_db": 25.0}
"""F(y) at least 3 dB above the scans, above Otsu's PSNR, and G(F(y)) at least 25 dB from y."""

TARGET = {"task": "bleed"}
"""The data the bar is defined for (a run's config.json must not say otherwise)."""

NETWORKS = {"G": "generator.keras", "F": "inverse_generator.keras"}


def net_translator(net, batch_size=64):
    """A translator of a saved generator (inference mode; instance norm has no statistics)."""

    def translate(images):
        return infer(net, np.asarray(images, "float32"), batch_size)

    return translate


def otsu_translator(train_clean):
    """The rule-based baseline: Otsu's threshold on each page's gray level.

    Pixels above the page's threshold (scikit-image's `threshold_otsu`) are
    painted with the mean paper colour of the clean training pages, the
    others with their mean ink colour (both found by Otsu on those pages):
    a global threshold with the best colours it could know. Since the
    darkest bleed-through is darker than the faintest ink, it keeps some
    bleed and drops some ink.

    Args:
        train_clean: clean training pages (domain X), (n, H, W, 3) in [-1, 1].
    """
    from skimage.filters import threshold_otsu

    gray = np.asarray(train_clean).mean(-1)
    t = threshold_otsu(gray)
    paper = np.asarray(train_clean)[gray > t].mean(0)
    ink = np.asarray(train_clean)[gray <= t].mean(0)

    def translate(images):
        images = np.asarray(images, "float32")
        out = np.empty_like(images)
        for i, page in enumerate(images):
            g = page.mean(-1)
            out[i] = np.where((g > threshold_otsu(g))[..., None], paper, ink)
        return out

    return translate


def lab_pages(image_size):
    """The lab's fixed pages: (held-out {"y", "y_clean"}, clean training pages X)."""
    return (load_document_arrays(TARGET["task"], "test", image_size),
            load_document_arrays(TARGET["task"], "train", image_size)["x"])


def grade_cyclegan(translate_f, translate_g, pages, train_clean, min_gain_db=BAR["min_gain_db"],
                   min_cycle_psnr_db=BAR["min_cycle_psnr_db"]):
    """Lab 08's bar on held-out bleed-through pages.

    Args:
        translate_f: F, scans -> clean pages.
        translate_g: G, clean pages -> scans (for the cycle G(F(y))).
        pages: {"y": held-out scans, "y_clean": their clean versions}.
        train_clean: clean training pages (the Otsu baseline's colours).

    Returns:
        The figures (scan_psnr, f_psnr, gain, otsu_psnr, cycle_psnr, pages)
        with `passed` and `failures`.
    """
    y, clean = np.asarray(pages["y"]), np.asarray(pages["y_clean"])
    cleaned = np.asarray(translate_f(y), "float32")
    if cleaned.shape != y.shape or not np.all(np.isfinite(cleaned)):
        return {"passed": False, "failures": [
            f"F: outputs of shape {cleaned.shape} (or not finite); the pages are {y.shape}"]}
    cycled = np.asarray(translate_g(cleaned), "float32")
    if cycled.shape != y.shape or not np.all(np.isfinite(cycled)):
        return {"passed": False, "failures": [
            f"G: outputs of shape {cycled.shape} (or not finite); the pages are {y.shape}"]}
    figs = {"scan_psnr": float(psnr(y, clean).mean()),
            "f_psnr": float(psnr(cleaned, clean).mean()),
            "otsu_psnr": float(psnr(otsu_translator(train_clean)(y), clean).mean()),
            "cycle_psnr": float(psnr(cycled, y).mean()),
            "pages": int(len(y))}
    figs["gain"] = figs["f_psnr"] - figs["scan_psnr"]
    return verdict(figs, [
        ("gain", figs["gain"], ">=", min_gain_db, figs["gain"] >= min_gain_db),
        ("f_psnr (Otsu's)", figs["f_psnr"], ">", figs["otsu_psnr"],
         figs["f_psnr"] > figs["otsu_psnr"]),
        ("cycle_psnr", figs["cycle_psnr"], ">=", min_cycle_psnr_db,
         figs["cycle_psnr"] >= min_cycle_psnr_db),
    ])


def load_cyclegan_run(run_dir):
    """(config, {"G": net, "F": net}) of a lab 08 run folder.

    Raises:
        ValueError: if the folder, its config.json or a generator is missing.
    """
    return load_networks(run_dir, NETWORKS)


@grade_or_fail
def grade_lab08(run_dir):
    """Grade a lab 08 run folder: F on the lab's held-out bleed-through pages, G for the cycle.

    The pages are the library's (never those a run recorded); their size is
    read from the saved F. A folder that cannot be graded (a missing file, a
    run on another task, a generator that is not an RGB page net) fails with
    its one-line reason.
    """
    config, nets = load_cyclegan_run(run_dir)
    check_targets(config, TARGET, "08")
    for net in nets.values():
        check_generator(net, 1, (None, None, 3), "08")
    size = nets["F"].input_shape[1]
    pages, train_clean = lab_pages(size)
    return grade_cyclegan(net_translator(nets["F"]), net_translator(nets["G"]), pages, train_clean)
