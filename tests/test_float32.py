"""float32 end to end: a cell built with it computes, returns and differentiates in float32."""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.gradcheck import random_state
from lstm_numpy.state import map_state, state_leaves

from conftest import B, D, H, KINDS, T, make_cell


@pytest.mark.parametrize("kind", KINDS)
def test_float32_end_to_end_and_close_to_float64(kind):
    cell64 = make_cell(kind, D, H, np.random.default_rng(3))
    cell32 = make_cell(kind, D, H, np.random.default_rng(3), dtype=np.float32)
    for name in cell64.params:
        assert cell32.params[name].dtype == np.float32
        np.testing.assert_array_equal(cell32.params[name], cell64.params[name].astype(np.float32))
    rng = np.random.default_rng(4)
    x = rng.normal(size=(B, T, D))                            # float64 in: converted to the cell's dtype
    state0 = random_state(cell64, B, rng)
    lengths = np.array([T, 1])
    results = {}
    for cell in (cell32, cell64):
        out, fin, cache = ln.dynamic_rnn(cell, x, lengths, state0)
        d_out = np.random.default_rng(5).normal(size=out.shape)
        grads = ln.dynamic_rnn_backward(d_out, map_state(np.ones_like, fin), cache)
        results[cell.dtype] = (out, fin, grads)
    out, fin, grads = results[np.dtype(np.float32)]
    arrays32 = [out, *state_leaves(fin), grads.inputs, *state_leaves(grads.initial_state), *grads.params.values()]
    assert all(a.dtype == np.float32 for a in arrays32)
    out64, fin64, grads64 = results[np.dtype(np.float64)]
    arrays64 = [out64, *state_leaves(fin64), grads64.inputs, *state_leaves(grads64.initial_state),
                *grads64.params.values()]
    # float32 keeps about 7 significant digits; a few steps of O(1) sums lose at most one or two
    for a32, a64 in zip(arrays32, arrays64):
        np.testing.assert_allclose(a32, a64, rtol=1e-4, atol=1e-5)


def test_float32_cache_holds_float32(rng):
    cell = ln.MultiRNNCell([make_cell("lstm", D, H, rng, dtype=np.float32),
                            make_cell("gru", H, 3, rng, dtype=np.float32)])
    _, _, cache = ln.dynamic_rnn(cell, rng.normal(size=(B, T, D)))
    for step in cache["steps"]:
        for layer in step:
            for name, value in layer.items():
                if isinstance(value, np.ndarray):
                    assert value.dtype == np.float32, name
