"""Lab 02's grader: modes of the ring covered, and the share of good samples.

Planted faults (tests/grading/test_lab02.py), each failing for its reason:

| fault                                 | figure it gets         | rejected by         |
|---------------------------------------|------------------------|---------------------|
| every sample at one mode (collapse)   | 1 of 8 modes           | modes_covered       |
| every sample at the origin            | 0 modes                | both                |
| untrained MLP generator               | few modes, low quality | both                |
| each mode 3x too wide                 | high quality < 0.7     | high_quality        |
| config.json edited to --std 0.05      | -                      | target check (1)    |
| lab 01's generator in generator.keras | -                      | network: makes (1,) |

(1) "lab 02 ran with --std 0.05; the bar is defined for 0.02".
"""

from ganlab.data import ring_of_gaussians
from ganlab.grading.common import (
    GRADING_SAMPLES,
    GRADING_SEED,
    grade_or_fail,
    latent_run_sampler,
    verdict,
)
from ganlab.metrics import mode_report

BAR = {"min_modes": 7, "min_high_quality": 0.7}
"""At least 7 of the ring's 8 modes, and 70% of samples within 3 std of a mode."""
TARGET = {"radius": 2.0, "std": 0.02}
"""The ring of 8 the bar is defined for (the lab's defaults, as in Metz 2016)."""


def lab_ring():
    """The ring of 8 Gaussians lab 02 is graded on."""
    return ring_of_gaussians(8, TARGET["radius"], TARGET["std"])


def grade_modes(sampler, mixture, n=GRADING_SAMPLES, seed=GRADING_SEED,
                min_modes=None, min_high_quality=BAR["min_high_quality"]):
    """Lab 02's bar on a 2D mixture: modes covered and share of high-quality samples.

    Args:
        min_modes: modes that must be covered; by default K - 1 of K (7 of 8).
    """
    if min_modes is None:
        min_modes = mixture.num_modes - 1
    fig = mode_report(sampler(n, seed), mixture.centers, mixture.std)
    return verdict(fig, [
        ("modes_covered", fig["modes_covered"], ">=", min_modes, fig["modes_covered"] >= min_modes),
        ("high_quality", fig["high_quality"], ">=", min_high_quality,
         fig["high_quality"] >= min_high_quality),
    ])


@grade_or_fail
def grade_lab02(run_dir, seed=GRADING_SEED):
    """Grade a lab 02 run folder on the lab's own ring (radius 2, std 0.02)."""
    _, sampler = latent_run_sampler(run_dir, TARGET, (2,), "02")
    return grade_modes(sampler, lab_ring(), seed=seed)
