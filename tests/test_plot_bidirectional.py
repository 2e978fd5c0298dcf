"""diagram unrolled --bidirectional: both directions of each layer, with the shapes of a real pass."""
import pytest

pytest.importorskip("matplotlib")

import lstm_numpy as ln  # noqa: E402
from lstm_numpy import plot  # noqa: E402
from lstm_numpy.commands import main  # noqa: E402
from lstm_numpy.plot.canvas import labels  # noqa: E402

from test_plot import readable  # noqa: E402


def directions(kind, sizes, D):
    widths = [D] + [2 * s for s in sizes[:-1]]
    return tuple([ln.kinds.build_cell(kind, [s], w, rng=0) for w, s in zip(widths, sizes)] for _ in range(2))


@pytest.mark.parametrize("kind, sizes", [("lstm", [20]), ("gru", [20, 30]), ("rnn", [7, 11, 5]), ("lstm", [32, 64])])
def test_no_two_labels_overlap_and_none_is_cut(kind, sizes):
    fig = plot.draw_bidirectional(*directions(kind, sizes, 8), 4, 3)
    assert readable(fig) == ([], [])


def test_labels_are_the_shapes_of_the_pass():
    text = labels(plot.draw_bidirectional(*directions("lstm", [20, 30], 8), 4, 3))
    for expected in ["x (4, 8)", "x (4, 40)", "outputs[:, 2] (4, 60)", "$W_x$ [40, 120]", r"final $\overleftarrow{h}_{0}^{1}$ (4, 30)",
                     r"final $\overrightarrow{c}_{2}^{0}$ (4, 20)", "[20+20, 30+30]"]:
        assert expected in text, expected
    time_major = labels(plot.draw_bidirectional(*directions("gru", [7], 3), 2, 4, time_major=True))
    assert "outputs[3] (2, 14)" in time_major and "outputs[:, " not in time_major


def test_the_command(tmp_path, capsys):
    out = tmp_path / "bidirectional.svg"
    assert main(["diagram", "unrolled", "--bidirectional", "--sizes", "7", "11", "--input-size", "3", "-o", str(out)]) == 0
    assert "x (4, 14)" in out.read_text()
    with pytest.raises(SystemExit):
        main(["diagram", "contract", "--bidirectional", "-o", str(tmp_path / "c.svg")])
    assert "--bidirectional does not apply to contract" in capsys.readouterr().err
