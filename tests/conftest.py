"""Shared pytest set-up: the --runs option of the grading tests, and the session's CPU time.

The terminal summary gives the session's wall time and the CPU time of this
process and of its subprocesses (labs, the CLI, the two-replica checks):
the suite's work, which bounds its wall time on a machine's cores whatever
the order. It also gives each folder's share, and the tests that cost the
most CPU: a test's own process time and that of the subprocesses it ran,
without the labs run for the grading tests (they have their own table, from
tests/grading/conftest.py).
"""

import os
import resource
import time
from collections import Counter

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
STARTED = time.monotonic()
COSTS = {}  # test id -> CPU seconds


def pytest_addoption(parser):
    parser.addoption(
        "--runs",
        default=None,
        metavar="DIR",
        help="grade the run folders in DIR (DIR/01_gaussian, ...); without it the "
        "grading tests run each lab with --quick into a temporary folder",
    )


def _cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _labs_cpu(config):
    """CPU seconds of the lab runs that tests/grading/conftest.py's LabsAhead has ended so far.

    Their processes are reaped by this one, so they count in its children's
    time whichever test was running when they ended.
    """
    for plugin in config.pluginmanager.get_plugins():
        key = getattr(plugin, "AHEAD", None)
        if isinstance(key, pytest.StashKey) and key in config.stash:
            return sum(r["cpu"] for r in list(config.stash[key].records))
    return 0.0


def _work(config):
    return _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - _labs_cpu(config)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    before = _work(item.config)
    yield
    COSTS[item.nodeid] = _work(item.config) - before


def pytest_terminal_summary(terminalreporter, config):
    wall = time.monotonic() - STARTED
    own, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    labs = _labs_cpu(config)
    terminalreporter.section("the session's work")
    terminalreporter.write_line(
        f"wall {wall:.0f} s; CPU {own + children:.0f} s: {own:.0f} s in pytest, {children:.0f} s in "
        f"its subprocesses ({labs:.0f} s of them the labs run for the grading tests); "
        f"{(own + children) / wall:.2f} of {os.cpu_count()} cores busy on average")
    if not COSTS:
        return
    folders = Counter()
    for nodeid, cost in COSTS.items():
        parts = nodeid.split("::")[0].split("/")
        folders["/".join(parts[:2]) if len(parts) > 2 else parts[0]] += cost
    terminalreporter.write_line("CPU s by folder, the tests' own (labs apart): " + ", ".join(
        f"{name} {cost:.0f}" for name, cost in folders.most_common()))
    terminalreporter.write_line("the tests that cost the most CPU (s; labs apart):")
    for nodeid, cost in Counter(COSTS).most_common(15):
        terminalreporter.write_line(f"{cost:8.1f}  {nodeid}")
