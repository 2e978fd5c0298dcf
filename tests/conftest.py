"""Shared test helpers and the hypothesis profiles.

A run that leaves the checkout changed fails: every test writes into tmp_path only (a new
file or a changed tracked file that ``git status`` shows after the run, and did not before, is
reported and sets the exit status). The "ci" profile (the default) is derandomized, so a run is the same every time; set
HYPOTHESIS_PROFILE=dev to explore with fresh random examples.
"""
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import lstm_numpy as ln
from lstm_numpy.commands import main

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=100,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Dimensions pairwise distinct, so that a transposed product fails loudly.
T, B, D, H = 3, 2, 4, 5
# Tests of sequence_length use a batch of ROWS rows (distinct from T, D and H too), with
# lengths T, 0 and values between.
ROWS = 6
LENGTHS = np.array([T, 0, 1, 2, T, 1])


def run_cli(argv, capsys):
    """(exit status, stdout, stderr) of the command line, whether it returns or exits."""
    try:
        status = main(argv)
    except SystemExit as done:
        status = done.code
    out, err = capsys.readouterr()
    return status, out, err


def randomize(cell, rng, scale=0.5):
    """Every parameter, biases too, uniform in (-scale, scale): zero biases hide layout bugs.

    Works on anything with a ``params`` dict of its own arrays (cells, heads, models)."""
    for p in cell.params.values():
        p[...] = rng.uniform(-scale, scale, size=p.shape)
    return cell


def make_cell(kind, input_size, hidden_size, rng, **options):
    """A randomized one-layer cell of a kind named as in the tests' parameter lists."""
    builders = {
        "rnn_tanh": lambda: ln.RNNCell(input_size, hidden_size, rng=rng, **options),
        "rnn_relu": lambda: ln.RNNCell(input_size, hidden_size, activation="relu", rng=rng, **options),
        "lstm": lambda: ln.LSTMCell(input_size, hidden_size, rng=rng, **options),
        "lstm_fb1": lambda: ln.LSTMCell(input_size, hidden_size, forget_bias=1.0, rng=rng, **options),
        "gru": lambda: ln.GRUCell(input_size, hidden_size, rng=rng, **options),
        "gru_before": lambda: ln.GRUCell(input_size, hidden_size, reset_after=False, rng=rng, **options),
    }
    return randomize(builders[kind](), rng)


KINDS = ["rnn_tanh", "rnn_relu", "lstm", "lstm_fb1", "gru", "gru_before"]


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


ROOT = Path(__file__).resolve().parents[1]


def checkout_status():
    """The lines of ``git status --porcelain`` for the checkout (untracked files one by one), or
    None outside a git checkout."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return set(done.stdout.splitlines()) if done.returncode == 0 else None


def pytest_sessionstart(session):
    session.config.stash[_STATUS_BEFORE] = checkout_status()


def pytest_sessionfinish(session, exitstatus):
    before = session.config.stash.get(_STATUS_BEFORE, None)
    after = checkout_status()
    if before is None or after is None:
        return
    left = sorted(after - before)
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = ("the test run changed the checkout (tests must write into tmp_path only):\n  "
                   + "\n  ".join(left))
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_STATUS_BEFORE = pytest.StashKey()
