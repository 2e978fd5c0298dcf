"""The fast engine (lstm_numpy.fast) equals the readable path, to 1e-12 in float64.

Forward outputs, final states and every gradient (inputs, initial state, each parameter), for
every cell type, with sequence lengths, given states, both layouts, stacks of unequal sizes and
shared weights; float32 stays float32; a workspace is reused safely.
"""
import tracemalloc

import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.fast import workspace as workspace_module
from lstm_numpy.gradcheck import check_gradients, random_state
from lstm_numpy.state import map_state, state_leaves

from conftest import KINDS, make_cell

EXACT = dict(rtol=1e-12, atol=1e-12)   # the same sums in another order: differences near 1e-15


def run_both(cell, x, rng, lengths=None, with_states=True, time_major=False, workspace=None):
    """Forward and backward through the readable path and the fast engine, with one upstream gradient."""
    B = x.shape[1] if time_major else x.shape[0]
    s0 = random_state(cell, B, rng) if with_states else None
    readable = ln.dynamic_rnn(cell, x, lengths, s0, time_major)
    fast = ln.fast.dynamic_rnn(cell, x, lengths, s0, time_major, workspace=workspace)
    d_out = rng.normal(size=readable[0].shape)
    d_final = map_state(lambda s: rng.normal(size=s.shape), readable[1]) if with_states else None
    grads = (ln.dynamic_rnn_backward(d_out, d_final, readable[2]),
             ln.fast.dynamic_rnn_backward(d_out, d_final, fast[2]))
    return readable, fast, grads


def assert_same(readable, fast, grads):
    np.testing.assert_allclose(fast[0], readable[0], **EXACT)
    for a, b in zip(state_leaves(fast[1]), state_leaves(readable[1]), strict=True):
        np.testing.assert_allclose(a, b, **EXACT)
    g_read, g_fast = grads
    np.testing.assert_allclose(g_fast.inputs, g_read.inputs, **EXACT)
    for a, b in zip(state_leaves(g_fast.initial_state), state_leaves(g_read.initial_state), strict=True):
        np.testing.assert_allclose(a, b, **EXACT)
    assert list(g_fast.params) == list(g_read.params)
    for name in g_read.params:
        np.testing.assert_allclose(g_fast.params[name], g_read.params[name], **EXACT, err_msg=name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("time_major", [False, True])
def test_equal_to_readable_path_with_lengths(kind, time_major, rng):
    cell = ln.MultiRNNCell([make_cell(kind, 4, 5, rng), make_cell(kind, 5, 3, rng)])   # unequal sizes
    T, B = 6, 4
    x = rng.normal(size=(T, B, 4) if time_major else (B, T, 4))
    assert_same(*run_both(cell, x, rng, lengths=np.array([6, 0, 2, 5]), time_major=time_major))


@pytest.mark.parametrize("kind", KINDS)
def test_equal_for_a_single_cell_from_zero_state(kind, rng):
    readable, fast, grads = run_both(make_cell(kind, 4, 5, rng), rng.normal(size=(3, 6, 4)), rng, with_states=False)
    assert_same(readable, fast, grads)
    assert set(grads[1].params) == {"W_x", "W_h"} | set(grads[0].params)       # plain names, not cell_0/


def test_equal_for_a_mixed_stack_over_several_backward_chunks(rng, monkeypatch):
    monkeypatch.setattr(workspace_module, "CHUNK_ROWS", 6)   # B=3: chunks of 2 steps, the last one shorter
    cell = ln.MultiRNNCell([make_cell("gru_before", 4, 6, rng), make_cell("lstm_fb1", 6, 5, rng),
                            make_cell("rnn_relu", 5, 7, rng), make_cell("gru", 7, 3, rng),
                            make_cell("rnn_tanh", 3, 4, rng)])
    assert workspace_module.chunk_steps(7, 3) == 2
    assert_same(*run_both(cell, rng.normal(size=(3, 7, 4)), rng, lengths=np.array([7, 3, 1])))


def test_equal_with_shared_weights(rng):
    shared = make_cell("lstm", 5, 5, rng)
    with pytest.warns(UserWarning, match="share one weight set"):
        cell = ln.MultiRNNCell([shared, shared])
    assert_same(*run_both(cell, rng.normal(size=(2, 4, 5)), rng, lengths=np.array([4, 2])))


def test_float32_end_to_end_without_upcast(rng):
    cell = ln.MultiRNNCell([make_cell(k, d, h, rng, dtype=np.float32) for k, d, h in
                            [("lstm", 4, 6), ("gru", 6, 5), ("gru_before", 5, 6), ("rnn_relu", 6, 3)]])
    x = rng.normal(size=(3, 5, 4)).astype(np.float32)
    outputs, final_state, cache = ln.fast.dynamic_rnn(cell, x, sequence_length=[5, 2, 0])
    grads = ln.fast.dynamic_rnn_backward(np.ones_like(outputs), final_state, cache)
    arrays = [outputs, *state_leaves(final_state), grads.inputs, *state_leaves(grads.initial_state),
              *grads.params.values(), *(a for layer in cache["layers"] for a in layer.values())]
    assert {a.dtype for a in arrays} == {np.dtype(np.float32)}
    expected, _, _ = ln.dynamic_rnn(cell, x, sequence_length=[5, 2, 0])    # the readable path in float32
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-6)


def peak_bytes(dtype, rng):
    cell = ln.LSTMCell(16, 64, rng=0, dtype=dtype)
    x = rng.normal(size=(8, 40, 16)).astype(dtype)
    d_out = np.ones((8, 40, 64), dtype)
    tracemalloc.start()
    try:
        ln.fast.dynamic_rnn_backward(d_out, None, ln.fast.dynamic_rnn(cell, x)[2])
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_float32_needs_half_the_memory_of_float64(rng):
    """A silent float64 temporary of any size would show in the peak."""
    ratio = peak_bytes(np.float32, rng) / peak_bytes(np.float64, rng)
    assert 0.45 < ratio < 0.55, ratio


def test_workspace_reuse_gives_the_same_numbers_and_guards_stale_caches(rng):
    cell = make_cell("lstm", 4, 5, rng)
    x, d_out = rng.normal(size=(2, 6, 4)), rng.normal(size=(2, 6, 5))
    ws = ln.fast.Workspace()
    first = ln.fast.dynamic_rnn(cell, x, workspace=ws)
    g_first = ln.fast.dynamic_rnn_backward(d_out, None, first[2])
    g_again = ln.fast.dynamic_rnn_backward(d_out, None, first[2])            # backward leaves the cache alone
    np.testing.assert_array_equal(g_again.params["W_h"], g_first.params["W_h"])
    second = ln.fast.dynamic_rnn(cell, 2 * x, workspace=ws)                  # overwrites the first cache
    with pytest.raises(ValueError, match="cache was overwritten"):
        ln.fast.dynamic_rnn_backward(d_out, None, first[2])
    third = ln.fast.dynamic_rnn(cell, x, workspace=ws)
    np.testing.assert_array_equal(third[0], first[0])
    assert not np.shares_memory(second[0], third[0])                         # outputs are the caller's own


def test_bad_input_gets_the_readable_path_errors(rng):
    cell = make_cell("gru", 4, 5, rng)
    with pytest.raises(ValueError, match=r"expected inputs of shape \(B, T, D=4\)"):
        ln.fast.dynamic_rnn(cell, np.zeros((2, 3, 6)))
    with pytest.raises(TypeError, match="floating-point"):
        ln.fast.dynamic_rnn(cell, np.zeros((2, 3, 4), dtype=int))
    with pytest.raises(TypeError, match="Workspace"):
        ln.fast.dynamic_rnn(cell, np.zeros((2, 3, 4)), workspace={})
    _, _, cache = ln.fast.dynamic_rnn(cell, np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="expected d_outputs"):
        ln.fast.dynamic_rnn_backward(np.zeros((3, 2, 5)), None, cache)


def test_bad_gradients_get_the_readable_path_errors(rng):
    cell = make_cell("lstm", 4, 5, rng)
    _, _, cache = ln.fast.dynamic_rnn(cell, rng.normal(size=(2, 3, 4)))
    d_out = np.ones((2, 3, 5))
    d_out[1, 2, 3] = np.nan
    with pytest.raises(ValueError, match=r"finite values in d_outputs.*\(1, 2, 3\)"):
        ln.fast.dynamic_rnn_backward(d_out, None, cache)
    with pytest.raises(TypeError, match="floating-point"):
        ln.fast.dynamic_rnn_backward(np.ones((2, 3, 5), dtype=int), None, cache)


def test_fast_gradients_against_central_differences(rng):
    """Not only equal to the readable path: checked on its own, every array, with lengths."""
    cell = ln.MultiRNNCell([make_cell("gru_before", 3, 4, rng), make_cell("lstm", 4, 2, rng)])
    x, d_out, lengths = rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 3, 2)), np.array([3, 1])
    state = random_state(cell, 2, rng)

    def loss():
        return np.sum(ln.fast.dynamic_rnn(cell, x, lengths, state)[0] * d_out)

    grads = ln.fast.dynamic_rnn_backward(d_out, None, ln.fast.dynamic_rnn(cell, x, lengths, state)[2])
    leaves, d_leaves = state_leaves(state), state_leaves(grads.initial_state)
    arrays = {"inputs": x, **{f"state_{k}": s for k, s in enumerate(leaves)}, **cell.params}
    analytic = {"inputs": grads.inputs, **{f"state_{k}": d for k, d in enumerate(d_leaves)}, **grads.params}
    report = check_gradients(loss, arrays, analytic)
    assert report.passed, str(report)


def test_backward_refuses_a_readable_cache():
    cell = ln.GRUCell(3, 4, rng=0)
    outputs, _, cache = ln.dynamic_rnn(cell, np.ones((2, 5, 3)))
    with pytest.raises(TypeError, match="expected the cache that lstm_numpy.fast.dynamic_rnn returned"):
        ln.fast.dynamic_rnn_backward(np.ones_like(outputs), None, cache)


def test_outputs_are_read_only_and_never_a_workspace_buffer(rng):
    """Without lengths the outputs are a view of the cache: writing into them would change the
    gradients, so they are read-only (with lengths too, so that code works the same either way)."""
    cell = make_cell("lstm", 4, 5, rng)
    ws = ln.fast.Workspace()
    for lengths in (None, [6, 2]):
        outputs, _, cache = ln.fast.dynamic_rnn(cell, rng.normal(size=(2, 6, 4)), lengths, workspace=ws)
        with pytest.raises(ValueError, match="read-only"):
            outputs[0, 0, 0] = 1.0
        assert not any(np.shares_memory(outputs, buf) for buf in ws._buffers.values())
        writable = outputs.copy()
        writable += 1.0


def backward_scratch_bytes(cell, x, d_out):
    """Peak bytes of a fast backward pass beyond the gradients it returns."""
    _, _, cache = ln.fast.dynamic_rnn(cell, x)
    tracemalloc.start()
    try:
        grads = ln.fast.dynamic_rnn_backward(d_out, None, cache)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - grads.inputs.nbytes - sum(g.nbytes for g in grads.params.values())


def test_backward_holds_no_whole_gradient_between_layers(rng):
    """The layers' backward passes run as a wavefront, a chunk of steps at a time: beyond what it
    returns, a 3-layer stack's backward needs far less than one (T, B, H) array between layers
    (it used to hold two)."""
    T, B, H = 1000, 8, 16
    cell = ln.MultiRNNCell([make_cell("rnn_tanh", H, H, rng) for _ in range(3)])
    x, d_out = rng.normal(size=(B, T, H)), rng.normal(size=(B, T, H))
    scratch = backward_scratch_bytes(cell, x, d_out)
    assert scratch < 0.5 * T * B * H * 8, scratch


# What each cell's backward keeps beside what it returns: G, its H-wide gate blocks; its chunk
# buffers, in chunks of gate gradients (CHUNK_ROWS x G H): RNN da; LSTM da, the factors and
# dc_dh (H of 4H); GRU da, and dah after; whether it keeps a row-major copy of W_h^T (G H, H).
BACKWARD_KEEPS = {"rnn_tanh": (1, 1, False), "lstm": (4, 2.25, True), "gru": (3, 2, True),
                  "gru_before": (3, 1, True)}


@pytest.mark.parametrize("kind", list(BACKWARD_KEEPS))
@pytest.mark.parametrize("D, H", [(8, 512), (2048, 8)], ids=["wide_h", "wide_x"])
def test_backward_needs_its_chunk_buffers_and_one_chunk_more(kind, D, H, rng):
    """Beyond what it returns, a layer's backward holds its chunk buffers, a copy of W_h^T
    (LSTM, GRU) and at most one chunk-sized temporary: the weight-gradient products add up a
    block of rows at a time (a wide (H, H) product used to be made whole), and the bottom layer
    writes its input gradient straight into the array returned (it used to go through a chunk
    buffer)."""
    T, B = 32, 8                                              # one chunk of 256 rows
    G, chunk_buffers, keeps_W_h_T = BACKWARD_KEEPS[kind]
    cell = make_cell(kind, D, H, rng)
    x, d_out = rng.normal(size=(B, T, D)), rng.normal(size=(B, T, H))
    scratch = backward_scratch_bytes(cell, x, d_out)
    chunk = workspace_module.CHUNK_ROWS * G * H * 8
    steps = 8 * B * G * H * 8 + 64 * 1024                     # (B, GH) temporaries of a step, Python objects
    copy = H * G * H * 8 if keeps_W_h_T else 0
    assert scratch < (chunk_buffers + 1) * chunk + copy + steps, (scratch, chunk)


def test_a_layer_refuses_an_input_gradient_it_cannot_write_through(rng):
    """The layers write each chunk through a reshape, which would copy a non-contiguous array."""
    cell = make_cell("rnn_tanh", 3, 4, rng)
    _, _, cache = ln.fast.dynamic_rnn(cell, rng.normal(size=(2, 5, 3)))
    layer = cache["layers"][0]
    d_hs = rng.normal(size=(5, 2, 4))
    chunks = iter([(0, 5, d_hs)])
    d_xs = np.zeros((2, 5, 3)).transpose(1, 0, 2)            # (T, B, D), not C-contiguous
    run = ln.fast.rnn.backward(cell, chunks, np.zeros((2, 4)), layer, None,
                               lambda name, shape, shared=False: np.empty(shape), {}, d_xs=d_xs)
    with pytest.raises(ValueError, match="expected d_xs C-contiguous"):
        next(run)
