"""lstm_numpy.interop: round trips, the errors it raises, and converting gradients.

That the layouts match what the frameworks compute is test_golden.py's job; here the
converters are checked against themselves and against hand-built framework arrays.
"""
import re
import warnings

import numpy as np
import pytest
from conftest import make_cell, randomize
from hypothesis import given
from hypothesis import strategies as st

import lstm_numpy as ln
from lstm_numpy import interop

D, H1, H2, T, B = 4, 5, 7, 3, 2  # pairwise distinct, so a transposition cannot pass


def stack(kinds_sizes, rng, **options):
    """A randomized MultiRNNCell; kinds_sizes lists (kind, hidden_size) per layer."""
    layers, input_size = [], D
    for kind, size in kinds_sizes:
        layers.append(make_cell(kind, input_size, size, rng, **options))
        input_size = size
    return ln.MultiRNNCell(layers)


def assert_same_cell(a, b):
    """Same structure, same settings, bit-identical params."""
    assert type(a) is type(b)
    for x, y in zip(a.cells, b.cells):
        assert type(x) is type(y)
        assert (x.input_size, x.hidden_size) == (y.input_size, y.hidden_size)
        for option in ("activation", "forget_bias", "reset_after"):
            assert getattr(x, option, None) == getattr(y, option, None)
    assert a.params.keys() == b.params.keys()
    for name in a.params:
        assert a.params[name].dtype == b.params[name].dtype
        np.testing.assert_array_equal(a.params[name], b.params[name], err_msg=name)


def outputs_of(cell, rng):
    inputs = rng.normal(size=(B, T, cell.input_size))
    outputs, final_state, _ = ln.dynamic_rnn(cell, inputs)
    return outputs


# Round trips, lstm_numpy -> framework -> lstm_numpy: exact.

@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
@pytest.mark.parametrize("sizes", [(H1,), (H1, H1), (H1, H2)])
def test_torch_round_trip(kind, sizes, rng):
    cell = stack([(kind, h) for h in sizes], rng)
    state_dict = interop.to_torch(cell)
    assert isinstance(state_dict, list if len(set(sizes)) > 1 else dict)
    assert_same_cell(interop.from_torch(state_dict, kind), cell)


@pytest.mark.parametrize("kind", ["lstm", "lstm_fb1", "gru_before", "rnn_tanh"])
def test_tf_round_trip(kind, rng):
    for cell in (make_cell(kind, D, H1, rng), stack([(kind, H1), (kind, H2)], rng)):
        forget_bias = cell.cells[0].forget_bias if kind.startswith("lstm") else 1.0
        back = interop.from_tf(interop.to_tf(cell), forget_bias=forget_bias)
        assert_same_cell(back, cell)


def test_tf_round_trip_mixed_stack(rng):
    cell = stack([("lstm_fb1", H1), ("gru_before", H2), ("rnn_tanh", H1)], rng)
    assert_same_cell(interop.from_tf(interop.to_tf(cell, scope="encoder/rnn")), cell)


@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_before", "rnn_tanh", "rnn_relu"])
def test_keras_round_trip(kind, rng):
    reset_after = kind != "gru_before"
    kind_name = kind.replace("_before", "")
    for cell in (make_cell(kind, D, H1, rng), stack([(kind, H1), (kind, H2)], rng)):
        back = interop.from_keras(interop.to_keras(cell), kind_name, reset_after=reset_after)
        assert_same_cell(back, cell)


TARGETS = {  # kinds each framework holds, as conftest names them
    "torch": ["lstm", "gru", "rnn_tanh", "rnn_relu"],
    "tf": ["lstm", "lstm_fb1", "gru_before", "rnn_tanh"],
    "keras": ["lstm", "gru", "gru_before", "rnn_tanh", "rnn_relu"],
}


@given(target=st.sampled_from(sorted(TARGETS)), data=st.data(),
       input_size=st.integers(1, 6), sizes=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       seed=st.integers(0, 2**32 - 1))
def test_round_trips_for_any_sizes(target, data, input_size, sizes, seed):
    kind = data.draw(st.sampled_from(TARGETS[target]))
    rng = np.random.default_rng(seed)
    layers, d = [], input_size
    for h in sizes:
        layers.append(make_cell(kind, d, h, rng))
        d = h
    cell = ln.MultiRNNCell(layers)
    name = kind.replace("_before", "").replace("_fb1", "")
    if target == "torch":
        back = interop.from_torch(interop.to_torch(cell), name)
    elif target == "tf":
        forget_bias = getattr(layers[0], "forget_bias", 1.0)
        back = interop.from_tf(interop.to_tf(cell), forget_bias=forget_bias)
    else:
        back = interop.from_keras(interop.to_keras(cell), name, reset_after=kind != "gru_before")
        back = back if isinstance(back, ln.MultiRNNCell) else ln.MultiRNNCell([back])
    assert_same_cell(back, cell)


# Round trips, framework -> lstm_numpy -> framework, from hand-built arrays.

def random_arrays(shapes, rng):
    return {name: rng.uniform(-1, 1, size=shape) for name, shape in shapes.items()}


def test_torch_gru_state_dict_round_trip_is_exact(rng):
    sd = random_arrays({"weight_ih_l0": (3 * H1, D), "weight_hh_l0": (3 * H1, H1),
                        "bias_ih_l0": (3 * H1,), "bias_hh_l0": (3 * H1,),
                        "weight_ih_l1": (3 * H1, H1), "weight_hh_l1": (3 * H1, H1),
                        "bias_ih_l1": (3 * H1,), "bias_hh_l1": (3 * H1,)}, rng)
    back = interop.to_torch(interop.from_torch(sd, "gru"))
    assert back.keys() == sd.keys()
    for name in sd:
        np.testing.assert_array_equal(back[name], sd[name], err_msg=name)


def test_torch_lstm_biases_merge_into_one(rng):
    # PyTorch's two biases only ever act as their sum: the sum survives, bias_hh comes back 0.
    sd = random_arrays({"weight_ih_l0": (4 * H1, D), "weight_hh_l0": (4 * H1, H1),
                        "bias_ih_l0": (4 * H1,), "bias_hh_l0": (4 * H1,)}, rng)
    cell = interop.from_torch(sd, "lstm")
    i, f, g, o = np.split(sd["weight_ih_l0"], 4)
    np.testing.assert_array_equal(cell.params["cell_0/W_x"],
                                  np.concatenate([i, f, g, o]).T)
    np.testing.assert_array_equal(cell.params["cell_0/b"], sd["bias_ih_l0"] + sd["bias_hh_l0"])
    back = interop.to_torch(cell)
    np.testing.assert_array_equal(back["weight_ih_l0"], sd["weight_ih_l0"])
    np.testing.assert_array_equal(back["weight_hh_l0"], sd["weight_hh_l0"])
    np.testing.assert_array_equal(back["bias_ih_l0"], sd["bias_ih_l0"] + sd["bias_hh_l0"])
    np.testing.assert_array_equal(back["bias_hh_l0"], np.zeros(4 * H1))


def test_torch_module_without_biases_loads_zero_biases(rng):
    sd = random_arrays({"weight_ih_l0": (H1, D), "weight_hh_l0": (H1, H1)}, rng)
    cell = interop.from_torch(sd, "rnn_relu")
    np.testing.assert_array_equal(cell.params["cell_0/b"], np.zeros(H1))
    assert cell.cells[0].activation == "relu"


def test_tf_variables_round_trip_is_exact(rng):
    names = {"rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel": (D + H1, 4 * H1),
             "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias": (4 * H1,),
             "rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel": (H1 + H2, 2 * H2),
             "rnn/multi_rnn_cell/cell_1/gru_cell/gates/bias": (2 * H2,),
             "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/kernel": (H1 + H2, H2),
             "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/bias": (H2,)}
    variables = random_arrays(names, rng)
    back = interop.to_tf(interop.from_tf(variables))
    assert back.keys() == variables.keys()
    for name in variables:
        np.testing.assert_array_equal(back[name], variables[name], err_msg=name)


def test_tf_lstm_layout_by_hand(rng):
    # kernel rows: x first, then h; columns i, j, f, o with j the candidate (our g).
    kernel = rng.uniform(-1, 1, size=(D + H1, 4 * H1))
    bias = rng.uniform(-1, 1, size=4 * H1)
    cell = interop.from_tf({"rnn/basic_lstm_cell/kernel": kernel,
                            "rnn/basic_lstm_cell/bias": bias}, forget_bias=0.5)
    assert isinstance(cell, ln.LSTMCell) and cell.forget_bias == 0.5
    i, j, f, o = np.split(kernel, 4, axis=1)
    np.testing.assert_array_equal(cell.params["W_x"], np.concatenate([i, f, j, o], axis=1)[:D])
    np.testing.assert_array_equal(cell.params["W_h"], np.concatenate([i, f, j, o], axis=1)[D:])
    bi, bj, bf, bo = np.split(bias, 4)
    np.testing.assert_array_equal(cell.params["b"], np.concatenate([bi, bf, bj, bo]))


def test_keras_gru_layout_by_hand(rng):
    # Keras GRU gates are z, r, h; reset_after=True keeps two bias rows (input, recurrent).
    kernel, recurrent = rng.uniform(-1, 1, (D, 3 * H1)), rng.uniform(-1, 1, (H1, 3 * H1))
    bias = rng.uniform(-1, 1, (2, 3 * H1))
    cell = interop.from_keras([kernel, recurrent, bias], "gru")
    z, r, h = np.split(kernel, 3, axis=1)
    np.testing.assert_array_equal(cell.params["W_x"], np.concatenate([r, z, h], axis=1))
    bz, br, bh = np.split(bias[1], 3)
    np.testing.assert_array_equal(cell.params["b_h"], np.concatenate([br, bz, bh]))
    back = interop.to_keras(cell)
    for got, expected in zip(back, [kernel, recurrent, bias]):
        np.testing.assert_array_equal(got, expected)


# forget_bias: PyTorch and Keras have none at run time, so the weights carry it.

@pytest.mark.parametrize("convert", ["torch", "keras"])
def test_forget_bias_is_folded_into_the_bias(convert, rng):
    cell = randomize(ln.LSTMCell(D, H1, forget_bias=1.0), rng)
    if convert == "torch":
        back = interop.from_torch(interop.to_torch(cell), "lstm").cells[0]
    else:
        back = interop.from_keras(interop.to_keras(cell), "lstm")
    assert back.forget_bias == 0.0
    i, f, g, o = np.split(cell.params["b"], 4)
    np.testing.assert_array_equal(back.params["b"], np.concatenate([i, f + 1.0, g, o]))
    # Same function: only the rounding of (z + b) + 1 versus z + (b + 1) differs.
    np.testing.assert_allclose(outputs_of(back, np.random.default_rng(7)),
                               outputs_of(cell, np.random.default_rng(7)), rtol=0, atol=1e-14)


def test_tf_keeps_forget_bias_out_of_the_checkpoint(rng):
    cell = randomize(ln.LSTMCell(D, H1, forget_bias=1.0), rng)
    bi, bj, bf, bo = np.split(interop.to_tf(cell)["rnn/basic_lstm_cell/bias"], 4)
    np.testing.assert_array_equal(bf, np.split(cell.params["b"], 4)[1])


# Gradients: params=grads.params converts a gradient into the framework's layout.

def grads_of(cell, rng):
    inputs = rng.normal(size=(B, T, cell.input_size))
    outputs, final_state, cache = ln.dynamic_rnn(cell, inputs)
    return ln.dynamic_rnn_backward(rng.normal(size=outputs.shape), None, cache)


def test_torch_bias_gradients_go_to_both_biases(rng):
    cell = stack([("lstm_fb1", H1), ("lstm_fb1", H1)], rng)
    grads = grads_of(cell, rng)
    converted = interop.to_torch(cell, grads.params)
    for k in range(2):
        db = grads.params[f"cell_{k}/b"]
        np.testing.assert_array_equal(converted[f"bias_ih_l{k}"], db)
        np.testing.assert_array_equal(converted[f"bias_hh_l{k}"], db)
        np.testing.assert_array_equal(converted[f"weight_hh_l{k}"],
                                      grads.params[f"cell_{k}/W_h"].T)


@pytest.mark.parametrize("to", ["tf", "keras"])
def test_gradients_take_the_weights_layout(to, rng):
    # A gradient has its weight's layout: converting cell.params as if they were gradients
    # gives the weights' conversion (no forget_bias fold, since forget_bias is 0 here).
    kinds = ["lstm", "gru_before", "rnn_tanh"] if to == "tf" else ["lstm", "lstm"]
    cell = stack([(kind, h) for kind, h in zip(kinds, [H1, H2, H1])], rng)
    convert = interop.to_tf if to == "tf" else interop.to_keras
    as_weights, as_grads = convert(cell), convert(cell, dict(cell.params))
    if to == "tf":
        assert as_weights.keys() == as_grads.keys()
        as_weights, as_grads = list(as_weights.values()), list(as_grads.values())
    for w, g in zip(as_weights, as_grads):
        np.testing.assert_array_equal(w, g)


def test_gradients_of_shared_layers_have_no_framework_layout(rng):
    layer = randomize(ln.LSTMCell(H1, H1), rng)
    with pytest.warns(UserWarning, match="share"):
        cell = ln.MultiRNNCell([layer, layer])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        grads = ln.dynamic_rnn_backward(np.ones((B, T, H1)), None,
                                        ln.dynamic_rnn(cell, rng.normal(size=(B, T, H1)))[2])
    with pytest.raises(ValueError, match="share one weight set"):
        interop.to_torch(cell, grads.params)
    # The weights themselves convert: every layer gets a copy.
    sd = interop.to_torch(cell)
    np.testing.assert_array_equal(sd["weight_hh_l0"], sd["weight_hh_l1"])


def test_gradient_dict_is_checked(rng):
    cell = stack([("gru", H1), ("gru", H1)], rng)
    grads = dict(grads_of(cell, rng).params)
    del grads["cell_1/b_h"]
    with pytest.raises(ValueError, match=re.escape("params has no 'cell_1/b_h'")):
        interop.to_torch(cell, grads)
    grads["cell_1/b_h"] = np.zeros(H1)
    with pytest.raises(ValueError, match=re.escape("params['cell_1/b_h']: expected shape (15,)")):
        interop.to_keras(cell, grads)


@pytest.mark.parametrize("source", ["torch", "tf", "keras"])
@pytest.mark.parametrize("bad, error, message", [
    (lambda a: a.astype(np.int64), TypeError, "as floating-point values, got integer dtype int64"),
    (lambda a: a.astype(bool), TypeError, "as floating-point values, got boolean dtype bool"),
    (lambda a: a * (1 + 1j), TypeError, "as floating-point values, got complex dtype complex128"),
    (lambda a: None, TypeError, "as an array of floating-point values, got None"),
    (lambda a: np.where(np.arange(a.size).reshape(a.shape) == 1, np.nan, a), ValueError,
     "expected finite values in .*got nan at index"),
])
def test_converters_refuse_weights_that_are_not_finite_floats(source, bad, error, message, rng):
    """As dynamic_rnn does with its inputs: no cast (an imaginary part would be dropped, an
    integer array is a mix-up) and no NaN or inf into a cell. The message names the array."""
    cell = stack([("lstm", H1), ("lstm", H1)], rng)
    if source == "keras":
        arrays = interop.to_keras(cell)
        arrays[3] = bad(arrays[3])                               # layer 1's kernel
        call, name = (lambda: interop.from_keras(arrays, "lstm")), "(layer 1) kernel"
    else:
        arrays = interop.to_torch(cell) if source == "torch" else interop.to_tf(cell)
        name = "weight_ih_l1" if source == "torch" else next(k for k in arrays if "cell_1" in k and "kernel" in k)
        arrays[name] = bad(arrays[name])
        call = (lambda: interop.from_torch(arrays, "lstm")) if source == "torch" else (lambda: interop.from_tf(arrays))
    with pytest.raises(error, match=re.escape(name) + ".*" + message if error is TypeError else message + ".*"):
        call()


@pytest.mark.parametrize("to", [interop.to_torch, interop.to_tf, interop.to_keras])
def test_gradient_dicts_of_other_dtypes_or_keys_are_refused(to, rng):
    cell = stack([("lstm", H1)], rng)
    grads = dict(grads_of(cell, rng).params)
    with pytest.raises(TypeError, match=re.escape("expected params['cell_0/W_h'] as floating-point values, got integer")):
        to(cell, dict(grads, **{"cell_0/W_h": grads["cell_0/W_h"].astype(int)}))
    with pytest.raises(ValueError, match="params has keys this cell does not have: cell_0/W_hh; expected those of"):
        to(cell, dict(grads, **{"cell_0/W_hh": grads["cell_0/W_h"]}))
    grads["cell_0/W_h"][0, 0] = np.nan                           # a gradient converts as it is
    converted = to(cell, grads)
    assert sum(np.isnan(a).sum() for a in (converted if to is interop.to_keras else converted.values())) == 1


def test_converted_weights_must_fit_the_cells_dtype():
    """Finite in, but inf once cast to float32: refused. PyTorch's two float16 biases are added
    in float64, so their sum neither overflows nor loses the small one."""
    sd = interop.to_torch(ln.LSTMCell(2, 3, rng=0))
    sd["weight_hh_l0"][1, 2] = 1e39
    with pytest.raises(ValueError, match=re.escape("expected state_dict['weight_hh_l0'] within the range of "
                                                   "float32 (|x| <= 3.403e+38), got 1e+39 at index (1, 2)")):
        interop.from_torch(sd, "lstm", dtype=np.float32)
    assert interop.from_torch(sd, "lstm").params["cell_0/W_h"][2, 1] == 1e39          # float64 holds it
    sd["weight_hh_l0"][1, 2] = 0.0
    sd["bias_ih_l0"][4] = sd["bias_hh_l0"][4] = 2e38                                  # each fits, the sum not
    with pytest.raises(ValueError, match=re.escape("expected state_dict['bias_ih_l0'] + state_dict['bias_hh_l0'] "
                                                   "within the range of float32 (|x| <= 3.403e+38), got 4e+38 at index (4,)")):
        interop.from_torch(sd, "lstm", dtype=np.float32)
    half = {name: a.astype(np.float16) for name, a in interop.to_torch(ln.LSTMCell(2, 3, rng=0)).items()}
    half["bias_ih_l0"][:], half["bias_hh_l0"][:] = 40000, np.float16(0.1)
    b = interop.from_torch(half, "lstm").params["cell_0/b"]
    np.testing.assert_array_equal(b, np.float64(np.float16(40000)) + np.float64(np.float16(0.1)))


# Converted arrays are copies in both directions.

def test_no_aliasing(rng):
    cell = stack([("lstm", H1)], rng)
    before = {k: v.copy() for k, v in cell.params.items()}
    for arrays in (interop.to_torch(cell), interop.to_tf(cell)):
        for a in arrays.values():
            a += 1.0
    for a in interop.to_keras(cell):
        a += 1.0
    for name in before:
        np.testing.assert_array_equal(cell.params[name], before[name])
    sd = interop.to_torch(cell)
    loaded = interop.from_torch(sd, "lstm")
    sd["weight_ih_l0"] += 1.0
    np.testing.assert_array_equal(loaded.params["cell_0/W_x"], cell.params["cell_0/W_x"])


def test_dtype(rng):
    sd = interop.to_torch(stack([("gru", H1)], rng))
    cell = interop.from_torch(sd, "gru", dtype=np.float32)
    assert all(p.dtype == np.float32 for p in cell.params.values())
    assert interop.from_keras(interop.to_keras(cell), "gru", dtype=np.float32).dtype == np.float32


# Errors say exactly what is missing or wrong.

def lstm_state_dict(rng, layers=1):
    shapes = {}
    for k in range(layers):
        shapes.update({f"weight_ih_l{k}": (4 * H1, D if k == 0 else H1),
                       f"weight_hh_l{k}": (4 * H1, H1),
                       f"bias_ih_l{k}": (4 * H1,), f"bias_hh_l{k}": (4 * H1,)})
    return random_arrays(shapes, rng)


def test_from_torch_errors(rng):
    with pytest.raises(ValueError, match="kind must be one of 'lstm', 'gru'"):
        interop.from_torch(lstm_state_dict(rng), "LSTM")
    with pytest.raises(TypeError, match="mapping of names to arrays"):
        interop.from_torch([], "lstm")
    sd = lstm_state_dict(rng, layers=2)
    del sd["weight_hh_l1"]
    with pytest.raises(ValueError, match=re.escape("state_dict: missing ['weight_hh_l1']")):
        interop.from_torch(sd, "lstm")
    sd = lstm_state_dict(rng)
    sd["weight_ih_l0_reverse"] = sd["weight_ih_l0"]       # a bidirectional module lacking the rest
    with pytest.raises(ValueError, match=re.escape("state_dict: missing ['weight_hh_l0_reverse']")):
        interop.from_torch(sd, "lstm")
    sd = lstm_state_dict(rng)
    del sd["bias_hh_l0"]
    with pytest.raises(ValueError, match="has bias_ih_l0 but not its partner bias_hh_l0"):
        interop.from_torch(sd, "lstm")
    with pytest.raises(ValueError, match=re.escape(
            "state_dict['weight_hh_l0']: expected shape (3H=15, H=5), got (20, 5)")):
        interop.from_torch(lstm_state_dict(rng), "gru")
    sd = lstm_state_dict(rng)
    sd["bias_ih_l0"] = sd["bias_ih_l0"][:-1]
    with pytest.raises(ValueError, match=re.escape(
            "state_dict['bias_ih_l0']: expected shape (4H=20,), got (19,)")):
        interop.from_torch(sd, "lstm")
    # A list of modules must chain: module 1 reads what module 0 writes (H=5), not D=4.
    with pytest.raises(ValueError, match=re.escape(
            "state_dict[1]['weight_ih_l0']: expected shape (4H=20, D=5), got (20, 4)")):
        interop.from_torch([lstm_state_dict(rng), lstm_state_dict(rng)], "lstm")


def test_to_torch_errors(rng):
    with pytest.raises(ValueError, match="one kind of layer"):
        interop.to_torch(stack([("lstm", H1), ("gru", H1)], rng))
    with pytest.raises(ValueError, match="reset_after=False"):
        interop.to_torch(make_cell("gru_before", D, H1, rng))
    with pytest.raises(TypeError, match="expected an lstm_numpy cell"):
        interop.to_torch(lstm_state_dict(rng))


def tf_lstm_variables(rng, scope="rnn"):
    return random_arrays({f"{scope}/multi_rnn_cell/cell_0/basic_lstm_cell/kernel": (D + H1, 4 * H1),
                          f"{scope}/multi_rnn_cell/cell_0/basic_lstm_cell/bias": (4 * H1,),
                          f"{scope}/multi_rnn_cell/cell_1/basic_lstm_cell/kernel": (2 * H1, 4 * H1),
                          f"{scope}/multi_rnn_cell/cell_1/basic_lstm_cell/bias": (4 * H1,)}, rng)


def test_from_tf_reads_checkpoint_names(rng):
    variables = tf_lstm_variables(rng)
    # What else a checkpoint holds is ignored, and graph names with ":0" are understood.
    extra = {"global_step": np.array(7),
             "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel/Adam": np.zeros((1, 1)),
             "dense/kernel": np.zeros((H1, 1))}
    with_colons = {name + ":0": value for name, value in variables.items()}
    a = interop.from_tf({**variables, **extra})
    b = interop.from_tf(with_colons)
    assert [layer.hidden_size for layer in a.cells] == [H1, H1]
    assert_same_cell(a, b)
    single = interop.from_tf(interop.to_tf(make_cell("gru_before", D, H1, rng), scope=""))
    assert isinstance(single, ln.GRUCell) and not single.reset_after


def test_from_tf_errors(rng):
    with pytest.raises(ValueError, match="no RNN cell variables"):
        interop.from_tf({"dense/kernel": np.zeros((2, 2))})
    two = {**tf_lstm_variables(rng, "encoder"), **tf_lstm_variables(rng, "decoder")}
    with pytest.raises(ValueError, match=re.escape(
            "more than one RNN: ['decoder/multi_rnn_cell', 'encoder/multi_rnn_cell']")):
        interop.from_tf(two)
    variables = tf_lstm_variables(rng)
    del variables["rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias"]
    with pytest.raises(ValueError, match=re.escape(
            "missing rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias")):
        interop.from_tf(variables)
    variables = {k.replace("cell_1", "cell_2"): v for k, v in tf_lstm_variables(rng).items()}
    with pytest.raises(ValueError, match="has no variables for cell_1"):
        interop.from_tf(variables)
    variables = tf_lstm_variables(rng)
    variables["rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel"] = np.zeros((D + H1, 4 * H1))
    with pytest.raises(ValueError, match=re.escape(
            "cell_1/basic_lstm_cell/kernel: expected shape (D+H=5+5=10, 4H=20), got (9, 20)")):
        interop.from_tf(variables)
    variables = tf_lstm_variables(rng)
    variables["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias"] = np.zeros(4 * H1 + 2)
    with pytest.raises(ValueError, match="not a multiple of 4"):
        interop.from_tf(variables)


def test_to_tf_refuses_reset_after_gru(rng):
    with pytest.raises(ValueError, match="reset_after=True"):
        interop.to_tf(make_cell("gru", D, H1, rng))


def test_from_keras_errors(rng):
    kernel, recurrent = np.zeros((D, 3 * H1)), np.zeros((H1, 3 * H1))
    with pytest.raises(ValueError, match="three arrays per layer.*got 2"):
        interop.from_keras([kernel, recurrent], "gru")
    with pytest.raises(ValueError, match="pass reset_after=False"):
        interop.from_keras([kernel, recurrent, np.zeros(3 * H1)], "gru")
    with pytest.raises(ValueError, match=re.escape(
            "weights[0:3] (layer 0) kernel: expected shape (D=4, 4H=20), got (4, 15)")):
        interop.from_keras([kernel, np.zeros((H1, 4 * H1)), np.zeros(4 * H1)], "lstm")
    with pytest.raises(ValueError, match=re.escape(
            "weights[3:6] (layer 1) kernel: expected shape (D=5, H=7), got (4, 7)")):
        interop.from_keras([np.zeros((D, H1)), np.zeros((H1, H1)), np.zeros(H1),
                            np.zeros((D, H2)), np.zeros((H2, H2)), np.zeros(H2)], "rnn_tanh")


def test_torch_module_matches_when_torch_is_installed(rng):
    # Optional: the golden tests make the same check from stored numbers without PyTorch.
    torch = pytest.importorskip("torch")
    cell = stack([("lstm_fb1", H1), ("lstm_fb1", H2)], rng)
    inputs = rng.normal(size=(B, T, D))
    expected = ln.dynamic_rnn(cell, inputs)[0]
    out = torch.from_numpy(inputs)
    for sd in interop.to_torch(cell):
        module = torch.nn.LSTM(sd["weight_ih_l0"].shape[1], sd["weight_hh_l0"].shape[1],
                               batch_first=True).double()
        module.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
        out = module(out)[0]
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=0, atol=1e-13)


def test_tf_relu_rnn_round_trip_needs_the_activation():
    """A checkpoint holds no activation: relu comes back only when from_tf is told so."""
    cell = ln.MultiRNNCell([ln.RNNCell(4, 6, activation="relu", rng=0), ln.RNNCell(6, 3, activation="relu", rng=1)])
    x = np.random.default_rng(2).normal(size=(2, 5, 4))
    back = ln.interop.from_tf(ln.interop.to_tf(cell), activation="relu")
    assert [c.activation for c in back.cells] == ["relu", "relu"]
    np.testing.assert_array_equal(ln.dynamic_rnn(back, x)[0], ln.dynamic_rnn(cell, x)[0])
    assert [c.activation for c in ln.interop.from_tf(ln.interop.to_tf(cell)).cells] == ["tanh", "tanh"]
    with pytest.raises(ValueError, match="expected activation 'tanh' or 'relu', got 'sigmoid'"):
        ln.interop.from_tf(ln.interop.to_tf(cell), activation="sigmoid")
