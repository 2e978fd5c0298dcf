"""Non-finite numbers where they matter: weights, hyperparameters, a run that diverges."""
import re

import numpy as np
import pytest

import lstm_numpy as ln

from conftest import run_cli


# Non-finite numbers where they matter.


@pytest.mark.parametrize("engine", [ln, ln.fast])


def test_weights_with_nan_or_inf_are_refused_by_name(engine):
    cell = ln.MultiRNNCell([ln.LSTMCell(3, 4, rng=0), ln.GRUCell(4, 5, rng=1)])
    cell.cells[1].params["W_h"][2, 7] = np.inf
    with pytest.raises(ValueError, match=r"expected finite values in GRUCell.params\['W_h'\], got inf at index \(2, 7\)"):
        engine.dynamic_rnn(cell, np.ones((2, 3, 3)))


def test_hyperparameters_must_fit_the_dtype(capsys):
    with pytest.raises(ValueError, match=re.escape("expected forget_bias within the range of float32, got 1e+39")):
        ln.LSTMCell(3, 4, forget_bias=1e39, dtype=np.float32)
    for flag in ("--lr", "--clip"):
        status, _, err = run_cli(["train", "sine", flag, "inf"], capsys)
        assert status == 2 and f"argument {flag}: expected a positive finite number, got inf" in err


def test_a_diverging_run_names_the_learning_rate(capsys, tmp_path):
    status, _, err = run_cli(["train", "sine", "--lr", "1e30", "--steps", "20", "--no-figures", "--quiet"], capsys)
    assert status == 2 and "training diverged" in err and "the learning rate (1e+30) is the likely cause" in err
