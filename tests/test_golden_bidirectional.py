"""Golden tests of both directions: lstm_numpy against numbers PyTorch and TensorFlow 1.x computed.

The fixtures (tests/fixtures/bidir_*.npz) were written by make_torch_fixtures.py and
make_tf_fixtures.py, run by hand with the frameworks installed; this file needs only NumPy.
Each case loads the framework's weights through lstm_numpy.interop (``_reverse`` names, the
``fw/`` and ``bw/`` scopes), runs the bidirectional or stacked bidirectional pass and its
backward in float64 with the fixture's inputs, lengths (0 and T among them for TensorFlow;
PyTorch refuses length 0 in a packed sequence, so its cases have 1 and T), initial states and
upstream gradients, and compares outputs, final states and every gradient (inputs, initial
states, each weight converted back to the framework's names and layout). bidir_tf_wrapped has
TensorFlow's variational DropoutWrapper in one direction, its masks given back, and a
ResidualWrapper in the other.
"""
import glob
import os

import numpy as np
import pytest

import lstm_numpy as ln

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

# float64 everywhere, values at most about 10: two exact implementations differ by rounding
# in another summation order, a few 1e-15 here (the largest measured is in docs/bidirectional.md);
# a reversed step, a swapped direction or a gate-order bug moves numbers by 1e-2 or more.
TOL = dict(rtol=0, atol=1e-12)


def fixture_names(prefix):
    return sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(FIXTURES, prefix + "*.npz")))


def load(name):
    with np.load(os.path.join(FIXTURES, name + ".npz")) as f:
        return {k: f[k] for k in f.files}


def prefixed(f, prefix):
    return {k[len(prefix):]: v for k, v in f.items() if k.startswith(prefix)}


def assert_close(got, expected, what):
    got, expected = ln.state.state_leaves(got), ln.state.state_leaves(expected)
    assert len(got) == len(expected), what
    for n, (a, b) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(a, b, **TOL, err_msg=f"{what}, array {n}")


def assert_same_arrays(got, expected, what):
    assert sorted(got) == sorted(expected), what
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], **TOL, err_msg=f"{what} {name}")


def test_fixtures_exist():
    assert len(fixture_names("bidir_torch_")) >= 6
    assert len(fixture_names("bidir_tf_")) >= 7
    assert "bidir_tf_wrapped" in fixture_names("bidir_tf_")


# PyTorch: states (2L, B, H) ordered layer 0 forward, layer 0 backward, layer 1 forward, ...

def torch_states(f, h_key, c_key, cells):
    """(states_fw, states_bw), one per layer each, from PyTorch's (2L, B, H) arrays."""
    def layer(j, cell):
        h = f[h_key][j]
        return ln.LSTMState(c=f[c_key][j], h=h) if cell.kind == "lstm" else h
    cells_fw, cells_bw = cells
    return (tuple(layer(2 * k, c) for k, c in enumerate(cells_fw)),
            tuple(layer(2 * k + 1, c) for k, c in enumerate(cells_bw)))


@pytest.mark.parametrize("name", fixture_names("bidir_torch_"))
def test_torch(name):
    f = load(name)
    assert bool(f["bidirectional"])
    cells = ln.interop.from_torch(prefixed(f, "sd/"), str(f["kind"]))
    init_fw, init_bw = torch_states(f, "h0", "c0", cells)
    outputs, finals_fw, finals_bw, cache = ln.stack_bidirectional_dynamic_rnn(
        *cells, f["inputs"], f.get("lengths"), init_fw, init_bw, time_major=not bool(f["batch_first"]))
    d_finals_fw, d_finals_bw = torch_states(f, "d_h_n", "d_c_n", cells)
    grads = ln.stack_bidirectional_dynamic_rnn_backward(f["d_output"], d_finals_fw, d_finals_bw, cache)

    np.testing.assert_allclose(outputs, f["output"], **TOL)
    assert_close((finals_fw, finals_bw), torch_states(f, "h_n", "c_n", cells), "final states")
    np.testing.assert_allclose(grads.inputs, f["grad/inputs"], **TOL)
    assert_close(grads.initial_state, torch_states(f, "grad/h0", "grad/c0", cells), "initial states' gradient")
    assert_same_arrays(ln.interop.to_torch(cells, grads.params), prefixed(f, "grad/sd/"), "gradient of")


# TensorFlow 1.x: state leaves named by path ("0/c", "1", "c", "h" or nothing).

def tf_state(f, group, cell):
    """The state structure of ``cell`` (a list of cells: one state per layer) from the leaves under group."""
    def one(layer, path):
        key = f"{group}/{path}".rstrip("/")
        return ln.LSTMState(c=f[key + "/c"], h=f[key + "/h"]) if layer.kind == "lstm" else f[key]

    if not any(k == group or k.startswith(group + "/") for k in f):
        return None
    layers = cell if isinstance(cell, list) else cell.cells
    if isinstance(cell, list) or cell.stacked:
        return tuple(one(layer, str(k)) for k, layer in enumerate(layers))
    return one(cell, "")


@pytest.mark.parametrize("name", fixture_names("bidir_tf_"))
def test_tensorflow(name):
    f = load(name)
    fw, bw = ln.interop.from_tf(prefixed(f, "var/"), forget_bias=float(f["forget_bias"]))
    if "mask/input" in f:                  # TensorFlow's DropoutWrapper (variational) and ResidualWrapper
        fw = ln.DropoutWrapper(fw, input_keep_prob=float(f["keep/input"]), state_keep_prob=float(f["keep/state"]),
                               output_keep_prob=float(f["keep/output"]), variational_recurrent=True)
        fw.use_masks({part: f[f"mask/{part}"] for part in ("input", "state", "output")})   # TensorFlow's masks
        bw = ln.ResidualWrapper(bw)
    init = tf_state(f, "initial_state_fw", fw), tf_state(f, "initial_state_bw", bw)
    d_finals = tf_state(f, "d_final_state_fw", fw), tf_state(f, "d_final_state_bw", bw)
    time_major, lengths = bool(f["time_major"]), f.get("sequence_length")
    if bool(f["stacked"]):
        outputs, final_fw, final_bw, cache = ln.stack_bidirectional_dynamic_rnn(fw, bw, f["inputs"], lengths,
                                                                                *init, time_major)
        grads = ln.stack_bidirectional_dynamic_rnn_backward(f["d_outputs"], *d_finals, cache)
        np.testing.assert_allclose(outputs, f["outputs"], **TOL)
    else:
        (out_fw, out_bw), (final_fw, final_bw), cache = ln.bidirectional_dynamic_rnn(fw, bw, f["inputs"], lengths,
                                                                                     *init, time_major)
        grads = ln.bidirectional_dynamic_rnn_backward((f["d_outputs_fw"], f["d_outputs_bw"]), d_finals, cache)
        np.testing.assert_allclose(out_fw, f["outputs_fw"], **TOL)
        np.testing.assert_allclose(out_bw, f["outputs_bw"], **TOL)

    assert_close((final_fw, final_bw), (tf_state(f, "final_state_fw", fw), tf_state(f, "final_state_bw", bw)),
                 "final states")
    np.testing.assert_allclose(grads.inputs, f["grad/inputs"], **TOL)
    if init[0] is not None:
        expected = tf_state(f, "grad/initial_state_fw", fw), tf_state(f, "grad/initial_state_bw", bw)
        assert_close(grads.initial_state, expected, "initial states' gradient")
    assert_same_arrays(ln.interop.to_tf((fw, bw), grads.params), prefixed(f, "grad/var/"), "gradient of")


def test_fixtures_cover_lengths_zero_and_full_and_both_layouts():
    lengths, layouts = set(), set()
    for name in fixture_names("bidir_tf_"):
        f = load(name)
        T = f["inputs"].shape[0 if f["time_major"] else 1]
        lengths |= {"0" if n == 0 else "T" if n == T else "between" for n in f.get("sequence_length", [])}
        layouts.add(bool(f["time_major"]))
    assert lengths == {"0", "T", "between"} and layouts == {False, True}
