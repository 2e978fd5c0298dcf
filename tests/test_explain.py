"""The explorable page, on the Python side: its embedded data is the trace's, bit for bit; its
source lines are the files'; it asks for nothing outside itself; it refuses what it cannot show.
(The page in a browser: tests/test_explain_browser.py.)"""
import html
import json
import linecache
import re
import sys

import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.gradient_flow import step_contributions
from lstm_numpy.trace import trace
from lstm_numpy.commands import main
from lstm_numpy.explain import LIMITS, decode, explain, page_data, render, sequence
from lstm_numpy.explain.data import encode, forward_lines
from lstm_numpy.kinds import build_cell

from conftest import B, D, T, randomize

SIZES = [5, 6]                                  # two layers; with T, B, D = 3, 2, 4 every size distinct
FORMS = {"rnn": {}, "lstm": {"forget_bias": 1.0}, "gru": {}, "gru-reset-before": {"reset_after": False}}
DATA_JSON = re.compile(r'<script type="application/json" id="data">(.*?)</script>', re.S)


def make(form, rng, sizes=SIZES):
    kind = form.split("-")[0]
    return randomize(build_cell(kind, sizes, D, rng=rng, **FORMS[form]), rng)


def embedded(page):
    """The data a page carries, read back from its HTML."""
    return json.loads(DATA_JSON.search(page).group(1))


def traced(cell, x, lengths=None, time_major=False):
    return trace(cell, x, sequence_length=lengths, time_major=time_major, backward=True)


@pytest.mark.parametrize("lengths", [None, [T, 1]])
@pytest.mark.parametrize("form", FORMS)
def test_the_embedded_data_is_the_trace_bit_for_bit(form, lengths, rng):
    cell = make(form, rng)
    x = rng.normal(size=(B, T, D))
    data = embedded(explain(cell, x, lengths))
    tr = traced(cell, x, lengths)
    steps = [e for e in tr.entries if not e.name.startswith(("w", "W", "b"))]
    assert [(e["t"], e["k"], e["name"], tuple(e["shape"])) for e in data["forward"]] == \
           [(e.t, e.k, e.name, e.shape) for e in steps]
    for mine, theirs in zip(data["forward"], steps, strict=True):
        assert np.array_equal(decode(mine["value"]), theirs.value)
    for k, layer in enumerate(data["layers"]):                # the weights, the same at every step
        for p in layer["params"]:
            for t in range(T):
                assert np.array_equal(decode(p["value"]), tr.find(p["name"], k, t).value)
    bt = tr.backward
    assert [(e["t"], e["k"], e["name"]) for e in data["backward"]] == [(e.t, e.k, e.name) for e in bt.entries]
    for mine, theirs in zip(data["backward"], bt.entries, strict=True):
        assert np.array_equal(decode(mine["value"]), theirs.value)
        assert mine["where"]["line"] == theirs.where.line and mine["equation"] == theirs.equation
    outputs, _, _ = ln.dynamic_rnn(cell, x, lengths)
    for t in range(T):
        assert np.array_equal(decode(data["outputs"][t]), outputs[:, t])
        assert np.array_equal(decode(data["d_outputs"][t]), bt.d_outputs[:, t])


def test_float64_survives_the_round_trip_exactly():
    awkward = np.array([[0.1, -0.0, 1e-310, np.nextafter(1.0, 2.0)], [np.pi, -np.e, 1e300, 2.0 ** -1074]])
    back = decode(json.loads(json.dumps(encode(awkward))))
    assert back.dtype == np.float64 and back.shape == (2, 4)
    assert back.tobytes() == awkward.tobytes()


def test_contributions_are_step_contributions_of_the_same_loss(rng):
    cell = make("lstm", rng)
    x = rng.normal(size=(B, T, D))
    data = page_data(cell, x)
    bt = traced(cell, x).backward
    want = step_contributions(cell, x, "W_h", d_outputs=bt.d_outputs)
    assert np.array_equal(decode(data["contributions"]["weight_norms"]), want.weight_norms)
    assert np.array_equal(decode(data["contributions"]["hidden_norms"]), want.hidden_norms)
    assert decode(data["contributions"]["weight_norms"]).shape == (len(SIZES), T, T)


@pytest.mark.parametrize("form", FORMS)
def test_every_forward_line_is_the_files_and_computes_its_quantity(form, rng):
    cell = make(form, rng)
    x = rng.normal(size=(B, T, D))
    data = page_data(cell, x)
    keys = {name: key for key, name, _ in cell.cells[0].step_quantities()}
    for e in data["forward"] + [p for layer in data["layers"] for p in layer["params"]]:
        where = e["where"]
        text = linecache.getline(sys.modules[where["module"]].__file__, where["line"]).strip()
        assert text == where["text"]
        if e["name"] in keys:                                  # a computed quantity: its line assigns it
            assert re.match(rf"{re.escape(keys[e['name']])}\s*=", text), (e["name"], text)
            assert e["equation"].startswith("eq")
        elif e["name"] in ("x_t", "h_{t-1}", "c_{t-1}"):       # handed in: the call of the step function
            assert where["function"].endswith(".step") and "forward(" in text, text


@pytest.mark.parametrize("form", FORMS)
def test_the_recorded_forward_arrays_are_the_traces(form, rng):
    """The line found for each quantity bound the very array the trace shows (one step rerun)."""
    cell = make(form, rng)
    x = rng.normal(size=(B, T, D))
    _, _, cache = ln.dynamic_rnn(cell, x)
    tr = trace(cell, x)
    for k, layer in enumerate(cell.cells):
        lines, call = forward_lines(layer, cell.split_layers(cache["steps"][0])[k])
        assert call is not None
        for key, name, _ in layer.step_quantities():
            assert np.array_equal(lines[key][1], tr.find(name, k, 0).value)


def test_batch_and_time_major_give_the_same_page(rng):
    cell = make("gru", rng)
    x = rng.normal(size=(B, T, D))
    lengths = [T, 2]
    assert explain(cell, x, lengths) == explain(cell, x.transpose(1, 0, 2), lengths, time_major=True)


def test_the_page_asks_for_nothing_outside_itself(rng):
    page = explain(make("lstm", rng), rng.normal(size=(B, T, D)), [T, 1])
    assert not re.search(r"[a-z][a-z0-9+.-]*://", page, re.I)       # no URL of any scheme
    assert not re.search(r"\b(src|href|srcset|action)\s*=|url\(|@import|//\s*cdn|fetch\(|XMLHttpRequest", page, re.I)
    assert "default-src 'none'" in page                            # and the browser is told to refuse any
    assert page.count("<script") == 2 and "<link" not in page


def test_the_articles_page_is_under_2_mb(tmp_path, capsys):
    """The command's default: [20, 30] on input 8, batch 4, T = 5."""
    out = tmp_path / "explain.html"
    assert main(["explain", "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < 2_000_000
    config = embedded(page)["config"]
    assert (config["kind"], config["n"], config["m"], config["s"], config["T"]) == ("lstm", [20, 30], 8, 4, 5)


def test_the_command_shows_what_trace_prints(tmp_path):
    """Same flags, same cell and inputs: the page's values are those of ``trace --backward``."""
    out = tmp_path / "p.html"
    flags = ["--cell", "gru", "--reset-before", "--sizes", "3", "--input-size", "2", "--batch", "2", "--steps", "2",
             "--lengths", "2", "1", "--seed", "7"]
    assert main(["explain", *flags, "-o", str(out)]) == 0
    rng = np.random.default_rng(7)
    cell = build_cell("gru", [3], 2, rng=rng, reset_after=False)
    x = rng.normal(size=(2, 2, 2))
    bt = trace(cell, x, sequence_length=[2, 1], backward=True, seed=7).backward
    data = embedded(out.read_text(encoding="utf-8"))
    for mine, theirs in zip(data["backward"], bt.entries, strict=True):
        assert np.array_equal(decode(mine["value"]), theirs.value)


@pytest.mark.parametrize("what, argv", [
    ("T=12 steps", ["--steps", "13"]), ("B=8 batch", ["--batch", "9"]), ("H=64 units", ["--sizes", "65"]),
    ("L=4 layers", ["--sizes", "2", "2", "2", "2", "2"]), ("D=64 input", ["--input-size", "65"])])
def test_past_its_limits_the_page_is_refused_with_the_limit_named(what, argv, tmp_path, capsys):
    out = tmp_path / "p.html"
    assert main(["explain", *argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"expected at most {what}" in err and "python -m lstm_numpy explain: error" in err
    assert not out.exists()
    assert LIMITS["steps"] == 12


def test_mixed_layers_and_bad_inputs_are_refused(rng):
    mixed = ln.MultiRNNCell([ln.LSTMCell(D, 5, rng=0), ln.GRUCell(5, 6, rng=1)])
    with pytest.raises(ValueError, match=r"layers of one kind.*\['gru', 'lstm'\]"):
        page_data(mixed, np.zeros((B, T, D)))
    with pytest.raises(ValueError, match=r"inputs of shape \(B, T, D\) or \(T, B, D\), got shape \(2, 4\)"):
        page_data(ln.RNNCell(D, 5, rng=0), np.zeros((B, D)))


def test_the_title_is_escaped(rng):
    data = page_data(ln.RNNCell(D, 5, rng=0), np.zeros((B, T, D)))
    page = render(data, title="a < b & c")
    assert "<title>a &lt; b &amp; c</title>" in page and html.unescape("a &lt; b") == "a < b"


def test_the_stepping_order_is_the_forward_trace_then_bptt(rng):
    cell = make("lstm", rng)
    x = rng.normal(size=(B, T, D))
    tr = traced(cell, x)
    order = sequence(page_data(cell, x))
    forward = [("forward", e.t, e.k, e.name) for e in tr.entries if not e.name.startswith(("w", "W", "b"))]
    assert order == forward + [("backward", e.t, e.k, e.name) for e in tr.backward.entries]
    assert order[len(forward)] == ("backward", T - 1, len(SIZES) - 1, "d_output")


def test_the_command_gives_one_page_for_both_layouts(tmp_path):
    pages = []
    for layout in ([], ["--time-major"]):
        out = tmp_path / f"p{len(pages)}.html"
        assert main(["explain", "--sizes", "3", "--input-size", "2", "--batch", "2", "--steps", "3",
                     "--lengths", "3", "1", *layout, "-o", str(out)]) == 0
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]


def test_the_page_of_an_lstm_with_peepholes_clipping_and_projection(tmp_path):
    cell = ln.MultiRNNCell([ln.LSTMCell(3, 5, use_peepholes=True, cell_clip=2.0, num_proj=4, rng=0),
                            ln.LSTMCell(4, 6, rng=1)])
    page = explain(cell, np.random.default_rng(0).normal(size=(2, 3, 3)), path=tmp_path / "page.html")
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == page
    assert "m_t" in page and "W_proj" in page                # the projection's quantities are on the page
