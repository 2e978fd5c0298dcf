"""TensorFlow 1.x LSTMCell's options (peepholes, cell_clip, num_proj, proj_clip): eqs. (8)-(13).

Gradient checks of every array for each option alone and all together, in a step and through
time with sequence lengths 0 and T, in stacks; the clip's rule at and beyond its boundary;
output_size everywhere a width of h is asked (zero_state, stacks, the time loop, the fast
engine, the converters, the trace, the diagram); clear errors. Sizes pairwise distinct:
T, B, D, H, P = 3, 2, 4, 5, 3 (and ROWS = 6 rows for the sequence-length cases).
Parity with the frameworks is in test_golden.py (fixtures tf_lstmcell_*, torch_lstm_proj*).
"""
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import lstm_numpy as ln
from lstm_numpy.gradcheck import check_dynamic_rnn, check_gradients, random_state
from lstm_numpy.lstm import clip, clip_grad, lstm_step_forward, lstm_variant_step_backward, lstm_variant_step_forward
from lstm_numpy.state import map_state, state_leaves
from lstm_numpy.trace import trace

from conftest import B, D, H, LENGTHS, ROWS, T, randomize

P = 3
ROOT = Path(__file__).resolve().parent.parent

# Each option alone, then together; clips small enough that values fall on both sides.
VARIANTS = {
    "peepholes": dict(use_peepholes=True),
    "cell_clip": dict(cell_clip=0.3),
    "num_proj": dict(num_proj=P),
    "proj_clip": dict(num_proj=P, proj_clip=0.15),
    "all": dict(use_peepholes=True, cell_clip=0.3, num_proj=P, proj_clip=0.05),
}


def variant_cell(rng, input_size=D, hidden_size=H, **options):
    return randomize(ln.LSTMCell(input_size, hidden_size, rng=rng, **options), rng)


def step_check(cell, rng, state_scale=0.5):
    """Gradient check of one step of ``cell``, every array on its own; the step cache too."""
    x = rng.normal(size=(B, cell.input_size))
    state = random_state(cell, B, rng, scale=state_scale)
    h, new_state, cache = cell.step(x, state)
    dh = rng.normal(size=h.shape)
    dstate = map_state(lambda s: rng.normal(size=s.shape), new_state)

    def loss():
        h, new_state, _ = cell.step(x, state)
        return np.sum(h * dh) + sum(np.sum(s * d) for s, d in zip(state_leaves(new_state), state_leaves(dstate)))

    dx, dstate_prev, dparams = cell.step_backward(dh, dstate, cache)
    arrays = {"x": x, "c_prev": state.c, "h_prev": state.h, **cell.params}
    analytic = {"x": dx, "c_prev": dstate_prev.c, "h_prev": dstate_prev.h, **dparams}
    assert set(dparams) == set(cell.params)
    return check_gradients(loss, arrays, analytic), cache


@pytest.mark.parametrize("name", VARIANTS)
def test_one_step_every_array(name, rng):
    cell = variant_cell(rng, **VARIANTS[name])
    report, cache = step_check(cell, rng, state_scale=1.0)
    assert report.passed, str(report)
    for value, bound in (("c_hat", cell.cell_clip), ("h_hat", cell.proj_clip)):
        if bound is not None:                                 # the check saw both sides of the clip
            inside = np.abs(cache[value]) <= bound
            assert inside.any() and not inside.all(), f"{value}: {cache[value]}"


@pytest.mark.parametrize("name", VARIANTS)
def test_whole_sequence_with_lengths_0_and_T(name, rng):
    cell = variant_cell(rng, **VARIANTS[name])
    x = rng.normal(size=(ROWS, T, D))
    assert 0 in LENGTHS and T in LENGTHS
    report = check_dynamic_rnn(cell, x, sequence_length=LENGTHS, initial_state=random_state(cell, ROWS, rng),
                               rng=rng)
    assert report.passed, str(report)


def test_stack_of_variants_time_major(rng):
    # Layer 1 reads layer 0's P = 3 columns and projects to 2; layer 2, a GRU, reads those 2.
    cell = ln.MultiRNNCell([variant_cell(rng, D, H, **VARIANTS["all"]),
                            variant_cell(rng, P, 6, use_peepholes=True, num_proj=2, proj_clip=0.2),
                            randomize(ln.GRUCell(2, 7, rng=rng), rng)])
    x = rng.normal(size=(T, ROWS, D))
    report = check_dynamic_rnn(cell, x, sequence_length=LENGTHS, initial_state=random_state(cell, ROWS, rng),
                               time_major=True, rng=rng)
    assert report.passed, str(report)
    assert [layer.output_size for layer in cell.cells] == [P, 2, 7]


def test_the_gradient_check_sees_a_missing_peephole_term(rng):
    # The planted bug: forget that c fans out into o through w_o_diag (eq. (11)).
    cell = variant_cell(rng, **VARIANTS["peepholes"])
    x, state = rng.normal(size=(B, D)), random_state(cell, B, rng)
    h, c, cache = lstm_variant_step_forward(x, state.h, state.c, **cell.params)
    dh, dc = rng.normal(size=h.shape), rng.normal(size=c.shape)
    broken = dict(cache, w_o_diag=np.zeros(H))               # the backward then drops da_o * w_o_diag
    broken_but_o = lstm_variant_step_backward(dh, dc, broken)

    def loss():
        h, c, _ = lstm_variant_step_forward(x, state.h, state.c, **cell.params)
        return np.sum(h * dh) + np.sum(c * dc)

    report = check_gradients(loss, {"c_prev": state.c}, {"c_prev": broken_but_o[2]})
    assert not report.passed and report.max_error > 1e-3


# The clip at its boundary: TensorFlow's clip_by_value passes the gradient where the value
# equals the bound (tf_lstmcell_clip_boundary holds TensorFlow's own gradients there).

def test_clip_grad_passes_at_the_boundary_and_blocks_beyond():
    v = np.array([-0.5000001, -0.5, -0.4999999, 0.0, 0.4999999, 0.5, 0.5000001])
    assert clip(v, 0.5).tolist() == [-0.5, -0.5, -0.4999999, 0.0, 0.4999999, 0.5, 0.5]
    assert clip_grad(np.full(7, 2.0), v, 0.5).tolist() == [0.0, 2.0, 2.0, 2.0, 2.0, 2.0, 0.0]
    assert clip(v, None) is v and clip_grad(v, v, None) is v


def test_a_cell_state_at_the_clip_passes_its_gradient(rng):
    # i = sigma(-800) = 0 and f = sigma(40) = 1 exactly: c = c_prev, so c_prev picks the side.
    cell = ln.LSTMCell(D, H, cell_clip=0.5, rng=rng)
    cell.params["W_x"][...] = cell.params["W_h"][...] = 0.0
    cell.params["b"][...] = np.repeat([-800.0, 40.0, 0.0, 0.0], H)
    c_prev = np.array([[0.5, -0.5, 0.25, 0.75, -0.75], [0.5, 0.5, 0.5, 0.5, 0.5]])   # at, inside, beyond
    h, state, cache = cell.step(np.zeros((B, D)), ln.LSTMState(c_prev, np.zeros((B, H))))
    assert np.array_equal(cache["c_hat"], c_prev)
    dc = rng.normal(size=(B, H))
    _, dstate_prev, _ = cell.step_backward(np.zeros((B, H)), ln.LSTMState(dc, np.zeros((B, H))), cache)
    passes = np.abs(c_prev) <= 0.5
    assert np.array_equal(dstate_prev.c, np.where(passes, dc, 0.0))
    assert passes[0, 0] and passes[0, 1] and not passes[0, 3]


def test_without_options_the_variant_step_is_the_basic_step(rng):
    cell = variant_cell(rng)
    x, h_prev, c_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    h1, c1, _ = lstm_step_forward(x, h_prev, c_prev, **cell.params, forget_bias=0.5)
    h2, c2, _ = lstm_variant_step_forward(x, h_prev, c_prev, **cell.params, forget_bias=0.5)
    assert np.array_equal(h1, h2) and np.array_equal(c1, c2)


def test_zero_peepholes_and_huge_clips_are_the_plain_lstm(rng):
    plain = variant_cell(rng)
    other = ln.LSTMCell(D, H, use_peepholes=True, cell_clip=1e9, rng=0)
    for name, p in plain.params.items():
        other.params[name][...] = p
    x = rng.normal(size=(B, T, D))
    out1, final1, _ = ln.dynamic_rnn(plain, x)
    out2, final2, _ = ln.dynamic_rnn(other, x)
    np.testing.assert_allclose(out2, out1, rtol=0, atol=1e-15)
    assert other.params["w_i_diag"].tolist() == [0.0] * H     # peepholes start at zero


# output_size: the width of h wherever it is asked.

def test_shapes_with_a_projection(rng):
    cell = ln.LSTMCell(D, H, num_proj=P, rng=0)
    assert cell.output_size == P and cell.hidden_size == H
    assert {k: v.shape for k, v in cell.params.items()} == {
        "W_x": (D, 4 * H), "W_h": (P, 4 * H), "b": (4 * H,), "W_proj": (H, P)}
    state = cell.zero_state(B)
    assert state.c.shape == (B, H) and state.h.shape == (B, P)
    outputs, final, cache = ln.dynamic_rnn(cell, rng.normal(size=(B, T, D)), sequence_length=[T, 0])
    assert outputs.shape == (B, T, P) and final.h.shape == (B, P) and final.c.shape == (B, H)
    assert np.all(outputs[1] == 0) and np.array_equal(final.h[1], np.zeros(P))
    assert ln.gate_history(cache, "m").shape == (T, B, H) and ln.gate_history(cache, "h").shape == (T, B, P)
    grads = ln.dynamic_rnn_backward(np.ones_like(outputs), None, cache)
    assert grads.initial_state.h.shape == (B, P) and grads.params["W_proj"].shape == (H, P)
    with pytest.raises(ValueError, match=r"d_outputs"):
        ln.dynamic_rnn_backward(np.ones((B, T, H)), None, cache)


def test_stacks_chain_on_output_size():
    stack = ln.kinds.build_cell("lstm", [H, 6], D, num_proj=P, use_peepholes=True, rng=0)
    assert [(c.input_size, c.hidden_size, c.output_size) for c in stack.cells] == [(D, H, P), (P, 6, P)]
    assert stack.output_size == P and stack.params["cell_1/W_x"].shape == (P, 24)
    with pytest.raises(ValueError, match=r"cells\[1\].input_size is 5, expected cells\[0\].output_size = 3"):
        ln.MultiRNNCell([ln.LSTMCell(D, H, num_proj=P), ln.LSTMCell(H, 6)])


def test_init_draws_w_h_with_p_rows_and_w_proj(tmp_path):
    for init in ("dl", "orthogonal", "pytorch", "xavier"):
        cell = ln.LSTMCell(D, H, num_proj=P, init=init, rng=0)
        assert cell.params["W_h"].shape == (P, 4 * H) and np.all(cell.params["W_proj"] != 0), init
    plain = ln.LSTMCell(D, H, rng=7)
    with_proj = ln.LSTMCell(D, H, num_proj=H, rng=7)          # W_proj drawn after, the gates as before
    assert np.array_equal(plain.params["W_x"], with_proj.params["W_x"])
    path = tmp_path / "kernel.csv"
    np.savetxt(path, np.ones((D + P, 4 * H)), delimiter=",")
    with pytest.raises(ValueError, match=r"CSV init holds the \[D \+ P, 4H\] kernel only"):
        ln.LSTMCell(D, H, num_proj=P, init=str(path))


@pytest.mark.parametrize("options, error, message", [
    (dict(proj_clip=0.5), ValueError, r"proj_clip clips the projection: it needs num_proj"),
    (dict(cell_clip=0.0), ValueError, r"expected cell_clip as None or a positive finite number, got 0.0"),
    (dict(cell_clip=float("inf")), ValueError, r"cell_clip as None or a positive finite number"),
    (dict(cell_clip="1"), TypeError, r"expected cell_clip as None or a positive number, got str '1'"),
    (dict(num_proj=0), ValueError, r"expected num_proj >= 1, got 0"),
    (dict(num_proj=2.0), TypeError, r"expected num_proj as an integer"),
    (dict(use_peepholes=1), TypeError, r"expected use_peepholes as True or False"),
])
def test_bad_options(options, error, message):
    with pytest.raises(error, match=message):
        ln.LSTMCell(D, H, **options)


def test_options_are_lstm_options():
    with pytest.raises(ln.kinds.OptionError, match=r"num_proj applies to the lstm cell only"):
        ln.kinds.build_cell("gru", [H], D, num_proj=P)
    cell = ln.kinds.build_cell("lstm", [H], D, cell_clip=2.0, rng=0)
    assert cell.options() == {"forget_bias": 0.0, "use_peepholes": False, "cell_clip": 2.0, "num_proj": None,
                              "proj_clip": None}
    assert repr(cell) == "LSTMCell(input_size=4, hidden_size=5, forget_bias=0.0, cell_clip=2.0, dtype=float64)"


# The fast engine: the readable route for these layers, the same numbers, said in the cache.

@pytest.mark.parametrize("time_major", [False, True])
def test_fast_engine_routes_variants_to_the_readable_path(time_major, rng):
    cell = ln.MultiRNNCell([variant_cell(rng, D, H, **VARIANTS["all"]), randomize(ln.LSTMCell(P, 6, rng=rng), rng),
                            variant_cell(rng, 6, 7, num_proj=2)])
    x = rng.normal(size=(T, ROWS, D) if time_major else (ROWS, T, D))
    init = random_state(cell, ROWS, rng)
    expected = ln.dynamic_rnn(cell, x, LENGTHS, init, time_major)
    got = ln.fast.dynamic_rnn(cell, x, LENGTHS, init, time_major)
    assert ln.fast.routes(got[2]) == ("readable", "fast", "readable")
    np.testing.assert_allclose(got[0], expected[0], rtol=0, atol=1e-13)
    for a, b in zip(state_leaves(got[1]), state_leaves(expected[1])):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)
    d_outputs = rng.normal(size=expected[0].shape)
    d_final = map_state(lambda s: rng.normal(size=s.shape), expected[1])
    want = ln.dynamic_rnn_backward(d_outputs, d_final, expected[2])
    have = ln.fast.dynamic_rnn_backward(d_outputs, d_final, got[2])
    np.testing.assert_allclose(have.inputs, want.inputs, rtol=0, atol=1e-13)
    for a, b in zip(state_leaves(have.initial_state), state_leaves(want.initial_state)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)
    assert sorted(have.params) == sorted(want.params)
    for name in want.params:
        np.testing.assert_allclose(have.params[name], want.params[name], rtol=0, atol=1e-13, err_msg=name)


def test_fast_engine_keeps_its_kernel_for_the_plain_lstm():
    _, _, cache = ln.fast.dynamic_rnn(ln.LSTMCell(D, H, forget_bias=1.0, rng=0), np.ones((B, T, D)))
    assert ln.fast.routes(cache) == ("fast",)


# Converters: both ways, and refusals where a framework has no place for an option.

def test_tf_round_trip_and_names(rng):
    cell = ln.MultiRNNCell([variant_cell(rng, D, H, use_peepholes=True, cell_clip=0.3, num_proj=P),
                            variant_cell(rng, P, 6)])
    variables = ln.interop.to_tf(cell)
    prefix = "rnn/multi_rnn_cell/cell_0/lstm_cell/"
    assert {k: v.shape for k, v in variables.items() if k.startswith(prefix)} == {
        prefix + "kernel": (D + P, 4 * H), prefix + "bias": (4 * H,), prefix + "w_i_diag": (H,),
        prefix + "w_f_diag": (H,), prefix + "w_o_diag": (H,), prefix + "projection/kernel": (H, P)}
    assert "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel" in variables
    back = ln.interop.from_tf(variables, forget_bias=0.0, cell_clip=[0.3, None])
    assert back.cells[0].options() == cell.cells[0].options()
    for name, p in cell.params.items():
        assert np.array_equal(back.params[name], p), name
    assert np.array_equal(variables[prefix + "projection/kernel"], cell.cells[0].params["W_proj"])


def test_from_tf_clips_are_given_not_stored(rng):
    variables = ln.interop.to_tf(variant_cell(rng, **VARIANTS["proj_clip"]))
    assert ln.interop.from_tf(variables).proj_clip is None
    cell = ln.interop.from_tf(variables, cell_clip=0.5, proj_clip=0.25)
    assert (cell.cell_clip, cell.proj_clip, cell.num_proj) == (0.5, 0.25, P)
    basic = ln.interop.to_tf(variant_cell(rng))
    with pytest.raises(ValueError, match=r"cell_clip=0.5 applies to LSTMCell layers \(lstm_cell/\)"):
        ln.interop.from_tf(basic, cell_clip=0.5)
    with pytest.raises(ValueError, match=r"expected proj_clip as one value or a list of 1"):
        ln.interop.from_tf(variables, proj_clip=[0.1, 0.2])
    broken = {k.replace("lstm_cell", "basic_lstm_cell"): v for k, v in variables.items()}
    with pytest.raises(ValueError, match=r"basic_lstm_cell, which has no projection/kernel"):
        ln.interop.from_tf(broken)
    peepholes = ln.interop.to_tf(variant_cell(rng, **VARIANTS["peepholes"]))
    del peepholes["rnn/lstm_cell/w_o_diag"]
    with pytest.raises(ValueError, match=r"peepholes come in threes; missing w_o_diag"):
        ln.interop.from_tf(peepholes)


def test_torch_round_trip_and_refusals(rng):
    cell = ln.MultiRNNCell([variant_cell(rng, D, H, num_proj=P), variant_cell(rng, P, H, num_proj=P)])
    sd = ln.interop.to_torch(cell)
    assert {k: v.shape for k, v in sd.items() if k.endswith("_l1")} == {
        "weight_ih_l1": (4 * H, P), "weight_hh_l1": (4 * H, P), "bias_ih_l1": (4 * H,), "bias_hh_l1": (4 * H,),
        "weight_hr_l1": (P, H)}
    assert np.array_equal(sd["weight_hr_l0"], cell.cells[0].params["W_proj"].T)
    back = ln.interop.from_torch(sd, "lstm")
    assert [layer.num_proj for layer in back.cells] == [P, P]
    for name, p in cell.params.items():
        np.testing.assert_allclose(back.params[name], p, rtol=0, atol=0, err_msg=name)
    for options in (VARIANTS["peepholes"], VARIANTS["cell_clip"], VARIANTS["proj_clip"]):
        with pytest.raises(ValueError, match=r"layer 0 has .*, which PyTorch's nn.LSTM does not have; use to_tf"):
            ln.interop.to_torch(variant_cell(rng, **options))
    with pytest.raises(ValueError, match=r"which Keras's LSTM layer does not have"):
        ln.interop.to_keras(variant_cell(rng, **VARIANTS["num_proj"]))
    bad = dict(sd, weight_hh_l0=np.ones((4 * H, H)))
    with pytest.raises(ValueError, match=r"weight_hh_l0'\]: expected shape \(4H=20, P=3\), got \(20, 5\)"):
        ln.interop.from_torch(bad, "lstm")


# The trace, the diagram and the docs.

def test_trace_shows_the_new_quantities_with_their_shapes(rng):
    cell = ln.MultiRNNCell([variant_cell(rng, D, H, **VARIANTS["all"]), variant_cell(rng, P, 6)])
    tr = trace(cell, rng.normal(size=(B, T, D)))
    expect = {"w_i_diag": ((H,), "[n_0]"), "w_o_diag": ((H,), "[n_0]"), "c_hat_t": ((B, H), "(s, n_0)"),
              "m_t": ((B, H), "(s, n_0)"), "W_proj": ((H, P), "[n_0, p_0]"), "h_hat_t": ((B, P), "(s, p_0)"),
              "h_t": ((B, P), "(s, p_0)"), "h_{t-1}": ((B, P), "(s, p_0)"), "w_f": ((D + P, H), "[m_0 + p_0, n_0]")}
    for name, (shape, symbol) in expect.items():
        entry = tr.find(name, k=0, t=1)
        assert (entry.shape, entry.symbol) == (shape, symbol), name
    assert tr.shape("x_t", k=1) == (B, P)
    text = tr.format()
    assert "p_0 = P_0 = 3" in text and "layer k=1: m_1=3, n_1=6 ---" in text
    assert "clip(c_hat_t, +-cell_clip=0.3)" in text


def test_diagram_draws_peepholes_and_projection(tmp_path):
    plot = pytest.importorskip("lstm_numpy.plot")
    from lstm_numpy.plot.canvas import labels
    cell = ln.kinds.build_cell("lstm", [7, 11], 3, use_peepholes=True, num_proj=5, proj_clip=0.5, rng=0)
    text = labels(plot.draw_lstm_cell(cell, 2, layer=1))
    for expected in ["[11, 5]", "$W_{proj}^{1}$", "clip ±0.5", "$m_t^{1}$ (2, 11)", "$h_t^{1}$ (2, 5)",
                     "$h_{t-1}^{1}$ (2, 5)", "diag [11]", "[11] each", "m_1 = p_0 = P_0 = 5, n_1 = H_1 = 11, p_1 = P_1 = 5", "[10, 11]"]:
        assert expected in text, expected
    plain = labels(plot.draw_lstm_cell(ln.kinds.build_cell("lstm", [7, 11], 3, rng=0), 2, layer=1))
    assert "diag" not in plain and "proj" not in plain
    from lstm_numpy.commands import main
    out = tmp_path / "cell.svg"
    assert main(["diagram", "lstm-cell", "--peepholes", "--num-proj", "4", "--sizes", "6", "-o", str(out)]) == 0
    svg = out.read_text()
    assert "[6, 4]" in svg and "diag [6]" in svg


def test_the_docs_quote_the_backward_lines_byte_for_byte():
    page = (ROOT / "docs" / "lstm.md").read_text(encoding="utf-8")
    section = page[page.index("### Backward of the added lines"):]
    code_lines = {line.strip() for line in (ROOT / "lstm_numpy" / "lstm.py").read_text(encoding="utf-8").splitlines()}
    quoted = [line for body in re.findall(r"^```text\n(.*?)^```", section, re.M | re.S)
              for line in body.splitlines() if "# (" in line]
    assert len(quoted) >= 12
    for line in quoted:
        assert line in code_lines, f"docs/lstm.md quotes a line lstm.py does not have: {line!r}"


# Parity: test_golden.py holds every fixture to its shared 1e-11; the LSTMCell and proj_size
# fixtures are held here to the 1e-12 their issue asks for (measured: 1.3e-15 at most).

def largest_differences(name):
    """(forward, gradients): the largest absolute difference from the framework's numbers."""
    import test_golden as golden
    f = golden.load(name)

    def most(pairs):
        return max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in pairs)

    if name.startswith("tf_"):
        cell = ln.interop.from_tf(golden.prefixed(f, "var/"), forget_bias=float(f["forget_bias"]),
                                  cell_clip=golden.fixture_clips(f, "cell_clip"),
                                  proj_clip=golden.fixture_clips(f, "proj_clip"))
        init = golden.tf_state(f, "initial_state", cell)
        outputs, final, grads = golden.run(cell, f["inputs"], f.get("sequence_length"), init, bool(f["time_major"]),
                                           f["d_outputs"], golden.tf_state(f, "d_final_state", cell))
        expected = golden.tf_state(f, "final_state", cell), golden.tf_state(f, "grad/initial_state", cell)
        converted, framework = ln.interop.to_tf(cell, grads.params), golden.prefixed(f, "grad/var/")
        forward = [(outputs, f["outputs"])]
    else:
        cell = ln.interop.from_torch(golden.prefixed(f, "sd/"), "lstm")
        state = [golden.torch_state(f, h, c, [""], True) for h, c in
                 (("h0", "c0"), ("d_h_n", "d_c_n"), ("h_n", "c_n"), ("grad/h0", "grad/c0"))]
        outputs, final, grads = golden.run(cell, f["inputs"], f.get("lengths"), state[0], not bool(f["batch_first"]),
                                           f["d_output"], state[1])
        expected = state[2], state[3]
        converted, framework = ln.interop.to_torch(cell, grads.params), golden.prefixed(f, "grad/sd/")
        forward = [(outputs, f["output"])]
    assert sorted(converted) == sorted(framework)
    forward += list(zip(golden.leaves(final), golden.leaves(expected[0])))
    backward = [(grads.inputs, f["grad/inputs"])] + [(converted[k], framework[k]) for k in framework]
    backward += list(zip(golden.leaves(grads.initial_state), golden.leaves(expected[1])))
    return most(forward), most(backward)


VARIANT_FIXTURES = ["tf_lstmcell_peepholes", "tf_lstmcell_cell_clip", "tf_lstmcell_proj", "tf_lstmcell_proj_clip",
                    "tf_lstmcell_stack", "tf_lstmcell_mixed_stack", "tf_lstmcell_clip_boundary",
                    "torch_lstm_proj", "torch_lstm_proj_packed"]


@pytest.mark.parametrize("name", VARIANT_FIXTURES)
def test_parity_with_the_frameworks_to_1e_12(name):
    forward, backward = largest_differences(name)
    assert forward < 1e-12 and backward < 1e-12, (forward, backward)


def test_the_boundary_fixture_is_at_the_boundary():
    import test_golden as golden
    f = golden.load("tf_lstmcell_clip_boundary")
    c, h = f["final_state/c"], f["final_state/h"]
    assert np.sum(np.abs(c) == f["cell_clip"][0]) >= 4 and np.sum(np.abs(h) == f["proj_clip"][0]) >= 4
    # TensorFlow passed the gradient through c at +-cell_clip (rows 0 and 2), none through row 1's 25 -> 20.
    assert np.array_equal(f["grad/initial_state/c"][0], f["d_final_state/c"][0])
    assert np.all(f["grad/initial_state/c"][1] == 0)


def test_float32_stays_float32(rng):
    cell = ln.LSTMCell(D, H, dtype=np.float32, rng=0, **VARIANTS["all"])
    outputs, final, cache = ln.dynamic_rnn(cell, rng.normal(size=(B, T, D)), sequence_length=[T, 0])
    grads = ln.dynamic_rnn_backward(np.ones_like(outputs), None, cache)
    assert outputs.dtype == final.c.dtype == final.h.dtype == grads.inputs.dtype == np.float32
    assert {name: g.dtype for name, g in grads.params.items()} == {name: np.dtype(np.float32) for name in cell.params}


def test_a_state_of_the_wrong_width_names_p():
    cell = ln.LSTMCell(D, H, num_proj=P, rng=0)
    with pytest.raises(ValueError, match=r"expected initial_state.h of shape \(B, P\)=\(2, 3\), got \(2, 5\)"):
        ln.dynamic_rnn(cell, np.ones((B, T, D)), initial_state=ln.LSTMState(np.zeros((B, H)), np.zeros((B, H))))
    with pytest.raises(ValueError, match=r"LSTMState\(c, h\) with c \(2, 5\), h \(2, 3\), got tuple"):
        ln.dynamic_rnn(cell, np.ones((B, T, D)), initial_state=(np.zeros((B, H)), np.zeros((B, P))))


# Properties over random small configurations of the options (hypothesis, derandomized in CI).

@st.composite
def variant_stacks(draw):
    """(stack of 1-2 LSTM layers with random options, inputs (B, T, D), lengths, initial state)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layers, width = [], draw(st.integers(1, 4))
    for _ in range(draw(st.integers(1, 2))):
        num_proj = draw(st.one_of(st.none(), st.integers(1, 3)))
        options = dict(use_peepholes=draw(st.booleans()), num_proj=num_proj,
                       cell_clip=draw(st.one_of(st.none(), st.floats(0.05, 2.0))),
                       proj_clip=None if num_proj is None else draw(st.one_of(st.none(), st.floats(0.05, 2.0))))
        layers.append(randomize(ln.LSTMCell(width, draw(st.integers(1, 4)), rng=rng, **options), rng, scale=1.0))
        width = layers[-1].output_size
    cell = ln.MultiRNNCell(layers)
    B, T = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    lengths = np.array([draw(st.integers(0, T)) for _ in range(B)])
    return cell, rng.normal(size=(B, T, cell.input_size)), lengths, random_state(cell, B, rng, scale=1.0)


@settings(max_examples=10)                                    # each runs a full gradient check
@given(variant_stacks())
def test_properties_of_random_variant_stacks(config):
    cell, x, lengths, state0 = config
    outputs, final, cache = ln.dynamic_rnn(cell, x, lengths, state0)
    assert outputs.shape == x.shape[:2] + (cell.output_size,)
    for k, layer in enumerate(cell.cells):
        for name in ("i", "f", "o"):                          # gates stay fractions
            gate = ln.gate_history(cache, name, k)
            assert np.all((gate >= 0) & (gate <= 1))
        if layer.cell_clip is not None:                       # eq. (10)
            assert np.abs(ln.gate_history(cache, "c", k)).max() <= layer.cell_clip
        if layer.proj_clip is not None:                       # eq. (13)
            assert np.abs(ln.gate_history(cache, "h", k)).max() <= layer.proj_clip
    report = check_dynamic_rnn(cell, x, sequence_length=lengths, initial_state=state0)
    assert report.passed, str(report)
