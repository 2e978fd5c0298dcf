# lstm_numpy: every target that runs Python makes its own virtual environment first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help demo test gradcheck docs figures clean train-sine train-chars bench bench-quick

help:  ## list the targets
	@echo "lstm_numpy make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 20

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,plot]'
	touch $(STAMP)

# The training runs use one BLAS thread: the matrices are small, and on a busy machine extra
# BLAS threads only wait for each other.
# Commands a user runs write into runs/ (ignored by git); only `make figures` rewrites figures/.
# The demo's environment has matplotlib (the plot extra), so its figures are always drawn.
demo: $(STAMP)  ## gradient-check table, a short sine training showing the error fall; figures in runs/
	$(PY) -m lstm_numpy gradcheck
	OPENBLAS_NUM_THREADS=1 $(PY) -m lstm_numpy train sine --evals 10 --figures runs --quiet
	@echo "shown: every cell's backward pass agrees with central differences, and an LSTM [20, 30] forecasts sine windows far better than repeating the last value"
	@echo "figures: runs/sine_loss.png (the held-out error falling), runs/sine_predictions.png (forecasts on held-out windows)"
	@echo "next: make train-chars (a character model), python -m lstm_numpy diagram --help (any configuration), docs/index.md (the reading order)"

train-sine: $(STAMP)  ## the sine demo in full (about 15 seconds): held-out MSE against the naive forecast; figures in runs/
	OPENBLAS_NUM_THREADS=1 $(PY) -m lstm_numpy train sine --figures runs

train-chars: $(STAMP)  ## the character model on the project's own text (about a minute): bits per character; figures in runs/
	OPENBLAS_NUM_THREADS=1 $(PY) -m lstm_numpy train chars --figures runs

test: $(STAMP)  ## run the whole test suite
	$(PY) -m pytest

# The explorable page in headless Chromium (Debian: apt-get install chromium); make test skips these
# tests without it, this target fails without it.
.PHONY: test-browser
test-browser: $(STAMP)  ## open the explorable page in headless Chromium and check it (needs chromium)
	LSTM_NUMPY_REQUIRE_BROWSER=1 $(PY) -m pytest -m browser

gradcheck: $(STAMP)  ## gradient-check every cell type (the default set)
	$(PY) -m lstm_numpy gradcheck

docs: $(STAMP)  ## run every example in docs/ and the README, and check the docs' links and references
	$(PY) -m pytest tests/test_docs.py tests/test_article.py

figures: $(STAMP)  ## redraw every figure in figures/: the diagrams, then the sine and chars runs (a few minutes)
	$(PY) -m lstm_numpy.plot.gallery figures
	OPENBLAS_NUM_THREADS=1 $(PY) -m lstm_numpy train sine --evals 10 --figures figures
	OPENBLAS_NUM_THREADS=1 $(PY) -m lstm_numpy train chars --figures figures

# One BLAS thread and one PyTorch thread by default: on a shared machine, a second thread that
# waits for a busy core stalls every small per-step product. BENCH_ARGS="--threads 2" to change it;
# BENCH_PYTHON=path/to/python for an environment that has PyTorch (its columns appear then).
BENCH_ARGS ?= --threads 1
BENCH_PYTHON ?= $(PY)

# OPENBLAS_CORETYPE (with OPENBLAS_L2_SIZE) may be set on a machine to pin older OpenBLAS builds to
# safe kernels; it also pins a current NumPy's OpenBLAS to slower ones. The benchmark unsets both for
# its own command only, so NumPy runs the kernels OpenBLAS picks for the processor (the header says
# which); the tests and everything else keep the environment as it is.
BENCH_ENV := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE

bench: $(STAMP)  ## time the fast engine vs textbook NumPy, the GEMM bound and PyTorch (if installed), and a training step
	$(BENCH_ENV) $(BENCH_PYTHON) -m lstm_numpy bench --out-dir figures $(BENCH_ARGS)

bench-quick: $(STAMP)  ## the benchmark on its two small configurations only
	$(BENCH_ENV) $(BENCH_PYTHON) -m lstm_numpy bench --quick $(BENCH_ARGS)

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
