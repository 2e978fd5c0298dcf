"""Diagrams and plots drawn from real forward passes (matplotlib; the core never imports this).

Every label in a diagram is the shape of an array a forward pass computed (see
:mod:`lstm_numpy.trace`), so a diagram cannot disagree with the code. Save with :func:`save`:
the same configuration gives the same bytes, PNG or SVG (whose labels stay text).

Diagrams: :func:`draw_legend`, :func:`draw_unrolled` (RNN_details, lstm_detail_total),
:func:`draw_lstm_cell`, :func:`draw_gru_cell`, :func:`draw_learned_state` (LSTM_realize),
:func:`draw_contract`. Plots: :func:`plot_gates`, :func:`plot_gradient_norms`,
:func:`plot_losses`.
"""
from .analysis import gradient_flow_curves, plot_gates, plot_gradient_norms, plot_losses, run_for_gates
from .canvas import save
from .contract import draw_contract
from .gru_cell import draw_gru_cell
from .learned_state import draw_learned_state, learned_initial_state
from .legend import draw_legend
from .lstm_cell import draw_lstm_cell
from .unrolled import draw_unrolled

__all__ = ["save", "draw_legend", "draw_unrolled", "draw_lstm_cell", "draw_gru_cell",
           "draw_learned_state", "learned_initial_state", "draw_contract", "plot_gates",
           "plot_gradient_norms", "plot_losses", "gradient_flow_curves", "run_for_gates"]
