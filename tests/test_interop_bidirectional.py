"""Converters of both directions: PyTorch's ``_reverse`` names, TensorFlow's fw/ and bw/ scopes."""
import numpy as np
import pytest

import lstm_numpy as ln

from conftest import randomize


def pair_of_stacks(rng):
    cells_fw = [randomize(ln.LSTMCell(4, 6, rng=0), rng), randomize(ln.LSTMCell(12, 6, rng=1), rng)]
    cells_bw = [randomize(ln.LSTMCell(4, 6, rng=2), rng), randomize(ln.LSTMCell(12, 6, rng=3), rng)]
    return cells_fw, cells_bw


def test_torch_round_trip_of_a_bidirectional_module(rng):
    cells = pair_of_stacks(rng)
    sd = ln.interop.to_torch(cells)
    assert sd["weight_ih_l1_reverse"].shape == (24, 12) and sd["bias_hh_l0_reverse"].shape == (24,)
    cells_fw, cells_bw = ln.interop.from_torch(sd, "lstm")
    for got, expected in zip(cells_fw + cells_bw, cells[0] + cells[1]):
        for name, p in expected.params.items():
            np.testing.assert_allclose(got.params[name], p, rtol=0, atol=1e-15)


def test_torch_unequal_layers_are_one_state_dict_each(rng):
    cells_fw = [ln.GRUCell(4, 6, rng=0), ln.GRUCell(12, 3, rng=1)]
    cells_bw = [ln.GRUCell(4, 6, rng=2), ln.GRUCell(12, 3, rng=3)]
    sds = ln.interop.to_torch((cells_fw, cells_bw))
    assert [sd["weight_hh_l0_reverse"].shape for sd in sds] == [(18, 6), (9, 3)]
    back_fw, back_bw = ln.interop.from_torch(sds, "gru")
    assert [c.input_size for c in back_bw] == [4, 12]


def test_torch_gradients_are_written_per_direction(rng):
    cells = pair_of_stacks(rng)
    outputs, _, _, cache = ln.stack_bidirectional_dynamic_rnn(*cells, rng.normal(size=(3, 5, 4)))
    grads = ln.stack_bidirectional_dynamic_rnn_backward(np.ones_like(outputs), None, None, cache)
    sd = ln.interop.to_torch(cells, grads.params)
    np.testing.assert_array_equal(sd["weight_hh_l1_reverse"], grads.params["layer_1/bw/W_h"].T)
    np.testing.assert_array_equal(sd["bias_ih_l0"], grads.params["layer_0/fw/b"])
    with pytest.raises(ValueError, match="expected params with the keys"):
        ln.interop.to_torch(cells, {"layer_0/fw/W_x": grads.params["layer_0/fw/W_x"]})


def test_torch_needs_one_hidden_size_in_both_directions_and_lists_of_layers():
    with pytest.raises(ValueError, match="H_fw=6, H_bw=5"):
        ln.interop.to_torch(([ln.LSTMCell(4, 6)], [ln.LSTMCell(4, 5)]))
    with pytest.raises(TypeError, match=r"one layer is \(\[cell_fw\], \[cell_bw\]\)"):
        ln.interop.to_torch((ln.LSTMCell(4, 6), ln.LSTMCell(4, 6)))


def test_tf_round_trip_of_both_forms(rng):
    fw = ln.MultiRNNCell([randomize(ln.LSTMCell(4, 6, forget_bias=1.0), rng),
                          randomize(ln.GRUCell(6, 7, reset_after=False), rng)])
    bw = randomize(ln.RNNCell(4, 5), rng)
    variables = ln.interop.to_tf((fw, bw))
    assert "bidirectional_rnn/fw/multi_rnn_cell/cell_1/gru_cell/gates/kernel" in variables
    assert "bidirectional_rnn/bw/basic_rnn_cell/kernel" in variables
    back_fw, back_bw = ln.interop.from_tf(variables)
    np.testing.assert_array_equal(back_fw.params["cell_1/W_h"], fw.params["cell_1/W_h"])
    np.testing.assert_array_equal(back_bw.params["b"], bw.params["b"])

    cells = pair_of_stacks(rng)
    variables = ln.interop.to_tf(cells)
    assert "stack_bidirectional_rnn/cell_1/bidirectional_rnn/bw/basic_lstm_cell/kernel" in variables
    cells_fw, cells_bw = ln.interop.from_tf(variables, forget_bias=0.0)
    assert isinstance(cells_fw, list) and [c.input_size for c in cells_fw] == [4, 12]
    np.testing.assert_array_equal(cells_bw[1].params["W_x"], cells[1][1].params["W_x"])


def test_tf_one_direction_alone_is_refused(rng):
    variables = ln.interop.to_tf((ln.RNNCell(4, 5), ln.RNNCell(4, 5)))
    fw_only = {k: v for k, v in variables.items() if "/fw/" in k}
    assert ln.interop.from_tf(fw_only).hidden_size == 5      # one scope: the cell itself
    variables["other/basic_rnn_cell/kernel"] = np.zeros((9, 5))
    variables["other/basic_rnn_cell/bias"] = np.zeros(5)
    with pytest.raises(ValueError, match="more than one RNN"):
        ln.interop.from_tf(variables)
