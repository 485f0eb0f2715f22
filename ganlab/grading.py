"""The grading bars of the labs, recomputed from saved networks.

Graders never trust metrics.json: they load the run's networks, draw fresh
samples with fixed seeds and recompute every figure here. The labs call the
same functions at the end of a run so a student sees the verdict the
instructor will see.

A *sampler* is any callable (n, seed) -> numpy samples; planted faults in the
grading tests are samplers too.
"""

from pathlib import Path

import keras
import numpy as np

from ganlab.metrics import mode_report, normal_fit_report
from ganlab.training.runfolder import read_json

GRADING_SEED = 20141
GRADING_SAMPLES = 10_000

LAB01_BAR = {"w1_over_sigma": 0.1, "mean_error_over_sigma": 0.1, "std_error_over_sigma": 0.2}
LAB02_BAR = {"min_modes": 7, "min_high_quality": 0.7}


def latent_sampler(generator, latent_dim, distribution="normal"):
    """A sampler drawing z from the run's prior with numpy and mapping it by G."""
    if distribution not in ("normal", "uniform"):
        raise ValueError(
            "latent distribution must be 'normal' or 'uniform'. "
            f"Received: distribution={distribution!r}"
        )

    def sample(n, seed=GRADING_SEED):
        rng = np.random.default_rng(seed)
        if distribution == "normal":
            z = rng.standard_normal((n, latent_dim))
        else:
            z = rng.uniform(-1.0, 1.0, (n, latent_dim))
        return generator.predict(z.astype("float32"), batch_size=2048, verbose=0)

    return sample


def load_run(run_dir, network="generator.keras"):
    """Load a run folder's config and one saved network.

    Raises:
        ValueError: if the folder, its config.json or the network is missing.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ValueError(f"Run folder not found. Received: run_dir={str(run_dir)!r}")
    config = read_json(run_dir / "config.json")
    path = run_dir / network
    if not path.is_file():
        raise ValueError(f"The run has no {network}. Received: path={str(path)!r}")
    return config, keras.saving.load_model(path)


def run_sampler(run_dir):
    """(config, sampler) of a run folder's saved generator and latent prior."""
    config, generator = load_run(run_dir)
    latent = config["latent"]
    return config, latent_sampler(generator, latent["dim"], latent["distribution"])


def _verdict(figures, checks):
    failures = [f"{name} = {value:.4g} not {op} {limit:g}" for name, value, op, limit, ok in checks if not ok]
    return {**figures, "passed": not failures, "failures": failures}


def grade_gaussian(sampler, mu, sigma, n=GRADING_SAMPLES, seed=GRADING_SEED):
    """Lab 01's bar: W1 < 0.1 sigma, |mean - mu| < 0.1 sigma, |std - sigma| < 0.2 sigma.

    Returns:
        normal_fit_report's figures plus `passed` and `failures`.
    """
    x = np.asarray(sampler(n, seed), "float64")
    if not np.all(np.isfinite(x)):
        return {"passed": False, "failures": ["samples are not finite"]}
    fig = normal_fit_report(x, mu, sigma)
    return _verdict(fig, [
        (k, fig[k], "<", limit, fig[k] < limit) for k, limit in LAB01_BAR.items()
    ])


def grade_modes(sampler, mixture, n=GRADING_SAMPLES, seed=GRADING_SEED,
                min_modes=None, min_high_quality=LAB02_BAR["min_high_quality"]):
    """Lab 02's bar on a 2D mixture: modes covered and share of high-quality samples.

    Args:
        min_modes: modes that must be covered; by default K - 1 of K (7 of 8).
    """
    if min_modes is None:
        min_modes = mixture.num_modes - 1
    fig = mode_report(sampler(n, seed), mixture.centers, mixture.std)
    return _verdict(fig, [
        ("modes_covered", fig["modes_covered"], ">=", min_modes, fig["modes_covered"] >= min_modes),
        ("high_quality", fig["high_quality"], ">=", min_high_quality,
         fig["high_quality"] >= min_high_quality),
    ])
