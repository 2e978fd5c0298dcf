# lstm_numpy: every target that runs Python makes its own virtual environment first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help demo test gradcheck docs figures clean

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

docs: $(STAMP)  ## run every example in docs/ and the README, and check the docs' links and references
	$(PY) -m pytest tests/test_docs.py tests/test_article.py

figures: $(STAMP)  ## redraw every diagram and plot in figures/ (the article's configurations)
	$(PY) -m lstm_numpy.plot.gallery figures

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
