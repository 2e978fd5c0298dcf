"""Bad input gets a ValueError or TypeError whose message says what was expected and what came."""
import re
import warnings

import numpy as np
import pytest

import lstm_numpy as ln

from conftest import B, D, H, T, make_cell


@pytest.fixture
def lstm(rng):
    return make_cell("lstm", D, H, rng)


@pytest.fixture
def x(rng):
    return rng.normal(size=(B, T, D))


def test_wrong_rank(lstm):
    with pytest.raises(ValueError, match=re.escape("expected inputs of rank 3 (B, T, D) with D=4, got rank 2 with shape (2, 4)")):
        ln.dynamic_rnn(lstm, np.zeros((B, D)))


def test_wrong_feature_size(lstm):
    with pytest.raises(ValueError, match=re.escape("expected inputs of shape (B, T, D=4), got (2, 3, 6)")):
        ln.dynamic_rnn(lstm, np.zeros((B, T, 6)))


def test_time_and_feature_axes_swapped_get_a_hint(lstm):
    """The article's pitfall 1: (batch, input_dim, seq_length) instead of (batch, seq_length, input_dim)."""
    with pytest.raises(ValueError, match=r"got \(2, 4, 3\) \(are the time and feature axes swapped\?\)"):
        ln.dynamic_rnn(lstm, np.zeros((B, D, T)))


def test_time_major_layout_named(lstm):
    with pytest.raises(ValueError, match=re.escape("expected inputs of shape (T, B, D=4), got (3, 2, 5)")):
        ln.dynamic_rnn(lstm, np.zeros((T, B, 5)), time_major=True)


def test_empty_inputs(lstm):
    with pytest.raises(ValueError, match=r"at least one step and one row .*got \(2, 0, 4\)"):
        ln.dynamic_rnn(lstm, np.zeros((B, 0, D)))


@pytest.mark.parametrize("bad,kind", [(np.zeros((B, T, D), dtype=int), "integer"),
                                      (np.zeros((B, T, D), dtype=bool), "boolean"),
                                      (np.zeros((B, T, D), dtype=complex), "complex")])
def test_non_float_inputs_are_a_type_error(lstm, bad, kind):
    with pytest.raises(TypeError, match=f"expected inputs as floating-point values, got {kind}"):
        ln.dynamic_rnn(lstm, bad)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs(lstm, x, value):
    x[1, 2, 3] = value
    with pytest.raises(ValueError, match=re.escape(f"expected finite values in inputs, got {value} at index (1, 2, 3)")):
        ln.dynamic_rnn(lstm, x)                           # the index is in the caller's layout


def test_sequence_length_errors(lstm, x):
    with pytest.raises(ValueError, match=re.escape("expected sequence_length of shape (B=2,), got (3,)")):
        ln.dynamic_rnn(lstm, x, sequence_length=[1, 2, 3])
    with pytest.raises(ValueError, match=re.escape("expected sequence_length values in [0, T=3], got 4 for row 1")):
        ln.dynamic_rnn(lstm, x, sequence_length=[1, 4])
    with pytest.raises(ValueError, match=re.escape("expected sequence_length values in [0, T=3], got -1 for row 0")):
        ln.dynamic_rnn(lstm, x, sequence_length=[-1, 2])
    with pytest.raises(TypeError, match="expected sequence_length as integers, got dtype float64"):
        ln.dynamic_rnn(lstm, x, sequence_length=[1.0, 2.0])


def test_state_of_the_wrong_structure(lstm, x):
    with pytest.raises(ValueError, match=re.escape("expected initial_state as LSTMState(c, h) with c, h of shape (2, 5), got ndarray(2, 5)")):
        ln.dynamic_rnn(lstm, x, initial_state=np.zeros((B, H)))
    with pytest.raises(ValueError, match=re.escape("expected initial_state.h of shape (B, H)=(2, 5), got (3, 5)")):
        ln.dynamic_rnn(lstm, x, initial_state=ln.LSTMState(np.zeros((B, H)), np.zeros((3, H))))


def test_batch_mismatch_between_inputs_and_state(rng, x):
    gru = make_cell("gru", D, H, rng)
    with pytest.raises(ValueError, match=re.escape("expected initial_state of shape (B, H)=(2, 5), got (4, 5)")):
        ln.dynamic_rnn(gru, x, initial_state=np.zeros((4, H)))


def test_stack_state_needs_one_entry_per_layer(rng, x):
    stack = ln.MultiRNNCell([make_cell("gru", D, H, rng), make_cell("lstm", H, 3, rng)])
    with pytest.raises(ValueError, match=r"expected initial_state as a tuple of 2 layer states"):
        ln.dynamic_rnn(stack, x, initial_state=(np.zeros((B, H)),))
    with pytest.raises(ValueError, match=re.escape("expected initial_state[1] as LSTMState(c, h)")):
        ln.dynamic_rnn(stack, x, initial_state=(np.zeros((B, H)), np.zeros((B, 3))))
    with pytest.raises(ValueError, match=re.escape("expected initial_state[0] as one array of shape (B, H)=(2, 5)")):
        ln.dynamic_rnn(stack, x, initial_state=(ln.LSTMState(np.zeros((B, H)), np.zeros((B, H))),
                                                ln.LSTMState(np.zeros((B, 3)), np.zeros((B, 3)))))


def test_non_finite_state(rng, x):
    gru = make_cell("gru", D, H, rng)
    h0 = np.zeros((B, H))
    h0[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"expected finite values in initial_state, got nan at index \(0, 0\)"):
        ln.dynamic_rnn(gru, x, initial_state=h0)


def test_backward_checks_its_gradients(lstm, x):
    outputs, final_state, cache = ln.dynamic_rnn(lstm, x)
    with pytest.raises(ValueError, match=re.escape("expected d_outputs of the outputs' shape (B, T, H)=(2, 3, 5), got (3, 2, 5)")):
        ln.dynamic_rnn_backward(np.zeros((T, B, H)), None, cache)
    with pytest.raises(ValueError, match="expected d_final_state as LSTMState"):
        ln.dynamic_rnn_backward(np.zeros_like(outputs), np.zeros((B, H)), cache)
    bad = np.zeros_like(outputs)
    bad[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="expected finite values in d_outputs"):
        ln.dynamic_rnn_backward(bad, None, cache)


def test_sizes_that_do_not_chain(rng):
    with pytest.raises(ValueError, match=re.escape("layer sizes do not chain: cells[1].input_size is 6, expected cells[0].output_size = 5")):
        ln.MultiRNNCell([make_cell("lstm", D, H, rng), make_cell("lstm", 6, 3, rng)])


def test_the_shared_cell_pitfall_with_sizes_that_do_not_fit(rng):
    cell = make_cell("lstm", D, H, rng)
    with pytest.raises(ValueError, match=r"MultiRNNCell\(\[cell\] \* n\) pitfall.*Build one cell per layer"):
        ln.MultiRNNCell([cell] * 2)


def test_bad_cell_arguments():
    with pytest.raises(ValueError, match="expected input_size >= 1, got 0"):
        ln.LSTMCell(0, 3)
    with pytest.raises(TypeError, match="expected hidden_size as an integer, got float 2.5"):
        ln.GRUCell(3, 2.5)
    with pytest.raises(ValueError, match="expected activation 'tanh' or 'relu', got 'sigmoid'"):
        ln.RNNCell(3, 2, activation="sigmoid")
    with pytest.raises(TypeError, match="expected dtype float32 or float64, got int64"):
        ln.RNNCell(3, 2, dtype=np.int64)
    with pytest.raises(ValueError, match="unknown initialiser 'nope'"):
        ln.RNNCell(3, 2, init="nope")
    with pytest.raises(TypeError, match="expected rng as an int seed or a numpy.random.Generator, got float"):
        ln.RNNCell(3, 2, rng=1.5)
    with pytest.raises(TypeError, match=r"expected cells\[1\] as an RNNCell, LSTMCell or GRUCell \(or a wrapper of one\), got str"):
        ln.MultiRNNCell([ln.RNNCell(3, 2), "cell"])
    with pytest.raises(ValueError, match="expected at least one cell"):
        ln.MultiRNNCell([])
    with pytest.raises(TypeError, match="expected one dtype across the layers"):
        ln.MultiRNNCell([ln.RNNCell(3, 2), ln.RNNCell(2, 2, dtype=np.float32)])


def test_params_replaced_with_the_wrong_shape(lstm, x):
    lstm.params["W_h"] = np.zeros((H, H))
    with pytest.raises(ValueError, match=re.escape("expected LSTMCell.params['W_h'] as float64 (5, 20), got float64 (5, 5)")):
        ln.dynamic_rnn(lstm, x)


def test_not_a_cell(x):
    with pytest.raises(TypeError, match="expected an RNNCell, LSTMCell, GRUCell or MultiRNNCell, got dict"):
        ln.dynamic_rnn({}, x)


def test_gradients_and_states_of_the_wrong_type(lstm, x):
    outputs, _, cache = ln.dynamic_rnn(lstm, x)
    with pytest.raises(TypeError, match="expected d_outputs as floating-point values, got integer"):
        ln.dynamic_rnn_backward(np.zeros(outputs.shape, dtype=int), None, cache)
    with pytest.raises(TypeError, match="expected d_outputs as floating-point values, got complex"):
        ln.dynamic_rnn_backward(np.zeros(outputs.shape, dtype=complex), None, cache)
    with pytest.raises(TypeError, match=r"expected initial_state.c as floating-point values, got integer"):
        ln.dynamic_rnn(lstm, x, initial_state=ln.LSTMState(np.zeros((B, H), dtype=int), np.zeros((B, H))))


def test_backward_wants_the_cache_itself(lstm, x):
    result = ln.dynamic_rnn(lstm, x)
    with pytest.raises(TypeError, match=r"expected the cache dict that dynamic_rnn returned \(its third value\), got tuple"):
        ln.dynamic_rnn_backward(np.zeros_like(result[0]), None, result)
    with pytest.raises(TypeError, match="got dict"):
        ln.dynamic_rnn_backward(np.zeros_like(result[0]), None, {})


def test_time_major_must_be_a_bool(lstm, x):
    with pytest.raises(TypeError, match="expected time_major as a bool, got str 'no'"):
        ln.dynamic_rnn(lstm, x, time_major="no")


def test_time_major_hint_names_the_batch_axis(lstm):
    with pytest.raises(ValueError, match=r"got \(3, 4, 2\) \(are the batch and feature axes swapped\?\)"):
        ln.dynamic_rnn(lstm, np.zeros((T, D, B)), time_major=True)


def test_values_beyond_float32(rng):
    cell = make_cell("gru", D, H, rng, dtype=np.float32)
    big = np.zeros((B, T, D))
    big[0, 1, 2] = 1e39
    with pytest.raises(ValueError, match=re.escape("expected inputs within the range of float32 (|x| <= 3.403e+38), got 1e+39 at index (0, 1, 2)")):
        ln.dynamic_rnn(cell, big)


def test_forget_bias_must_be_a_finite_number():
    with pytest.raises(TypeError, match="expected forget_bias as a real number, got str '1'"):
        ln.LSTMCell(3, 4, forget_bias="1")
    with pytest.raises(TypeError, match="expected forget_bias as a real number, got NoneType"):
        ln.LSTMCell(3, 4, forget_bias=None)
    with pytest.raises(ValueError, match="expected a finite forget_bias, got inf"):
        ln.LSTMCell(3, 4, forget_bias=float("inf"))


def test_gate_history_layer_must_be_an_int(lstm, x):
    _, _, cache = ln.dynamic_rnn(lstm, x)
    with pytest.raises(ValueError, match=r"expected layer in \[0, 0\], got '0'"):
        ln.gate_history(cache, "f", layer="0")


def test_the_caller_may_reuse_its_buffers(rng):
    """The cache keeps copies: overwriting inputs, initial state or final state changes no gradient."""
    cell = make_cell("rnn_tanh", D, H, rng)
    x = rng.normal(size=(B, T, D))
    h0 = rng.normal(size=(B, H))
    outputs, final_state, cache = ln.dynamic_rnn(cell, x, initial_state=h0)
    d_out = rng.normal(size=outputs.shape)
    before = ln.dynamic_rnn_backward(d_out, None, cache)
    h0[...] = final_state                     # carry the state in the same buffer
    x[...] = 0.0
    final_state[...] = 0.0
    after = ln.dynamic_rnn_backward(d_out, None, cache)
    np.testing.assert_array_equal(before.inputs, after.inputs)
    for k in before.params:
        np.testing.assert_array_equal(before.params[k], after.params[k])


def test_gate_history_wants_the_readable_cache(lstm, x):
    _, _, cache = ln.fast.dynamic_rnn(lstm, x)
    with pytest.raises(TypeError, match=re.escape("expected the cache of lstm_numpy.dynamic_rnn (its third value, "
                                                  "which keeps every step), got a dict with keys")):
        ln.gate_history(cache, "f")
    with pytest.raises(TypeError, match=r"expected the cache of lstm_numpy.dynamic_rnn \(its third value.*got NoneType"):
        ln.gate_history(None, "f")


@pytest.mark.parametrize("engine", [ln, ln.fast])
def test_none_where_an_array_belongs_is_named(lstm, x, engine):
    _, _, cache = engine.dynamic_rnn(lstm, x)
    with pytest.raises(TypeError, match="expected d_outputs as an array of floating-point values, got None"):
        engine.dynamic_rnn_backward(None, None, cache)
    with pytest.raises(TypeError, match="expected inputs as an array of floating-point values, got None"):
        engine.dynamic_rnn(lstm, None)


def test_a_dtype_numpy_does_not_know():
    with pytest.raises(TypeError, match="expected dtype float32 or float64, got 'bogus'"):
        ln.LSTMCell(3, 4, dtype="bogus")


def test_a_stack_wants_a_list_of_cells(rng):
    layer = make_cell("gru", D, H, rng)
    with pytest.raises(TypeError, match=re.escape("expected cells as a list of cells, bottom layer first, got "
                                                  "GRUCell: MultiRNNCell([cell]) for one layer")):
        ln.MultiRNNCell(layer)
    with pytest.raises(TypeError, match="expected cells as a list of cells, bottom layer first, got int"):
        ln.MultiRNNCell(3)


@pytest.mark.parametrize("engine", [ln, ln.fast])
def test_sequence_length_of_the_wrong_size_names_the_shape(lstm, x, engine):
    with pytest.raises(ValueError, match=re.escape(f"expected sequence_length of shape (B={B},), got (0,)")):
        engine.dynamic_rnn(lstm, x, sequence_length=[])


def test_fast_engine_reports_a_value_beyond_float32_without_a_warning(rng, x):
    cell = make_cell("lstm", D, H, rng, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                            # NumPy's overflow warning would fail here
        with pytest.raises(ValueError, match="expected inputs within the range of float32"):
            ln.fast.dynamic_rnn(cell, x * 1e300)
