"""Evaluation: distribution distances, mode coverage, Parzen, IS, FID, KID, precision/recall.

`inception_score` and `precision_recall` are imported from their modules of
the same name (`from ganlab.metrics.inception_score import inception_score`):
exported here, the functions would hide the modules."""
from ganlab.metrics.distributions import (
    js_divergence,
    js_to_normal,
    ks_to_normal,
    mode_report,
    normal_fit_report,
    wasserstein1_to_normal,
)
from ganlab.metrics.divergences import earth_movers_distance, kl_divergence, wasserstein1_samples
from ganlab.metrics.frechet import (
    cached_statistics,
    frechet_distance,
    frechet_from_statistics,
    kernel_inception_distance,
)
from ganlab.metrics.parzen import parzen_estimate, parzen_log_likelihoods
