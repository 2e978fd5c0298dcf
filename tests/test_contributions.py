"""Per-step gradient contributions, checked against backward passes that do not read the trace.

- Step t''s share of dL_t/dW is the gradient of a run starting at t' minus that of a run
  starting at t' + 1 (each run from the state the forward pass had there, with the loss on
  step t only): the difference is the one step's term.
- Summed over t', the shares are dynamic_rnn_backward's gradient for d_outputs one-hot at t.
- ||dL_t/dh_t'|| of every layer is the norm of central differences of L_t with h_t' nudged.
"""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.gradcheck import TOLERANCE, numerical_gradient
from lstm_numpy.gradient_flow import step_contributions
from lstm_numpy.state import map_state

from conftest import D, H, KINDS, LENGTHS, ROWS, T, make_cell


def stack_of(kind, rng):
    return ln.MultiRNNCell([make_cell(kind, D, H, rng), make_cell(kind, H, 3, rng)])


def one_hot(d_outputs, t):
    d = np.zeros_like(d_outputs)
    d[:, t] = d_outputs[:, t]
    return d


def gradient_from(cell, x, lengths, d_outputs, start, t):
    """dL_t/d params of a run over steps start .. t only, begun in the state the full pass had there."""
    if start > t:
        return {name: np.zeros_like(p) for name, p in cell.params.items()}
    state = None
    if start:
        _, state, _ = ln.dynamic_rnn(cell, x[:, :start], sequence_length=np.minimum(lengths, start))
    piece = x[:, start:t + 1]
    outputs, _, cache = ln.dynamic_rnn(cell, piece, sequence_length=np.clip(lengths - start, 0, t + 1 - start),
                                       initial_state=state)
    d = np.zeros_like(outputs)
    d[:, -1] = d_outputs[:, t]
    return ln.dynamic_rnn_backward(d, None, cache).params


@pytest.mark.parametrize("kind", KINDS)
def test_each_share_is_a_difference_of_two_backward_passes(kind, rng):
    cell = stack_of(kind, rng)
    x = rng.normal(size=(ROWS, T, D))
    d_outputs = rng.normal(size=(ROWS, T, 3))
    for weight in ("W_h", "W_x"):
        c = step_contributions(cell, x, weight, d_outputs, sequence_length=LENGTHS)
        for t in range(T):
            grads = [gradient_from(cell, x, LENGTHS, d_outputs, s, t) for s in range(T + 1)]
            for k in range(2):
                key = cell.param_key(k, weight)
                for s in range(T):
                    expected = grads[s][key] - grads[s + 1][key]
                    np.testing.assert_allclose(c.weight_parts[k][t, s], expected, rtol=1e-9, atol=1e-13)
                    assert c.weight_norms[k, t, s] == pytest.approx(np.linalg.norm(expected), rel=1e-9, abs=1e-13)


@pytest.mark.parametrize("time_major", [False, True])
@pytest.mark.parametrize("kind", ["lstm", "gru_before", "rnn_relu"])
def test_row_sums_are_the_gradient_of_that_steps_loss(kind, time_major, rng):
    cell = stack_of(kind, rng)
    x = rng.normal(size=(T, ROWS, D) if time_major else (ROWS, T, D))
    c = step_contributions(cell, x, "b" if kind != "gru" else "b_h", sequence_length=LENGTHS,
                           time_major=time_major, seed=5)
    outputs, _, cache = ln.dynamic_rnn(cell, x, sequence_length=LENGTHS, time_major=time_major)
    np.testing.assert_array_equal(c.d_outputs, np.random.default_rng(5).normal(size=outputs.shape))
    for t in range(T):
        d = np.zeros_like(outputs)
        if time_major:
            d[t] = c.d_outputs[t]
        else:
            d[:, t] = c.d_outputs[:, t]
        grads = ln.dynamic_rnn_backward(d, None, cache)
        for k in range(2):
            total = np.zeros_like(cell.cells[k].params[c.weight])
            for s in reversed(range(T)):                      # the time loop's order of addition
                total = total + c.weight_parts[k][t, s]
            np.testing.assert_array_equal(total, grads.params[cell.param_key(k, c.weight)])
            assert not np.triu(c.weight_norms[k], 1).any() and not np.triu(c.hidden_norms[k], 1).any()


def loss_at(cell, x, lengths, d_outputs, t_loss, at, delta):
    """L_t = sum(outputs[:, t_loss] * d_outputs[:, t_loss]) with ``delta`` added to layer k's h after step t'."""
    states = list(cell.split_layers(cell.zero_state(x.shape[0])))
    for t in range(t_loss + 1):
        alive = (t < lengths)[:, None]
        inp, new = x[:, t], []
        for k, layer in enumerate(cell.cells):
            h, state, _ = layer.step(inp, states[k])
            if (t, k) == at:
                h = h + delta
                state = layer.make_state({**layer.state_arrays(state), "h": h})
            new.append(state)
            inp = h
        states = [map_state(lambda n, o: np.where(alive, n, o), n_, o_) for n_, o_ in zip(new, states)]
    return np.sum(np.where(alive, inp, 0) * d_outputs[:, t_loss])


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh"])
def test_hidden_norms_are_norms_of_central_differences(kind, rng):
    cell = stack_of(kind, rng)
    x = rng.normal(size=(ROWS, T, D))
    d_outputs = rng.normal(size=(ROWS, T, 3))
    c = step_contributions(cell, x, d_outputs=d_outputs, sequence_length=LENGTHS)
    for t in range(T):
        for s in range(t + 1):
            for k, layer in enumerate(cell.cells):
                delta = np.zeros((ROWS, layer.hidden_size))
                numeric = numerical_gradient(lambda: loss_at(cell, x, LENGTHS, d_outputs, t, (s, k), delta), delta)
                assert c.hidden_norms[k, t, s] == pytest.approx(np.linalg.norm(numeric), rel=TOLERANCE, abs=1e-9)
    if kind == "lstm":                                        # the cell state's path exists for LSTMs only
        assert set(c.state_norms) == {"c", "h"} and c.state_norms["c"].shape == (2, T, T)
    else:
        assert set(c.state_norms) == {"h"}


def test_a_weight_every_layer_lacks_is_refused(rng):
    with pytest.raises(KeyError, match="expected weight as a parameter of every layer, got 'b_x'"):
        step_contributions(ln.LSTMCell(D, H, rng=0), rng.normal(size=(2, T, D)), "b_x")
