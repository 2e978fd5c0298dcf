"""Cells as objects: params names, shapes and ownership, zero states, seeds, stacks."""
import numpy as np
import pytest

import lstm_numpy as ln


@pytest.mark.parametrize("cell,expected", [
    (ln.RNNCell(4, 5), {"W_x": (4, 5), "W_h": (5, 5), "b": (5,)}),
    (ln.LSTMCell(4, 5), {"W_x": (4, 20), "W_h": (5, 20), "b": (20,)}),
    (ln.GRUCell(4, 5), {"W_x": (4, 15), "W_h": (5, 15), "b_x": (15,), "b_h": (15,)}),
    (ln.GRUCell(4, 5, reset_after=False), {"W_x": (4, 15), "W_h": (5, 15), "b": (15,)}),
])
def test_params_names_and_shapes(cell, expected):
    assert {k: v.shape for k, v in cell.params.items()} == expected
    assert all(v.dtype == np.float64 for v in cell.params.values())
    assert (cell.input_size, cell.hidden_size, cell.dtype) == (4, 5, np.float64)


def test_writing_into_params_changes_the_cell(rng):
    cell = ln.RNNCell(2, 3, rng=0)
    x = rng.normal(size=(1, 1, 2))
    before, _, _ = ln.dynamic_rnn(cell, x)
    cell.params["b"][...] = 10.0
    after, _, _ = ln.dynamic_rnn(cell, x)
    np.testing.assert_allclose(after, np.tanh(x[:, 0] @ cell.params["W_x"] + 10.0)[:, None])
    assert not np.allclose(before, after)


def test_stack_params_are_the_layers_own_arrays():
    stack = ln.MultiRNNCell([ln.LSTMCell(8, 20, rng=0), ln.LSTMCell(20, 30, rng=1)])
    assert stack.params["cell_1/W_x"] is stack.cells[1].params["W_x"]
    assert sorted(stack.params) == sorted(f"cell_{k}/{n}" for k in (0, 1) for n in ("W_x", "W_h", "b"))
    assert (stack.input_size, stack.hidden_size) == (8, 30)


def test_same_seed_same_weights_and_default_init_bounds():
    a, b = ln.LSTMCell(8, 20, rng=7), ln.LSTMCell(8, 20, rng=7)
    c = ln.LSTMCell(8, 20, rng=8)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["W_x"], c.params["W_x"])
    # "dl": uniform +-1/sqrt(fan_in) per gate, fan_in = D + H = 28
    bound = 1 / np.sqrt(28)
    for w in (a.params["W_x"], a.params["W_h"]):
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.all(a.params["b"] == 0)


def test_rng_is_explicit_and_global_state_untouched():
    np.random.seed(0)
    expected = np.random.random()
    np.random.seed(0)
    ln.MultiRNNCell([ln.GRUCell(3, 4, rng=1), ln.GRUCell(4, 2, rng=np.random.default_rng(2))])
    assert np.random.random() == expected


def test_zero_states():
    assert ln.RNNCell(3, 4).zero_state(2).shape == (2, 4)
    s = ln.LSTMCell(3, 4).zero_state(2)
    assert isinstance(s, ln.LSTMState) and s.c.shape == s.h.shape == (2, 4) and not s.c.any()
    stack = ln.MultiRNNCell([ln.LSTMCell(3, 4), ln.GRUCell(4, 6, dtype=np.float64)])
    s = stack.zero_state(5)
    assert isinstance(s, tuple) and isinstance(s[0], ln.LSTMState) and s[1].shape == (5, 6)
    assert ln.GRUCell(3, 4, dtype=np.float32).zero_state(1).dtype == np.float32


def test_single_cell_state_is_not_a_tuple(rng):
    out, final_state, cache = ln.dynamic_rnn(ln.LSTMCell(3, 4, rng=0), rng.normal(size=(2, 5, 3)))
    assert isinstance(final_state, ln.LSTMState)
    out, final_state, cache = ln.dynamic_rnn(ln.MultiRNNCell([ln.LSTMCell(3, 4, rng=0)]), rng.normal(size=(2, 5, 3)))
    assert isinstance(final_state, tuple) and isinstance(final_state[0], ln.LSTMState)


def test_reprs():
    assert repr(ln.LSTMCell(8, 20, forget_bias=1.0)) == "LSTMCell(input_size=8, hidden_size=20, forget_bias=1.0, dtype=float64)"
    assert "reset_after=False" in repr(ln.GRUCell(3, 4, reset_after=False))
    assert repr(ln.MultiRNNCell([ln.RNNCell(3, 4, activation="relu")])).startswith("MultiRNNCell([RNNCell(")


def test_a_plain_tuple_is_refused_as_an_lstm_state(rng):
    """TensorFlow orders a pair (c, h), PyTorch (h, c): only an LSTMState says which is which."""
    cell = ln.LSTMCell(3, 4, rng=0)
    x = rng.normal(size=(2, 2, 3))
    c, h = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    with pytest.raises(ValueError, match=r"got tuple\(ndarray\(2, 4\), ndarray\(2, 4\)\); build it with ln.LSTMState"):
        ln.dynamic_rnn(cell, x, initial_state=(c, h))
    out, _, _ = ln.dynamic_rnn(cell, x, initial_state=ln.LSTMState(h=h, c=c))
    assert out.shape == (2, 2, 4)


def test_replacing_a_stack_param_is_an_error_not_a_silent_no_op():
    stack = ln.MultiRNNCell([ln.GRUCell(3, 4, rng=0), ln.GRUCell(4, 2, rng=1)])
    with pytest.raises(TypeError, match=r"write into the array \(params\['cell_0/W_x'\]\[...\] = value\)"):
        stack.params["cell_0/W_x"] = np.zeros((3, 12))
    stack.params["cell_0/W_x"][...] = 0.0
    assert not stack.cells[0].params["W_x"].any()
    assert dict(stack.params).keys() == stack.params.keys()
    params = stack.params
    for change in (lambda: params.update(x=1), lambda: params.pop("cell_0/b_x"), params.popitem,
                   params.clear, lambda: params.setdefault("x", 1), lambda: params.__delitem__("cell_0/b_x")):
        with pytest.raises(TypeError, match="view of the layers' arrays"):
            change()
    assert len(params) == 8


def test_a_stack_params_is_a_dict_of_the_layers_arrays():
    """API.md: "one flat dict keyed cell_{k}/{name}"; its copies are plain, writable dicts."""
    import copy
    import pickle
    stack = ln.MultiRNNCell([ln.LSTMCell(3, 4, rng=0), ln.GRUCell(4, 2, rng=1)])
    params = stack.params
    assert isinstance(params, dict)
    assert params["cell_1/W_h"] is stack.cells[1].params["W_h"]
    for plain in (params.copy(), dict(params), copy.copy(params), pickle.loads(pickle.dumps(params)),
                  copy.deepcopy(params)):
        assert type(plain) is dict and plain.keys() == params.keys()
        plain["extra"] = 0                                     # writable: a copy, not the view
    assert copy.deepcopy(params)["cell_0/W_x"] is not params["cell_0/W_x"]
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(params))["cell_0/W_x"], params["cell_0/W_x"])


def test_a_csv_file_holds_the_whole_kernel(tmp_path):
    """init="file.csv" on a cell: one [D + H, kH] kernel, x rows first, gates side by side."""
    D, H = 2, 3
    kernel = np.arange((D + H) * 4 * H, dtype=float).reshape(D + H, 4 * H) / 100
    path = tmp_path / "kernel.csv"
    np.savetxt(path, kernel, delimiter=",")
    cell = ln.LSTMCell(D, H, init=str(path))
    np.testing.assert_array_equal(cell.params["W_x"], kernel[:D])
    np.testing.assert_array_equal(cell.params["W_h"], kernel[D:])
    with pytest.raises(ValueError, match=r"kernel.csv.*\(5, 9\).*\(5, 12\)"):
        ln.GRUCell(D, H, init=str(path))


def test_orthogonal_init_makes_each_recurrent_block_orthogonal():
    D, H = 3, 5
    cell = ln.LSTMCell(D, H, init="orthogonal", rng=0)
    for block in np.split(cell.params["W_h"], 4, axis=1):               # (H, H) per gate
        np.testing.assert_allclose(block.T @ block, np.eye(H), atol=1e-12)
    for block in np.split(cell.params["W_x"], 4, axis=1):               # (D, H): orthonormal rows
        np.testing.assert_allclose(block @ block.T, np.eye(D), atol=1e-12)
