"""Every figure of the docs, for the article's configurations: ``python -m lstm_numpy.plot.gallery DIR``.

``make figures`` runs this into ``figures/``. The configurations are the article's: an RNN and
an LSTM with two layers [20, 30] on input 8 (batch s = 4, three steps drawn), and its
hand-written model with widths [8, 32, 32, 64]. Each file is written by :func:`~.canvas.save`:
the same bytes every time on one machine (docs/diagrams.md says what another machine may change).
``make figures`` then runs ``train sine`` and ``train chars`` into the same folder, for the
figures of docs/models.md.
"""
import functools
import os
import sys

import numpy as np

from ..kinds import build_cell
from ..time_loop import dynamic_rnn
from .analysis import gradient_flow_curves, plot_gates, plot_gradient_norms, plot_losses
from .canvas import save
from .contract import draw_contract
from .contributions import contribution_runs, plot_contributions
from .gru_cell import draw_gru_cell
from .learned_state import draw_learned_state
from .legend import draw_legend
from .lstm_cell import draw_lstm_cell
from .training_demo import train_memory_task
from .unrolled import draw_unrolled

SIZES, INPUT, BATCH, STEPS = [20, 30], 8, 4, 3


def article_cell(kind, **options):
    """The article's two-layer stack [20, 30] on input 8."""
    return build_cell(kind, SIZES, INPUT, rng=0, **options)


@functools.lru_cache(maxsize=1)
def trained():
    """The memory-task run: (losses by label, trained cells by label), computed once."""
    return train_memory_task()


def trained_gates():
    """Every gate of the trained LSTM on one new sequence of the task."""
    losses, cells = trained()
    label = next(name for name in cells if name.startswith("LSTM"))
    x = np.random.default_rng(5).normal(size=(1, 25, 1))      # (B, T, D), a sequence not trained on
    _, _, cache = dynamic_rnn(cells[label], x)
    return plot_gates(cache, title=f"{label}, trained to remember x_0 (the loss-curve run): "
                                   "every gate over a new sequence")


def figures():
    """(file name, function returning the figure) for every figure, in the docs' order."""
    lstm = article_cell("lstm")
    return [
        ("legend.png", draw_legend),
        ("rnn_details.png", lambda: draw_unrolled(article_cell("rnn"), BATCH, STEPS)),
        ("lstm_detail_total.png", lambda: draw_unrolled(lstm, BATCH, STEPS)),
        ("lstm_cell.png", lambda: draw_lstm_cell(lstm, BATCH, layer=0)),
        ("lstm_forget_gate.png", lambda: draw_lstm_cell(lstm, BATCH, layer=0, highlight="forget")),
        ("lstm_input_gate.png", lambda: draw_lstm_cell(lstm, BATCH, layer=0, highlight="input")),
        ("lstm_cell_update.png", lambda: draw_lstm_cell(lstm, BATCH, layer=0, highlight="cell")),
        ("lstm_output_gate.png", lambda: draw_lstm_cell(lstm, BATCH, layer=0, highlight="output")),
        ("gru_cell_reset_after.png", lambda: draw_gru_cell(article_cell("gru"), BATCH)),
        ("gru_cell_reset_before.png", lambda: draw_gru_cell(article_cell("gru", reset_after=False), BATCH)),
        ("lstm_realize.png", lambda: draw_learned_state((INPUT, 32, 32, 64), BATCH, STEPS)),
        ("dynamic_rnn_contract.png", lambda: draw_contract(lstm, 3, 4, (4, 2, 0))),
        ("gate_heatmaps.png", trained_gates),
        ("gradient_norms.png", lambda: plot_gradient_norms(gradient_flow_curves())),
        ("bptt_contributions.png", lambda: plot_contributions(contribution_runs(SIZES, INPUT, 20, BATCH, forget_bias=1.0),
                                                              layer=1, names={"lstm": "LSTM (forget_bias=1)"})),
        ("loss_curves.png", lambda: plot_losses(trained()[0], title="remember x_0 over T=25 steps: "
                                                "mean squared error, Adam, same size", xlabel="update")),
    ]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out = argv[0] if argv else "figures"
    os.makedirs(out, exist_ok=True)
    for name, draw in figures():
        path = os.path.join(out, name)
        save(draw(), path)
        print(f"{path}  {os.path.getsize(path) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
