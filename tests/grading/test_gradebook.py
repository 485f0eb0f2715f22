"""`ganlab grade` on a synthetic class: the right verdict and reason for every student.

The class is made here from tiny run folders (no lab is trained): lab 01
generators are one Dense layer set by hand, so their figures are known in
advance (G(z) = 4 + 0.5 z_0 is exactly the target N(4, 0.5^2); 4 + 1.5 z_0
has |std - sigma| / sigma = 2), and the faults are the ones students hand
in: a forged config.json, another lab's generator, a truncated .keras, a
missing config.json, a Python lambda in the .keras file, a NaN generator, a
generator with the wrong input shape, a missing lab, a student who handed
in nothing, a folder that runs out of its time limit. One lab 03 folder (an
untrained generator) is graded with the judge and fails the bar with its
figures.
"""

import csv
import html.parser
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from ganlab import grading, latent
from ganlab.cli import main as cli_main
from ganlab.grading import gradebook
from ganlab.grading.report import write_report

ROOT = Path(__file__).resolve().parents[2]
LATENT = 8
LABS = "01,03,06"
TIMEOUTS = {"06": 0.05}  # lab 06's grader needs seconds: zz_slow's folder runs out of time


def dense_generator(scale, shift, latent=LATENT):
    """G(z) = shift + scale * z_0: one Dense unit, its weights set by hand."""
    z = keras.Input((latent,))
    x = keras.layers.Dense(1)(z)
    g = keras.Model(z, x)
    kernel = np.zeros((latent, 1), "float32")
    kernel[0, 0] = scale
    g.layers[-1].set_weights([kernel, np.array([shift], "float32")])
    return g


def image_generator(size=16):
    """An untrained z -> (size, size, 1) tanh generator: lab 03's kind of network."""
    z = keras.Input((LATENT,))
    x = keras.layers.Dense(size * size, activation="tanh")(z)
    return keras.Model(z, keras.layers.Reshape((size, size, 1))(x))


def run_folder(path, generator, config=None, picture=True):
    path.mkdir(parents=True)
    config = {"latent": {"dim": LATENT, "distribution": "normal"}, "mu": 4.0, "sigma": 0.5,
              **(config or {})}
    (path / "config.json").write_text(json.dumps(config))
    generator.save(path / "generator.keras")
    if picture:
        from PIL import Image

        Image.fromarray(np.full((40, 60, 3), 200, "uint8")).save(path / "samples.png")
    return path


def wide_std_error():
    """|std - sigma| / sigma of 4 + 1.5 z_0 on the grader's own z (about 2, the sampling aside)."""
    z0 = latent.draw(grading.GRADING_SAMPLES, LATENT, "normal", grading.GRADING_SEED)[:, 0]
    return abs(1.5 * float(z0.astype("float64").std()) - 0.5) / 0.5


def build_class(root):
    """The class; returns {student: ((01 status, reason part), (03 status, reason part))}."""
    good = dense_generator(0.5, 4.0)
    c = root / "class"
    run_folder(c / "a_good" / "01_gaussian", good)
    run_folder(c / "a_good" / "03_dcgan", image_generator(), {"dataset": "digits"})
    run_folder(c / "b_wide" / "01_gaussian", dense_generator(1.5, 4.0))
    run_folder(c / "c_forged" / "01_gaussian", good, {"sigma": 2.0})
    run_folder(c / "d_wrong_lab" / "01_gaussian", image_generator())
    path = run_folder(c / "e_corrupt" / "01_gaussian", good) / "generator.keras"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    (run_folder(c / "f_no_config" / "01_gaussian", good) / "config.json").unlink()
    z = keras.Input((LATENT,))
    lam = keras.Model(z, keras.layers.Lambda(lambda t: 4.0 + 0.5 * t[:, :1])(z))
    run_folder(c / "g_lambda" / "01_gaussian", lam)
    nan = dense_generator(0.5, 4.0)
    nan.layers[-1].set_weights([nan.layers[-1].get_weights()[0], np.array([np.nan], "float32")])
    run_folder(c / "h_nan" / "01_gaussian", nan, picture=False)
    z = keras.Input((2, 4))
    flat = keras.Model(z, keras.layers.Dense(1)(keras.layers.Flatten()(z)))
    run_folder(c / "i_input_shape" / "01_gaussian", flat)
    (c / "z_<i>nothing" / "01_gaussian.partial").mkdir(parents=True)  # an unfinished run only;
    # and the name must be escaped in HTML
    run_folder(c / "zz_slow" / "01_gaussian", good)
    run_folder(c / "zz_slow" / "06_cgan", image_generator(), {"dataset": "digits"})
    expected = {
        "a_good": {"01": ("passed", ""), "03": ("failed", "frechet_ratio")},
        "b_wide": {"01": ("failed", f"std_error_over_sigma = {wide_std_error():.4g} not < 0.2")},
        "c_forged": {"01": ("invalid", "lab 01 ran with --sigma 2.0; the bar is defined for 0.5")},
        "d_wrong_lab": {"01": ("invalid", "makes (16, 16, 1); lab 01's generator takes 1 and "
                               "makes (1,): not this lab's network")},
        "e_corrupt": {"01": ("invalid", "generator.keras is not a .keras (zip) file: truncated "
                             "or corrupt")},
        "f_no_config": {"01": ("invalid", "Missing run file. Received: path='f_no_config/"
                               "01_gaussian/config.json'")},
        "g_lambda": {"01": ("invalid", "lambda")},
        "h_nan": {"01": ("invalid", "samples are not finite")},
        "i_input_shape": {"01": ("invalid", "incompatible")},
        "z_<i>nothing": {"01": ("missing", "no 01_gaussian/ folder (01_gaussian.partial/ is a "
                                "run that did not finish)")},
        "zz_slow": {"01": ("passed", ""), "06": ("invalid", "grading took longer than the time "
                                                 "limit of 0.05 s; skipped")},
    }
    for labs in expected.values():
        for lab in LABS.split(","):
            folder = gradebook.LABS[lab].folder
            labs.setdefault(lab, ("missing", f"no {folder}/ folder"))
    return c, expected


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("gradebook")
    class_dir, expected = build_class(root)
    out = root / "grades.csv"
    book = gradebook.grade_class(class_dir, LABS, out, jobs=2, timeouts=TIMEOUTS, progress=False)
    return class_dir, expected, book, out


def rows(text):
    return {row["student"]: row for row in csv.DictReader(io.StringIO(text))}


def test_every_student_gets_the_right_verdict_and_reason(graded):
    _, expected, _, out = graded
    found = rows(out.read_text())
    assert sorted(found) == sorted(expected)
    for student, per_lab in expected.items():
        row = found[student]
        for lab, (status, reason) in per_lab.items():
            assert row[f"{lab}_status"] == status, (student, lab, row)
            mine = [r for r in row["reason"].split(" | ") if r.startswith(f"{lab} ")]
            if status == "passed":
                assert not mine, row["reason"]
            else:
                assert len(mine) == 1 and mine[0].startswith(f"{lab} {status}: "), row["reason"]
                assert reason.lower() in mine[0].lower(), (student, row["reason"])
        assert row["labs_passed"] == str(sum(s == "passed" for s, _ in per_lab.values()))


def test_figures_are_the_bars_numbers(graded):
    """Hand values: 4 + 0.5 z is the target (errors of sampling only); 4 + 1.5 z has std 3 sigma."""
    found = rows(graded[3].read_text())
    good, wide = found["a_good"], found["b_wide"]
    assert float(good["01_std_error_over_sigma"]) < 0.02
    assert float(good["01_mean_error_over_sigma"]) < 0.03
    assert abs(float(wide["01_std_error_over_sigma"]) - wide_std_error()) < 1e-5
    assert abs(wide_std_error() - 2.0) < 0.06
    lab03 = [float(good[f"03_{c}"]) for c in gradebook.LABS["03"].columns]
    assert all(np.isfinite(lab03)) and float(good["03_frechet_ratio"]) > 0.5
    for student in ("c_forged", "e_corrupt", "z_<i>nothing"):  # not graded: no figures
        assert found[student]["01_w1_over_sigma"] == ""


def test_graders_are_the_labs_own():
    """One implementation, two front ends: the gradebook calls the labs' grade_labNN."""
    for lab, grade in (("01", grading.grade_lab01), ("03", grading.grade_lab03),
                       ("06", grading.grade_lab06), ("07", grading.grade_lab07),
                       ("08", grading.grade_lab08), ("12", grading.grade_lab12),
                       ("13", grading.grade_lab13)):
        assert gradebook.LABS[lab].grade is grade
    assert [limit for _, _, limit in gradebook.LABS["01"].figures] == list(grading.LAB01_BAR.values())


def test_the_lambda_is_refused_by_safe_mode_whatever_the_process_allows(graded):
    """Even after a module calls keras.config.enable_unsafe_deserialization() (which plain
    load_model(safe_mode=True) obeys), the graders refuse the lambda."""
    from keras.src.backend.common import global_state
    from keras.src.saving.serialization_lib import in_safe_mode

    path = graded[0] / "g_lambda" / "01_gaussian"
    with pytest.raises(ValueError, match="(?i)lambda"):
        grading.load_run(path)
    before = in_safe_mode()
    keras.config.enable_unsafe_deserialization()
    try:
        with pytest.raises(ValueError, match="(?i)lambda"):
            grading.load_run(path)
        assert keras.saving.load_model(path / "generator.keras", safe_mode=True)  # Keras's own
    finally:
        global_state.set_global_attribute("safe_mode_saving", before)


class _Images(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.text = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_report_parses_and_embeds_every_picture(graded, tmp_path):
    import base64

    class_dir, expected, book, _ = graded
    path = write_report(book, class_dir, tmp_path / "report.html")
    text = path.read_text()
    parser = _Images()
    parser.feed(text)
    parser.close()
    thumbs = [img for img in parser.images if img.get("class") == "thumb"]
    plots = [img for img in parser.images if img.get("class") != "thumb"]
    for images, kind, magic in ((plots, "png", b"\x89PNG\r\n\x1a\n"), (thumbs, "jpeg", b"\xff\xd8")):
        for img in images:
            head, _, data = img["src"].partition(",")
            assert head == f"data:image/{kind};base64", head
            assert base64.b64decode(data).startswith(magic)
    pictures = sum((class_dir / s / gradebook.LABS[lab].folder / "samples.png").is_file()
                   for s in expected for lab in LABS.split(","))
    assert len(thumbs) == pictures == 11
    assert len(plots) == 1 + len(LABS.split(","))  # the statuses, one per lab
    assert "<i>nothing" not in text and "z_<i>nothing" in "".join(parser.text)
    assert "http://" not in text and "https://" not in text


def test_a_second_run_is_identical(graded, tmp_path):
    """Fresh worker processes: the same CSV bit for bit (one job instead of two: the next test)."""
    class_dir, _, _, out = graded
    again = tmp_path / "again.csv"
    gradebook.grade_class(class_dir, LABS, again, jobs=2, timeouts=TIMEOUTS, progress=False)
    assert again.read_bytes() == out.read_bytes()


def test_killed_halfway_and_resumed_gives_the_same_csv(graded, tmp_path):
    class_dir, expected, _, out = graded
    resumed = tmp_path / "resumed.csv"
    journal = gradebook.journal_path(resumed)
    cmd = [sys.executable, "-m", "ganlab.cli", "grade", str(class_dir), "--labs", LABS,
           "--out", str(resumed), "--jobs", "1", "--timeout", "06=0.05", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    done, deadline = {}, time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.is_file():
            done = json.loads(journal.read_text())["students"]
            if len(done) >= 3:
                break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 3 <= len(done) < len(expected), "the run must be killed halfway"
    assert not resumed.exists()
    book = gradebook.grade_class(class_dir, LABS, resumed, resume=True, timeouts=TIMEOUTS,
                                 progress=False)
    assert resumed.read_bytes() == out.read_bytes()
    for student, record in done.items():  # not regraded: their timings are the killed run's
        assert book["students"][student] == record


def test_progress_shows_students_and_an_eta():
    stream = io.StringIO()
    meter = gradebook.ClassProgress(4, 8, stream=stream, lines=4)
    meter.start -= 10  # 10 s for the first 2 folders: 30 s for the 6 left
    meter.update(1, 2)
    meter.update(4, 8)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("graded 1/4 students  (2/8 folders)  0:10 elapsed  ETA 0:30")
    assert lines[-1].startswith("graded 4/4 students") and "ETA" not in lines[-1]


@pytest.mark.parametrize("args, message", [
    (["grade", "no/such/class"], "CLASS_DIR must be a folder of student folders"),
    (["grade", ".", "--labs", "01,99"], "Unknown lab in --labs; known: 01, 02"),
    (["grade", ".", "--jobs", "0"], "--jobs must be an integer >= 1. Received: jobs=0"),
    (["grade", ".", "--timeout", "03=-1"], "--timeout must be seconds > 0, or LAB=SECONDS"),
])
def test_cli_mistakes_are_one_line_and_exit_2(args, message, capsys, tmp_path):
    (tmp_path / "student").mkdir()
    args = [str(tmp_path) if a == "." else a for a in args]
    assert cli_main(args + ["--out", str(tmp_path / "g.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_resume_refuses_another_gradings_journal(graded, tmp_path):
    class_dir = graded[0]
    out = tmp_path / "g.csv"
    gradebook.journal_path(out).write_text(json.dumps(
        {"format": 1, "labs": ["01"], "class_dir": str(class_dir.resolve()), "students": {}}))
    with pytest.raises(ValueError, match="graded labs 01. Received: labs=01,03,06"):
        gradebook.grade_class(class_dir, LABS, out, resume=True, progress=False)


def test_key_figures_read_nested_figures_and_figureless_failures_are_invalid():
    grade = {"passed": False, "failures": ["psnr_gain = 0.5 not >= 1"], "psnr_gain": 0.5,
             "colorize": {"l1_cgan": {"spread_gap": 0.2}, "l1_only": {"spread_gap": 0.1}},
             "edges_psnr_gain": 0.4,
             "edges2photo": {"l1_cgan": {"sharpness_gap": 0.1}, "l1_only": {"sharpness_gap": 1.3}}}
    assert gradebook.classify("07", grade) == {
        "status": "failed", "reason": "psnr_gain = 0.5 not >= 1",
        "figures": {"psnr_gain": 0.5, "spread_gap": 0.2, "l1_only_spread_gap": 0.1,
                    "edges_psnr_gain": 0.4, "sharpness_gap": 0.1, "l1_only_sharpness_gap": 1.3}}
    del grade["edges2photo"]  # a figure short: not graded
    assert gradebook.classify("07", grade)["status"] == "invalid"
    not_graded = {"passed": False, "failures": ["The run has no generator_l1_only.keras."]}
    assert gradebook.classify("07", not_graded)["status"] == "invalid"


def test_lab04_reports_its_worst_critic_and_js_errors():
    """The gradebook's two lab 04 figures are the worst of the per-theta checks."""
    def net():
        x = keras.Input((2,))
        return keras.Model(x, keras.layers.Dense(1)(x))

    keras.utils.set_random_seed(0)
    grade = grading.grade_lab04_networks({t: net() for t in (-1.0, 0.0, 1.0)},
                                         {t: net() for t in (-1.0, 0.25, 0.5)}, n=2000)
    critic = [abs(grade["critic"][f"{t:+.2f}"]["normalised"] - 1.0) for t in (-1.0, 1.0)]
    js = [abs(grade["discriminator"][f"{t:+.2f}"]["js"] - np.log(2)) for t in (-1.0, 0.5)]
    assert grade["critic_rel_error_max"] == pytest.approx(max(critic))
    assert grade["js_error_max"] == pytest.approx(max(js))  # |theta| = 0.25 is not graded
    assert set(gradebook.key_figures("04", grade)) == {"critic_rel_error_max", "js_error_max"}
