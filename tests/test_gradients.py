"""Gradient checks: every hand-derived backward pass against fourth-order central differences.

Each array (every parameter, the inputs, the initial state) is checked on its own, in float64,
with dimensions pairwise distinct. The tolerance is gradcheck.TOLERANCE (1e-6): a correct
backward pass measures 1e-7 at worst (rounding noise of ~1e-12 on entries below the floor of
1e-5, see docs/gradcheck.md), a missing or transposed term 1e-2 or worse.
"""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.gradcheck import (TOLERANCE, check_dynamic_rnn, check_gradients, numerical_gradient,
                                  random_state, relative_error)
from lstm_numpy.state import map_state, state_leaves

from conftest import B, D, H, KINDS, LENGTHS, ROWS, T, make_cell


def check_step(cell, rng):
    """Gradient check of one cell.step / cell.step_backward pair, with a random projection loss."""
    x = rng.normal(size=(B, cell.input_size))
    state = random_state(cell, B, rng)
    h, new_state, cache = cell.step(x, state)
    dh = rng.normal(size=h.shape)
    dstate = map_state(lambda s: rng.normal(size=s.shape), new_state)

    def loss():
        h, new_state, _ = cell.step(x, state)
        return np.sum(h * dh) + sum(np.sum(s * d) for s, d in zip(state_leaves(new_state), state_leaves(dstate)))

    dx, dstate_prev, dparams = cell.step_backward(dh, dstate, cache)
    arrays = {"x": x, **{f"state_{k}": s for k, s in enumerate(state_leaves(state))}, **cell.params}
    analytic = {"x": dx, **{f"state_{k}": s for k, s in enumerate(state_leaves(dstate_prev))}, **dparams}
    return check_gradients(loss, arrays, analytic)


@pytest.mark.parametrize("kind", KINDS)
def test_one_step(kind, rng):
    report = check_step(make_cell(kind, D, H, rng), rng)
    assert report.passed, str(report)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("time_major", [False, True])
def test_whole_sequence_with_lengths_and_states(kind, time_major, rng):
    cell = make_cell(kind, D, H, rng)
    shape = (T, ROWS, D) if time_major else (ROWS, T, D)
    x = rng.normal(size=shape)
    report = check_dynamic_rnn(cell, x, sequence_length=LENGTHS,
                               initial_state=random_state(cell, ROWS, rng), time_major=time_major, rng=rng)
    assert report.passed, str(report)


@pytest.mark.parametrize("kind", KINDS)
def test_zero_initial_state_and_no_final_state_loss(kind, rng):
    cell = make_cell(kind, D, H, rng)
    report = check_dynamic_rnn(cell, rng.normal(size=(B, T, D)), final_state_loss=False, rng=rng)
    assert report.passed, str(report)


def test_gradient_at_zero_initial_state(rng):
    """grads.initial_state has the state's structure and the right values when initial_state was None."""
    cell = ln.MultiRNNCell([make_cell("lstm", D, H, rng), make_cell("gru", H, 6, rng)])
    x = rng.normal(size=(B, T, D))
    outputs, final_state, cache = ln.dynamic_rnn(cell, x)
    d_out = rng.normal(size=outputs.shape)
    grads = ln.dynamic_rnn_backward(d_out, None, cache)
    assert isinstance(grads.initial_state[0], ln.LSTMState)
    assert grads.initial_state[1].shape == (B, 6)
    zero = cell.zero_state(B)
    numeric = {name: numerical_gradient(lambda: np.sum(ln.dynamic_rnn(cell, x, initial_state=zero)[0] * d_out), leaf)
               for name, leaf in zip(["c0", "h0", "h1"], state_leaves(zero))}
    for name, analytic in zip(["c0", "h0", "h1"], state_leaves(grads.initial_state)):
        assert relative_error(analytic, numeric[name]).max() < TOLERANCE, name


@pytest.mark.parametrize("kinds,sizes", [
    (["lstm", "lstm"], [20, 30]),                      # the article's stack
    (["gru", "gru", "gru"], [7, 11, 5]),
    (["rnn_tanh", "rnn_tanh"], [6, 3]),
    (["lstm", "gru_before", "rnn_relu"], [6, 3, 7]),   # mixed kinds
])
def test_stacks_of_unequal_sizes(kinds, sizes, rng):
    widths = [D] + sizes
    cell = ln.MultiRNNCell([make_cell(k, widths[i], widths[i + 1], rng) for i, k in enumerate(kinds)])
    x = rng.normal(size=(ROWS, T, D))
    report = check_dynamic_rnn(cell, x, sequence_length=LENGTHS,
                               initial_state=random_state(cell, ROWS, rng), rng=rng)
    assert report.passed, str(report)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh"])
def test_shared_weights_sum_over_layers(kind, rng):
    """MultiRNNCell([cell] * 3): one weight set, its gradient the sum over the three uses."""
    cell = make_cell(kind, H, H, rng)
    with pytest.warns(UserWarning, match="share one weight set"):
        stack = ln.MultiRNNCell([cell] * 3)
    assert set(stack.params) == {f"cell_0/{name}" for name in cell.params}
    report = check_dynamic_rnn(stack, rng.normal(size=(B, T, H)), sequence_length=np.array([T, 2]),
                               initial_state=random_state(stack, B, rng), rng=rng)
    assert report.passed, str(report)


def test_shared_and_separate_layers_mixed(rng):
    shared = make_cell("gru", H, H, rng)
    with pytest.warns(UserWarning, match=r"layers \[1, 3\]"):
        stack = ln.MultiRNNCell([make_cell("gru", D, H, rng), shared, make_cell("gru", H, H, rng), shared])
    assert sorted({key.split("/")[0] for key in stack.params}) == ["cell_0", "cell_1", "cell_2"]
    report = check_dynamic_rnn(stack, rng.normal(size=(B, T, D)), rng=rng)
    assert report.passed, str(report)
