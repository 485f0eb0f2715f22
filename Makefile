# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint install bench clean

$(VENV)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

## Lab 01 in --quick on the embedded default; prints the run folder and figures.
demo: install
	$(PY) labs/01_gaussian.py --quick --out runs

## The layers (import-linter, .importlinter) and the linter (ruff, ruff.toml).
lint: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .

## The whole test suite, grading tests included (each lab runs in --quick).
test: lint
	$(PY) -m pytest -q --durations=20 tests

bench: install
	$(PY) benchmarks/run.py
	$(PY) benchmarks/precision.py
	$(PY) benchmarks/bf16_kernels.py
	$(PY) benchmarks/labs.py
	$(PY) benchmarks/distribute.py

clean:
	rm -rf runs .pytest_cache
