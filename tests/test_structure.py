"""Structural checks: the same computation written two ways gives the same numbers.

Each test computes a reference independently of the function under test (by hand with
NumPy, or through another public path), so a shared bug cannot make both sides agree.
"""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.activations import sigmoid
from lstm_numpy.gradcheck import random_state
from lstm_numpy.state import map_state, state_leaves

from conftest import B, D, H, KINDS, LENGTHS, ROWS, T, make_cell

EXACT = dict(rtol=0, atol=0)       # the same operations in the same order: bit for bit
CLOSE = dict(rtol=1e-12, atol=1e-13)   # the same maths summed in another order


def assert_states_equal(a, b, **tol):
    for x, y in zip(state_leaves(a), state_leaves(b), strict=True):
        np.testing.assert_allclose(x, y, **tol)


@pytest.mark.parametrize("kind", KINDS)
def test_single_steps_equal_one_sequence_call(kind, rng):
    """Forward and backward: T calls of step / step_backward equal dynamic_rnn and its backward."""
    cell = make_cell(kind, D, H, rng)
    x = rng.normal(size=(B, T, D))
    state0 = random_state(cell, B, rng)
    outputs, final_state, cache = ln.dynamic_rnn(cell, x, initial_state=state0)
    d_out = rng.normal(size=outputs.shape)
    d_final = map_state(lambda s: rng.normal(size=s.shape), final_state)
    grads = ln.dynamic_rnn_backward(d_out, d_final, cache)

    state, hs, caches = state0, [], []
    for t in range(T):
        h, state, c = cell.step(x[:, t], state)
        hs.append(h)
        caches.append(c)
    np.testing.assert_allclose(np.stack(hs, axis=1), outputs, **EXACT)
    assert_states_equal(state, final_state, **EXACT)

    dstate, dxs, dparams = d_final, [], {k: 0 for k in cell.params}
    for t in reversed(range(T)):
        dx, dstate, dp = cell.step_backward(d_out[:, t], dstate, caches[t])
        dxs.append(dx)
        dparams = {k: dparams[k] + dp[k] for k in dparams}
    np.testing.assert_allclose(np.stack(dxs[::-1], axis=1), grads.inputs, **EXACT)
    assert_states_equal(dstate, grads.initial_state, **EXACT)
    for k in dparams:
        np.testing.assert_allclose(dparams[k], grads.params[k], **CLOSE)


@pytest.mark.parametrize("kind", KINDS)
def test_one_layer_stack_equals_its_cell(kind, rng):
    cell = make_cell(kind, D, H, rng)
    stack = ln.MultiRNNCell([cell])
    x = rng.normal(size=(ROWS, T, D))
    lengths = LENGTHS
    out1, fin1, cache1 = ln.dynamic_rnn(cell, x, lengths)
    out2, fin2, cache2 = ln.dynamic_rnn(stack, x, lengths)
    np.testing.assert_allclose(out1, out2, **EXACT)
    assert_states_equal((fin1,), fin2, **EXACT)
    d_out = rng.normal(size=out1.shape)
    g1 = ln.dynamic_rnn_backward(d_out, None, cache1)
    g2 = ln.dynamic_rnn_backward(d_out, None, cache2)
    np.testing.assert_allclose(g1.inputs, g2.inputs, **EXACT)
    assert sorted(g2.params) == sorted(f"cell_0/{k}" for k in g1.params)
    for k in g1.params:
        np.testing.assert_allclose(g1.params[k], g2.params[f"cell_0/{k}"], **EXACT)


@pytest.mark.parametrize("kind", KINDS)
def test_padding_past_length_changes_nothing(kind, rng):
    """Values at and past a row's length change neither outputs, final state nor any gradient."""
    cell = ln.MultiRNNCell([make_cell(kind, D, H, rng), make_cell(kind, H, 6, rng)])
    x = rng.normal(size=(3, 5, D))
    lengths = np.array([5, 2, 0])
    state0 = random_state(cell, 3, rng)
    padded = x.copy()
    padded[1, 2:] = rng.normal(size=(3, D)) * 100
    padded[2, :] = rng.normal(size=(5, D)) * 100
    results = []
    for inputs in (x, padded):
        out, fin, cache = ln.dynamic_rnn(cell, inputs, lengths, state0)
        d_out = np.random.default_rng(5).normal(size=out.shape)
        d_fin = map_state(lambda s: np.random.default_rng(6).normal(size=s.shape), fin)
        results.append((out, fin, ln.dynamic_rnn_backward(d_out, d_fin, cache)))
    (o1, f1, g1), (o2, f2, g2) = results
    np.testing.assert_allclose(o1, o2, **EXACT)
    assert_states_equal(f1, f2, **EXACT)
    np.testing.assert_allclose(g1.inputs, g2.inputs, **EXACT)
    assert_states_equal(g1.initial_state, g2.initial_state, **EXACT)
    for k in g1.params:
        np.testing.assert_allclose(g1.params[k], g2.params[k], **EXACT)
    # and the rule itself: zero outputs past the length, the state of the last valid step
    assert np.all(o1[1, 2:] == 0) and np.all(o1[2] == 0)
    assert_states_equal(map_state(lambda s: s[2], f1), map_state(lambda s: s[2], state0), **EXACT)
    assert np.all(g1.inputs[1, 2:] == 0) and np.all(g1.inputs[2] == 0)


def test_length_equal_to_steps_is_no_mask(rng):
    cell = make_cell("lstm", D, H, rng)
    x = rng.normal(size=(B, T, D))
    out1, fin1, _ = ln.dynamic_rnn(cell, x)
    out2, fin2, _ = ln.dynamic_rnn(cell, x, sequence_length=np.full(B, T))
    np.testing.assert_allclose(out1, out2, **EXACT)
    assert_states_equal(fin1, fin2, **EXACT)


@pytest.mark.parametrize("kind", KINDS)
def test_time_major_equals_batch_major(kind, rng):
    cell = ln.MultiRNNCell([make_cell(kind, D, H, rng), make_cell(kind, H, 7, rng)])
    x = rng.normal(size=(ROWS, T, D))
    lengths = LENGTHS
    out_b, fin_b, cache_b = ln.dynamic_rnn(cell, x, lengths)
    out_t, fin_t, cache_t = ln.dynamic_rnn(cell, x.transpose(1, 0, 2), lengths, time_major=True)
    np.testing.assert_allclose(out_b, out_t.transpose(1, 0, 2), **EXACT)
    assert_states_equal(fin_b, fin_t, **EXACT)
    d_out = rng.normal(size=out_b.shape)
    g_b = ln.dynamic_rnn_backward(d_out, None, cache_b)
    g_t = ln.dynamic_rnn_backward(d_out.transpose(1, 0, 2), None, cache_t)
    np.testing.assert_allclose(g_b.inputs, g_t.inputs.transpose(1, 0, 2), **EXACT)
    for k in g_b.params:
        np.testing.assert_allclose(g_b.params[k], g_t.params[k], **EXACT)


def test_lstm_matches_the_articles_concat_form(rng):
    """The article's per-gate concat form, concat([h, x]) @ W_j + b_j, is the same network.

    The reference is written here from the equations, gate by gate, with one [H + D, H]
    matrix per gate built by stacking rows of W_h above rows of W_x.
    """
    cell = make_cell("lstm_fb1", D, H, rng)
    x = rng.normal(size=(B, T, D))
    out, fin, _ = ln.dynamic_rnn(cell, x)
    W_x, W_h, b = cell.params["W_x"], cell.params["W_h"], cell.params["b"]
    gate = {name: (np.vstack([W_h[:, j * H:(j + 1) * H], W_x[:, j * H:(j + 1) * H]]), b[j * H:(j + 1) * H])
            for j, name in enumerate("ifgo")}                  # each [H + D, H], (H,)
    h, c = np.zeros((B, H)), np.zeros((B, H))
    for t in range(T):
        hx = np.concatenate([h, x[:, t]], axis=1)              # (B, H + D), the article's order
        f = sigmoid(hx @ gate["f"][0] + gate["f"][1] + 1.0)
        i = sigmoid(hx @ gate["i"][0] + gate["i"][1])
        g = np.tanh(hx @ gate["g"][0] + gate["g"][1])
        o = sigmoid(hx @ gate["o"][0] + gate["o"][1])
        c = f * c + i * g
        h = o * np.tanh(c)
        np.testing.assert_allclose(out[:, t], h, **CLOSE)
    np.testing.assert_allclose(fin.c, c, **CLOSE)
    np.testing.assert_allclose(fin.h, h, **CLOSE)


def test_gru_reference_by_hand(rng):
    """Both GRU forms against a hand-written loop of the published equations."""
    for reset_after in (True, False):
        cell = make_cell("gru" if reset_after else "gru_before", D, H, rng)
        x = rng.normal(size=(B, T, D))
        h = rng.normal(size=(B, H))
        out, _, _ = ln.dynamic_rnn(cell, x, initial_state=h)
        p = cell.params
        Wxr, Wxz, Wxn = np.split(p["W_x"], 3, axis=1)
        Whr, Whz, Whn = np.split(p["W_h"], 3, axis=1)
        for t in range(T):
            xt = x[:, t]
            if reset_after:
                bxr, bxz, bxn = np.split(p["b_x"], 3)
                bhr, bhz, bhn = np.split(p["b_h"], 3)
                r = sigmoid(xt @ Wxr + bxr + h @ Whr + bhr)
                z = sigmoid(xt @ Wxz + bxz + h @ Whz + bhz)
                n = np.tanh(xt @ Wxn + bxn + r * (h @ Whn + bhn))
            else:
                br, bz, bn = np.split(p["b"], 3)
                r = sigmoid(xt @ Wxr + h @ Whr + br)
                z = sigmoid(xt @ Wxz + h @ Whz + bz)
                n = np.tanh(xt @ Wxn + (r * h) @ Whn + bn)
            h = (1 - z) * n + z * h
            np.testing.assert_allclose(out[:, t], h, **CLOSE)


def test_rnn_relu_reference_by_hand(rng):
    cell = make_cell("rnn_relu", D, H, rng)
    x = rng.normal(size=(B, T, D))
    out, fin, _ = ln.dynamic_rnn(cell, x)
    h = np.zeros((B, H))
    for t in range(T):
        h = np.maximum(0, x[:, t] @ cell.params["W_x"] + h @ cell.params["W_h"] + cell.params["b"])
    np.testing.assert_allclose(fin, h, **CLOSE)


def test_shared_cell_equals_separate_copies(rng):
    """[cell] * 3 computes what three cells with equal weights compute; its gradient is their sum."""
    cell = make_cell("lstm", H, H, rng)
    with pytest.warns(UserWarning):
        shared = ln.MultiRNNCell([cell] * 3)
    copies = [ln.LSTMCell(H, H) for _ in range(3)]
    for c in copies:
        for k in c.params:
            c.params[k][...] = cell.params[k]
    separate = ln.MultiRNNCell(copies)
    x = rng.normal(size=(B, T, H))
    out1, _, cache1 = ln.dynamic_rnn(shared, x)
    out2, _, cache2 = ln.dynamic_rnn(separate, x)
    np.testing.assert_allclose(out1, out2, **EXACT)
    d_out = rng.normal(size=out1.shape)
    g1 = ln.dynamic_rnn_backward(d_out, None, cache1).params
    g2 = ln.dynamic_rnn_backward(d_out, None, cache2).params
    for k in cell.params:
        np.testing.assert_allclose(g1[f"cell_0/{k}"], sum(g2[f"cell_{j}/{k}"] for j in range(3)), **CLOSE)


def test_gate_history_stacks_the_cache(rng):
    cell = ln.MultiRNNCell([make_cell("lstm", D, H, rng), make_cell("gru", H, 6, rng)])
    x = rng.normal(size=(B, T, D))
    _, _, cache = ln.dynamic_rnn(cell, x)
    f = ln.gate_history(cache, "f", layer=0)
    z = ln.gate_history(cache, "z", layer=1)
    assert f.shape == (T, B, H) and z.shape == (T, B, 6)
    np.testing.assert_array_equal(f[1], cache["steps"][1][0]["f"])
    with pytest.raises(KeyError, match="no 'f'"):
        ln.gate_history(cache, "f", layer=1)
    with pytest.raises(ValueError, match=r"layer in \[0, 1\]"):
        ln.gate_history(cache, "z", layer=2)


def test_backward_does_not_mutate_its_arguments(rng):
    cell = ln.MultiRNNCell([make_cell("lstm", D, H, rng), make_cell("gru_before", H, 7, rng)])
    x = rng.normal(size=(ROWS, T, D))
    out, fin, cache = ln.dynamic_rnn(cell, x, LENGTHS)
    d_out = rng.normal(size=out.shape)
    d_fin = map_state(lambda s: rng.normal(size=s.shape), fin)
    snapshot = [a.copy() for a in [d_out, *state_leaves(d_fin)]]
    cache_snapshot = [{k: v.copy() for k, v in layer.items() if isinstance(v, np.ndarray)}
                      for step in cache["steps"] for layer in step]
    ln.dynamic_rnn_backward(d_out, d_fin, cache)
    for before, after in zip(snapshot, [d_out, *state_leaves(d_fin)]):
        np.testing.assert_array_equal(before, after)
    after_cache = [layer for step in cache["steps"] for layer in step]
    for before, layer in zip(cache_snapshot, after_cache):
        for k, v in before.items():
            np.testing.assert_array_equal(v, layer[k])
