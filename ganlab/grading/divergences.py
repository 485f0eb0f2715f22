"""Lab 04's grader: the critic measures W = |theta|, the discriminator only log 2.

Planted faults (tests/grading/test_lab04.py), each failing for its reason:

| fault                                           | figure it gets          | rejected by  |
|-------------------------------------------------|-------------------------|--------------|
| critics: untrained, constant, f = +x1, flat     | estimate / K far from W | critic error |
| discriminators: untrained, constant, half-sure  | JS_hat far from log 2   | JS error     |
| config.json edited to fewer --thetas            | -                       | target check |
"""

from pathlib import Path

import numpy as np

from ganlab.grading.common import (
    GRADING_SAMPLES,
    GRADING_SEED,
    check_targets,
    grade_or_fail,
    load_run,
    verdict,
)
from ganlab.training.runfolder import read_json

BAR = {"critic_rel_error": 0.10, "js_error": 0.02, "js_min_abs_theta": 0.5}
THETAS = (-1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0)
"""The offsets the bar is defined for (the lab's defaults)."""


def lab04_network_name(kind, theta):
    """File name of lab 04's discriminator or critic trained at `theta`."""
    return f"{kind}_theta{float(theta):+.2f}.keras"


def grade_lab04_networks(critics, discriminators, n=GRADING_SAMPLES, seed=GRADING_SEED):
    """Lab 04's bar from the networks themselves ({theta: net} for each kind).

    For every theta != 0 the critic's estimate E_P0[f] - E_Ptheta[f], divided
    by its measured Lipschitz constant K, must be within 10% of |theta|;
    for every |theta| >= 0.5 the discriminator's JS_hat = (V(D) + log 4) / 2
    within 0.02 of log 2.

    Returns:
        dict with per-theta figures ("critic", "discriminator"), `passed`
        and `failures`.
    """
    from ganlab.metrics import divergences as dv

    figures, checks = {"critic": {}, "discriminator": {}}, []
    for theta, net in sorted(critics.items()):
        r = dv.critic_report(net, theta, n, seed)
        figures["critic"][f"{theta:+.2f}"] = r
        if theta != 0:
            err = abs(r["normalised"] - abs(theta)) / abs(theta)
            ok = bool(np.isfinite(err) and err <= BAR["critic_rel_error"])
            checks.append((f"critic |estimate/K - |theta|| / |theta| at theta={theta:+.2f}",
                           err, "<=", BAR["critic_rel_error"], ok))
    for theta, net in sorted(discriminators.items()):
        r = dv.discriminator_report(net, theta, n, seed)
        figures["discriminator"][f"{theta:+.2f}"] = r
        if abs(theta) >= BAR["js_min_abs_theta"]:
            err = abs(r["js"] - dv.LOG2)
            checks.append((f"|JS_hat - log 2| at theta={theta:+.2f}", err, "<=",
                           BAR["js_error"], bool(err <= BAR["js_error"])))
    if not checks:
        checks.append(("graded thetas", 0, ">", 0, False))
    # The worst of each kind, the two figures a gradebook shows for lab 04.
    for key, prefix in (("critic_rel_error_max", "critic"), ("js_error_max", "|JS_hat")):
        errors = [value for name, value, *_ in checks if name.startswith(prefix)]
        if errors:
            figures[key] = float(max(errors, key=lambda e: e if np.isfinite(e) else np.inf))
    return verdict(figures, checks)


@grade_or_fail
def grade_lab04(run_dir, thetas=THETAS):
    """Load lab 04's saved networks from a run folder and grade them.

    Args:
        run_dir: the run folder.
        thetas: the thetas to grade: the lab's own, whatever config.json
            says (a study may pass others).
    """
    run_dir = Path(run_dir)
    config = read_json(run_dir / "config.json")
    if thetas is THETAS:
        check_targets({"thetas": [float(t) for t in config.get("thetas", THETAS)]},
                      {"thetas": list(THETAS)}, "04")
    nets = {kind: {float(t): load_run(run_dir, lab04_network_name(kind, t))[1] for t in thetas}
            for kind in ("critic", "discriminator")}
    return grade_lab04_networks(nets["critic"], nets["discriminator"])
