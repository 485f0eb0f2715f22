"""Grading lab 11 (evaluation metrics): recompute the bar from the lab 03 generator the run
keeps, and check that planted faults (in the metrics and in the run) fail it for their reason.

Lab 11 evaluates the lab 03 and lab 06 runs this session's grading tests
already made (`lab_run`), so only its evaluation is paid for here; lab 05's
run is used when test_lab05 made it, else lab 11 trains a short one.
"""

import json
import shutil

import numpy as np
import pytest

from ganlab import grading
from ganlab.grading import evaluation as grader
from ganlab.metrics import frechet
from ganlab.metrics.inception_score import inception_score
from ganlab.metrics.precision_recall import precision_recall
from ganlab.nets import load_judge


@pytest.fixture(scope="module")
def judge():
    return load_judge()


@pytest.fixture(scope="module")
def run(lab_run, request):
    if request.config.getoption("--runs"):
        return lab_run("11_evaluation")
    runs = lab_run("03_dcgan").parent
    assert lab_run("06_cgan").parent == runs
    return lab_run("11_evaluation", "--runs", str(runs))


@pytest.fixture(scope="module")
def samplers(run):
    config, generator = grader.lab03_generator(run)
    dim = generator.input_shape[-1]
    return (grading.latent_sampler(generator, dim),
            grading.latent_sampler(grading.untrained_like(generator), dim))


def _failed(grade, start):
    assert not grade["passed"]
    assert any(f.startswith(start) for f in grade["failures"]), grade["failures"]


def test_run_folder_is_complete(run):
    for name in ("config.json", "metrics.json", "table.md", "parzen.png", "sample_count.png",
                 "cheat.png", "generators/03_dcgan/generator.keras",
                 "generators/05_wgan/generator.keras", "generators/06_cgan/generator.keras"):
        assert (run / name).is_file(), name
    metrics = json.loads((run / "metrics.json").read_text())
    for row in metrics["digits"].values():
        assert "±" in row["parzen_table1"] and row["parzen"]["sigma"] in row["parzen"]["sigmas"]
        assert row["extractor"].startswith("judge") and row["samples"] == 360
    assert set(metrics["ring"]) >= {"lab 05 G (WGAN-GP)", "untrained G"}
    counts = metrics["sample_count"]
    assert sorted(map(int, counts)) == [100, 300, 1000, 3000, 10_000]
    assert counts["100"]["frechet_distance"] > counts["10000"]["frechet_distance"]  # FID's bias


def test_bar(run, judge):
    grade = grader.grade_lab11(run, judge=judge)
    assert grade["passed"], grade["failures"]
    sets = grade["sets"]
    assert sets["cheat"]["inception_score"] > sets["trained"]["inception_score"]  # the cheat wins IS


# ------------------------------------------------------------ planted faults: the metrics
def test_unshuffled_inception_score_fails(samplers, judge):
    def unshuffled(probs, seed=0):
        return inception_score(probs, shuffle=False)

    grade = grader.grade_evaluation(*samplers, judge=judge, metrics={"inception_score": unshuffled})
    _failed(grade, "cheat inception_score")
    assert grade["cheat_inception_score"] == pytest.approx(1.0, abs=0.05)


def test_frechet_without_the_mean_term_fails(samplers, judge):
    def no_mean(a, b):
        (_, sa), (_, sb) = frechet.feature_statistics(a), frechet.feature_statistics(b)
        return frechet.frechet_from_statistics(np.zeros(len(sa)), sa, np.zeros(len(sb)), sb)

    grade = grader.grade_evaluation(*samplers, judge=judge, metrics={"frechet_distance": no_mean})
    _failed(grade, "frechet closed form")


def test_swapped_precision_and_recall_fail(samplers, judge):
    def swapped(real, fake):
        return precision_recall(fake, real)

    grade = grader.grade_evaluation(*samplers, judge=judge, metrics={"precision_recall": swapped})
    _failed(grade, "cheat recall")


def test_biased_kid_fails(samplers, judge):
    def biased(a, b, subsets=100, subset_size=1000, seed=0):
        rng = np.random.default_rng(seed)
        m = min(subset_size, len(a), len(b))
        values = []
        for _ in range(subsets):
            x, y = a[rng.choice(len(a), m, replace=False)], b[rng.choice(len(b), m, replace=False)]
            d = x.shape[1]
            values.append(((x @ x.T / d + 1) ** 3).mean() + ((y @ y.T / d + 1) ** 3).mean()
                          - 2 * ((x @ y.T / d + 1) ** 3).mean())  # keeps the diagonal
        return float(np.mean(values)), float(np.std(values))

    grade = grader.grade_evaluation(*samplers, judge=judge, metrics={"kid": biased})
    _failed(grade, "kid of two samples of one distribution")


# ------------------------------------------------------------ planted faults: the run
def test_an_untrained_trained_g_fails(samplers, judge):
    _, untrained = samplers
    grade = grader.grade_evaluation(untrained, untrained, judge=judge)
    _failed(grade, "frechet_ratio")
    _failed(grade, "cheat frechet_distance above the trained G's")


def _forged(run, tmp_path):
    path = tmp_path / "11_evaluation"
    shutil.copytree(run, path, ignore=shutil.ignore_patterns("trained"))
    return path


def test_lab06_generator_in_place_of_lab03s_fails(run, tmp_path, judge):
    path = _forged(run, tmp_path)
    shutil.copy(run / "generators/06_cgan/generator.keras", path / "generators/03_dcgan")
    grade = grader.grade_lab11(path, judge=judge)
    assert not grade["passed"] and "takes 2 input(s)" in grade["failures"][0]


def test_a_lab03_run_on_other_data_fails(run, tmp_path, judge):
    path = _forged(run, tmp_path)
    config_path = path / "generators/03_dcgan/config.json"
    config = json.loads(config_path.read_text())
    config_path.write_text(json.dumps({**config, "dataset": "faces"}))
    grade = grader.grade_lab11(path, judge=judge)
    assert not grade["passed"] and "--dataset faces" in grade["failures"][0]
