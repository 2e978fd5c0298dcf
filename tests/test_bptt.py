"""The backward trace, checked against computations that do not read it.

- Each step's weight and bias gradients, summed over the steps in the order the time loop
  adds them, are ``dynamic_rnn_backward``'s gradients bit for bit; each step's ``dx`` is
  that step's slice of the input gradient, and what step 0 hands on is the initial state's.
- ``dh`` (the sum a step receives) and ``dc`` of every step and layer are central differences
  of the loss with h_t (or c_t) of that layer nudged in a forward loop written here.
- Every entry names a line whose text is the one in the file and which assigns that name.
- Rows past their sequence length: nothing enters the step, the carry goes around it.
"""
import inspect
import re
import sys

import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.bptt import backward_trace, trace_backward
from lstm_numpy.commands import main
from lstm_numpy.gradcheck import TOLERANCE, numerical_gradient, random_state, relative_error
from lstm_numpy.state import map_state, state_leaves
from lstm_numpy.trace import trace

from conftest import D, H, KINDS, LENGTHS, ROWS, T, make_cell

SMOOTH = [kind for kind in KINDS if kind != "rnn_relu"]   # a difference across relu's kink is no derivative


def stack_of(kind, rng, sizes=(H, 3)):
    """A stack of two layers of one kind, every array random, sizes distinct from T, D and ROWS."""
    widths = [D, *sizes]
    return ln.MultiRNNCell([make_cell(kind, widths[k], widths[k + 1], rng) for k in range(len(sizes))])


def traced(cell, rng, lengths=LENGTHS, time_major=False, final=True):
    B = ROWS
    x = rng.normal(size=(T, B, D) if time_major else (B, T, D))
    state0 = random_state(cell, B, rng)
    outputs, final_state, cache = ln.dynamic_rnn(cell, x, sequence_length=lengths, initial_state=state0,
                                                 time_major=time_major)
    d_out = rng.normal(size=outputs.shape)
    d_final = map_state(lambda s: rng.normal(size=s.shape), final_state) if final else None
    bt = backward_trace(cache, d_out, d_final)
    return x, state0, d_out, d_final, bt


@pytest.mark.parametrize("time_major", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_per_step_contributions_sum_to_the_gradients(kind, time_major, rng):
    cell = stack_of(kind, rng)
    x, state0, d_out, d_final, bt = traced(cell, rng, time_major=time_major)
    grads = bt.grads
    for k, layer in enumerate(cell.cells):
        for name in layer.params:
            total = np.zeros_like(layer.params[name])
            for t in reversed(range(T)):                      # the time loop's order of addition
                contribution = bt.find(f"d{name}", k, t)
                assert contribution.shape == layer.params[name].shape
                total = total + contribution.value
            np.testing.assert_array_equal(total, grads.params[cell.param_key(k, name)])
    d_inputs = grads.inputs if time_major else grads.inputs.transpose(1, 0, 2)
    for t in range(T):
        np.testing.assert_array_equal(bt.find("dx", 0, t).value, d_inputs[t])
        np.testing.assert_array_equal(bt.find("dx", 1, t).value, bt.find("d_output", 0, t).value)
    for k, layer in enumerate(cell.cells):
        expected = layer.state_arrays(cell.split_layers(grads.initial_state)[k])
        for part, value in expected.items():
            np.testing.assert_array_equal(bt.find(f"d{part}_prev", k, 0).value, value)


def loss_with_nudge(cell, x, lengths, state0, d_out, d_final, at, delta):
    """L = sum(outputs * d_out) + sum(final_state * d_final), with ``delta`` added to one layer's
    h (or c, h then recomputed by eq. (7)) right after one step: ``at = (t, k, part)``."""
    layers = cell.cells
    states = list(cell.split_layers(state0))
    loss = 0.0
    for t in range(x.shape[1]):
        alive = (t < lengths)[:, None]
        inp = x[:, t]
        new = []
        for k, layer in enumerate(layers):
            h, state, step_cache = layer.step(inp, states[k])
            if at[:2] == (t, k):
                parts = dict(layer.state_arrays(state))
                if at[2] == "c":
                    parts["c"] = parts["c"] + delta
                    parts["h"] = h = step_cache["o"] * np.tanh(parts["c"])   # eq. (7) of docs/lstm.md
                else:
                    parts["h"] = h = h + delta
                state = layer.make_state(parts)
            new.append(state)
            inp = h
        states = [map_state(lambda n, o: np.where(alive, n, o), n_, o_) for n_, o_ in zip(new, states)]
        loss += np.sum(np.where(alive, inp, 0) * d_out[:, t])
    final = cell.join_layers(states)
    loss += sum(np.sum(a * b) for a, b in zip(state_leaves(final), state_leaves(d_final)))
    return loss


@pytest.mark.parametrize("kind", SMOOTH)
def test_dh_and_dc_are_central_differences(kind, rng):
    cell = stack_of(kind, rng, sizes=(H, 3))
    x, state0, d_out, d_final, bt = traced(cell, rng)
    lengths = LENGTHS
    for t in range(T):
        for k, layer in enumerate(cell.cells):
            for part in layer.state_parts:
                delta = np.zeros((ROWS, layer.hidden_size))
                numeric = numerical_gradient(
                    lambda: loss_with_nudge(cell, x, lengths, state0, d_out, d_final, (t, k, part), delta), delta)
                analytic = bt.find(f"d{part}", k, t).value   # dh: the sum the step receives; dc: eq. (7)'s
                assert np.max(relative_error(analytic, numeric)) < TOLERANCE, (t, k, part)
                dead = np.flatnonzero(t >= lengths)
                assert not analytic[dead].any()              # a masked step takes in nothing


ASSIGNS = r"^(?:[\w\[\]\.]+\s*,\s*)*{name}(?:\s*,\s*[\w\[\]\.]+)*\s*=[^=]"


@pytest.mark.parametrize("kind", KINDS)
def test_each_entry_names_the_line_that_computes_it(kind, rng):
    cell = stack_of(kind, rng)
    for lengths in (None, LENGTHS):
        _, _, _, _, bt = traced(cell, rng, lengths=lengths, final=lengths is None)
        assert {e.t for e in bt.entries} == set(range(T))
        for e in bt.entries:
            module = sys.modules[e.where.module]
            lines, start = inspect.getsourcelines(module)
            assert lines[e.where.line - 1].strip() == e.where.text
            function = module
            for part in e.where.function.split("."):
                function = getattr(function, part)
            body, first = inspect.getsourcelines(function)
            assert first <= e.where.line < first + len(body), e
            if e.name == "dh" and e.code_name == "dh" and e.where.module != "lstm_numpy.time_loop":
                assert re.search(r"\bdh \+ dstate", e.where.text), e       # the sum, as the cell's method forms it
            else:
                assert re.search(ASSIGNS.format(name=re.escape(e.code_name)), e.where.text), e
            if e.equation:
                assert re.search(re.escape(e.equation), e.where.text) and e.formula, e
            assert e.value.shape == e.shape and e.label == f"{e.name}^{e.k}"


def test_the_order_is_bptts(rng):
    cell = stack_of("lstm", rng)
    _, _, _, _, bt = traced(cell, rng)
    order = [(e.t, e.k) for e in bt.entries]
    assert order == sorted(order, key=lambda tk: (-tk[0], -tk[1]))
    step = [e.name for e in bt.entries if (e.t, e.k) == (1, 1)]
    for before, after in [("d_output", "dh"), ("dh_next", "dh"), ("dh", "dc"), ("dc", "dc_prev"),
                          ("dc", "df"), ("df", "da_f"), ("da", "dW_h"), ("da", "dx")]:
        assert step.index(before) < step.index(after), (before, after, step)
    for name in ("di", "df", "dg", "do", "da_i", "da_f", "da_g", "da_o", "da", "dW_x", "dW_h", "db",
                 "dx", "dh_prev", "dc_prev", "dh_next", "dc_next", "d_output", "dh"):
        assert name in step


def test_rows_past_their_length_carry_their_gradient(rng):
    cell = stack_of("lstm", rng)
    _, _, _, _, bt = traced(cell, rng)
    for t in range(T):
        dead = np.flatnonzero(t >= LENGTHS)
        assert bt.dead.get(t, []) == dead.tolist()
        for k in (0, 1):
            for part in "ch":
                into = bt.find(f"d{part}_next", k, t).value
                carry = bt.find(f"d{part}_carry", k, t).value
                handed = bt.find(f"d{part}_prev", k, t).value
                assert not into[dead].any() and not carry[np.setdiff1d(np.arange(ROWS), dead)].any()
                np.testing.assert_array_equal(handed[dead], carry[dead])
                if t:
                    np.testing.assert_array_equal(handed, bt.find(f"d{part}_next", k, t - 1).value
                                                  + bt.find(f"d{part}_carry", k, t - 1).value)


def test_trace_backward_and_its_defaults(rng):
    cell = stack_of("gru_before", rng)
    x = rng.normal(size=(ROWS, T, D))
    tr = trace(cell, x, backward=True, seed=3)
    outputs, _, cache = ln.dynamic_rnn(cell, x)
    expected = np.random.default_rng(3).normal(size=outputs.shape)
    np.testing.assert_array_equal(tr.backward.d_outputs, expected)
    grads = ln.dynamic_rnn_backward(expected, None, cache)
    np.testing.assert_array_equal(tr.backward.grads.inputs, grads.inputs)
    assert "backward pass (BPTT)" in tr.format() and tr.backward.find("dW_h", 1, 0).shape == (3, 9)
    assert trace(cell, x).backward is None
    alone = trace_backward(cell, x, seed=3)
    assert [(e.t, e.k, e.name) for e in alone.entries] == [(e.t, e.k, e.name) for e in tr.backward.entries]
    gru_dh_prev = tr.backward.all("dh_prev", 0, 2)               # however many lines add to it
    assert gru_dh_prev and all("(11)" in e.equation or "(10)" in e.equation or "(9)" in e.equation
                               or "(8)" in e.equation for e in gru_dh_prev)
    assert tr.backward.find("dh_prev", 0, 2) is gru_dh_prev[-1]
    with pytest.raises(KeyError, match="no 'dc' for layer k=0 at t=1; there are"):
        tr.backward.find("dc", 0, 1)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("layout", [[], ["--time-major"]])
def test_command_line_traces_every_cell_backward(kind, layout, capsys):
    flags = ["--reset-before"] if kind == "gru" and layout else []
    assert main(["trace", "--backward", "--cell", kind, *flags, *layout, "--sizes", "3", "2", "--input-size", "4",
                 "--batch", "3", "--steps", "2", "--lengths", "0", "2", "1"]) == 0
    out = capsys.readouterr().out
    assert "=== backward, step t=1 ===  (rows [0, 2] are past their length" in out
    assert re.search(r"dW_h\^1 +\(2, \d+\)", out) and "time_loop.py:" in out
    first = out.index("=== backward, step t=1")
    assert out.index("layer k=1", first) < out.index("layer k=0", first)


@pytest.mark.parametrize("lengths", [None, LENGTHS])
@pytest.mark.parametrize("kind", KINDS)
def test_the_fast_engines_trace_agrees_with_the_readable_one(kind, lengths, rng):
    from lstm_numpy.fast.trace import backward_trace as fast_backward_trace
    cell = stack_of(kind, rng)
    x = rng.normal(size=(T, ROWS, D))
    outputs, final_state, fast_cache = ln.fast.dynamic_rnn(cell, x, sequence_length=lengths, time_major=True)
    d_out = rng.normal(size=outputs.shape)
    d_final = map_state(lambda s: rng.normal(size=s.shape), final_state)
    fast = fast_backward_trace(fast_cache, d_out, d_final)
    _, _, cache = ln.dynamic_rnn(cell, x, sequence_length=lengths, time_major=True)
    readable = backward_trace(cache, d_out, d_final)
    expected = {"rnn": {"dh", "dh_prev"}, "lstm": {"dh", "dc", "da", "dc_prev", "dh_prev"},
                "gru": {"dh", "da_r", "da_n", "dh_prev"} | ({"drh"} if "before" in kind else set())}
    for t in range(T):
        for k in range(2):
            names = {e.name for e in fast.entries if (e.t, e.k) == (t, k)}
            assert names == expected[kind.split("_")[0]], (t, k)
            alive = np.ones(ROWS, bool) if lengths is None else t < lengths
            for name in names:
                mine, theirs = fast.find(name, k, t), readable.find(name, k, t)
                rows = alive if name in ("dh", "dc", "drh") else slice(None)   # the fast kernels fold the carry into dh
                np.testing.assert_allclose(mine.value[rows], theirs.value[rows], rtol=1e-12, atol=1e-14)
                assert mine.where.module.startswith("lstm_numpy.fast.")
    for mine, theirs in zip(state_leaves(fast.grads.initial_state), state_leaves(readable.grads.initial_state)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)


def test_the_pages_excerpts_are_what_the_command_prints(capsys):
    """Each ```text block of docs/bptt.md that starts with a trace command holds, after its
    ``...`` line, lines the command prints one after another, as they are printed today."""
    import shlex
    from docs_pages import DOCS, FENCE
    text = (DOCS / "bptt.md").read_text(encoding="utf-8")
    checked = 0
    for m in FENCE.finditer(text):
        lines = m.group(2).splitlines()
        if m.group(1) != "text" or not lines[0].startswith("$ python -m lstm_numpy trace"):
            continue
        assert lines[1] == "...", lines[:2]
        assert main(shlex.split(lines[0])[4:]) == 0
        printed = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
        excerpt = [line.rstrip() for line in lines[2:]]
        starts = [i for i, line in enumerate(printed) if line == excerpt[0]]
        assert any(printed[i:i + len(excerpt)] == excerpt for i in starts), \
            f"docs/bptt.md's excerpt of {lines[0]!r} is not what it prints now: regenerate it"
        checked += 1
    assert checked == 3
