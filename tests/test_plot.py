"""The diagrams: real shapes in their labels, no two labels overlapping, identical bytes twice.

Labels are read from the figure's Text artists; overlaps are measured on the bounding boxes
the Agg renderer gives each label, for stacks of one to four layers.
"""
import itertools

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from matplotlib.text import Text  # noqa: E402

from lstm_numpy import plot  # noqa: E402
from lstm_numpy.commands import main  # noqa: E402
from lstm_numpy.config import build_cell  # noqa: E402
from lstm_numpy.plot.canvas import labels  # noqa: E402


def overlaps(fig, slack=0.5):
    """Pairs of labels whose rendered boxes intersect by more than ``slack`` pixels."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    bad = []
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        dx = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
        dy = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
        if dx > slack and dy > slack:
            bad.append((a, b))
    return bad


def every_diagram(sizes, D=8, s=4):
    """Each diagram kind for one stack of sizes, with its name."""
    kinds = [("legend", lambda: plot.draw_legend()),
             ("learned-state", lambda: plot.draw_learned_state([D, *sizes], s, 3))]
    for kind in ("rnn", "lstm", "gru"):
        kinds.append((f"unrolled {kind}", lambda kind=kind: plot.draw_unrolled(build_cell(kind, sizes, D, rng=0), s, 3)))
    kinds.append(("contract", lambda: plot.draw_contract(build_cell("lstm", sizes, D, rng=0))))
    lstm = build_cell("lstm", sizes, D, rng=0, forget_bias=1.0)
    for k in range(1, len(sizes) + 1):
        kinds.append((f"lstm-cell layer {k}", lambda k=k: plot.draw_lstm_cell(lstm, s, k, "output")))
    for after in (True, False):
        gru = build_cell("gru", sizes, D, rng=0, reset_after=after)
        kinds.append((f"gru-cell {after}", lambda gru=gru: plot.draw_gru_cell(gru, s, len(sizes))))
    return kinds


@pytest.mark.parametrize("sizes", [[20], [20, 30], [7, 11, 5], [32, 32, 64, 128]])
def test_no_two_labels_overlap(sizes):
    for name, draw in every_diagram(sizes):
        fig = draw()
        assert overlaps(fig) == [], f"{name} with sizes {sizes}"


def test_analysis_plots_do_not_overlap():
    cell = build_cell("lstm", [7, 11, 5], 3, rng=0)
    figs = [plot.plot_gates(plot.run_for_gates(cell, steps=12), layer=2),
            plot.plot_gradient_norms(plot.gradient_flow_curves(hidden=6, steps=12, batch=2)),
            plot.plot_losses({"a": [3.0, 2.0, 1.0], "b": [3.0, 1.0, 0.01]})]
    for fig in figs:
        assert overlaps(fig) == []


def test_shape_labels_follow_the_configuration():
    article = labels(plot.draw_unrolled(build_cell("lstm", [20, 30], 8, rng=0), 4, 3))
    for expected in ["(4, 8)", "(4, 20)", "(4, 30)", "each [28, 20]", "each [50, 30]", "[x, h] (4, 28)"]:
        assert expected in article, expected
    other = labels(plot.draw_unrolled(build_cell("lstm", [7, 11, 5], 3, rng=0), 2, 3))
    for expected in ["(2, 3)", "(2, 7)", "(2, 11)", "(2, 5)", "each [10, 7]", "each [18, 11]", "each [16, 5]"]:
        assert expected in other, expected
    assert "(4, 20)" not in other and "each [28, 20]" not in other
    rnn = labels(plot.draw_unrolled(build_cell("rnn", [20, 30], 8, rng=0), 4, 3))
    assert "[28, 20]" in rnn and "[50, 30]" in rnn


def test_cell_and_model_labels():
    cell = labels(plot.draw_lstm_cell(build_cell("lstm", [7, 11, 5], 3, rng=0), 2, layer=2))
    assert "[18, 11]" in cell and "[11]" in cell and "(2, 18)" in cell and "(2, 7)" in cell
    gru = labels(plot.draw_gru_cell(build_cell("gru", [7, 11, 5], 3, rng=0, reset_after=False), 2, layer=3))
    assert "[11, 5]" in gru and "[5, 5]" in gru and "(2, 16)" in gru
    model = labels(plot.draw_learned_state([8, 32, 32, 64], 4, 3))
    for expected in ["[8, 32]", "[32, 32]", "[32, 64]", "(4, 64)", "(3, 4, 8)", "[x, h] (4, 96)"]:
        assert expected in model, expected
    small = labels(plot.draw_learned_state([5, 6, 7], 2, 2))
    assert "[5, 6]" in small and "[6, 7]" in small and "[8, 32]" not in small
    contract = labels(plot.draw_contract(build_cell("gru", [7, 11, 5], 3, rng=0), 3, 4, (4, 2, 0)))
    assert "(B, T, H) = (3, 4, 5)" in contract and "time-major (T, B, H) = (4, 3, 5)" in contract
    assert contract.count("0 (5,)") == 2 + 4                 # zero outputs past each length


def test_same_configuration_same_bytes(tmp_path):
    cell = build_cell("lstm", [20, 30], 8, rng=0)
    for suffix in ("png", "svg"):
        a, b = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
        plot.save(plot.draw_lstm_cell(cell, 4, 1, "forget"), a)
        plot.save(plot.draw_lstm_cell(build_cell("lstm", [20, 30], 8, rng=0), 4, 1, "forget"), b)
        assert a.read_bytes() == b.read_bytes()
    svg = (tmp_path / "a.svg").read_text()
    assert "<text" in svg and "(4, 20)" in svg                # labels kept as text
    assert "<dc:date>" not in svg
    other = tmp_path / "c.svg"
    plot.save(plot.draw_lstm_cell(build_cell("lstm", [21, 30], 8, rng=0), 4, 1, "forget"), other)
    assert other.read_bytes() != (tmp_path / "a.svg").read_bytes()


def test_diagram_command(tmp_path, capsys):
    for kind in ["unrolled", "gru-cell", "learned-state", "contract"]:
        out = tmp_path / f"{kind}.svg"
        assert main(["diagram", kind, "-o", str(out), "--sizes", "7", "11", "5", "--input-size", "3"]) == 0
        assert out.stat().st_size > 1000
    assert "[18, 11]" in (tmp_path / "unrolled.svg").read_text()
    png = tmp_path / "cell.png"
    assert main(["diagram", "lstm-cell", "--highlight", "input", "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(SystemExit):
        main(["diagram", "unrolled", "-o", str(tmp_path / "x.pdf")])
    assert "ending in .png or .svg" in capsys.readouterr().err


def test_bad_requests():
    lstm = build_cell("lstm", [20, 30], 8, rng=0)
    with pytest.raises(ValueError, match="expected highlight None or one of forget, input, cell, output"):
        plot.draw_lstm_cell(lstm, highlight="reset")
    with pytest.raises(ValueError, match=r"expected layer in \[1, 2\], got 3"):
        plot.draw_lstm_cell(lstm, layer=3)
    with pytest.raises(ValueError, match="expected a GRU cell, got a lstm cell"):
        plot.draw_gru_cell(lstm)
    with pytest.raises(ValueError, match="expected a file name ending in .png or .svg"):
        plot.save(plot.draw_legend(), "figure.jpg")
    with pytest.raises(ValueError, match="expected losses 'loss' as a non-empty 1-D sequence"):
        plot.plot_losses([1.0, np.nan])


def test_the_overlap_check_catches_a_planted_overlap():
    fig = plot.draw_legend()
    fig.axes[0].text(0.8, 0.42, "planted over the layer caption")
    assert ("layer\n(weights + activation)", "planted over the layer caption") in overlaps(fig)


def test_unrolled_from_a_trace_of_a_pass_already_made():
    from lstm_numpy.trace import trace
    cell = build_cell("rnn", [6, 5], 3, rng=0)
    tr = trace(cell, np.zeros((2, 4, 3)))
    text = labels(plot.draw_unrolled(tr))
    assert "$x_{3}$ (2, 3)" in text and "[9, 6]" in text and "T=4 steps" in text


def test_every_figure_the_docs_show_is_in_the_gallery():
    import re
    from pathlib import Path
    from lstm_numpy.plot.gallery import figures
    root = Path(__file__).resolve().parents[1]
    shown = set(re.findall(r"\.\./figures/([\w.]+)", (root / "docs" / "diagrams.md").read_text()))
    made = {name for name, _ in figures()}
    assert shown == made
    assert all((root / "figures" / name).is_file() for name in made)
