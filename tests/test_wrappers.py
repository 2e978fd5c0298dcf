"""ResidualWrapper and DropoutWrapper: the cell protocol, their semantics and gradient checks.

Dropout's gradient checks give the drawn masks back (``use_masks``), so that every evaluation
of the loss sees the same function.
"""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.gradcheck import check_dynamic_rnn, random_state

from conftest import B, D, H, LENGTHS, ROWS, T, make_cell

KEEPS = {"input_keep_prob": 0.7, "state_keep_prob": 0.6, "output_keep_prob": 0.8}


@pytest.mark.parametrize("kind", ["rnn_tanh", "lstm", "gru_before"])
def test_residual_gradients(kind, rng):
    cell = ln.ResidualWrapper(make_cell(kind, D, D, rng))
    report = check_dynamic_rnn(cell, rng.normal(size=(ROWS, T, D)), sequence_length=LENGTHS,
                               initial_state=random_state(cell, ROWS, rng), rng=rng)
    assert report.passed, str(report)


def test_residual_adds_the_input_to_the_output_and_keeps_the_cells_state(rng):
    inner = make_cell("lstm", D, D, rng)
    cell = ln.ResidualWrapper(inner)
    x, state = rng.normal(size=(B, D)), random_state(inner, B, rng)
    out, new_state, _ = cell.step(x, state)
    h, inner_state, _ = inner.step(x, state)
    np.testing.assert_array_equal(out, h + x)
    np.testing.assert_array_equal(new_state.h, inner_state.h)
    assert cell.kind == "lstm" and cell.params is inner.params and cell.cells == (cell,)
    with pytest.raises(ValueError, match="D=4, H=5"):
        ln.ResidualWrapper(make_cell("gru", D, H, rng))


@pytest.mark.parametrize("kind", ["rnn_tanh", "lstm", "gru"])
@pytest.mark.parametrize("variational", [False, True])
def test_dropout_gradients_with_the_masks_given_back(kind, variational, rng):
    cell = ln.DropoutWrapper(make_cell(kind, D, H, rng), variational_recurrent=variational, rng=1, **KEEPS)
    x = rng.normal(size=(ROWS, T, D))
    ln.dynamic_rnn(cell, x, sequence_length=LENGTHS)
    cell.use_masks(cell.masks)
    report = check_dynamic_rnn(cell, x, sequence_length=LENGTHS, initial_state=random_state(cell, ROWS, rng),
                               rng=rng)
    assert report.passed, str(report)


def test_a_stack_of_wrapped_layers_gradients(rng):
    layers = [ln.DropoutWrapper(make_cell("lstm", D, H, rng), rng=2, **KEEPS),
              ln.ResidualWrapper(make_cell("gru", H, H, rng)),
              ln.DropoutWrapper(ln.ResidualWrapper(make_cell("rnn_tanh", H, H, rng)), output_keep_prob=0.5, rng=3)]
    cell = ln.MultiRNNCell(layers)
    x = rng.normal(size=(T, ROWS, D))
    _, _, cache = ln.dynamic_rnn(cell, x, sequence_length=LENGTHS, time_major=True)
    for k in (0, 2):                                   # the masks from the cache, layer by layer
        layers[k].use_masks([cell.split_layers(step)[k]["dropout_masks"] for step in cache["steps"]])
    report = check_dynamic_rnn(cell, x, sequence_length=LENGTHS, initial_state=random_state(cell, ROWS, rng),
                               time_major=True, rng=rng)
    assert report.passed, str(report)


def test_dropout_is_inverted_and_drops_only_the_state_h(rng):
    inner = make_cell("lstm", D, H, rng)
    cell = ln.DropoutWrapper(inner, rng=0, **KEEPS)
    x, state = rng.normal(size=(B, D)), random_state(inner, B, rng)
    out, new_state, cache = cell.step(x, state)
    m = cache["dropout_masks"]
    h, inner_state, _ = inner.step(x / 0.7 * m["input"], state)
    np.testing.assert_array_equal(out, h / 0.8 * m["output"])
    np.testing.assert_array_equal(new_state.h, h / 0.6 * m["state"])
    np.testing.assert_array_equal(new_state.c, inner_state.c)     # TensorFlow's default: c is not dropped
    assert {k: v.shape for k, v in m.items()} == {"input": (B, D), "state": (B, H), "output": (B, H)}


def test_masks_keep_each_unit_with_its_probability_and_come_from_the_rng_only():
    cell = ln.DropoutWrapper(ln.RNNCell(3, 200, rng=0), output_keep_prob=0.3, rng=5)
    ln.dynamic_rnn(cell, np.ones((100, 4, 3)))
    kept = np.mean([m["output"] for m in cell.masks])
    assert abs(kept - 0.3) < 0.01                      # 80000 draws: standard error 0.0016
    again = ln.DropoutWrapper(ln.RNNCell(3, 200, rng=0), output_keep_prob=0.3, rng=5)
    ln.dynamic_rnn(again, np.ones((100, 4, 3)))
    assert all(np.array_equal(a["output"], b["output"]) for a, b in zip(cell.masks, again.masks))
    assert not np.array_equal(cell.masks[0]["output"], cell.masks[1]["output"])   # a new mask each step


def test_variational_masks_are_one_per_sequence_shared_by_the_batch(rng):
    cell = ln.DropoutWrapper(make_cell("gru", D, H, rng), variational_recurrent=True, rng=0, **KEEPS)
    ln.dynamic_rnn(cell, rng.normal(size=(B, T, D)))
    first = cell.masks
    assert all(m is first[0] for m in first) and first[0]["state"].shape == (1, H)
    ln.dynamic_rnn(cell, rng.normal(size=(B, T, D)))
    assert cell.masks[0] is not first[0]               # the next sequence draws again


def test_keep_one_is_the_plain_cell(rng):
    inner = make_cell("gru", D, H, rng)
    x = rng.normal(size=(B, T, D))
    a, _, _ = ln.dynamic_rnn(ln.DropoutWrapper(inner, rng=0), x)
    b, _, _ = ln.dynamic_rnn(inner, x)
    np.testing.assert_array_equal(a, b)


def test_bidirectional_with_wrapped_cells(rng):
    fw = ln.DropoutWrapper(make_cell("lstm", D, H, rng), output_keep_prob=0.5, rng=0)
    bw = ln.ResidualWrapper(make_cell("gru", D, D, rng))
    (o_fw, o_bw), _, cache = ln.bidirectional_dynamic_rnn(fw, bw, rng.normal(size=(ROWS, T, D)), LENGTHS)
    grads = ln.bidirectional_dynamic_rnn_backward((o_fw, o_bw), None, cache)
    assert set(grads.params) == {f"fw/{n}" for n in fw.params} | {f"bw/{n}" for n in bw.params}


def test_bad_wrappers_are_named(rng):
    with pytest.raises(ValueError, match=r"output_keep_prob in \(0, 1\], got 0"):
        ln.DropoutWrapper(make_cell("lstm", D, H, rng), output_keep_prob=0)
    with pytest.raises(TypeError, match="wrap each layer"):
        ln.DropoutWrapper(ln.MultiRNNCell([make_cell("lstm", D, H, rng)]))
    cell = ln.DropoutWrapper(make_cell("gru", D, H, rng), output_keep_prob=0.5, rng=0)
    ln.dynamic_rnn(cell, rng.normal(size=(B, T, D)))
    cell.use_masks(cell.masks)
    with pytest.raises(ValueError, match=r"masks given back have \[2\] rows, this batch B=3"):
        ln.dynamic_rnn(cell, rng.normal(size=(3, T, D)))
    with pytest.raises(ValueError, match="masks given back cover 3 steps"):
        ln.dynamic_rnn(cell, rng.normal(size=(B, T + 1, D)))
    with pytest.raises(ValueError, match="around a DropoutWrapper"):
        ln.DropoutWrapper(ln.ResidualWrapper(ln.DropoutWrapper(make_cell("gru", D, D, rng))))


def test_the_gradient_check_holds_a_dropout_layers_masks():
    """check_dynamic_rnn runs the pass again for every perturbed number: a dropout layer must
    repeat the masks of the pass it checks (each new pass would draw new ones), and draw again after."""
    wrapped = ln.DropoutWrapper(ln.LSTMCell(3, 4, rng=0), input_keep_prob=0.7, output_keep_prob=0.5, rng=0)
    stack = ln.MultiRNNCell([wrapped, ln.GRUCell(4, 5, rng=1)])
    report = ln.gradcheck.check_dynamic_rnn(stack, np.ones((2, 4, 3)), sequence_length=[4, 2])
    assert report.passed, report
    assert wrapped.given is None                              # released: the next pass draws new masks
    first, _, _ = ln.dynamic_rnn(stack, np.ones((2, 4, 3)))
    second, _, _ = ln.dynamic_rnn(stack, np.ones((2, 4, 3)))
    assert not np.array_equal(first, second)
