"""Both directions: reverse_sequence, bidirectional_dynamic_rnn and the stacked form.

Gradient checks of every array (inputs, both directions' initial states, every parameter of
both directions) with central differences; the structural checks that the backward direction
is a forward pass over the reversed rows, that padding changes nothing, that the layouts agree.
"""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.gradcheck import check_gradients, random_state, relu_pattern
from lstm_numpy.state import map_state, state_leaves, state_names

from conftest import B, D, H, KINDS, LENGTHS, ROWS, T, make_cell

SHORT = np.array([T, 0])                                      # lengths T and 0 for a batch of B = 2


def projection(rng, *values):
    """Random upstream gradients shaped like ``values`` (arrays or states; None stays None)."""
    return [None if v is None else map_state(lambda a: rng.normal(size=a.shape), v) for v in values]


def dot(values, weights):
    """sum(value * weight) over every leaf of every pair: the random-projection loss."""
    return sum(np.sum(a * w) for v, wt in zip(values, weights) if wt is not None
               for a, w in zip(state_leaves(v), state_leaves(wt)))


def check_bidirectional(cell_fw, cell_bw, x, lengths, init_fw, init_bw, time_major, rng):
    (out_fw, out_bw), (final_fw, final_bw), cache = ln.bidirectional_dynamic_rnn(
        cell_fw, cell_bw, x, lengths, init_fw, init_bw, time_major)
    d_out_fw, d_out_bw, d_final_fw, d_final_bw = projection(rng, out_fw, out_bw, final_fw, final_bw)

    last = {}

    def loss():
        (o_fw, o_bw), (f_fw, f_bw), last["cache"] = ln.bidirectional_dynamic_rnn(cell_fw, cell_bw, x, lengths,
                                                                                 init_fw, init_bw, time_major)
        return dot([o_fw, o_bw, f_fw, f_bw], [d_out_fw, d_out_bw, d_final_fw, d_final_bw])

    grads = ln.bidirectional_dynamic_rnn_backward((d_out_fw, d_out_bw), (d_final_fw, d_final_bw), cache)
    arrays, analytic = {"inputs": x}, {"inputs": grads.inputs}
    for side, init, dinit in (("fw", init_fw, grads.initial_state[0]), ("bw", init_bw, grads.initial_state[1])):
        names = state_names(init, f"initial_state_{side}")
        arrays.update(zip(names, state_leaves(init)))
        analytic.update(zip(names, state_leaves(dinit)))
    for side, cell in (("fw", cell_fw), ("bw", cell_bw)):
        arrays.update({f"{side}/{name}": p for name, p in cell.params.items()})
    analytic.update(grads.params)
    assert set(grads.params) == {key for key in arrays if key[:3] in ("fw/", "bw/")}
    return check_gradients(loss, arrays, analytic, region=lambda: relu_pattern(last["cache"]["fw"])
                           + relu_pattern(last["cache"]["bw"]))


def test_reverse_sequence_reverses_each_row_within_its_length_and_undoes_itself(rng):
    xs = rng.normal(size=(T, ROWS, D))
    rev = ln.reverse_sequence(xs, LENGTHS)
    for b, n in enumerate(LENGTHS):
        np.testing.assert_array_equal(rev[:n, b], xs[:n, b][::-1])
        np.testing.assert_array_equal(rev[n:, b], xs[n:, b])
    np.testing.assert_array_equal(ln.reverse_sequence(rev, LENGTHS), xs)
    np.testing.assert_array_equal(ln.reverse_sequence(xs, None), xs[::-1])


@pytest.mark.parametrize("kind, time_major", [(kind, False) for kind in KINDS] + [("lstm", True), ("gru", True)])
def test_gradients_with_lengths_and_both_initial_states(kind, time_major, rng):
    cell_fw, cell_bw = make_cell(kind, D, H, rng), make_cell(kind, D, H + 1, rng)
    x = rng.normal(size=(T, ROWS, D) if time_major else (ROWS, T, D))
    report = check_bidirectional(cell_fw, cell_bw, x, LENGTHS, random_state(cell_fw, ROWS, rng),
                                 random_state(cell_bw, ROWS, rng), time_major, rng)
    assert report.passed, str(report)


def test_gradients_of_unlike_directions_and_stacked_cells(rng):
    cell_fw = ln.MultiRNNCell([make_cell("lstm", D, H, rng), make_cell("gru", H, H + 2, rng)])
    cell_bw = make_cell("gru_before", D, H + 1, rng)
    x = rng.normal(size=(B, T, D))                            # B = 2 rows, lengths T and 0: a smaller check
    report = check_bidirectional(cell_fw, cell_bw, x, SHORT, random_state(cell_fw, B, rng),
                                 random_state(cell_bw, B, rng), False, rng)
    assert report.passed, str(report)
    assert any(name.startswith("fw/cell_1/") for name, *_ in report.rows)


def test_backward_direction_is_a_forward_pass_over_each_rows_reversed_steps(rng):
    cell_fw, cell_bw = make_cell("lstm", D, H, rng), make_cell("gru", D, H + 1, rng)
    x = rng.normal(size=(ROWS, T, D))
    (out_fw, out_bw), (final_fw, final_bw), _ = ln.bidirectional_dynamic_rnn(cell_fw, cell_bw, x, LENGTHS)
    for b, n in enumerate(LENGTHS):
        row = x[b:b + 1, :n]
        if n == 0:
            np.testing.assert_array_equal(final_bw[b], 0)
            continue
        alone_fw, fin_fw, _ = ln.dynamic_rnn(cell_fw, row)
        alone_bw, fin_bw, _ = ln.dynamic_rnn(cell_bw, row[:, ::-1])
        np.testing.assert_allclose(out_fw[b, :n], alone_fw[0], rtol=0, atol=1e-14)
        np.testing.assert_allclose(out_bw[b, :n], alone_bw[0, ::-1], rtol=0, atol=1e-14)
        np.testing.assert_allclose(final_bw[b], fin_bw[0], rtol=0, atol=1e-14)
        np.testing.assert_allclose(final_fw.h[b], fin_fw.h[0], rtol=0, atol=1e-14)
    dead = np.arange(T)[None, :] >= LENGTHS[:, None]          # (B, T)
    assert np.all(out_fw[dead] == 0) and np.all(out_bw[dead] == 0)


def test_padding_past_the_lengths_changes_nothing_and_gets_no_gradient(rng):
    cell_fw, cell_bw = make_cell("lstm", D, H, rng), make_cell("rnn_tanh", D, H + 1, rng)
    x = rng.normal(size=(ROWS, T, D))
    y = x.copy()
    y[np.arange(T)[None, :] >= LENGTHS[:, None]] = 7.0
    a = ln.bidirectional_dynamic_rnn(cell_fw, cell_bw, x, LENGTHS)
    b = ln.bidirectional_dynamic_rnn(cell_fw, cell_bw, y, LENGTHS)
    for u, v in zip(state_leaves(a[0] + a[1]), state_leaves(b[0] + b[1])):
        np.testing.assert_array_equal(u, v)
    grads = ln.bidirectional_dynamic_rnn_backward([np.ones_like(o) for o in a[0]], None, a[2])
    assert np.all(grads.inputs[np.arange(T)[None, :] >= LENGTHS[:, None]] == 0)


def test_time_major_equals_batch_major(rng):
    cell_fw, cell_bw = make_cell("gru", D, H, rng), make_cell("lstm", D, H + 1, rng)
    x = rng.normal(size=(ROWS, T, D))
    (a_fw, a_bw), _, cache_a = ln.bidirectional_dynamic_rnn(cell_fw, cell_bw, x, LENGTHS)
    (b_fw, b_bw), _, cache_b = ln.bidirectional_dynamic_rnn(cell_fw, cell_bw, x.transpose(1, 0, 2), LENGTHS,
                                                            time_major=True)
    np.testing.assert_array_equal(a_fw, b_fw.transpose(1, 0, 2))
    np.testing.assert_array_equal(a_bw, b_bw.transpose(1, 0, 2))
    d = [rng.normal(size=a_fw.shape), rng.normal(size=a_bw.shape)]
    ga = ln.bidirectional_dynamic_rnn_backward(d, None, cache_a)
    gb = ln.bidirectional_dynamic_rnn_backward([v.transpose(1, 0, 2) for v in d], None, cache_b)
    np.testing.assert_array_equal(ga.inputs, gb.inputs.transpose(1, 0, 2))


def check_stack(cells_fw, cells_bw, x, lengths, inits_fw, inits_bw, time_major, rng):
    outputs, finals_fw, finals_bw, cache = ln.stack_bidirectional_dynamic_rnn(
        cells_fw, cells_bw, x, lengths, inits_fw, inits_bw, time_major)
    d_out, d_fw, d_bw = projection(rng, outputs, finals_fw, finals_bw)

    def loss():
        out, f_fw, f_bw, _ = ln.stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, x, lengths,
                                                                inits_fw, inits_bw, time_major)
        return dot([out, f_fw, f_bw], [d_out, d_fw, d_bw])

    grads = ln.stack_bidirectional_dynamic_rnn_backward(d_out, d_fw, d_bw, cache)
    arrays, analytic = {"inputs": x}, {"inputs": grads.inputs}
    for side, inits, dinits in (("fw", inits_fw, grads.initial_state[0]), ("bw", inits_bw, grads.initial_state[1])):
        names = state_names(tuple(inits), f"initial_states_{side}")
        arrays.update(zip(names, state_leaves(tuple(inits))))
        analytic.update(zip(names, state_leaves(dinits)))
    for k, (cf, cb) in enumerate(zip(cells_fw, cells_bw)):
        arrays.update({f"layer_{k}/fw/{n}": p for n, p in cf.params.items()})
        arrays.update({f"layer_{k}/bw/{n}": p for n, p in cb.params.items()})
    assert set(grads.params) == {key for key in arrays if key.startswith("layer_")}
    analytic.update(grads.params)
    return check_gradients(loss, arrays, analytic)


def test_stack_gradients_every_array(rng):
    time_major = True                                         # batch-major: the layouts test below
    cells_fw = [make_cell("lstm", D, H, rng), make_cell("gru", H + 1 + H, 3, rng)]
    cells_bw = [make_cell("gru", D, H + 1, rng), make_cell("rnn_tanh", H + 1 + H, 2, rng)]
    x = rng.normal(size=(T, B, D))
    inits_fw = tuple(random_state(c, B, rng) for c in cells_fw)
    inits_bw = tuple(random_state(c, B, rng) for c in cells_bw)
    report = check_stack(cells_fw, cells_bw, x, SHORT, inits_fw, inits_bw, time_major, rng)
    assert report.passed, str(report)


def test_stack_layer_reads_the_concatenation_of_the_layer_below_in_either_layout(rng):
    cells_fw = [make_cell("lstm", D, H, rng), make_cell("lstm", 2 * H + 1, 3, rng)]
    cells_bw = [make_cell("lstm", D, H + 1, rng), make_cell("lstm", 2 * H + 1, 2, rng)]
    x = rng.normal(size=(ROWS, T, D))
    outputs, finals_fw, finals_bw, cache = ln.stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, x, LENGTHS)
    (o_fw, o_bw), (f_fw, f_bw), _ = ln.bidirectional_dynamic_rnn(cells_fw[0], cells_bw[0], x, LENGTHS)
    (t_fw, t_bw), (g_fw, g_bw), _ = ln.bidirectional_dynamic_rnn(
        cells_fw[1], cells_bw[1], np.concatenate([o_fw, o_bw], axis=2), LENGTHS)
    np.testing.assert_array_equal(outputs, np.concatenate([t_fw, t_bw], axis=2))
    np.testing.assert_array_equal(finals_fw[0].c, f_fw.c)
    np.testing.assert_array_equal(finals_bw[1].h, g_bw.h)
    d_out = rng.normal(size=outputs.shape)
    grads = ln.stack_bidirectional_dynamic_rnn_backward(d_out, None, None, cache)
    tm_outputs, _, _, tm_cache = ln.stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, x.transpose(1, 0, 2),
                                                                    LENGTHS, time_major=True)
    tm_grads = ln.stack_bidirectional_dynamic_rnn_backward(d_out.transpose(1, 0, 2), None, None, tm_cache)
    np.testing.assert_array_equal(tm_outputs.transpose(1, 0, 2), outputs)
    np.testing.assert_array_equal(tm_grads.inputs.transpose(1, 0, 2), grads.inputs)
    for key, g in grads.params.items():
        np.testing.assert_array_equal(tm_grads.params[key], g)


def test_bad_input_is_named(rng):
    cell_fw, cell_bw = make_cell("lstm", D, H, rng), make_cell("lstm", D + 1, H, rng)
    with pytest.raises(ValueError, match="cell_bw with cell_fw's input size D=4"):
        ln.bidirectional_dynamic_rnn(cell_fw, cell_bw, np.zeros((2, T, D)))
    with pytest.raises(ValueError, match="one object"):
        ln.bidirectional_dynamic_rnn(cell_fw, cell_fw, np.zeros((2, T, D)))
    cell_bw = make_cell("lstm", D, H, rng)
    outs, _, cache = ln.bidirectional_dynamic_rnn(cell_fw, cell_bw, np.zeros((2, T, D)))
    with pytest.raises(ValueError, match=r"d_outputs\[1\] of the outputs' shape \(B, T, H\)=\(2, 3, 5\)"):
        ln.bidirectional_dynamic_rnn_backward((outs[0], outs[1][:, :2]), None, cache)
    with pytest.raises(TypeError, match="pair"):
        ln.bidirectional_dynamic_rnn_backward(outs[0], None, cache)
    with pytest.raises(ValueError, match=r"cells_fw\[1\].input_size is 5, expected H_fw \+ H_bw = 10"):
        ln.stack_bidirectional_dynamic_rnn([cell_fw, make_cell("rnn_tanh", H, 2, rng)],
                                           [cell_bw, make_cell("rnn_tanh", 2 * H, 2, rng)], np.zeros((2, T, D)))
