"""LabsAhead, which runs the graded labs beside the rest of the suite (tests/grading/conftest.py).

On stand-in lab scripts that record when they ran and with what: each lab
runs once, the last first; a test waiting for the thread's lab runs the next
one, so the two overlap; an error comes back with its exit code and stderr; a lab nobody
declared runs in the caller with its extra arguments; each run's record
has its own process's wall and CPU time and where it ran; and closing the
session kills a lab still running and removes the folder, unless told to
keep it.
"""

import importlib.util
import json
import time
from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parent / "conftest.py"
SCRIPT = """
import json, sys, time
from pathlib import Path
out = Path(sys.argv[sys.argv.index("--out") + 1])
start = time.time()
Path(out, "{name}.started").write_text("")
time.sleep({seconds})
while time.process_time() < {burn}:  # CPU work, for the records
    pass
with open(out / "{name}.json", "a") as f:
    f.write(json.dumps([start, time.time(), sys.argv[1:]]) + "\\n")
sys.stderr.write("{stderr}")
sys.exit({code})
"""


@pytest.fixture
def labs(tmp_path):
    spec = importlib.util.spec_from_file_location("grading_conftest", CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp_path / "labs"
    folder.mkdir()
    for name, seconds, burn, stderr, code in (("a", 1.5, 0, "", 0), ("b", 1.5, 0, "", 0),
                                              ("bad", 0, 0, "boom", 3), ("slow", 60, 0, "", 0),
                                              ("busy", 0, 1.5, "", 0)):
        (folder / f"{name}.py").write_text(SCRIPT.format(name=name, seconds=seconds, burn=burn,
                                                          stderr=stderr, code=code))
    out = tmp_path / "out"
    out.mkdir()
    made = []

    def start(*names):
        made.append(module.LabsAhead(out, names, labs=folder))
        return made[-1]

    yield start, out
    for ahead in made:
        ahead.close()


def runs(out, name):
    return [json.loads(line) for line in (out / f"{name}.json").read_text().splitlines()]


def started(path):
    deadline = time.time() + 30
    while not path.exists():
        assert time.time() < deadline, "the thread never started the lab"
        time.sleep(0.05)


def test_each_lab_runs_once_last_first_and_a_waiting_test_runs_the_next(labs):
    start, out = labs
    ahead = start("a", "b")
    started(out / "b.started")
    assert not (out / "a.started").exists(), "the thread did not take the last lab first"
    assert ahead.result("b")[1] == 0  # waits for the thread's lab, running "a" meanwhile
    assert ahead.result("a")[1] == 0 and ahead.result("b")[1] == 0  # asked again: no new run
    (a,), (b,) = runs(out, "a"), runs(out, "b")
    assert a[0] < b[1], "the waiting test did not run the next lab while it waited"
    assert [(r["key"], r["where"]) for r in sorted(ahead.records, key=lambda r: r["key"])] == [
        (("a",), "test"), (("b",), "thread")]


def test_records_are_each_runs_own_wall_and_cpu_time(labs):
    start, _ = labs
    ahead = start("a", "busy")
    ahead.result("a"), ahead.result("busy")
    record = {r["key"][0]: r for r in ahead.records}
    assert record["a"]["wall"] >= 1.5 and record["a"]["cpu"] < 1.0, record["a"]  # slept
    assert record["busy"]["cpu"] >= 1.5, record["busy"]
    lines = ahead.summary()
    assert len(lines) == 4 and lines[-1].split()[:3] == ["all", "2", "runs"]
    total_cpu = float(lines[-1].split()[-1])
    assert abs(total_cpu - record["a"]["cpu"] - record["busy"]["cpu"]) < 0.1


def test_a_failing_lab_gives_its_exit_code_and_stderr(labs):
    start, _ = labs
    cmd, code, stderr = start("bad").result("bad")
    assert code == 3 and stderr == "boom"
    assert cmd[-2:] == ["--out", str(labs[1])] and "--quick" in cmd


def test_an_undeclared_run_goes_in_the_caller_with_its_arguments(labs):
    start, out = labs
    ahead = start()
    assert ahead.result("b", "--runs", "DIR")[1] == 0
    ((_, _, argv),) = runs(out, "b")
    assert argv[-2:] == ["--runs", "DIR"]


def test_closing_kills_a_running_lab_and_removes_the_folder(labs):
    start, out = labs
    ahead = start("slow")
    started(out / "slow.started")
    began = time.time()
    ahead.close()
    assert time.time() - began < 10 and not ahead.thread.is_alive()
    assert not out.exists()


def test_a_failed_session_keeps_the_folder(labs):
    start, out = labs
    ahead = start("a")
    ahead.result("a")
    ahead.keep = True  # what the terminal summary sets when the session failed
    ahead.close()
    assert (out / "a.json").exists()
