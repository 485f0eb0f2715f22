"""Grading fixtures: a lab's run folder, from --runs DIR or a fresh --quick run.

Without --runs, the labs the collected grading modules grade (each module's
LAB) run with --quick one at a time in a background thread from the start of
the session, the last lab first, and the grading tests are moved to the end
of it: the labs train while the rest of the suite runs in this process, on
the core it leaves idle. A lab a test asks for before the thread reached it
runs in the foreground, and a test waiting for the thread's lab runs the
next one meanwhile. Each lab is still a whole --quick run in its own
process, as a student's.

The terminal summary lists each lab's wall time and CPU time, and where it
ran. A session that fails keeps the labs' run folders and
says where they are; one that passes removes them.
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from shutil import rmtree

import pytest

LABS = Path(__file__).resolve().parents[2] / "labs"
HERE = Path(__file__).resolve().parent
AHEAD = pytest.StashKey()


class LabsAhead:
    """Run each lab of `names` (scripts in `labs`) with --quick into `out`, one at a time, in a thread,
    the last first.

    `result(name, *extra_args)` is that run's (command, returncode, stderr).
    A lab nobody has started yet runs in the caller's thread; while the caller
    waits for the thread's lab, it runs the next one itself, so that two labs
    train when the tests have nothing else to do.

    `records` holds, per finished run in the order they ended, its key,
    where it ran ("thread" or "test"), wall seconds and CPU seconds (user +
    system, its own process tree's). Not its peak memory: the rusage of a
    forked child counts the parent's resident set at the fork, which is
    pytest's, several GB late in the suite (benchmarks/labs.py measures a
    lab's own).
    """

    def __init__(self, out, names, labs=LABS):
        self.out = out
        self.labs = labs
        self.futures = {(name,): Future() for name in reversed(names)}  # the last first
        self.claimed = set()
        self.procs = set()
        self.records = []
        self.keep = False
        self.lock = threading.Lock()
        self.closed = False
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()

    def _claim(self, *keys):
        """Claim the first of `keys` (default: of all labs) nobody has claimed; None if none."""
        with self.lock:
            for key in keys or self.futures:
                if key not in self.claimed and not self.closed:
                    self.claimed.add(key)
                    return key
        return None

    def _work(self):
        while (key := self._claim()) is not None:
            self._settle(key)

    def _settle(self, key):
        future = self.futures[key]
        try:
            future.set_result(self._run(key))
        except BaseException as error:  # noqa: BLE001 - handed to the test that waits
            future.set_exception(error)

    def _run(self, key):
        cmd = [sys.executable, str(self.labs / f"{key[0]}.py"), "--quick", "--out", str(self.out), *key[1:]]
        with self.lock:
            if self.closed:
                raise RuntimeError("the session ended before this lab ran")
            began = time.monotonic()
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            self.procs.add(proc)
        stderr = proc.stderr.read()  # stdout is not piped: reading stderr to its end cannot block
        proc.stderr.close()
        _, status, usage = os.wait4(proc.pid, 0)  # reaps it, with its rusage
        where = "thread" if threading.current_thread() is self.thread else "test"
        with self.lock:
            proc.returncode = os.waitstatus_to_exitcode(status)
            self.records.append({"key": key, "where": where, "wall": time.monotonic() - began,
                                 "cpu": usage.ru_utime + usage.ru_stime})
        return cmd, proc.returncode, stderr

    def summary(self):
        """Lines of the terminal summary: one per lab run, then the totals."""
        lines = [f"{'lab':<28} {'ran in':<7} {'wall s':>7} {'CPU s':>7}"]
        for r in self.records:
            name = r["key"][0] + (f" +{len(r['key']) - 1} args" if len(r["key"]) > 1 else "")
            lines.append(f"{name:<28} {r['where']:<7} {r['wall']:7.1f} {r['cpu']:7.1f}")
        lines.append(f"{'all ' + str(len(self.records)) + ' runs':<36} "
                     f"{sum(r['wall'] for r in self.records):7.1f} "
                     f"{sum(r['cpu'] for r in self.records):7.1f}")
        return lines

    def result(self, name, *extra_args):
        key = (name, *extra_args)
        if key not in self.futures:
            return self._run(key)
        if self._claim(key):
            self._settle(key)
        while not self.futures[key].done() and (other := self._claim()) is not None:
            self._settle(other)
        return self.futures[key].result()

    def close(self):
        with self.lock:
            self.closed = True
            for proc in self.procs:
                if proc.returncode is None:  # not poll(): that would reap it before wait4
                    try:
                        os.kill(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        self.thread.join()
        if not self.keep:
            rmtree(self.out, ignore_errors=True)


def _graded(item):
    return HERE in item.path.parents


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--runs"):
        items.sort(key=_graded)  # stable: the grading tests last, in their order


def pytest_collection_finish(session):
    """Start the labs the selected grading tests grade (after -k / -m deselection)."""
    config = session.config
    if config.getoption("--runs") or config.option.collectonly:
        return
    names = dict.fromkeys(item.module.LAB for item in session.items
                          if _graded(item) and hasattr(item.module, "LAB"))
    # The thread takes the last labs first: they are the longest (--quick inside the suite at
    # stop 28: lab 13 435 s, 12 357, 08 343, 07 158, 09 144, 05 120, lab 01 40), so they are
    # done while the other tests run, and the first grading tests run the short ones themselves.
    config.stash[AHEAD] = LabsAhead(Path(tempfile.mkdtemp(prefix="ganlab-labs-")), sorted(names))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if AHEAD not in config.stash:
        return
    ahead = config.stash[AHEAD]
    if not ahead.records:
        return
    terminalreporter.section("labs run for the grading tests (--quick)")
    for line in ahead.summary():
        terminalreporter.write_line(line)
    if exitstatus != 0:  # what a failed grading test graded, to look at
        ahead.keep = True
        terminalreporter.write_line(f"the session failed: the labs' run folders are kept in {ahead.out}")


def pytest_unconfigure(config):
    if AHEAD in config.stash:
        config.stash[AHEAD].close()


@pytest.fixture(scope="session")
def lab_run(request):
    """Return a function lab name -> run folder to grade.

    With `--runs DIR` it is DIR/<name> (a missing folder fails the test).
    Without, the lab runs once per session with --quick into a temp folder (by
    LabsAhead, in the background when it can); a lab that exits non-zero fails
    the test with its stderr.
    """
    runs = request.config.getoption("--runs")
    done = {}

    def get(name, *extra_args):
        key = (name, extra_args)
        if key in done:
            return done[key]
        if runs:
            path = Path(runs) / name
            if not path.is_dir():
                pytest.fail(f"no run folder to grade: {path}")
        else:
            ahead = request.config.stash[AHEAD]
            cmd, returncode, stderr = ahead.result(name, *extra_args)
            if returncode != 0:
                pytest.fail(f"{' '.join(cmd)} exited {returncode}:\n{stderr[-3000:]}")
            path = ahead.out / name
        done[key] = path
        return path

    return get


@pytest.fixture
def forge(tmp_path):
    """Return a function that copies a run folder the way a student gaming the bar would edit it.

    forge(run, config={"sigma": 2.0}) edits config.json; forge(run,
    generator_from=other_run) puts another run's generator.keras in place.
    """
    import json
    import shutil

    made = []

    def make(run, config=None, generator_from=None):
        made.append(run)
        path = tmp_path / f"forged{len(made)}" / Path(run).name
        shutil.copytree(run, path)
        if config:
            data = json.loads((path / "config.json").read_text())
            data.update(config)
            (path / "config.json").write_text(json.dumps(data))
        if generator_from is not None:
            shutil.copy(Path(generator_from) / "generator.keras", path / "generator.keras")
        return path

    return make


@pytest.fixture
def copy_run():
    """Return a function copying a run folder's config.json and the named networks into a new folder.

    copy_run(run, folder, names) is how the image labs' tests forge folders.
    """

    def copy(run, folder, names):
        folder.mkdir()
        for name in ("config.json", *names):
            (folder / name).write_bytes((Path(run) / name).read_bytes())
        return folder

    return copy


@pytest.fixture
def users_mistake(tmp_path):
    """Return a function asserting a lab exits 2 with one error line naming `match`, leaving no run folder.

    users_mistake(lab, args, match) runs `python labs/<lab>.py --quick --out TMP *args`.
    """

    def check(lab, args, match):
        cmd = [sys.executable, str(LABS / f"{lab}.py"), "--quick", "--out", str(tmp_path), *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 2, proc.stderr[-2000:]
        lines = [line for line in proc.stderr.splitlines() if line.startswith(f"{lab}.py: error:")]
        assert len(lines) == 1 and match in lines[0], proc.stderr[-2000:]
        assert not (tmp_path / lab).exists()

    return check
