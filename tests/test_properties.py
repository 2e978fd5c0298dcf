"""Properties over random small configurations (hypothesis, derandomized in CI)."""
import numpy as np
from hypothesis import given, settings, strategies as st

import lstm_numpy as ln
from lstm_numpy.gradcheck import check_dynamic_rnn, random_state
from lstm_numpy.state import map_state, state_leaves

from conftest import make_cell

SMOOTH_KINDS = ["rnn_tanh", "lstm", "lstm_fb1", "gru", "gru_before"]
TANH_KINDS = SMOOTH_KINDS            # every cell whose h is bounded by 1 in magnitude
ALL_KINDS = SMOOTH_KINDS + ["rnn_relu"]   # relu's kinks are found and skipped by the checker


@st.composite
def configurations(draw, kinds=SMOOTH_KINDS, max_layers=3, dtype=np.float64):
    """(cell, inputs, lengths, initial_state, time_major), sizes 1 to 4, cells of ``dtype``."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_layers = draw(st.integers(1, max_layers))
    kinds_k = [draw(st.sampled_from(kinds)) for _ in range(n_layers)]
    widths = [draw(st.integers(1, 4)) for _ in range(n_layers + 1)]
    B, T = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    cells = [make_cell(k, widths[i], widths[i + 1], rng, dtype=dtype) for i, k in enumerate(kinds_k)]
    cell = cells[0] if n_layers == 1 and draw(st.booleans()) else ln.MultiRNNCell(cells)
    time_major = draw(st.booleans())
    x = rng.normal(size=(T, B, widths[0]) if time_major else (B, T, widths[0]))
    lengths = np.array([draw(st.integers(0, T)) for _ in range(B)]) if draw(st.booleans()) else None
    state0 = random_state(cell, B, rng) if draw(st.booleans()) else None
    return cell, x, lengths, state0, time_major


@settings(max_examples=50)
@given(configurations(kinds=ALL_KINDS))
def test_gradient_check_passes(config):
    cell, x, lengths, state0, time_major = config
    report = check_dynamic_rnn(cell, x, sequence_length=lengths, initial_state=state0, time_major=time_major)
    assert report.passed, str(report)


@given(configurations(kinds=TANH_KINDS))
def test_gates_in_unit_interval_and_h_bounded(config):
    cell, x, lengths, state0, time_major = config
    outputs, final_state, cache = ln.dynamic_rnn(cell, x * 3, lengths, state0, time_major)
    assert np.all(np.abs(outputs) <= 1)
    for step in cache["steps"]:
        for layer in (step if isinstance(step, tuple) else (step,)):
            for gate in ("i", "f", "o", "r", "z"):
                if gate in layer:
                    assert np.all((layer[gate] >= 0) & (layer[gate] <= 1))
            assert np.all(np.abs(layer["h"]) <= 1)


@given(configurations(kinds=ALL_KINDS), st.data())
def test_causality(config, data):
    """Changing x at step t leaves every output before t unchanged."""
    cell, x, lengths, state0, time_major = config
    T = x.shape[0] if time_major else x.shape[1]
    t = data.draw(st.integers(0, T - 1))
    changed = x.copy()
    if time_major:
        changed[t] += 1.0
    else:
        changed[:, t] += 1.0
    out1, _, _ = ln.dynamic_rnn(cell, x, lengths, state0, time_major)
    out2, _, _ = ln.dynamic_rnn(cell, changed, lengths, state0, time_major)
    before = (slice(0, t),) if time_major else (slice(None), slice(0, t))
    np.testing.assert_array_equal(out1[before], out2[before])


@given(configurations(kinds=ALL_KINDS), st.floats(-3, 3), st.floats(-3, 3))
def test_backward_is_linear_in_its_upstream_gradients(config, a, b):
    cell, x, lengths, state0, time_major = config
    outputs, final_state, cache = ln.dynamic_rnn(cell, x, lengths, state0, time_major)
    rng = np.random.default_rng(0)
    d1, d2 = rng.normal(size=outputs.shape), rng.normal(size=outputs.shape)
    f1 = map_state(lambda s: rng.normal(size=s.shape), final_state)
    f2 = map_state(lambda s: rng.normal(size=s.shape), final_state)
    g1 = ln.dynamic_rnn_backward(d1, f1, cache)
    g2 = ln.dynamic_rnn_backward(d2, f2, cache)
    mixed = ln.dynamic_rnn_backward(a * d1 + b * d2, map_state(lambda u, v: a * u + b * v, f1, f2), cache)
    close = dict(rtol=1e-9, atol=1e-12)   # linear maths, rounded in a different order
    np.testing.assert_allclose(mixed.inputs, a * g1.inputs + b * g2.inputs, **close)
    for m, u, v in zip(state_leaves(mixed.initial_state), state_leaves(g1.initial_state),
                       state_leaves(g2.initial_state)):
        np.testing.assert_allclose(m, a * u + b * v, **close)
    for k in mixed.params:
        np.testing.assert_allclose(mixed.params[k], a * g1.params[k] + b * g2.params[k], **close)


@given(st.sampled_from([np.float64, np.float32]).flatmap(
    lambda dtype: st.tuples(st.just(dtype), configurations(kinds=ALL_KINDS, dtype=dtype))))
def test_no_warning_with_inputs_of_magnitude_1e4(dtype_and_config):
    """Warnings are errors in the test run: an overflow in a sigmoid or tanh would fail here."""
    dtype, (cell, x, lengths, state0, time_major) = dtype_and_config
    big = np.sign(x) * 1e4
    outputs, final_state, cache = ln.dynamic_rnn(cell, big, lengths, state0, time_major)
    grads = ln.dynamic_rnn_backward(np.ones_like(outputs) * 1e4, None, cache)
    assert outputs.dtype == dtype and grads.inputs.dtype == dtype
    assert np.all(np.isfinite(outputs)) and np.all(np.isfinite(grads.inputs))
