"""Golden tests: lstm_numpy against numbers that PyTorch, TensorFlow 1.x and Keras computed.

The fixtures (tests/fixtures/*.npz) were written by the make_*_fixtures.py scripts beside
them, run by hand with the frameworks installed; this file needs only NumPy. Each case
loads the framework's weights through lstm_numpy.interop, runs dynamic_rnn and
dynamic_rnn_backward in float64 with the fixture's inputs, initial state and upstream
gradients, and compares the outputs, the final state and every gradient (inputs, initial
state, each weight, converted back to the framework's names and layout).
"""
import glob
import os

import numpy as np
import pytest

import lstm_numpy as ln

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")

# Every number here is float64 and at most about 13 in size. Two exact implementations
# differ only by rounding in another summation order: about 1e-14 after the few dozen
# operations of these short sequences (the largest difference seen is 7e-15). A layout or
# gate-order bug moves numbers by 1e-2 or more. An absolute 1e-11 sits in between, with a
# thousandfold margin for rounding, and is tighter than the 1e-10 promised for parity.
TOL = dict(rtol=0, atol=1e-11)


def fixture_names(prefix):
    paths = sorted(glob.glob(os.path.join(FIXTURES, prefix + "*.npz")))
    return [os.path.basename(p)[:-4] for p in paths]


def load(name):
    with np.load(os.path.join(FIXTURES, name + ".npz")) as f:
        return {k: f[k] for k in f.files}


def run(cell, inputs, sequence_length, initial_state, time_major, d_outputs, d_final_state):
    outputs, final_state, cache = ln.dynamic_rnn(
        cell, inputs, sequence_length=sequence_length, initial_state=initial_state,
        time_major=time_major)
    grads = ln.dynamic_rnn_backward(d_outputs, d_final_state, cache)
    return outputs, final_state, grads


def assert_same_arrays(got, expected, what):
    """Same names, and each array equal to TOL."""
    assert sorted(got) == sorted(expected), what
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], **TOL, err_msg=f"{what} {name}")


def test_fixtures_exist():
    # The golden tests below are parametrised by these files: none found would run none.
    assert len(fixture_names("torch_")) >= 6
    assert len(fixture_names("tf_")) >= 6
    assert len(fixture_names("keras_")) >= 4
    assert len(fixture_names("keras3_")) >= 1
    assert "tf_article" in fixture_names("tf_")


def leaves(state):
    """The arrays of a state structure, in order (LSTMState gives c, then h)."""
    if isinstance(state, tuple):
        return [a for s in state for a in leaves(s)]
    return [state]


def assert_states_close(got, expected, what):
    assert type(got) is type(expected), what
    got, expected = leaves(got), leaves(expected)
    assert len(got) == len(expected), what
    for n, (a, b) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(a, b, **TOL, err_msg=f"{what}, array {n}")


# PyTorch: each module's state is (L, B, H) arrays, h and c apart; a fixture holds one
# module (keys "sd/...", "h0") or a chain of them (keys "sd0/...", "h0_0", "sd1/...").

def torch_modules(f):
    """The fixture's module tags: [""] for one module, else ["0", "1", ...]."""
    if "h0" in f:
        return [""]
    return sorted({k[3:] for k in f if k.startswith("h0_")}, key=int)


def torch_state(f, h_key, c_key, modules, is_lstm):
    """The lstm_numpy stack state (one entry per layer) from PyTorch's arrays."""
    state = []
    for j in modules:
        tag = f"_{j}" if j else ""
        for k in range(f[h_key + tag].shape[0]):
            h = f[h_key + tag][k]
            state.append(ln.LSTMState(c=f[c_key + tag][k], h=h) if is_lstm else h)
    return tuple(state)


def prefixed(f, prefix):
    """The arrays under prefix, with it stripped from their names."""
    return {k[len(prefix):]: v for k, v in f.items() if k.startswith(prefix)}


@pytest.mark.parametrize("name", fixture_names("torch_"))
def test_torch(name):
    f = load(name)
    kind, batch_first = str(f["kind"]), bool(f["batch_first"])
    is_lstm = kind == "lstm"
    modules = torch_modules(f)
    state_dicts = [prefixed(f, f"sd{j}/") for j in modules]
    cell = ln.interop.from_torch(state_dicts[0] if modules == [""] else state_dicts, kind)

    outputs, final, grads = run(
        cell, f["inputs"], f.get("lengths"), torch_state(f, "h0", "c0", modules, is_lstm),
        not batch_first, f["d_output"], torch_state(f, "d_h_n", "d_c_n", modules, is_lstm))

    np.testing.assert_allclose(outputs, f["output"], **TOL)
    assert_states_close(final, torch_state(f, "h_n", "c_n", modules, is_lstm), "final state")
    np.testing.assert_allclose(grads.inputs, f["grad/inputs"], **TOL)
    assert_states_close(grads.initial_state,
                        torch_state(f, "grad/h0", "grad/c0", modules, is_lstm),
                        "gradient of the initial state")
    converted = ln.interop.to_torch(cell, grads.params)
    if isinstance(converted, dict):
        converted = [converted]
    assert len(converted) == len(modules)
    for j, module_grads in zip(modules, converted):
        assert_same_arrays(module_grads, prefixed(f, f"grad/sd{j}/"), f"gradient of sd{j}")


# TensorFlow 1.x: state leaves are named by path ("0/c", "0/h", "1", or "c", "h", or "").

def tf_state(f, group, cell):
    """The state structure of cell from the fixture's leaves under group, or None."""
    def one(layer, path):
        key = f"{group}/{path}".rstrip("/")
        if isinstance(layer, ln.LSTMCell):
            return ln.LSTMState(c=f[key + "/c"], h=f[key + "/h"])
        return f[key]

    if not any(k == group or k.startswith(group + "/") for k in f):
        return None
    if isinstance(cell, ln.MultiRNNCell):
        return tuple(one(layer, str(k)) for k, layer in enumerate(cell.cells))
    return one(cell, "")


def fixture_clips(f, name):
    """An LSTMCell fixture's clips, one per layer (None where a layer has none); None without the key."""
    if name not in f:
        return None
    return [None if np.isnan(v) else float(v) for v in f[name]]


@pytest.mark.parametrize("name", fixture_names("tf_"))
def test_tensorflow(name):
    f = load(name)
    cell = ln.interop.from_tf(prefixed(f, "var/"), forget_bias=float(f["forget_bias"]),
                              cell_clip=fixture_clips(f, "cell_clip"), proj_clip=fixture_clips(f, "proj_clip"))
    init = tf_state(f, "initial_state", cell)

    outputs, final, grads = run(cell, f["inputs"], f.get("sequence_length"), init,
                                bool(f["time_major"]), f["d_outputs"],
                                tf_state(f, "d_final_state", cell))

    np.testing.assert_allclose(outputs, f["outputs"], **TOL)
    assert_states_close(final, tf_state(f, "final_state", cell), "final state")
    np.testing.assert_allclose(grads.inputs, f["grad/inputs"], **TOL)
    if init is not None:  # tf_article starts from zeros as the article does: no such key
        assert_states_close(grads.initial_state, tf_state(f, "grad/initial_state", cell),
                            "gradient of the initial state")
    assert_same_arrays(ln.interop.to_tf(cell, grads.params), prefixed(f, "grad/var/"),
                       "gradient of")


def test_article_case_is_the_article():
    # MultiRNNCell([BasicLSTMCell(20), BasicLSTMCell(30)]), batch-major, forget_bias 1.0.
    f = load("tf_article")
    cell = ln.interop.from_tf(prefixed(f, "var/"))
    assert [layer.hidden_size for layer in cell.cells] == [20, 30]
    assert all(layer.forget_bias == 1.0 for layer in cell.cells)
    assert not f["time_major"] and "sequence_length" not in f


# Keras: batch-major; an LSTM layer's state is [h, c]; a single layer loads as one cell.
# keras_* came from Keras 2 (tf-keras), keras3_* from Keras 3: the same layout.

def keras_state(f, group, cell):
    layers = cell.cells if isinstance(cell, ln.MultiRNNCell) else [cell]
    state = tuple(ln.LSTMState(c=f[f"{group}/{k}/c"], h=f[f"{group}/{k}/h"])
                  if isinstance(layer, ln.LSTMCell) else f[f"{group}/{k}"]
                  for k, layer in enumerate(layers))
    return state if isinstance(cell, ln.MultiRNNCell) else state[0]


@pytest.mark.parametrize("name", fixture_names("keras"))
def test_keras(name):
    f = load(name)
    weights = [f[f"weights/{j}"] for j in range(len(prefixed(f, "weights/")))]
    cell = ln.interop.from_keras(weights, str(f["kind"]), reset_after=bool(f["reset_after"]))

    outputs, final, grads = run(cell, f["inputs"], None, keras_state(f, "initial_state", cell),
                                False, f["d_outputs"], keras_state(f, "d_final_state", cell))

    np.testing.assert_allclose(outputs, f["outputs"], **TOL)
    assert_states_close(final, keras_state(f, "final_state", cell), "final state")
    np.testing.assert_allclose(grads.inputs, f["grad/inputs"], **TOL)
    assert_states_close(grads.initial_state, keras_state(f, "grad/initial_state", cell),
                        "gradient of the initial state")
    converted = ln.interop.to_keras(cell, grads.params)
    assert len(converted) == len(weights)
    for j, g in enumerate(converted):
        np.testing.assert_allclose(g, f[f"grad/weights/{j}"], **TOL, err_msg=f"weights/{j}")
