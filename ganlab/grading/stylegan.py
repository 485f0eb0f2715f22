"""Lab 12's grader: StyleGAN's digits the judge reads, and style mixing that is real.

Recomputed from the run's `mapping.keras` (f) and `synthesis.keras` (g)
with fixed seeds (z and the noise images drawn with numpy); metrics.json
is never read. Two parts:

- the judge figures of lab 03 (`ganlab.grading.dcgan.grade_digits`, 1,000
  samples, no truncation, this lab's limits): confident share, class coverage, the
  judge-feature Fréchet distance against half an untrained StyleGAN's
  (same architecture, fresh weights), and Meehan's data-copying C_T;
- style mixing (`mixing_rates`): for `MIXING_PAIRS` pairs of latents (A, B)
  and one noise per pair, the judge's class of g(w_A) against that of
  g(coarse styles of B, fine of A) (`coarse_swap_rate`: how often it
  changes) and of g(coarse of A, fine of B) (`fine_swap_rate`). Coarse =
  the styles of the 4x4 and 8x8 layers (the first `COARSE_STYLES`), fine =
  16x16 and 32x32. Karras 2019 (Section 3.1, Figure 3): coarse styles carry
  "pose, general hair style, face shape", fine ones "mainly the color
  scheme and microstructure"; for a digit, its class is the coarse part. The
  bar: coarse_swap_rate - fine_swap_rate >= `BAR["min_mixing_gap"]`.

Planted faults (tests/grading/test_lab12.py), each failing for its reason,
with the figures they got against the --quick run of seed 2 (its own:
confident 0.799, rarest class 0.068, Frechet ratio 0.030, C_T +4.15,
coarse / fine swap rates 0.910 / 0.074, gap 0.836):

| fault                          | conf. | rarest | Frechet | coarse / fine  | rejected by              |
|--------------------------------|-------|--------|---------|----------------|--------------------------|
| untrained StyleGAN (f and g)   | 0.304 | 0.0    | 0.996   | 0.634 / 0.496  | frechet_ratio (+ 3 more) |
| f outputs a constant w         | 1.0   | 0.0    | 1.873   | 0 / 0          | mixing_gap, classes, FD  |
| AdaIN ignores the style (A=0)  | 1.0   | 0.0    | 1.872   | 0 / 0          | mixing_gap, classes, FD  |
| config.json: --dataset faces   | -     | -      | -       | -              | target check             |
| lab 03's kind of G as g        | -     | -      | -       | -              | network check            |

The untrained G's coarse swaps already change its judged class more often
than its fine swaps (gap 0.138: its coarse layers shape the blob the
judge reads); the bar's 0.3 sits between it and the trained runs' 0.64-0.84.
With one w for every sample (constant f) or styles that do not reach the
feature maps (blind AdaIN), A and B draw the same image and no swap can
change a class: both rates are exactly 0.
"""

import numpy as np

from ganlab import latent
from ganlab.grading.common import (
    GRADING_SEED,
    RunError,
    check_targets,
    grade_or_fail,
    load_networks,
    untrained_like,
    verdict,
)
from ganlab.grading.dcgan import grade_digits
from ganlab.nets.inference import infer

COARSE_STYLES = 4
"""The coarse styles: those of the 4x4 and 8x8 layers (two each)."""
MIXING_PAIRS = 500
"""Pairs (A, B) of latents the mixing rates are measured on."""
BAR = {
    "min_confident_share": 0.6,
    "min_class_share": 0.01,
    "max_frechet_ratio": 0.5,
    "min_copying": -3.0,
    "min_mixing_gap": 0.3,
}
"""Lab 12 (StyleGAN on digits at 32x32): >= 60% of samples judged with
confidence > 0.9, every class >= 1% (all ten drawn; lab 03 asks 4%, which
seed 0's rarest class, 1.6%, would fail), judge-feature Fréchet distance under
half an untrained StyleGAN's, no data-copying (C_T >= -3), and swapping the
coarse styles changes the judged class at least 0.3 more often than
swapping the fine ones."""
TARGET = {"dataset": "digits", "image_size": 32}
NETWORKS = {"mapping": "mapping.keras", "synthesis": "synthesis.keras"}


def style_sampler(mapping, synthesis, distribution="normal"):
    """A sampler (n, seed) -> g(f(z), noise): z and noise drawn with numpy from `seed`."""
    from ganlab.nets.stylegan import draw_noise, synthesize

    dim = mapping.input_shape[-1]

    def sample(n, seed=GRADING_SEED):
        z = latent.draw(n, dim, distribution, seed)
        w = infer(mapping, z, 1000)
        return synthesize(synthesis, w, draw_noise(synthesis, n, seed + 1))

    return sample


def mixing_rates(mapping, synthesis, judge, pairs=MIXING_PAIRS, coarse=COARSE_STYLES,
                 seed=GRADING_SEED, distribution="normal"):
    """How often swapping the coarse, or only the fine, styles changes the judged class.

    Args:
        mapping, synthesis: f and g.
        judge: the judge.
        pairs: number of (A, B) pairs.
        coarse: number of coarse styles (the crossover layer).
        seed: seed of z_A, z_B and the noise (one noise per pair, shared
            by its three images).
        distribution: the latent prior.

    Returns:
        dict: coarse_swap_rate, fine_swap_rate, mixing_gap (their
        difference), and pairs_of_two_classes (the share of pairs whose A
        and B are judged different classes).
    """
    from ganlab.nets.judge import judge_predict
    from ganlab.nets.stylegan import draw_noise, mix_styles, synthesize

    num_ws = int(synthesis.inputs[0].shape[1])
    dim = mapping.input_shape[-1]
    z = latent.draw(2 * pairs, dim, distribution, seed)
    w = infer(mapping, z, 1000)
    w_a, w_b = w[:pairs], w[pairs:]
    noise = draw_noise(synthesis, pairs, seed + 1)

    def judged(ws):
        return judge_predict(judge, synthesize(synthesis, ws, noise)).argmax(axis=1)

    a = judged(mix_styles(w_a, w_a, coarse, num_ws))
    b = judged(mix_styles(w_b, w_b, coarse, num_ws))
    coarse_from_b = judged(mix_styles(w_b, w_a, coarse, num_ws))
    fine_from_b = judged(mix_styles(w_a, w_b, coarse, num_ws))
    rates = {"coarse_swap_rate": float(np.mean(coarse_from_b != a)),
             "fine_swap_rate": float(np.mean(fine_from_b != a)),
             "pairs_of_two_classes": float(np.mean(a != b))}
    rates["mixing_gap"] = rates["coarse_swap_rate"] - rates["fine_swap_rate"]
    return rates


def grade_stylegan(mapping, synthesis, baseline, judge=None, seed=GRADING_SEED, bar=None,
                   distribution="normal"):
    """Lab 12's bar for a StyleGAN's f and g, against an untrained (f, g) `baseline`.

    Returns:
        The figures of `grade_digits` and `mixing_rates`, `passed` and `failures`.
    """
    from ganlab.nets.judge import load_judge

    bar = {**BAR, **(bar or {})}
    judge = judge or load_judge()
    grade = grade_digits(style_sampler(mapping, synthesis, distribution),
                         style_sampler(*baseline, distribution), judge=judge, seed=seed,
                         bar={k: v for k, v in bar.items() if k != "min_mixing_gap"})
    if "confident_share" not in grade:  # samples not finite: nothing more to measure
        return grade
    rates = mixing_rates(mapping, synthesis, judge, seed=seed, distribution=distribution)
    failures = list(grade["failures"])
    gap_check = verdict(rates, [(
        "mixing_gap (coarse_swap_rate - fine_swap_rate)", rates["mixing_gap"], ">=",
        bar["min_mixing_gap"], rates["mixing_gap"] >= bar["min_mixing_gap"])])
    failures += gap_check["failures"]
    return {**grade, **rates, "passed": not failures, "failures": failures}


def check_style_networks(mapping, synthesis):
    """Fail in one line unless mapping is z -> w and synthesis takes [ws, noise...] at 32x32."""
    ok = (len(mapping.inputs) == 1 and len(mapping.output_shape) == 2
          and len(synthesis.inputs) >= 2 and len(synthesis.inputs[0].shape) == 3
          and tuple(synthesis.output_shape[1:]) == (32, 32, 1)
          and synthesis.inputs[0].shape[-1] == mapping.output_shape[-1])
    if not ok:
        raise RunError(
            f"mapping.keras takes {len(mapping.inputs)} input(s) and synthesis.keras "
            f"{len(synthesis.inputs)} making {tuple(synthesis.output_shape[1:])}; lab 12's "
            "mapping takes z and its synthesis [ws, noise...] making (32, 32, 1): not this "
            "lab's networks")


@grade_or_fail
def grade_lab12(run_dir, seed=GRADING_SEED, judge=None):
    """Grade a lab 12 run folder: mapping.keras and synthesis.keras against an untrained pair."""
    config, nets = load_networks(run_dir, NETWORKS)
    check_targets(config, TARGET, "12")
    check_style_networks(nets["mapping"], nets["synthesis"])
    baseline = (untrained_like(nets["mapping"]), untrained_like(nets["synthesis"], seed + 1))
    prior = config.get("latent", {}).get("distribution", "normal")
    return grade_stylegan(nets["mapping"], nets["synthesis"], baseline, judge=judge, seed=seed,
                          distribution=prior)
