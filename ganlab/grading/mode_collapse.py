"""Lab 02's grader: modes of a 2D mixture covered, and the share of good samples."""

from ganlab.grading.common import GRADING_SAMPLES, GRADING_SEED, verdict
from ganlab.metrics import mode_report

BAR = {"min_modes": 7, "min_high_quality": 0.7}
"""At least 7 of the ring's 8 modes, and 70% of samples within 3 std of a mode."""


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
