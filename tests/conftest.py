"""Shared pytest set-up: the --runs option of the grading tests, and the session's CPU time.

The terminal summary gives the session's wall time and the CPU time of this
process and of its subprocesses (labs, the CLI, the two-replica checks):
the suite's work, which bounds its wall time on a machine's cores whatever
the order.
"""

import os
import resource
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
STARTED = time.monotonic()


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


def pytest_terminal_summary(terminalreporter):
    wall = time.monotonic() - STARTED
    own, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    terminalreporter.section("the session's work")
    terminalreporter.write_line(
        f"wall {wall:.0f} s; CPU {own + children:.0f} s: {own:.0f} s in pytest, {children:.0f} s in "
        f"its subprocesses; {(own + children) / wall:.2f} of {os.cpu_count()} cores busy on average")
