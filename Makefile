# lstm_numpy: every target that runs Python makes its own virtual environment first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help demo test gradcheck bench bench-quick clean

help:  ## list the targets
	@echo "lstm_numpy make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 20

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,plot]'
	touch $(STAMP)

demo: $(STAMP)  ## run the main demonstration
	$(PY) -m lstm_numpy gradcheck

test: $(STAMP)  ## run the whole test suite
	$(PY) -m pytest

gradcheck: $(STAMP)  ## gradient-check every cell type (the default set)
	$(PY) -m lstm_numpy gradcheck

# One BLAS thread and one PyTorch thread by default: on a shared machine, a second thread that
# waits for a busy core stalls every small per-step product. BENCH_ARGS="--threads 2" to change it;
# BENCH_PYTHON=path/to/python for an environment that has PyTorch (its columns appear then).
BENCH_ARGS ?= --threads 1
BENCH_PYTHON ?= $(PY)

bench: $(STAMP)  ## time the fast engine vs textbook NumPy, the GEMM bound and PyTorch (if installed)
	$(BENCH_PYTHON) -m lstm_numpy bench $(BENCH_ARGS)

bench-quick: $(STAMP)  ## the benchmark on its two small configurations only
	$(BENCH_PYTHON) -m lstm_numpy bench --quick $(BENCH_ARGS)

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
