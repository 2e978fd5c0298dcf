"""The explorable page in a real browser: headless Chromium from the distribution, driven by its own
command line (lstm_numpy.explain.browser), with the network disabled.

The page runs a self-test when its address ends in ``#selftest=N,M``: it clicks every node and
notes the shapes it shows, presses the Right arrow N times and the Left arrow M times, switches
to the backward pass and reads each gradient's numbers for two nodes, then writes all of it into
the DOM, which ``--dump-dom`` prints. Every expectation below comes from the configuration or
from the traces computed here in Python, never from the page.

Without Chromium these tests are skipped (saying why); ``make test-browser`` sets
LSTM_NUMPY_REQUIRE_BROWSER=1, and then a missing Chromium fails them.
"""
import os
import struct

import numpy as np
import pytest

from lstm_numpy.commands import main
from lstm_numpy.explain import explain
from lstm_numpy.explain.browser import chromium_path, console_lines, screenshot, selftest
from lstm_numpy.kinds import build_cell
from lstm_numpy.trace import trace

from conftest import B, D, T, randomize

pytestmark = pytest.mark.browser

SIZES = [5, 6]
FORMS = {"rnn": ({}, None, False), "lstm": ({"forget_bias": 1.0}, [T, 1], False),
         "gru": ({}, [2, T], True), "gru-reset-before": ({"reset_after": False}, [T, 0], False)}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
# the gradients the opened cell's drawing labels, besides those of the quantities the forward draws
DRAWN_GRADIENTS = {"rnn": {"d_output", "dh_next", "dh", "dx", "dh_prev"},
                   "lstm": {"d_output", "dh_next", "dc_next", "dh", "dc", "di", "df", "dg", "do", "dx", "dh_prev",
                            "dc_prev"},
                   "gru": {"d_output", "dh_next", "dh", "dr", "dz", "dn", "dx", "dh_prev"},
                   "gru-reset-before": {"d_output", "dh_next", "dh", "dr", "dz", "dn", "drh", "dx", "dh_prev"}}


@pytest.fixture(scope="module", autouse=True)
def chromium():
    if chromium_path() is None:
        why = "Chromium is not installed (Debian: apt-get install chromium), so the page is not opened in a browser"
        if os.environ.get("LSTM_NUMPY_REQUIRE_BROWSER"):
            pytest.fail(why + "; make test-browser needs it")
        pytest.skip(why + "; make test-browser runs these tests")


def expected_shape(name, kind, m, n):
    """The shape a quantity of a layer with input m and n units has, from the names alone."""
    G = GATES[kind]
    if name == "x_t":
        return (B, m)
    if name == "[x_t, h_{t-1}]":
        return (B, m + n)
    if name in ("W_x", "W_h"):
        return (m if name == "W_x" else n, G * n)
    if name.startswith("W_x,"):
        return (m, n)
    if name.startswith("W_h,"):
        return (n, n)
    if name.startswith("w"):
        return (m + n, n)
    if name.startswith("b"):
        return (n,)
    return (B, n)                                  # states, gates, c, tanh(c), r * h


def shape_text(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


@pytest.mark.parametrize("form", FORMS)
def test_the_page_in_chromium(form, tmp_path):
    options, lengths, time_major = FORMS[form]
    kind = form.split("-")[0]
    rng = np.random.default_rng(5)
    cell = randomize(build_cell(kind, SIZES, D, rng=rng, **options), rng)
    x = rng.normal(size=(B, T, D))
    inputs = x.transpose(1, 0, 2) if time_major else x
    page = tmp_path / "page.html"
    explain(cell, inputs, lengths, time_major, path=page)
    tr = trace(cell, x, sequence_length=lengths, backward=True)
    forward = [("forward", e.t, e.k, e.name) for e in tr.entries if not e.name.startswith(("w", "W", "b"))]
    order = forward + [("backward", e.t, e.k, e.name) for e in tr.backward.entries]
    presses, back = len(forward) + 6, 9            # into BPTT, then back across into the forward pass

    result, log = selftest(page, presses, back)

    assert result["errors"] == [] and console_lines(log) == []
    assert result["resources"] == []               # nothing was requested
    assert result["sequence"] == len(order)
    # a clicked node shows the configuration's shapes, every quantity of the step
    assert len(result["clicked"]) == T * len(SIZES)
    for node in result["clicked"]:
        m = D if node["k"] == 0 else SIZES[node["k"] - 1]
        shown = dict(node["shapes"])
        assert {name: text for name, text in shown.items()} == \
               {name: shape_text(expected_shape(name, kind, m, SIZES[node["k"]])) for name in shown}
        assert {e.name for e in tr.entries if (e.t, e.k) == (node["t"], node["k"])} == set(shown)
        # the drawing of the cell: every quantity of the step drawn, with its shape; a click on one
        # (or Enter) selects its card and frames it
        assert node["drawing"] == kind
        drawn = {name for name, *_ in node["drawn"]}
        assert drawn == {e.name for e in tr.entries if (e.t, e.k) == (node["t"], node["k"])
                         and not e.name.startswith(("w", "W", "b"))}
        for name, card, selected, text, tabindex in node["drawn"]:
            assert card == name and selected and tabindex == 0
            assert text.endswith(" " + shape_text(expected_shape(name, kind, m, SIZES[node["k"]])))
    # stepping lands on the trace's quantity at that position, forward and back
    for where, position in (("after_forward", presses - 1), ("after_back", presses - 1 - back)):
        now = result["stepping"][where]
        assert (now["pass"], int(now["t"]), int(now["k"]), now["name"]) == order[position]
        assert int(now["pos"]) == position
        assert now["node"] == list(order[position][1:3]) and now["card"] == order[position][3]   # highlighted
        assert now["drawn"] == [order[position][3]]                               # on the drawing too
    gradient = tr.backward.entries[presses - 1 - len(forward)]     # the now line gives its equation and line
    now = result["stepping"]["after_forward"]["text"]
    assert f"py:{gradient.where.line} " in now and gradient.where.text in now and gradient.formula in now
    assert all(result["keyboard"].values())                        # every node, card and square takes focus
    assert order[presses - 1][0] == "backward" and order[presses - 1 - back][0] == "forward"
    # the backward switch shows the trace's gradients, every digit
    assert result["pass_after_switch"] == "backward"
    read = {(r["t"], r["k"]) for r in result["backward"]}
    assert read == {(T - 1, len(SIZES) - 1), (0, 0)}
    for shown in result["backward"]:
        entry = tr.backward.entries[shown["index"] - len(forward)]
        assert (shown["pass"], shown["t"], shown["k"], shown["name"]) == ("backward", entry.t, entry.k, entry.name)
        assert np.array_equal(np.array([float(v) for v in shown["values"]]), entry.value.ravel())
    assert len(result["backward"]) == sum((e.t, e.k) in read for e in tr.backward.entries)
    # the drawing labels the gradients, each with the trace's shape, and selects their cards
    for node in result["backward_drawn"]:
        shapes = {e.name: e.shape for e in tr.backward.entries if (e.t, e.k) == (node["t"], node["k"])}
        assert {name for name, *_ in node["drawn"]} == DRAWN_GRADIENTS[form]
        for name, card, selected, text, tabindex in node["drawn"]:
            assert card == name and selected and tabindex == 0 and text.endswith(" " + shape_text(shapes[name]))


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_the_articles_page_fits_1280_by_800_and_is_drawn(tmp_path):
    page = tmp_path / "explain.html"
    assert main(["explain", "-o", str(page)]) == 0
    result, log = selftest(page, 3, 1)
    assert result["errors"] == [] and console_lines(log) == [] and result["resources"] == []
    assert result["width"]["scroll"] <= result["width"]["client"] == 1280    # no horizontal scrolling
    png = screenshot(page, tmp_path / "shot.png", "step=40")
    assert png_size(png) == (1280, 800)
    assert png.stat().st_size > 30_000                # a drawn page, not a blank one
