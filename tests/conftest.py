"""Shared pytest set-up: the --runs option of the grading tests."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_addoption(parser):
    parser.addoption(
        "--runs",
        default=None,
        metavar="DIR",
        help="grade the run folders in DIR (DIR/01_gaussian, ...); without it the "
        "grading tests run each lab with --quick into a temporary folder",
    )
