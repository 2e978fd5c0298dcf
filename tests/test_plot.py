"""The diagrams: real shapes in their labels, no two labels overlapping, none cut, identical bytes twice.

Labels are read from the figure's Text artists; overlaps and cuts are measured on the bounding
boxes the Agg renderer gives each label, for stacks of one to four layers.
"""
import io
import itertools

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from matplotlib.patches import FancyArrowPatch  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from lstm_numpy import plot  # noqa: E402
from lstm_numpy.commands import main  # noqa: E402
from lstm_numpy.kinds import build_cell  # noqa: E402
from lstm_numpy.plot.canvas import labels  # noqa: E402


def drawn_texts(fig):
    """(text, rendered box) of every label a reader sees: not empty, and not the label of a tick
    that matplotlib leaves undrawn because it lies outside its axis' limits."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            slack = 1e-9 * (hi - lo)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - slack <= tick.get_loc() <= hi + slack:
                    undrawn.update((tick.label1, tick.label2))
    return [(t.get_text(), t.get_window_extent(renderer)) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and t not in undrawn]


def overlaps(fig, slack=0.5):
    """Pairs of labels whose rendered boxes intersect by more than ``slack`` pixels."""
    boxes = drawn_texts(fig)
    bad = []
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        dx = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
        dy = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
        if dx > slack and dy > slack:
            bad.append((a, b))
    return bad


def cut(fig, slack=0.5):
    """Labels whose rendered boxes reach more than ``slack`` pixels past an edge of the figure."""
    page = fig.bbox
    return [s for s, b in drawn_texts(fig)
            if b.x0 < page.x0 - slack or b.y0 < page.y0 - slack or b.x1 > page.x1 + slack or b.y1 > page.y1 + slack]


def readable(fig):
    """Neither overlapping nor cut labels: (overlapping pairs, cut labels)."""
    return overlaps(fig), cut(fig)


def every_diagram(sizes, D=8, s=4):
    """Each diagram kind for one stack of sizes, with its name."""
    kinds = [("legend", lambda: plot.draw_legend()),
             ("learned-state", lambda: plot.draw_learned_state([D, *sizes], s, 3))]
    for kind in ("rnn", "lstm", "gru"):
        kinds.append((f"unrolled {kind}", lambda kind=kind: plot.draw_unrolled(build_cell(kind, sizes, D, rng=0), s, 3)))
    kinds.append(("contract", lambda: plot.draw_contract(build_cell("lstm", sizes, D, rng=0))))
    for kind in ("lstm", "gru"):                              # the command's defaults: B=4, T=3
        kinds.append((f"contract {kind} B=4", lambda kind=kind: plot.draw_contract(
            build_cell(kind, sizes, D, rng=0), 4, 3, (3, 2, 1, 0))))
    lstm = build_cell("lstm", sizes, D, rng=0, forget_bias=1.0)
    for k in range(len(sizes)):
        kinds.append((f"lstm-cell layer {k}", lambda k=k: plot.draw_lstm_cell(lstm, s, k, "output")))
    for after in (True, False):
        gru = build_cell("gru", sizes, D, rng=0, reset_after=after)
        kinds.append((f"gru-cell {after}", lambda gru=gru: plot.draw_gru_cell(gru, s, len(sizes) - 1)))
    return kinds


@pytest.mark.parametrize("sizes", [[20], [20, 30], [7, 11, 5], [32, 32, 64, 128]])
def test_no_two_labels_overlap_and_none_is_cut(sizes):
    for name, draw in every_diagram(sizes):
        fig = draw()
        assert readable(fig) == ([], []), f"{name} with sizes {sizes}"


@pytest.mark.parametrize("batch", [1, 3, 4, 6])
def test_the_contract_makes_room_for_every_row(batch):
    cell = build_cell("gru", [7, 11], 3, rng=0)
    lengths = [3 * (batch - 1 - b) // max(1, batch - 1) for b in range(batch)]
    fig = plot.draw_contract(cell, batch, 3, lengths)
    assert readable(fig) == ([], [])
    assert f"row {batch - 1}\nlength {lengths[-1]}" in labels(fig)


def test_the_check_catches_a_cut_label():
    fig = plot.draw_legend()
    fig.axes[0].text(fig.get_size_inches()[0] - 0.1, 1.0, "past the right edge")
    assert cut(fig) == ["past the right edge"]


def test_analysis_plots_are_readable():
    cell = build_cell("lstm", [7, 11, 5], 3, rng=0)
    figs = [plot.plot_gates(plot.run_for_gates(cell, steps=12), layer=1),
            plot.plot_gradient_norms(plot.gradient_flow_curves(sizes=6, steps=12, batch=2)),
            plot.plot_gradient_norms(plot.gradient_flow_curves(sizes=[7, 5], steps=3, batch=4)),
            plot.plot_losses({"a": [3.0, 2.0, 1.0], "b": [3.0, 1.0, 0.01]})]
    for kind in ("rnn", "lstm", "gru"):                       # one gate to six
        figs.append(plot.plot_gates(plot.run_for_gates(build_cell(kind, [20], 8, rng=0), steps=3, batch=4)))
    for fig in figs:
        assert readable(fig) == ([], [])


def test_a_one_gate_heatmap_keeps_its_panel_readable():
    fig = plot.plot_gates(plot.run_for_gates(build_cell("rnn", [20, 30], 8, rng=0), steps=3, batch=4))
    assert readable(fig) == ([], [])
    heatmap = fig.axes[0].get_position()
    assert heatmap.width * fig.get_size_inches()[0] > 1.5   # inches of heatmap, not squeezed by the title


def tick_texts(axis):
    """The tick labels a reader sees on one axis, major and minor, in order."""
    axis.figure.canvas.draw()
    shown = {id(t) for t in axis.get_ticklabels(which="both")}
    lo, hi = sorted(axis.get_view_interval())
    ticks = sorted((tick for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                    if lo <= tick.get_loc() <= hi and id(tick.label1) in shown), key=lambda tick: tick.get_loc())
    return [tick.label1.get_text() for tick in ticks if tick.label1.get_visible() and tick.label1.get_text()]


def test_steps_are_whole_numbers_and_short_log_ranges_read_plainly():
    curves = {"a": np.array([0.31, 0.55, 5.4]), "b": np.array([0.98, 2.5, 5.3])}   # T=3, within 2 decades
    ax = plot.plot_gradient_norms(curves).axes[0]
    assert tick_texts(ax.xaxis) == ["0", "1", "2"]
    ys = tick_texts(ax.yaxis)
    assert ys and not any("10^" in y or "times" in y or "e" in y for y in ys), ys
    assert "1" in ys
    wide = plot.plot_gradient_norms({"a": np.logspace(-11, 0, 40)}).axes[0]
    assert any("10^{-10}" in y for y in tick_texts(wide.yaxis))   # eleven decades: powers of ten
    losses = plot.plot_losses([6.5, 4.0, 3.0, 2.6, 2.4], log=True).axes[0]
    assert all("." in x or x.lstrip("-").isdigit() for x in tick_texts(losses.yaxis))
    assert all(x.lstrip("-").isdigit() for x in tick_texts(losses.xaxis))


def chars_like_history(steps=800, seed=0):
    """A noisy loss falling from about 6 to 2.5 bits, and held-out points, as train chars gives."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    trend = np.log(2.5) + 0.9 * np.exp(-t / 150)
    return {"loss": list(np.exp(trend + rng.normal(0, 0.15, steps))),
            "eval": [(s, float(np.exp(trend[min(s, steps - 1)]))) for s in range(0, steps + 1, 160)]}


def hidden_lines(ax):
    """Labels of the lines the legend of ``ax`` covers."""
    ax.figure.canvas.draw()
    legend = ax.get_legend() or ax.figure.legends[0]        # in the axes, or below them
    box = legend.get_window_extent(ax.figure.canvas.get_renderer())
    return [line.get_label() for line in ax.get_lines()
            if line.get_transform().transform_path(line.get_path()).intersects_bbox(box, filled=False)]


def test_the_training_loss_legend_hides_no_line():
    from lstm_numpy.plot import training as plot_training
    for baseline in (5.0, 4.0, 3.2, 6.0):                   # at 5.0, loc="best" covers the baseline
        fig = plot_training.loss_figure(chars_like_history(), title="train chars", ylabel="bits per character",
                                        baseline=baseline, baseline_label="unigram entropy")
        ax = fig.axes[0]
        assert hidden_lines(ax) == [], baseline
        assert readable(fig) == ([], [])
        assert all("times" not in y and "10^" not in y for y in tick_texts(ax.yaxis))


def test_the_legends_of_the_plots_hide_no_line():
    curves = {"a": np.array([0.31, 0.55, 5.4]), "b": np.array([0.98, 2.5, 5.3]), "c": np.array([0.4, 0.6, 5.2])}
    assert hidden_lines(plot.plot_gradient_norms(curves).axes[0]) == []
    losses = {"a": np.linspace(1, 0.1, 50), "b": np.linspace(1, 0.9, 50)}
    assert hidden_lines(plot.plot_losses(losses).axes[0]) == []


def bar_colours(png, fig, cax):
    """How many distinct colours a column down the middle of the colour bar ``cax`` has in ``png``."""
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("RGB")
    W, H = image.size
    box = cax.get_position()
    x = int((box.x0 + box.x1) / 2 * W)
    column = [image.getpixel((x, y)) for y in range(int((1 - box.y1) * H) + 2, int((1 - box.y0) * H) - 2)]
    return len(set(column)), len(column)


def test_colour_bars_keep_their_colours_and_line_diagrams_stay_small():
    fig = plot.plot_gates(plot.run_for_gates(build_cell("gru", [20, 30], 8, rng=0), steps=30))
    png = plot.save(fig)
    for cax in fig.axes[len(fig.axes) // 2:]:                 # the colour bars follow the heatmaps
        distinct, tall = bar_colours(png, fig, cax)
        assert distinct > 0.6 * tall, (distinct, tall)        # a smooth ramp, not a few bands
    from PIL import Image
    line = Image.open(io.BytesIO(plot.save(plot.draw_lstm_cell(build_cell("lstm", [20, 30], 8, rng=0)))))
    assert line.mode == "P"                                   # a palette: a diagram has few colours


def test_outputs_are_labelled_in_the_layout_of_the_pass():
    model = labels(plot.draw_learned_state([8, 32, 32, 64], 4, 3))       # time-major, (T, s, m)
    assert "outputs[0] = $h_{0}^{2}$\n(4, 64)" in model and "outputs[2] = " in model
    assert "outputs[:, " not in model
    cell = build_cell("lstm", [20, 30], 8, rng=0)
    assert "outputs[:, 2] = $h_{2}^{1}$\n(4, 30)" in labels(plot.draw_unrolled(cell, 4, 3))
    time_major = labels(plot.draw_unrolled(cell, 4, 3, time_major=True))
    assert "outputs[2] = $h_{2}^{1}$\n(4, 30)" in time_major and "outputs[:, " not in time_major


def arrow_shafts(fig):
    """The length in inches of the last segment of every arrow with a head."""
    lengths = []
    for patch in fig.findobj(FancyArrowPatch):
        if patch.get_arrowstyle().__class__.__name__ == "CurveFilledB":
            (x0, y0), (x1, y1) = patch._posA_posB
            lengths.append(np.hypot(x1 - x0, y1 - y0))
    return lengths


@pytest.mark.parametrize("draw", [
    lambda: plot.draw_gru_cell(build_cell("gru", [20, 30], 8, rng=0, reset_after=True), 4),
    lambda: plot.draw_gru_cell(build_cell("gru", [7, 11, 5], 3, rng=0, reset_after=False), 2, layer=2),
    lambda: plot.draw_lstm_cell(build_cell("lstm", [20, 30], 8, rng=0), 4, layer=1, highlight="output"),
], ids=["gru reset after", "gru reset before", "lstm"])
def test_every_arrow_head_in_a_cell_has_a_shaft(draw):
    """An arrow that enters a box just past a line it crosses seems to come from that line."""
    assert min(arrow_shafts(draw())) > 0.15                   # longer than a head (0.11 in), so it reads


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
    cell = labels(plot.draw_lstm_cell(build_cell("lstm", [7, 11, 5], 3, rng=0), 2, layer=1))
    assert "[18, 11]" in cell and "[11]" in cell and "(2, 18)" in cell and "(2, 7)" in cell
    gru = labels(plot.draw_gru_cell(build_cell("gru", [7, 11, 5], 3, rng=0, reset_after=False), 2, layer=2))
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
    for kind, options in [("unrolled", ["--sizes", "7", "11", "5", "--input-size", "3"]),
                          ("gru-cell", ["--sizes", "7", "11", "5", "--input-size", "3"]),
                          ("learned-state", ["--widths", "3", "7", "11", "5"]),
                          ("contract", ["--sizes", "7", "11", "5", "--input-size", "3"])]:
        out = tmp_path / f"{kind}.svg"
        assert main(["diagram", kind, "-o", str(out), *options]) == 0
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
    with pytest.raises(ValueError, match=r"expected layer in \[0, 1\], got 2"):
        plot.draw_lstm_cell(lstm, layer=2)
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
