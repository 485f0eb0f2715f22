"""Grading a whole class: every student's run folders, into one gradebook.

`CLASS_DIR/<student>/<NN_name>/` is a student's run folder for lab NN (the
folder the lab writes, e.g. `alice/01_gaussian/`). `grade_class` grades each
present folder with the lab's own grader (`LABS[NN].grade`, the
`grade_labNN` that the labs and `tests/grading` call: one implementation,
two front ends) and gives each (student, lab) one status:

- `passed` / `failed`: graded; the bar is met, or not (the reason names the
  failed checks);
- `invalid`: the folder could not be graded: a corrupt or truncated `.keras`
  file, a missing config.json, another lab's network, a generator with the
  wrong input shape, samples that are not finite, a `.keras` file carrying a
  Python lambda (refused by Keras's safe mode), a grader that ran out of its
  time limit or whose process died. The reason says which;
- `missing`: the student handed in no `NN_name/` folder.

Each folder is graded in a worker process (`--jobs` of them), so a folder
that hangs, exhausts memory or crashes its process costs that folder only:
the worker is killed after the lab's time limit and replaced, and the class
goes on. Workers import TensorFlow once and grade folder after folder;
each grade depends only on the folder (the graders draw with fixed seeds and
Keras's session is cleared between folders), so the gradebook is the same
bit for bit whatever `jobs` and whatever order.

Finished students go into a journal next to the CSV (`<csv>.journal.json`,
rewritten atomically after each student). `resume=True` reads it back and
grades only the students not in it (or whose folders changed since: each
record keeps a fingerprint of the files' names, sizes and times), so a run
killed halfway and resumed writes the same CSV as one that was not.

The synthetic class of tests/grading/test_gradebook.py (labs 01, 03, 06),
each submission with the status and reason it must get:

| submission                                  | status  | reason (part)                          |
|---------------------------------------------|---------|----------------------------------------|
| lab 01: G(z) = 4 + 0.5 z_0 (the target)     | passed  | -                                      |
| lab 01: G(z) = 4 + 1.5 z_0 (3 sigma wide)   | failed  | std_error_over_sigma = 1.95 not < 0.2  |
| lab 03: an untrained image generator        | failed  | frechet_ratio (with all four figures)  |
| lab 01 config.json forged to --sigma 2      | invalid | lab 01 ran with --sigma 2.0            |
| lab 01 folder holding an image generator    | invalid | makes (16, 16, 1): not this lab's      |
| lab 01 generator.keras cut in half          | invalid | not a .keras (zip) file                |
| lab 01 without config.json                  | invalid | Missing run file                       |
| lab 01 generator with a Python lambda       | invalid | Lambda ... Python lambda (safe mode)   |
| lab 01 generator with a NaN bias            | invalid | samples are not finite                 |
| lab 01 generator taking (2, 4) inputs       | invalid | incompatible (input shape)             |
| lab 06 folder over a 0.05 s time limit      | invalid | took longer than the time limit        |
| only 01_gaussian.partial/, or no folder     | missing | no 01_gaussian/ folder                 |
"""

import csv
import dataclasses
import hashlib
import io
import math
import os
import sys
import time
from collections import deque
from pathlib import Path
from typing import Callable

from ganlab.grading.cgan import BAR as LAB06_BAR
from ganlab.grading.cgan import grade_lab06
from ganlab.grading.cyclegan import BAR as LAB08_BAR
from ganlab.grading.cyclegan import grade_lab08
from ganlab.grading.dcgan import BAR as LAB03_BAR
from ganlab.grading.dcgan import grade_lab03
from ganlab.grading.divergences import BAR as LAB04_BAR
from ganlab.grading.divergences import grade_lab04
from ganlab.grading.gaussian import BAR as LAB01_BAR
from ganlab.grading.gaussian import grade_lab01
from ganlab.grading.lapgan_text import BAR as LAB13_BAR
from ganlab.grading.lapgan_text import grade_lab13
from ganlab.grading.mode_collapse import BAR as LAB02_BAR
from ganlab.grading.mode_collapse import grade_lab02
from ganlab.grading.pix2pix import BAR as LAB07_BAR
from ganlab.grading.pix2pix import grade_lab07
from ganlab.grading.stylegan import BAR as LAB12_BAR
from ganlab.grading.stylegan import grade_lab12
from ganlab.grading.wgan import BAR as LAB05_BAR
from ganlab.grading.wgan import grade_lab05
from ganlab.training.progress import clock, is_quiet, isatty
from ganlab.training.runfolder import read_json, write_json_atomic

STATUSES = ("passed", "failed", "invalid", "missing")
JOURNAL_FORMAT = 1
REASON_CHARS = 300  # a reason is one line; a pathological message is cut here


@dataclasses.dataclass(frozen=True)
class LabGrader:
    """One lab as the gradebook sees it.

    Attributes:
        lab: the lab's number, "01".
        folder: the run folder's name, "01_gaussian".
        grade: the lab's run-folder grader, `grade_labNN(run_dir)`.
        figures: the key figures, ((column, path into the grade, limit), ...):
            the numbers the bar checks; a dotted path reads a nested figure
            ("colorize.l1_cgan.spread_gap"); limit (from the lab's BAR, or None) is the
            line the report draws on the figure's distribution.
        timeout: seconds one folder may take. Labs 01, 03 and 06: over 20
            times the median cost of a --quick run's folder on the shared
            2-core CPU (0.6, 13.7 and 12.3 s; the slowest 4.1, 61 and 47 s;
            benchmarks/results/grade_class.md); labs 02, 04, 05 and 07 are
            not measured yet, their limits are guesses from their graders'
            work (05 ranks 60 snapshots).
        judge: whether the grader takes the digit judge (`judge=`), which a
            worker then loads once.
    """

    lab: str
    folder: str
    grade: Callable
    figures: tuple
    timeout: float
    judge: bool = False

    @property
    def columns(self):
        return tuple(column for column, _, _ in self.figures)


LABS = {g.lab: g for g in (
    LabGrader("01", "01_gaussian", grade_lab01, tuple(
        (k, k, LAB01_BAR[k]) for k in ("w1_over_sigma", "mean_error_over_sigma",
                                       "std_error_over_sigma")), 60),
    LabGrader("02", "02_mode_collapse", grade_lab02, (
        ("modes_covered", "modes_covered", LAB02_BAR["min_modes"]),
        ("high_quality", "high_quality", LAB02_BAR["min_high_quality"])), 60),
    LabGrader("03", "03_dcgan", grade_lab03, (
        ("confident_share", "confident_share", LAB03_BAR["min_confident_share"]),
        ("min_class_share", "min_class_share", LAB03_BAR["min_class_share"]),
        ("frechet_ratio", "frechet_ratio", LAB03_BAR["max_frechet_ratio"]),
        ("copying", "copying", LAB03_BAR["min_copying"])), 300, judge=True),
    LabGrader("04", "04_divergences", grade_lab04, (
        ("critic_rel_error_max", "critic_rel_error_max", LAB04_BAR["critic_rel_error"]),
        ("js_error_max", "js_error_max", LAB04_BAR["js_error"])), 300),
    LabGrader("05", "05_wgan", grade_lab05, (
        ("modes_covered", "modes_covered", LAB05_BAR["min_modes"]),
        ("high_quality", "high_quality", LAB05_BAR["min_high_quality"]),
        ("spearman_last_half", "spearman_last_half", LAB05_BAR["min_spearman"]),
        ("points_last_half", "points_last_half", LAB05_BAR["min_points"]),
        ("tracking", "tracking", LAB05_BAR["min_tracking"])), 900),
    LabGrader("06", "06_cgan", grade_lab06, (
        ("accuracy", "accuracy", LAB06_BAR["min_accuracy"]),
        ("min_class_accuracy", "min_class_accuracy", LAB06_BAR["min_class_accuracy"]),
        ("min_class_recall", "min_class_recall", LAB06_BAR["min_class_recall"]),
        ("copying", "copying", LAB06_BAR["min_copying"])), 300, judge=True),
    LabGrader("07", "07_pix2pix", grade_lab07, (
        ("psnr_gain", "psnr_gain", LAB07_BAR["psnr_gain_db"]),
        ("spread_gap", "colorize.l1_cgan.spread_gap", None),
        ("l1_only_spread_gap", "colorize.l1_only.spread_gap", None),
        ("edges_psnr_gain", "edges_psnr_gain", LAB07_BAR["edges_psnr_gain_db"]),
        ("sharpness_gap", "edges2photo.l1_cgan.sharpness_gap", None),
        ("l1_only_sharpness_gap", "edges2photo.l1_only.sharpness_gap", None)), 300),
    LabGrader("08", "08_cyclegan", grade_lab08, (
        ("gain", "gain", LAB08_BAR["min_gain_db"]),
        ("f_psnr", "f_psnr", None),
        ("otsu_psnr", "otsu_psnr", None),
        ("cycle_psnr", "cycle_psnr", LAB08_BAR["min_cycle_psnr_db"])), 300),
    LabGrader("12", "12_stylegan", grade_lab12, (
        ("confident_share", "confident_share", LAB12_BAR["min_confident_share"]),
        ("min_class_share", "min_class_share", LAB12_BAR["min_class_share"]),
        ("frechet_ratio", "frechet_ratio", LAB12_BAR["max_frechet_ratio"]),
        ("copying", "copying", LAB12_BAR["min_copying"]),
        ("coarse_swap_rate", "coarse_swap_rate", None),
        ("fine_swap_rate", "fine_swap_rate", None),
        ("mixing_gap", "mixing_gap", LAB12_BAR["min_mixing_gap"])), 300, judge=True),
    LabGrader("13", "13_lapgan_text", grade_lab13, (
        ("confident_share", "lapgan.confident_share", LAB13_BAR["min_confident_share"]),
        ("residual_rms_ratio", "lapgan.residual_rms_ratio", LAB13_BAR["min_residual_rms_ratio"]),
        ("digit_accuracy", "text.digit_accuracy", LAB13_BAR["min_digit_accuracy"]),
        ("tilt_agreement", "text.tilt_agreement", LAB13_BAR["min_tilt_agreement"]),
        ("plain_tilt_agreement", "plain_text.tilt_agreement", None)), 300, judge=True),
)}


def parse_labs(labs):
    """The labs to grade, sorted: "01,03" (or ["01", "3"]) -> ("01", "03"); None: every lab.

    Raises:
        ValueError: naming an unknown lab and the known ones.
    """
    if labs is None:
        return tuple(sorted(LABS))
    items = labs.split(",") if isinstance(labs, str) else list(labs)
    chosen = set()
    for item in items:
        item = str(item).strip()
        key = item.zfill(2) if item.isdigit() else item
        if key not in LABS:
            raise ValueError(f"Unknown lab in --labs; known: {', '.join(sorted(LABS))}. "
                             f"Received: labs={labs!r}")
        chosen.add(key)
    if not chosen:
        raise ValueError(f"--labs names no lab. Received: labs={labs!r}")
    return tuple(sorted(chosen))


def parse_timeouts(text, labs):
    """--timeout: "120" (every lab) or "03=600,06=300" (those labs) -> {lab: seconds}.

    Raises:
        ValueError: for a number that is not > 0, or an unknown lab.
    """
    if text is None:
        return {}
    found = {}
    for item in str(text).split(","):
        lab, _, value = item.rpartition("=")
        try:
            seconds = float(value)
        except ValueError:
            seconds = None
        if seconds is None or not seconds > 0 or not math.isfinite(seconds):
            raise ValueError("--timeout must be seconds > 0, or LAB=SECONDS[,LAB=SECONDS...]. "
                             f"Received: timeout={text!r}")
        for key in (parse_labs([lab]) if lab else labs):
            found[key] = seconds
    return found


def list_students(class_dir):
    """The students of a class folder: its sub-folders (not hidden), sorted by name.

    Raises:
        ValueError: if the folder does not exist or holds no student folder.
    """
    class_dir = Path(class_dir)
    if not class_dir.is_dir():
        raise ValueError(f"CLASS_DIR must be a folder of student folders. "
                         f"Received: class_dir={str(class_dir)!r}")
    students = sorted(p.name for p in class_dir.iterdir()
                      if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise ValueError(f"CLASS_DIR holds no student folder (CLASS_DIR/<student>/<NN_name>/). "
                         f"Received: class_dir={str(class_dir)!r}")
    return students


# ------------------------------------------------------------ one folder
def one_line(error, class_dir=None):
    """An exception as the one line a gradebook shows (paths relative to the class folder)."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else ""
    if not isinstance(error, ValueError) or not line:
        line = f"{type(error).__name__}: {line}" if line else type(error).__name__
    return shorten(line, class_dir)


def shorten(line, class_dir=None):
    if class_dir is not None:
        line = line.replace(str(Path(class_dir)) + os.sep, "")
    line = " ".join(line.split())
    return line if len(line) <= REASON_CHARS else line[:REASON_CHARS - 3] + "..."


def key_figures(lab, grade):
    """{column: number} of the lab's key figures a grade holds (absent ones left out)."""
    found = {}
    for column, path, _ in LABS[lab].figures:
        value = grade
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, bool) or value is None:
            continue
        try:
            found[column] = float(value) if not isinstance(value, int) else value
        except (TypeError, ValueError):
            continue
    return found


def classify(lab, grade, class_dir=None):
    """A grader's result as a gradebook entry {status, figures, reason}.

    A grade that failed without the lab's key figures was not graded: the
    grader could not load or run the folder (`grade_or_fail` turned the error
    into its one-line failure), or the samples were not finite: `invalid`.
    """
    figures = key_figures(lab, grade)
    reason = shorten("; ".join(grade.get("failures", [])), class_dir)
    if grade.get("passed"):
        return {"status": "passed", "figures": figures, "reason": ""}
    if len(figures) < len(LABS[lab].figures):
        return {"status": "invalid", "figures": figures, "reason": reason or "not graded"}
    return {"status": "failed", "figures": figures, "reason": reason}


def grade_folder(lab, run_dir, judge=None, class_dir=None):
    """Grade one run folder with its lab's grader; never raises for what a student hands in.

    Args:
        lab: "01", ...
        run_dir: the run folder.
        judge: the digit judge for labs 03 and 06 (loaded by the grader when None).
        class_dir: the class folder, stripped from the paths in the reason.

    Returns:
        {"status": "passed" | "failed" | "invalid", "figures": {...}, "reason": "..."}.
    """
    entry = LABS[lab]
    options = {"judge": judge} if entry.judge else {}
    try:
        grade = entry.grade(run_dir, **options)
    except Exception as e:  # noqa: BLE001  a student's file may break any loader: the class goes on
        return {"status": "invalid", "figures": {}, "reason": one_line(e, class_dir)}
    return classify(lab, grade, class_dir)


def fingerprint(run_dir):
    """What identifies a submission: its files' relative names, sizes and modification times."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        return "missing"
    digest = hashlib.sha256()
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(run_dir).as_posix()}\0{stat.st_size}\0"
                      f"{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20]


# --------------------------------------------------------------- workers
def _worker_main(conn, class_dir, log_path):
    """A grading worker: import TensorFlow once, then grade the folders sent to it."""
    if log_path:  # TensorFlow's and the graders' chatter goes to the log, not the progress
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    _die_with_parent()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import gc

    import keras

    import ganlab  # noqa: F401  (registers the custom layers)

    judge = None
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is None:
            return
        lab, run_dir = task
        if LABS[lab].judge and judge is None:
            from ganlab.nets.judge import load_judge

            judge = load_judge()
        start = time.perf_counter()
        result = grade_folder(lab, run_dir, judge, class_dir)
        result["seconds"] = round(time.perf_counter() - start, 3)
        keras.backend.clear_session()  # each grade depends on its folder only
        gc.collect()
        conn.send(("done", result))


def _die_with_parent():
    """On Linux, have the kernel kill this worker when the grading process dies (even by SIGKILL)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker ends at its next message
        pass


class _Worker:
    STARTUP_LIMIT = 600.0  # seconds to import TensorFlow on a loaded machine

    def __init__(self, context, class_dir, log_path):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, str(class_dir), log_path),
                                       daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.task = None
        self.deadline = time.monotonic() + self.STARTUP_LIMIT

    def send(self, key, lab, run_dir, timeout):
        self.task = key
        self.deadline = time.monotonic() + timeout
        self.conn.send((lab, str(run_dir)))

    def stop(self, kill=False):
        if self.process.is_alive():
            if kill:
                self.process.kill()
            else:
                try:
                    self.conn.send(None)
                except OSError:
                    pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


# --------------------------------------------------------------- progress
class ClassProgress:
    """Students done / total with an ETA, on one redrawn line (a terminal) or about every 10%.

    The ETA divides the time of this session by the folders graded in it, so
    students finished by an earlier, interrupted run do not count as free.
    """

    def __init__(self, students, folders, done_students=0, done_folders=0, stream=None,
                 lines=10):
        self.students, self.folders = students, folders
        self.done, self.start_folders = done_students, done_folders
        self.folders_done = done_folders
        self.stream = stream or sys.stdout
        self.tty = isatty(self.stream)
        self.start = time.monotonic()
        self.step = max(1, math.ceil(students / max(1, lines)))
        self.next_line = self.done + self.step

    def line(self):
        elapsed = time.monotonic() - self.start
        session = self.folders_done - self.start_folders
        left = self.folders - self.folders_done
        eta = clock(elapsed / session * left) if session > 0 else "?"
        parts = [f"graded {self.done}/{self.students} students",
                 f"({self.folders_done}/{self.folders} folders)", f"{clock(elapsed)} elapsed"]
        if self.done < self.students:
            parts.append(f"ETA {eta}")
        return "  ".join(parts)

    def update(self, done_students, folders_done):
        self.done, self.folders_done = done_students, folders_done
        if is_quiet():
            return
        if self.tty:
            self.stream.write("\r" + self.line())
            if self.done >= self.students:
                self.stream.write("\n")
        elif self.done >= self.next_line or self.done >= self.students:
            self.next_line = self.done + self.step
            self.stream.write(self.line() + "\n")
        self.stream.flush()


# ---------------------------------------------------------------- journal
def journal_path(out):
    out = Path(out)
    return out.with_name(out.name + ".journal.json")


def _read_journal(path, class_dir, labs):
    journal = read_json(path)
    if journal.get("format") != JOURNAL_FORMAT or journal.get("labs") != list(labs):
        raise ValueError(
            f"--resume needs the journal of the same grading: {str(path)!r} graded labs "
            f"{','.join(journal.get('labs') or []) or '?'}. Received: labs={','.join(labs)} "
            "(rerun with those labs, or without --resume)")
    if journal.get("class_dir") != str(Path(class_dir).resolve()):
        raise ValueError(
            f"--resume needs the journal of the same class: {str(path)!r} graded "
            f"{journal.get('class_dir')!r}. Received: class_dir={str(class_dir)!r}")
    return journal


# --------------------------------------------------------------- the class
def grade_class(class_dir, labs=None, out="grades.csv", jobs=1, resume=False, timeouts=None,
                progress=True):
    """Grade every student of a class folder into a gradebook CSV (and its journal).

    Args:
        class_dir: `CLASS_DIR/<student>/<NN_name>/` run folders.
        labs: the labs to grade ("01,03", a list, or None for every lab).
        out: the CSV to write; the journal is `<out>.journal.json` and the
            workers' log `<out>.log`.
        jobs: worker processes grading in parallel, >= 1.
        resume: keep the students the journal holds (unless their folders
            changed) and grade only the others.
        timeouts: {lab: seconds} overriding `LABS[lab].timeout`.
        progress: show students done / total with an ETA.

    Returns:
        The gradebook: {"labs": [...], "class_dir": ..., "students": {name:
        {"fingerprints": {...}, "labs": {lab: {status, figures, reason,
        seconds}}}}}, as the journal holds it.

    Raises:
        ValueError: for a missing or empty class folder, an unknown lab,
            jobs < 1, a timeout <= 0, or a journal of another grading on
            `resume`.
    """
    import multiprocessing

    labs = parse_labs(labs)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"--jobs must be an integer >= 1. Received: jobs={jobs!r}")
    limits = {lab: LABS[lab].timeout for lab in labs}
    for lab, seconds in (timeouts or {}).items():
        if not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ValueError(f"A time limit must be a number of seconds > 0. "
                             f"Received: timeout={seconds!r} for lab {lab}")
        limits[parse_labs([lab])[0]] = float(seconds)
    class_dir = Path(class_dir)
    students = list_students(class_dir)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    journal_file = journal_path(out)
    book = {"format": JOURNAL_FORMAT, "labs": list(labs),
            "class_dir": str(class_dir.resolve()), "students": {}}
    if resume and journal_file.is_file():
        book = _read_journal(journal_file, class_dir, labs)

    todo, pending, kept = [], {}, 0
    for student in students:
        prints = {lab: fingerprint(class_dir / student / LABS[lab].folder) for lab in labs}
        old = book["students"].get(student)
        if old is not None and old.get("fingerprints") == prints:
            kept += 1
            continue
        book["students"].pop(student, None)  # its folders changed: graded anew
        pending[student] = {"fingerprints": prints, "labs": {}}
        todo.append(student)
    for gone in set(book["students"]) - set(students):  # a folder removed since
        del book["students"][gone]
    if resume and kept and progress and not is_quiet():
        print(f"resumed: {kept} of {len(students)} students already graded "
              f"({journal_file.name})")

    tasks = deque()
    for student in todo:
        entry = pending[student]
        for lab in labs:
            if entry["fingerprints"][lab] == "missing":
                folder = LABS[lab].folder
                reason = f"no {folder}/ folder"
                if (class_dir / student / f"{folder}.partial").is_dir():
                    reason += f" ({folder}.partial/ is a run that did not finish)"
                entry["labs"][lab] = {"status": "missing", "figures": {}, "reason": reason,
                                      "seconds": 0.0}
            else:
                tasks.append(((student, lab), lab, class_dir / student / LABS[lab].folder))
    total_folders = sum(1 for s in students for lab in labs
                        if (class_dir / s / LABS[lab].folder).is_dir())
    done = {"students": kept, "folders": total_folders - len(tasks)}
    meter = ClassProgress(len(students), total_folders, kept, done["folders"]) if progress else None

    def record(key, result):
        student, lab = key
        entry = pending[student]
        if result is not None:
            entry["labs"][lab] = result
            done["folders"] += 1
        if len(entry["labs"]) == len(labs):  # the student is finished: into the journal
            book["students"][student] = pending.pop(student)
            done["students"] += 1
            write_json_atomic(journal_file, book)
            if meter:
                meter.update(done["students"], done["folders"])

    write_json_atomic(journal_file, book)
    for student in todo:  # students with every lab missing are finished already
        record((student, None), None)

    if tasks:
        _run_tasks(tasks, min(jobs, len(tasks)), class_dir, limits,
                   str(out.with_name(out.name + ".log")), record, multiprocessing)
    write_gradebook_csv(book, out)
    return book


def _run_tasks(tasks, jobs, class_dir, limits, log_path, record, multiprocessing):
    """Grade (key, lab, run_dir) tasks on `jobs` workers; `record(key, result)` each."""
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("spawn")
    workers = [_Worker(context, class_dir, log_path) for _ in range(jobs)]
    labs_of = {key: lab for key, lab, _ in tasks}
    failed_starts = 0
    try:
        while tasks or any(w.task for w in workers):
            for w in workers:
                if w.ready and w.task is None and tasks:
                    key, lab, run_dir = tasks.popleft()
                    w.send(key, lab, run_dir, limits[lab])
            now = time.monotonic()
            timeout = max(0.0, min(w.deadline for w in workers) - now)
            ready = wait([w.conn for w in workers] + [w.process.sentinel for w in workers],
                         timeout=min(timeout, 5.0))
            for w in list(workers):
                message, died = None, False
                if w.conn in ready or w.process.sentinel in ready:
                    try:
                        if w.conn.poll():
                            message = w.conn.recv()
                        elif not w.process.is_alive():
                            died = True
                    except (EOFError, OSError):
                        died = True
                if message is not None:
                    if message[0] == "ready":
                        w.ready, failed_starts = True, 0
                        w.deadline = math.inf
                    else:
                        key, w.task, w.deadline = w.task, None, math.inf
                        record(key, message[1])
                    continue
                late = time.monotonic() > w.deadline
                if not (died or late):
                    continue
                key = w.task
                w.stop(kill=True)
                if key is not None:
                    seconds = limits[labs_of[key]]
                    reason = (f"grading took longer than the time limit of {seconds:g} s; skipped"
                              if late and not died else
                              f"the grader's process died (exit code {w.process.exitcode}); skipped")
                    record(key, {"status": "invalid", "figures": {}, "reason": reason,
                                 "seconds": float(seconds) if late else 0.0})
                elif not w.ready:
                    failed_starts += 1
                    if failed_starts > 2 * jobs:
                        raise RuntimeError(
                            f"grading workers do not start (exit code {w.process.exitcode}); "
                            f"see {log_path}")
                if tasks:
                    workers[workers.index(w)] = _Worker(context, class_dir, log_path)
                else:  # nothing left for a new one to grade
                    workers.remove(w)
    finally:
        for w in workers:
            w.stop()


# -------------------------------------------------------------------- CSV
def _number(value):
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)  # nan, inf, -inf
    return f"{value:.6g}"


def gradebook_columns(labs):
    columns = ["student", "labs_passed"]
    for lab in labs:
        columns += [f"{lab}_status"] + [f"{lab}_{c}" for c in LABS[lab].columns]
    return columns + ["reason"]


def gradebook_rows(book):
    """The CSV's rows (lists of strings), one per student, sorted by name."""
    labs = book["labs"]
    rows = []
    for student in sorted(book["students"]):
        results = book["students"][student]["labs"]
        row, reasons = [student, str(sum(results[lab]["status"] == "passed" for lab in labs))], []
        for lab in labs:
            result = results[lab]
            row.append(result["status"])
            row += [_number(result["figures"][c]) if c in result["figures"] else ""
                    for c in LABS[lab].columns]
            if result["status"] != "passed":
                reasons.append(f"{lab} {result['status']}: {result['reason']}")
        rows.append(row + [" | ".join(reasons)])
    return rows


def gradebook_csv(book):
    """The gradebook as CSV text: one row per student; numbers with 6 significant digits."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(gradebook_columns(book["labs"]))
    writer.writerows(gradebook_rows(book))
    return buf.getvalue()


def write_gradebook_csv(book, out):
    """Write the CSV atomically (a temp file, then a rename)."""
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(gradebook_csv(book))
    os.replace(tmp, out)
    return out


def summary(book):
    """{lab: {status: count}} over the class."""
    counts = {lab: dict.fromkeys(STATUSES, 0) for lab in book["labs"]}
    for record in book["students"].values():
        for lab in book["labs"]:
            counts[lab][record["labs"][lab]["status"]] += 1
    return counts
