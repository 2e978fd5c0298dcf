"""The figures as a reader meets them: readable at any size, numbered from 0, the article's
letters mapped to ours, each mark drawn as the legend says, and one deterministic save."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is not installed: no figure to draw")

from matplotlib.patches import Arc, FancyBboxPatch  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from lstm_numpy import plot  # noqa: E402
from lstm_numpy.commands import main  # noqa: E402
from lstm_numpy.kinds import build_cell  # noqa: E402
from lstm_numpy.plot.canvas import HIGHLIGHT, labels  # noqa: E402
from test_plot import readable  # noqa: E402

WIDEST = 15.5         # inches: about the article's configuration plus one column, whatever T and L
SMALLEST = 8          # points: the smallest label (the "tanh" inside a pink circle aside)


def label_sizes(fig):
    """(text, size in points) of every label, leaving out the symbols inside pointwise circles."""
    return [(t.get_text(), t.get_fontsize()) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and t.get_text() not in ("tanh", "×", "+", "1−")]


LARGE = [("unrolled lstm 4x12", lambda: plot.draw_unrolled(build_cell("lstm", [20, 30, 40, 50], 8, rng=0), 4, 12)),
         ("unrolled rnn 1x6", lambda: plot.draw_unrolled(build_cell("rnn", [20], 8, rng=0), 4, 6)),
         ("unrolled gru 8x40", lambda: plot.draw_unrolled(build_cell("gru", [3, 4, 5, 6, 7, 8, 9, 10], 2, rng=0), 2, 40)),
         ("learned-state 6x30", lambda: plot.draw_learned_state([3, 4, 5, 6, 7, 8, 9], 2, 30)),
         ("lstm-cell layer 3", lambda: plot.draw_lstm_cell(build_cell("lstm", [20, 30, 40, 50], 8, rng=0), 4, 3)),
         ("contract 6 layers B=8 T=12", lambda: plot.draw_contract(build_cell("lstm", [20, 30, 40, 50, 60, 70], 8, rng=0),
                                                                   8, 12, [12, 11, 9, 7, 5, 3, 1, 0])),
         ("gates 4x12", lambda: plot.plot_gates(plot.run_for_gates(build_cell("lstm", [3, 4, 5, 6], 2, rng=0),
                                                                   steps=12), layer=3))]


@pytest.mark.parametrize("name, draw", LARGE, ids=[name for name, _ in LARGE])
def test_large_configurations_keep_their_labels_readable(name, draw):
    fig = draw()
    width, height = fig.get_size_inches()
    assert width <= WIDEST and height <= 12, (name, width, height)
    small = [(s, size) for s, size in label_sizes(fig) if size < SMALLEST]
    assert small == [], small
    assert readable(fig) == ([], [])


def test_elided_steps_and_layers_are_said_and_the_last_one_drawn():
    text = labels(plot.draw_unrolled(build_cell("lstm", [20, 30, 40, 50, 60, 70], 8, rng=0), 4, 12))
    assert "steps 2 to 10 not drawn (⋯)" in text and "layers 2 to 4 not drawn (⋮)" in text
    assert "$x_{11}$ (4, 8)" in text and "final $h_{11}^{5}$ (4, 70)" in text and "$x_{5}$" not in text
    assert "$h_{10}^{0}$ (4, 20)" in text                     # the state entering the last drawn step
    assert "outputs[:, 11] = $h_{11}^{5}$" in text and "LSTM layer 3" not in text
    small = labels(plot.draw_unrolled(build_cell("lstm", [20, 30], 8, rng=0), 4, 4))
    assert "not drawn" not in small and "$x_{3}$ (4, 8)" in small


def test_the_contract_elides_steps_and_rows_and_links_an_elided_last_step():
    text = labels(plot.draw_contract(build_cell("lstm", [20, 30, 40, 50, 60], 8, rng=0), 8, 12,
                                     [12, 11, 9, 7, 5, 3, 1, 0]))
    assert "sequence_length = [12, 11, ..., 0]:" in text and "(steps 2 to 10 and rows 2 to 6 not drawn)" in text
    assert "= $h_{10}$ (last valid step)" in text and "outputs[:, 11]" in text and "outputs[:, 5]" not in text
    assert " ... layers 2 to 3 ...," in text and "row 7\nlength 0" in text and "row 3\n" not in text


def test_every_figure_counts_layers_from_0_and_maps_the_articles_letters():
    lstm = build_cell("lstm", [20, 30], 8, rng=0)
    mapping = "s = B = 4, m = D = 8, n_0 = H_0 = 20, n_1 = H_1 = 30"
    for fig in (plot.draw_unrolled(lstm, 4, 3), plot.draw_unrolled(build_cell("rnn", [20, 30], 8, rng=0), 4, 3)):
        text = labels(fig)
        assert mapping in text and "layer 0: one weight set" in text and "layer 2" not in text
    assert "s = B = 4, m = D = 8, n_0 = H_0 = 32, n_1 = H_1 = 32, n_2 = H_2 = 64" in labels(
        plot.draw_learned_state([8, 32, 32, 64], 4, 3))
    assert "LSTM layer k = 1 inside: s = B = 4, m_1 = n_0 = H_0 = 20, n_1 = H_1 = 30" in labels(
        plot.draw_lstm_cell(lstm, 4, 1))
    gru = labels(plot.draw_gru_cell(build_cell("gru", [20, 30], 8, rng=0), 4, 0))
    assert "GRU layer k = 0 inside (reset_after=True): s = B = 4, m_0 = m = D = 8, n_0 = H_0 = 20" in gru
    assert "(B, T, D) = (3, 4, 8)" in labels(plot.draw_contract(lstm, 3, 4, (4, 2, 0)))


def red_boxes(fig):
    return sum(1 for p in fig.findobj(FancyBboxPatch) if matplotlib.colors.same_color(p.get_edgecolor(), HIGHLIGHT))


def test_the_cell_state_update_lights_the_gates_that_feed_it():
    lstm = build_cell("lstm", [20, 30], 8, rng=0)
    assert red_boxes(plot.draw_lstm_cell(lstm, 4, 0, "cell")) == 3          # f, i and g
    assert red_boxes(plot.draw_lstm_cell(lstm, 4, 0, "input")) == 2         # i and g
    assert red_boxes(plot.draw_lstm_cell(lstm, 4, 0, "forget")) == 1
    assert "cell-state update (f, i, g and c) in red" in labels(plot.draw_lstm_cell(lstm, 4, 0, "cell"))


@pytest.mark.parametrize("after", [True, False])
def test_a_line_that_crosses_another_hops_over_it(after):
    """A gap in a line reads as a broken wire: where h_{t-1} crosses the z line, it hops."""
    from lstm_numpy.plot.gru_cell import X_HN, Y_Z
    fig = plot.draw_gru_cell(build_cell("gru", [20, 30], 8, rng=0, reset_after=after), 4)
    hops = [a.center for a in fig.findobj(Arc)]
    assert any(np.allclose(c, (X_HN, Y_Z)) for c in hops), hops
    from lstm_numpy.plot.lstm_cell import X_UP, Y_C
    assert any(np.allclose(a.center, (X_UP, Y_C)) for a in plot.draw_lstm_cell(build_cell("lstm", [5], 3), 2).findobj(Arc))
    legend = labels(plot.draw_legend())
    assert "crossing,\nnot joined" in legend and "concatenate:\nx joins h into [x, h]" in legend


def test_both_biases_of_the_reset_after_candidate_name_their_layer():
    text = labels(plot.draw_gru_cell(build_cell("gru", [20, 30], 8, rng=0), 4, 1))
    assert "$b_{h,n}^{1}$" in text and "$b_{x,n}^{1}$" in text


def test_the_true_value_rings_the_forecast_and_stays_visible():
    from lstm_numpy.plot import training as plot_training
    x = np.sin(np.arange(10.0))[None, :, None].repeat(4, axis=0)
    fig = plot_training.predictions_figure(x, [10, 9, 8, 7], np.full((4, 1), 0.5), np.full((4, 1), 0.5))
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    truth, forecast = lines["true next value"], lines["prediction"]
    assert truth.get_markerfacecolor() == "none"              # a ring, not a disc under the cross
    assert truth.get_markersize() > forecast.get_markersize() + 3


def test_every_figure_is_saved_one_way(tmp_path):
    """The training plots and the benchmark chart go through plot.save: same input, same bytes."""
    from lstm_numpy.bench.plot import plot_results
    from lstm_numpy.plot import training as plot_training
    history = {"loss": list(np.linspace(2.0, 0.5, 40)), "eval": [(20, 1.0), (40, 0.6)]}
    results = [{"kind": "lstm", "dtype": "float64", "config": (2, 3, 4, 5, 1),
                "ms": {"forward_backward": {"fast": 1.0, "textbook": 2.0}}}]
    for name, write in (("loss.png", lambda p: plot_training.loss_curve(history, p, baseline=1.5)),
                        ("bench.png", lambda p: plot_results(results, p, "t"))):
        write(tmp_path / f"a{name}")
        write(tmp_path / f"b{name}")
        a, b = (tmp_path / f"a{name}").read_bytes(), (tmp_path / f"b{name}").read_bytes()
        assert a == b and a[:8] == b"\x89PNG\r\n\x1a\n"
        from PIL import Image
        with Image.open(tmp_path / f"a{name}") as image:
            assert image.mode == "P"                          # the palette of plot.save: no colour map here


def test_diagram_gradients_teaches_its_lesson_with_no_options(tmp_path, monkeypatch):
    """T=40 by default, so the RNN's gradient has faded far below the LSTMs' at t=0."""
    asked, measure = [], plot.gradient_flow_curves
    monkeypatch.setattr(plot, "gradient_flow_curves", lambda *args: asked.append(args) or measure(*args))
    assert main(["diagram", "gradients", "-o", str(tmp_path / "g.svg")]) == 0
    assert asked == [([32], 8, 40, 8, 0)]                     # sizes, D, T, B, seed: the docs' figure
    assert "RNN (tanh), H=32" in (tmp_path / "g.svg").read_text()
    stacked = tmp_path / "s.svg"                                # --sizes in the form of every other kind
    assert main(["diagram", "gradients", "--sizes", "6", "5", "--steps", "4", "-o", str(stacked)]) == 0
    assert asked[-1] == ([6, 5], 8, 4, 8, 0) and "H=[6, 5]" in stacked.read_text()


def test_the_default_gradients_show_the_rnn_fading_first():
    rnn, lstm0, lstm1 = (v[0] for v in plot.gradient_flow_curves().values())
    assert rnn < lstm0 < lstm1 and lstm1 / rnn > 1e6
