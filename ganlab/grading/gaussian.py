"""Lab 01's grader: does G's 1D distribution match the lab's Gaussian?"""

import numpy as np

from ganlab.grading.common import GRADING_SAMPLES, GRADING_SEED, verdict
from ganlab.metrics import normal_fit_report

BAR = {"w1_over_sigma": 0.1, "mean_error_over_sigma": 0.1, "std_error_over_sigma": 0.2}
"""W1, |mean - mu| and |std - sigma|, each in units of sigma, must stay below these."""


def grade_gaussian(sampler, mu, sigma, n=GRADING_SAMPLES, seed=GRADING_SEED):
    """Lab 01's bar: W1 < 0.1 sigma, |mean - mu| < 0.1 sigma, |std - sigma| < 0.2 sigma.

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
