"""Lab 01's grader: does G's 1D distribution match the lab's Gaussian?

Planted faults (tests/grading/test_lab01.py), each failing for its reason:

| fault                                  | figure it gets              | rejected by         |
|----------------------------------------|-----------------------------|---------------------|
| constant generator (every sample = mu) | std_error_over_sigma = 1    | std                 |
| untrained MLP generator                | W1 of several sigma         | W1, mean            |
| N(mu, (3 sigma)^2): too wide           | std_error_over_sigma = 2    | std, W1             |
| N(mu + 0.2 sigma, sigma^2): shifted    | mean_error_over_sigma = 0.2 | mean                |
| config.json edited to --sigma 2        | -                           | target check (1)    |
| lab 02's generator in generator.keras  | -                           | network: makes (2,) |

(1) "lab 01 ran with --sigma 2.0; the bar is defined for 0.5": a run made
for another target is failed, never graded against the target it chose.
"""

import numpy as np

from ganlab.grading.common import (
    GRADING_SAMPLES,
    GRADING_SEED,
    grade_or_fail,
    latent_run_sampler,
    verdict,
)
from ganlab.metrics import normal_fit_report

BAR = {"w1_over_sigma": 0.1, "mean_error_over_sigma": 0.1, "std_error_over_sigma": 0.2}
"""W1, |mean - mu| and |std - sigma|, each in units of sigma, must stay below these."""
TARGET = {"mu": 4.0, "sigma": 0.5}
"""The Gaussian the bar is defined for (the lab's defaults)."""


def grade_gaussian(sampler, mu=TARGET["mu"], sigma=TARGET["sigma"], n=GRADING_SAMPLES,
                   seed=GRADING_SEED):
    """Lab 01's bar: W1 < 0.1 sigma, |mean - mu| < 0.1 sigma, |std - sigma| < 0.2 sigma.

    Args:
        sampler: callable (n, seed) -> samples `(n, 1)`.
        mu, sigma: the target; the lab's `TARGET` unless a study asks otherwise.

    Returns:
        normal_fit_report's figures plus `passed` and `failures`.
    """
    x = np.asarray(sampler(n, seed), "float64")
    if not np.all(np.isfinite(x)):
        return {"passed": False, "failures": ["samples are not finite"]}
    fig = normal_fit_report(x, mu, sigma)
    return verdict(fig, [
        (k, fig[k], "<", limit, fig[k] < limit) for k, limit in BAR.items()
    ])


@grade_or_fail
def grade_lab01(run_dir, seed=GRADING_SEED):
    """Grade a lab 01 run folder against the lab's own target, N(4, 0.5^2).

    The run's config.json is read for its latent prior only; a run made for
    another target fails in one line, whatever its samples.
    """
    _, sampler = latent_run_sampler(run_dir, TARGET, (1,), "01")
    return grade_gaussian(sampler, seed=seed)
