"""The fast engine's two directions equal the readable path's, to 1e-12 in float64."""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.gradcheck import random_state
from lstm_numpy.state import map_state, state_leaves

from conftest import KINDS, make_cell

EXACT = dict(rtol=1e-12, atol=1e-12)   # the same sums in another order: differences near 1e-15
LENGTHS = np.array([6, 0, 2, 5])


def assert_all_close(got, expected):
    got, expected = state_leaves(got), state_leaves(expected)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, **EXACT)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("time_major", [False, True])
def test_bidirectional_equal_to_readable_path(kind, time_major, rng):
    cell_fw, cell_bw = make_cell(kind, 4, 5, rng), make_cell(kind, 4, 3, rng)
    x = rng.normal(size=(6, 4, 4) if time_major else (4, 6, 4))
    states = random_state(cell_fw, 4, rng), random_state(cell_bw, 4, rng)
    readable = ln.bidirectional_dynamic_rnn(cell_fw, cell_bw, x, LENGTHS, *states, time_major)
    fast = ln.fast.bidirectional_dynamic_rnn(cell_fw, cell_bw, x, LENGTHS, *states, time_major)
    assert_all_close(fast[:2], readable[:2])
    d_out = [rng.normal(size=o.shape) for o in readable[0]]
    d_final = [map_state(lambda s: rng.normal(size=s.shape), f) for f in readable[1]]
    g_read = ln.bidirectional_dynamic_rnn_backward(d_out, d_final, readable[2])
    g_fast = ln.fast.bidirectional_dynamic_rnn_backward(d_out, d_final, fast[2])
    assert_all_close((g_fast.inputs, g_fast.initial_state), (g_read.inputs, g_read.initial_state))
    assert list(g_fast.params) == list(g_read.params)
    assert_all_close(tuple(g_fast.params.values()), tuple(g_read.params.values()))


@pytest.mark.parametrize("time_major", [False, True])
def test_stack_equal_to_readable_path_and_a_workspace_reused(time_major, rng):
    cells_fw = [make_cell("lstm", 4, 5, rng), make_cell("gru", 8, 3, rng)]
    cells_bw = [make_cell("gru_before", 4, 3, rng), make_cell("rnn_tanh", 8, 2, rng)]
    x = rng.normal(size=(6, 4, 4) if time_major else (4, 6, 4))
    inits = (tuple(random_state(c, 4, rng) for c in cells_fw), tuple(random_state(c, 4, rng) for c in cells_bw))
    readable = ln.stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, x, LENGTHS, *inits, time_major)
    d_out = rng.normal(size=readable[0].shape)
    g_read = ln.stack_bidirectional_dynamic_rnn_backward(d_out, readable[1], readable[2], readable[3])
    workspace = ln.fast.Workspace()
    for _ in range(2):                                        # the second call reuses every buffer
        fast = ln.fast.stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, x, LENGTHS, *inits, time_major,
                                                       workspace=workspace)
        g_fast = ln.fast.stack_bidirectional_dynamic_rnn_backward(d_out, readable[1], readable[2], fast[3])
        assert_all_close(fast[:3], readable[:3])
        assert_all_close((g_fast.inputs, g_fast.initial_state), (g_read.inputs, g_read.initial_state))
        assert list(g_fast.params) == list(g_read.params)
        assert_all_close(tuple(g_fast.params.values()), tuple(g_read.params.values()))
    assert workspace.nbytes > 0


def test_the_fast_engine_refuses_a_wrapped_cell(rng):
    cell = ln.DropoutWrapper(make_cell("lstm", 4, 5, rng), output_keep_prob=0.5, rng=0)
    with pytest.raises(TypeError, match="run it with lstm_numpy.dynamic_rnn"):
        ln.fast.dynamic_rnn(cell, rng.normal(size=(2, 3, 4)))
