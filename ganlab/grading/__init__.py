"""The labs' grading bars, recomputed from saved networks.

One module per lab topic, each stating its lab's bar as data (`BAR`, the
numbers its docstring and the README quote) and its grader; `common` holds
what they share (fixed seeds, samplers, loading a run, the verdict). The
names below are the graders' public interface, used by the labs, the CLI
and `tests/grading`.
"""

from ganlab.grading.cgan import BAR as LAB06_BAR
from ganlab.grading.cgan import grade_conditional, grade_lab06
from ganlab.grading.common import (
    COPYING_LIMIT,
    GRADING_SAMPLES,
    GRADING_SEED,
    RunError,
    conditional_run_sampler,
    conditional_sampler,
    copying_report,
    draw_from,
    latent_sampler,
    load_run,
    run_sampler,
    sample_run,
    untrained_like,
    verdict,
    verdict_line,
)
from ganlab.grading.dcgan import BAR as LAB03_BAR
from ganlab.grading.dcgan import grade_digits, grade_lab03
from ganlab.grading.divergences import BAR as LAB04_BAR
from ganlab.grading.divergences import grade_lab04, grade_lab04_networks, lab04_network_name
from ganlab.grading.gaussian import BAR as LAB01_BAR
from ganlab.grading.gaussian import grade_gaussian, grade_lab01
from ganlab.grading.mode_collapse import BAR as LAB02_BAR
from ganlab.grading.mode_collapse import grade_lab02, grade_modes, lab_ring
from ganlab.grading.wgan import BAR as LAB05_BAR
from ganlab.grading.wgan import (
    critic_figures,
    grade_lab05,
    grade_lab05_curves,
    lab05_snapshot_name,
    rank_correlation,
    spearman_last_half,
)

__all__ = [
    "COPYING_LIMIT", "GRADING_SAMPLES", "GRADING_SEED", "RunError", "copying_report",
    "grade_lab01", "grade_lab02", "grade_lab03", "grade_lab06", "lab_ring",
    "LAB01_BAR", "LAB02_BAR", "LAB03_BAR", "LAB04_BAR",
    "LAB05_BAR", "LAB06_BAR", "conditional_run_sampler", "conditional_sampler",
    "critic_figures", "draw_from", "grade_conditional", "grade_digits", "grade_gaussian",
    "grade_lab04", "grade_lab04_networks", "grade_lab05", "grade_lab05_curves", "grade_modes",
    "lab04_network_name", "lab05_snapshot_name", "latent_sampler", "load_run",
    "rank_correlation", "run_sampler",
    "sample_run", "spearman_last_half", "untrained_like", "verdict", "verdict_line",
]

from ganlab.grading.pix2pix import BAR as LAB07_BAR  # noqa: E402
from ganlab.grading.pix2pix import grade_lab07, grade_pix2pix  # noqa: E402

__all__ += ["LAB07_BAR", "grade_lab07", "grade_pix2pix"]

from ganlab.grading.cyclegan import BAR as LAB08_BAR  # noqa: E402
from ganlab.grading.cyclegan import grade_cyclegan, grade_lab08  # noqa: E402

__all__ += ["LAB08_BAR", "grade_cyclegan", "grade_lab08"]

from ganlab.grading.evaluation import BAR as LAB11_BAR  # noqa: E402
from ganlab.grading.evaluation import evaluation_figures, grade_evaluation, grade_lab11  # noqa: E402

__all__ += ["LAB11_BAR", "evaluation_figures", "grade_evaluation", "grade_lab11"]

from ganlab.grading.srgan import BAR as LAB09_BAR  # noqa: E402
from ganlab.grading.srgan import grade_lab09, grade_srgan  # noqa: E402

__all__ += ["LAB09_BAR", "grade_lab09", "grade_srgan"]

from ganlab.grading.stylegan import BAR as LAB12_BAR  # noqa: E402
from ganlab.grading.stylegan import grade_lab12, grade_stylegan  # noqa: E402

__all__ += ["LAB12_BAR", "grade_lab12", "grade_stylegan"]
from ganlab.grading.lapgan_text import BAR as LAB13_BAR  # noqa: E402
from ganlab.grading.lapgan_text import grade_lab13, grade_lapgan, grade_text  # noqa: E402

__all__ += ["LAB13_BAR", "grade_lab13", "grade_lapgan", "grade_text"]
