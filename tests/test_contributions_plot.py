"""The contributions figure: drawn from step_contributions' numbers, readable, for every layout."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.colors import LogNorm  # noqa: E402

from lstm_numpy import plot  # noqa: E402
from lstm_numpy.commands import main  # noqa: E402
from lstm_numpy.gradient_flow import step_contributions  # noqa: E402
from lstm_numpy.kinds import build_cell  # noqa: E402

from test_plot import readable  # noqa: E402


def test_the_heatmaps_show_the_measured_norms():
    runs = plot.contribution_runs(sizes=(5, 6), input_size=3, steps=4, batch=2, seed=1)
    fig = plot.plot_contributions(runs, layer=1)
    assert readable(fig) == ([], [])
    heatmaps = [ax for ax in fig.axes if ax.images and isinstance(ax.images[0].norm, LogNorm)]
    assert len(heatmaps) == 6
    rng = np.random.default_rng(1)
    x, d_out = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4, 6))
    expected = step_contributions(build_cell("gru", [5, 6], 3, rng=1), x, "W_h", d_out)
    gru_hidden = heatmaps[2].images[0].get_array()
    np.testing.assert_array_equal(gru_hidden[np.tril_indices(4)], expected.hidden_norms[1][np.tril_indices(4)])
    assert np.ma.getmaskarray(gru_hidden)[np.triu_indices(4, 1)].all()   # t' > t: left blank
    line = fig.axes[-1].get_lines()[0]
    np.testing.assert_array_equal(line.get_ydata(), runs["lstm"].state_norms["c"][1, 3])


@pytest.mark.parametrize("options", [["--lengths", "0", "3", "1", "2"],
                                     ["--time-major", "--lengths", "3", "3", "0", "3", "--layer", "1"]])
def test_diagram_contributions(options, tmp_path, capsys):
    out = tmp_path / "contributions.svg"
    assert main(["diagram", "contributions", "-o", str(out), "--sizes", "4", "3", "--steps", "3",
                 "--input-size", "2", *options]) == 0
    assert out.stat().st_size > 1000


def test_diagram_contributions_refuses_a_layer_it_lacks(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["diagram", "contributions", "-o", str(tmp_path / "c.png"), "--sizes", "4", "--layer", "1"])
    assert "--layer must name one of the 1 layer(s) of --sizes: expected 0 .. 0, got 1" in capsys.readouterr().err
