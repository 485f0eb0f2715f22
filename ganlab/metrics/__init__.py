"""Evaluation: distribution distances, mode coverage, and (later) Parzen, IS, FID."""
from ganlab.metrics.distributions import (
    js_divergence,
    js_to_normal,
    ks_to_normal,
    mode_report,
    normal_fit_report,
    wasserstein1_to_normal,
)
from ganlab.metrics.divergences import earth_movers_distance, kl_divergence, wasserstein1_samples
