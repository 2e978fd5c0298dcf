"""||dL/dh_t|| from the real backward pass, checked two independent ways.

1. A tanh RNN: dL/dh_t = (dL/dh_{t+1} * (1 - h_{t+1}^2)) W_h^T, the chain of Jacobians written
   out from the forward values alone.
2. An LSTM stack: central differences of the loss with h_t of the top layer nudged inside a
   forward loop written here with ``cell.step``.
"""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.gradcheck import TOLERANCE, numerical_gradient, relative_error
from lstm_numpy.gradient_flow import hidden_gradient_norms
from lstm_numpy.state import LSTMState

from conftest import randomize


def test_rnn_matches_the_jacobian_chain(rng):
    cell = randomize(ln.RNNCell(3, 4, rng=0), rng)
    x = rng.normal(size=(2, 6, 3))                            # (B, T, D)
    d_last = rng.normal(size=(2, 4))
    norms, grads = hidden_gradient_norms(cell, x, d_last)
    outputs, _, _ = ln.dynamic_rnn(cell, x)
    expected = d_last
    for t in reversed(range(6)):
        np.testing.assert_allclose(grads[t], expected, rtol=1e-10, atol=1e-14)
        if t:
            expected = (expected * (1 - outputs[:, t] ** 2)) @ cell.params["W_h"].T
    np.testing.assert_allclose(norms, [np.linalg.norm(g) for g in grads])


def loss_with_nudge(cell, x, d_last, t_nudge, delta):
    """L = sum(outputs[:, -1] * d_last), with ``delta`` added to the top layer's h after step t_nudge."""
    state = cell.zero_state(x.shape[0])
    for t in range(x.shape[1]):
        h, state, _ = cell.step(x[:, t], state)
        if t == t_nudge:
            top = state[-1]
            state = state[:-1] + (LSTMState(top.c, top.h + delta),)
    return float(np.sum(h * d_last))


@pytest.mark.parametrize("t", [0, 2, 3])
def test_lstm_stack_matches_central_differences(t, rng):
    cell = ln.MultiRNNCell([randomize(ln.LSTMCell(2, 4, rng=0), rng), randomize(ln.LSTMCell(4, 3, rng=1), rng)])
    x = rng.normal(size=(2, 5, 2))
    d_last = rng.normal(size=(2, 3))
    _, grads = hidden_gradient_norms(cell, x, d_last)
    delta = np.zeros((2, 3))
    numeric = numerical_gradient(lambda: loss_with_nudge(cell, x, d_last, t, delta), delta)
    if t < 4:
        assert np.abs(numeric).max() > 1e-4                   # the check is not vacuous
    assert relative_error(grads[t], numeric).max() < TOLERANCE


def test_the_lstm_keeps_more_gradient_than_the_rnn(rng):
    """What the gradient-norm figure shows, on the same inputs and sizes."""
    x = rng.normal(size=(4, 20, 3))
    rnn, _ = hidden_gradient_norms(ln.RNNCell(3, 8, rng=0), x)
    lstm, _ = hidden_gradient_norms(ln.LSTMCell(3, 8, forget_bias=1.0, rng=0), x)
    assert lstm[0] / lstm[-2] > 100 * rnn[0] / rnn[-2]


def test_bad_d_last():
    with pytest.raises(ValueError, match=r"expected d_last of shape \(B, H_top\)=\(2, 4\), got \(4, 2\)"):
        hidden_gradient_norms(ln.RNNCell(3, 4, rng=0), np.ones((2, 5, 3)), np.ones((4, 2)))
