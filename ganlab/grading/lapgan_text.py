"""Lab 13's grader: LAPGAN's chain (Denton 2015) and GAN-CLS's held-out captions (Reed 2016).

Two parts, each with its own verdict:

- LAPGAN (`grade_lapgan`): 1,000 chains from the saved level generators,
  fixed seed. The final images meet lab 03's confident-share bar (the
  judge's top class > 0.9 for >= 70%), and every residual level is a true
  band-pass residual: |mean(h)| <= 0.05 (pixels in [-1, 1]), its energy
  sits at high frequencies (>= 50% of the power spectrum of h lies above
  1/8 cycle per pixel, radially; the real digits' residuals: 0.76, the
  images themselves 0.14), and it is not a blurry upsampler's zero residual
  (rms(h) >= 0.5 rms of the real training residuals, 0.120).
- Text (`grade_text`): for the 600 facts of the captioned test split, one
  caption each in a held-out phrasing (never seen in training), one sample
  each from G. The printed-digit reader reads the caption's digit in >= 80%
  of the samples, and the slant's sign (`ganlab.metrics.attributes.slant`,
  per-digit thresholds fitted on real training renders: 100% on the real
  test renders) agrees with "tilted left / right" in >= 75%. The ink
  weight (bold / light; 95% on real renders) is measured and reported, not
  graded.

Planted faults (tests/grading/test_lab13.py), each failing for its reason:

| fault                                              | figure it gets        | rejected by            |
|----------------------------------------------------|-----------------------|------------------------|
| G ignores the text (another caption's embedding)   | digit accuracy ~0.1   | digit_accuracy         |
| G right on the digit, attributes drawn at random   | tilt agreement 0.49   | tilt_agreement         |
| untrained text G                                   | digit accuracy ~0.1   | digit_accuracy         |
| untrained LAPGAN                                   | confident share ~0    | confident_share        |
| LAPGAN chain with zero residuals (blur upsampler)  | residual rms ratio 0  | residual_rms_ratio     |

Calibration (--quick, seeds 0 / 1 / 2, labs/13_lapgan_text.py): the LAPGAN
part passes (confident 0.734 / 0.734 / 0.720), the text part too: digit
0.870 / 0.813 / 0.832 against the 0.8 bar, tilt 0.938 / 0.952 / 0.965
against 0.75. The text faults fail their own check, plus any check the
trained G fails too (none at these figures).

Why a second digit reader: the judge of labs 03/06 (trained on UCI
handwriting) reads real held-out printed renders at 0.71 only, so an 80%
bar on it could not be met by the data itself. The text bar reads digits
with the judge's architecture trained on the printed training renders
(`datasets/captions/printed_judge.keras`, 0.99+ on held-out renders). The
LAPGAN part, on handwritten `digits`, uses lab 03's judge.
"""

from pathlib import Path

import numpy as np

from ganlab.data import captions as cap
from ganlab.grading.common import (
    GRADING_SEED,
    RunError,
    grade_or_fail,
    load_networks,
    load_untrusted_model,
    verdict,
)
from ganlab.grading.dcgan import BAR as LAB03_BAR
from ganlab.nets.inference import infer

BAR = {
    "min_confident_share": LAB03_BAR["min_confident_share"],
    "max_residual_mean": 0.05,
    "min_residual_high_share": 0.5,
    "min_residual_rms_ratio": 0.5,
    "min_digit_accuracy": 0.8,
    "min_tilt_agreement": 0.75,
}
"""LAPGAN: confident share >= 0.7 (lab 03's), |mean h| <= 0.05, >= 50% of h's power
above 1/8 cycle per pixel, rms(h) >= 0.5 of the real residuals'. Text (held-out
phrasings): digit read in >= 80% of samples, tilt sign agrees in >= 75%."""

HIGH_FREQUENCY = 0.125
"""Cycles per pixel above which a residual's power counts as high frequency."""

LAPGAN_SAMPLES = 1000
CAPTIONS_DIR = Path(__file__).resolve().parents[2] / "datasets" / "captions"


# ------------------------------------------------------------------ LAPGAN
def high_frequency_share(h, cutoff=HIGH_FREQUENCY):
    """The share of the power spectrum of images h above `cutoff` cycles per pixel (radial).

    0 for an all-zero h. Example: a checkerboard has all its power at 0.707 > 0.125.

    >>> float(high_frequency_share(np.indices((1, 8, 8)).sum(0)[..., None] % 2 * 2.0 - 1))
    1.0
    """
    x = np.asarray(h, "float64")[..., 0]
    power = np.abs(np.fft.fft2(x)) ** 2
    fy = np.fft.fftfreq(x.shape[1])[:, None]
    fx = np.fft.fftfreq(x.shape[2])[None, :]
    total = power.sum()
    return 0.0 if total == 0 else float(power[:, np.hypot(fy, fx) > cutoff].sum() / total)


def real_residual_rms(side):
    """rms of the real training digits' residual at `side` (the residual level's reference)."""
    from ganlab.data.images import load_image_arrays
    from ganlab.nets.pyramid import downsample, residual

    x, _ = load_image_arrays("digits", "train", 16)
    while x.shape[1] > side:
        x = np.asarray(downsample(x))
    return float(np.sqrt(np.mean(np.asarray(residual(x)) ** 2)))


def grade_lapgan(chain_sampler, n=LAPGAN_SAMPLES, seed=GRADING_SEED, judge=None):
    """LAPGAN's bar from a chain sampler (n, seed) -> (levels [I_0 .. I_K], residuals [h_1 .. h_K]).

    Returns:
        confident_share, min_class_share (shown), per residual level k:
        residual_mean_k, residual_high_share_k, residual_rms_ratio_k; and the
        worst of each, `passed`, `failures`.
    """
    from ganlab.metrics.judge import class_histogram, confident_share
    from ganlab.nets.judge import judge_predict, load_judge

    judge = load_judge() if judge is None else judge
    images, residuals = chain_sampler(n, seed)
    final = np.asarray(images[-1], "float32")
    if not residuals or not all(np.all(np.isfinite(h)) for h in residuals) \
            or not np.all(np.isfinite(final)):
        return {"passed": False, "failures": ["no residual level, or samples not finite"]}
    probs = judge_predict(judge, final)
    fig = {"confident_share": confident_share(probs),
           "min_class_share": float(class_histogram(probs, 10).min()), "samples": int(len(final))}
    for k, h in enumerate(residuals, start=1):
        h = np.asarray(h, "float64")
        fig[f"residual_mean_{k}"] = float(h.mean())
        fig[f"residual_high_share_{k}"] = high_frequency_share(h)
        fig[f"residual_rms_ratio_{k}"] = float(np.sqrt(np.mean(h ** 2))) / real_residual_rms(h.shape[1])
    levels = range(1, len(residuals) + 1)
    fig["residual_mean"] = max(abs(fig[f"residual_mean_{k}"]) for k in levels)
    fig["residual_high_share"] = min(fig[f"residual_high_share_{k}"] for k in levels)
    fig["residual_rms_ratio"] = min(fig[f"residual_rms_ratio_{k}"] for k in levels)
    return verdict(fig, [
        ("confident_share", fig["confident_share"], ">=", BAR["min_confident_share"],
         fig["confident_share"] >= BAR["min_confident_share"]),
        ("residual_mean (|mean h|, worst level)", fig["residual_mean"], "<=",
         BAR["max_residual_mean"], fig["residual_mean"] <= BAR["max_residual_mean"]),
        ("residual_high_share (power above 1/8 cycle/pixel)", fig["residual_high_share"], ">=",
         BAR["min_residual_high_share"],
         fig["residual_high_share"] >= BAR["min_residual_high_share"]),
        ("residual_rms_ratio (rms h / real residuals')", fig["residual_rms_ratio"], ">=",
         BAR["min_residual_rms_ratio"], fig["residual_rms_ratio"] >= BAR["min_residual_rms_ratio"]),
    ])


def chain_sampler(generators):
    """(n, seed) -> LAPGAN's chain from bare level generators [G_0, G_1, ...], z ~ N(0, I)."""
    from ganlab.models.lapgan import sample_chain

    def sample(n, seed=GRADING_SEED):
        rng = np.random.default_rng(seed)
        dims = [generators[0].input_shape[-1]] + [g.input_shape[0][-1] for g in generators[1:]]
        return sample_chain(generators, [rng.standard_normal((n, d)).astype("float32")
                                         for d in dims])

    return sample


# -------------------------------------------------------------------- text
def load_printed_judge(path=None):
    """The committed printed-digit reader (see the module docstring)."""
    path = CAPTIONS_DIR / "printed_judge.keras" if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No printed-digit reader at {path}: rebuild it with "
                                "`python datasets/build_captions.py`.")
    import keras

    return keras.saving.load_model(path, compile=False)


def heldout_captions(seed=GRADING_SEED):
    """(captions, facts): one held-out-phrasing caption per fact tuple of the test split."""
    _, facts = cap.captioned_digits("test")
    return cap.captions_for(facts, "heldout", seed), facts


def attribute_readers():
    """The weight and tilt readers, fitted on the real training renders."""
    from ganlab.metrics.attributes import fit_reader

    x, f = cap.captioned_digits("train")
    return {a: fit_reader(a, x, f["digit"], f[a]) for a in ("weight", "tilt")}


def grade_text(sampler, seed=GRADING_SEED, reader=None):
    """The text bar from a sampler (captions, seed) -> images, on held-out phrasings.

    Returns:
        digit_accuracy, tilt_agreement, weight_agreement (shown),
        real_digit_accuracy / real_tilt_agreement / real_weight_agreement (the
        real test renders, for reference), `passed`, `failures`.
    """
    from ganlab.nets.judge import judge_predict

    reader = load_printed_judge() if reader is None else reader
    captions, facts = heldout_captions(seed)
    x = np.asarray(sampler(captions, seed), "float32")
    if x.shape[0] != len(captions) or not np.all(np.isfinite(x)):
        return {"passed": False, "failures": ["samples are missing or not finite"]}
    readers = attribute_readers()
    digits = facts["digit"]
    fig = {"samples": int(len(x)),
           "digit_accuracy": float(np.mean(judge_predict(reader, x).argmax(-1) == digits)),
           "tilt_agreement": readers["tilt"].agreement(x, digits, facts["tilt"]),
           "weight_agreement": readers["weight"].agreement(x, digits, facts["weight"])}
    return verdict(fig, [
        ("digit_accuracy", fig["digit_accuracy"], ">=", BAR["min_digit_accuracy"],
         fig["digit_accuracy"] >= BAR["min_digit_accuracy"]),
        ("tilt_agreement", fig["tilt_agreement"], ">=", BAR["min_tilt_agreement"],
         fig["tilt_agreement"] >= BAR["min_tilt_agreement"]),
    ])


def text_sampler(generator, encoder):
    """(captions, seed) -> G(z, phi(caption)), z ~ N(0, I) drawn with numpy."""
    from ganlab.data.captions import tokenize_all

    def sample(captions, seed=GRADING_SEED):
        z = np.random.default_rng(seed).standard_normal(
            (len(captions), generator.input_shape[0][-1])).astype("float32")
        t = infer(encoder, tokenize_all(captions), 1024)
        return infer(generator, [z, t], 1000)

    return sample


# -------------------------------------------------------------------- runs
LAPGAN_NETS = {"g0": "coarse_generator.keras", "g1": "residual_generator_1.keras"}
TEXT_NETS = {"cls": "gancls_generator.keras", "plain": "plain_generator.keras",
             "encoder": "text_encoder.keras"}


@grade_or_fail
def grade_lab13(run_dir, seed=GRADING_SEED, judge=None, reader=None):
    """Grade a lab 13 run folder: the LAPGAN chain and GAN-CLS, each its own verdict.

    Returns:
        {"lapgan": grade, "text": grade, "plain_text": the variant without
        the wrong-text term (shown, not graded), "passed": both passed,
        "failures": the failing part's failures, prefixed by the part}.
    """
    config, nets = load_networks(run_dir, LAPGAN_NETS)
    if len(nets["g0"].inputs) != 1 or len(nets["g1"].inputs) != 2:
        raise RunError("coarse_generator.keras / residual_generator_1.keras are not lab 13's "
                       "level generators (z -> I_0; [z, l_1] -> h_1)")
    del config
    lap = grade_lapgan(chain_sampler([nets["g0"], nets["g1"]]), seed=seed, judge=judge)
    _, text_nets = load_networks(run_dir, TEXT_NETS)
    reader = load_printed_judge() if reader is None else reader
    text = grade_text(text_sampler(text_nets["cls"], text_nets["encoder"]), seed, reader)
    plain = grade_text(text_sampler(text_nets["plain"], text_nets["encoder"]), seed, reader)
    failures = [f"LAPGAN: {f}" for f in lap["failures"]] + [f"text: {f}" for f in text["failures"]]
    return {"lapgan": lap, "text": text, "plain_text": plain, "passed": not failures,
            "failures": failures}


__all__ = ["BAR", "grade_lab13", "grade_lapgan", "grade_text", "chain_sampler", "text_sampler",
           "high_frequency_share", "load_printed_judge", "load_untrusted_model"]
