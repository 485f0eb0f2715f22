"""Lab 09's grader: 4x super-resolution of held-out photos, SRResNet and SRGAN against bicubic.

The grader loads the run's two generators, `srresnet.keras` (stage 1, MSE)
and `generator.keras` (stage 2, SRGAN, initialised from stage 1), super-
resolves the lab's fixed held-out LR tiles (`ganlab.data.superres.
held_out_pairs`: 36 tiles of 96x96 HR, 24x24 LR, cut from the photos
chelsea and flower, never trained on; LR made by bicubic downsampling with
antialiasing) in inference mode, and recomputes against the HR tiles
(`ganlab.metrics.image_quality.sr_figures`), as Ledig 2017 measures:
PSNR and SSIM on the Y channel (BT.601), `scale` pixels cropped from each
border, and the high-frequency energy (the gradient energy of Y relative
to the HR tiles': 1 is as much fine detail as HR). The bicubic baseline is
`upscale`, the same resize call that made the LR tiles. Nothing in
metrics.json is trusted; the tiles and the scale are the lab's.

The bar (`BAR`; the paper's trade-off, Ledig 2017, Table 2 and Fig. 2):

- SRResNet's mean PSNR is at least `srresnet_gain_db` = 0.5 dB above
  bicubic's (`srresnet_gain`);
- SRGAN's output has more high-frequency energy than SRResNet's
  (`srgan_hf_energy`) and is closer to HR's (`srgan_hf_gap`, |log energy|,
  smaller than SRResNet's);
- SRGAN's mean PSNR is at most `srgan_drop_db` = 2 dB below bicubic's
  (`srgan_drop`): sharper, but not at any price in fidelity.

Planted faults (tests/grading/test_lab09.py), each failing for its reason,
with the figures they get against the --quick run of seed 0 (bicubic 37.87
dB, hf energy 0.144; that run's SRResNet +0.65 dB, 0.262; its SRGAN 0.20 dB
under bicubic, 0.327):

| fault (in place of)                   | gain      | drop     | hf    | fails on                  |
|---------------------------------------|-----------|----------|-------|---------------------------|
| bicubic itself (both generators)      | 0.00 dB   | 0.00 dB  | 0.144 | gain, srgan_hf_*          |
| nearest neighbour (both)              | -2.57 dB  | 2.57 dB  | 0.531 | all four                  |
| an untrained G (both; --bicubic-skip: | 0.00 dB   | 0.00 dB  | 0.144 | gain, srgan_hf_*          |
|   its zero tail is bicubic exactly)   |           |          |       |                           |
| the nearest training crop (both)      | -16.71 dB | 16.71 dB | 0.488 | all four                  |
| bicubic as SRGAN                      | (+0.65)   | 0.00 dB  | 0.144 | srgan_hf_energy, _gap     |
| nearest neighbour as SRGAN            | (+0.65)   | 2.57 dB  | 0.531 | srgan_drop only           |
| HR + noise (std 0.4; HR known) as SRGAN | (+0.65) | 18.24 dB | 19.3  | srgan_hf_gap, srgan_drop  |
| the SRResNet submitted as the SRGAN   | (+0.65)   | -0.65 dB | 0.262 | srgan_hf_energy, _gap     |

(gain: `srresnet_gain`; drop: `srgan_drop`; hf: SRGAN's `hf_energy`.)

Nearest neighbour's blocky edges carry more gradient energy than SRGAN's
output (0.531: closer to HR's by that measure), so in the SRGAN slot it is
caught by its PSNR alone, 0.57 dB beyond the 2 dB allowed: high-frequency
energy is a measure of detail only next to a fidelity check.

Memorisation: a G that returns training HR crops cannot match the held-out
tiles, which come from photos never trained on: its PSNR falls far below
bicubic's (the memoriser above, the training crop whose LR is nearest to
each held-out LR tile: -16.7 dB), so `srresnet_gain` and `srgan_drop`
catch it; no copying statistic is needed, the bar being fidelity to
held-out ground truth.

A *super-resolver* is any callable lr -> HR images (numpy, same batch);
planted faults are super-resolvers too.
"""

import numpy as np

from ganlab.data.superres import held_out_pairs, upscale
from ganlab.grading.common import check_generator, check_targets, grade_or_fail, load_networks, verdict
from ganlab.metrics.image_quality import sr_figures
from ganlab.nets.inference import infer

BAR = {"srresnet_gain_db": 0.5, "srgan_drop_db": 2.0}

SCALE = 4
"""The scale the bar is defined for."""

TARGET = {"scale": SCALE, "data": "photos"}
"""The data the bar is defined for (a run's config.json must not say otherwise)."""

NETWORKS = {"srresnet": "srresnet.keras", "srgan": "generator.keras"}


def generator_sr(generator, batch_size=12):
    """A super-resolver of a saved generator: G(lr) in inference mode."""

    def sr(lr):
        return infer(generator, np.asarray(lr, "float32"), batch_size)

    return sr


def bicubic_sr(scale=SCALE):
    """The baseline: `ganlab.data.superres.upscale`, the resize call that made the LR images."""
    return lambda lr: upscale(lr, scale)


def sr_report(sr, lr, hr, scale=SCALE):
    """The figures of one super-resolver on (lr, hr): psnr, ssim, hf_energy, hf_gap."""
    out = np.asarray(sr(lr), "float32")
    if out.shape != hr.shape or not np.all(np.isfinite(out)):
        raise ValueError(f"a super-resolver made outputs of shape {out.shape} (or not finite); "
                         f"the HR images are {hr.shape}")
    return sr_figures(out, hr, scale)


def grade_srgan(srresnet, srgan, lr, hr, scale=SCALE, srresnet_gain_db=BAR["srresnet_gain_db"],
                srgan_drop_db=BAR["srgan_drop_db"]):
    """Lab 09's bar on held-out pairs (lr, hr).

    Args:
        srresnet, srgan: super-resolvers (stage 1 and stage 2).
        lr, hr: the held-out pairs.
        scale: their scale (the border crop of the figures).

    Returns:
        `bicubic`, `srresnet`, `srgan`: dicts of figures (psnr, ssim,
        hf_energy, hf_gap); `srresnet_gain`, `srgan_drop` (dB), `images`,
        `passed`, `failures`.
    """
    figs = {}
    for name, fn in (("bicubic", bicubic_sr(scale)), ("srresnet", srresnet), ("srgan", srgan)):
        try:
            figs[name] = sr_report(fn, lr, hr, scale)
        except ValueError as e:
            return {"passed": False, "failures": [f"{name}: {e}"]}
    gain = figs["srresnet"]["psnr"] - figs["bicubic"]["psnr"]
    drop = figs["bicubic"]["psnr"] - figs["srgan"]["psnr"]
    e_res, e_gan = figs["srresnet"]["hf_energy"], figs["srgan"]["hf_energy"]
    gap_res, gap_gan = figs["srresnet"]["hf_gap"], figs["srgan"]["hf_gap"]
    return verdict({**figs, "srresnet_gain": gain, "srgan_drop": drop, "images": int(len(lr))}, [
        ("srresnet_gain (dB over bicubic)", gain, ">=", srresnet_gain_db, gain >= srresnet_gain_db),
        (f"srgan_hf_energy (SRResNet's: {e_res:.3g})", e_gan, ">", e_res, e_gan > e_res),
        (f"srgan_hf_gap (SRResNet's: {gap_res:.3g})", gap_gan, "<", gap_res, gap_gan < gap_res),
        ("srgan_drop (dB under bicubic)", drop, "<=", srgan_drop_db, drop <= srgan_drop_db),
    ])


def load_srgan_run(run_dir):
    """(config, {"srresnet": G, "srgan": G}) of a lab 09 run folder.

    Raises:
        ValueError: if the folder, its config.json or a generator is missing.
    """
    return load_networks(run_dir, NETWORKS)


@grade_or_fail
def grade_lab09(run_dir):
    """Grade a lab 09 run folder: both generators on the lab's held-out tiles at x4.

    A folder that cannot be graded (a missing file, a run at another scale,
    a generator that is not an RGB image net) fails with its one-line reason.
    """
    config, nets = load_srgan_run(run_dir)
    check_targets(config, TARGET, "09")
    for net in nets.values():
        check_generator(net, 1, (None, None, 3), "09")
    lr, hr = held_out_pairs(SCALE)
    return grade_srgan(generator_sr(nets["srresnet"]), generator_sr(nets["srgan"]), lr, hr, SCALE)
