"""Diagrams and plots drawn from real forward passes (matplotlib; the core never imports this).

Every label in a diagram is the shape of an array a forward pass computed (see
:mod:`lstm_numpy.trace`), so a diagram cannot disagree with the code. Save with :func:`save`:
the same configuration gives the same bytes on one machine, PNG or SVG (whose labels stay text).

Diagrams: :func:`draw_legend`, :func:`draw_unrolled` (RNN_details, lstm_detail_total),
:func:`draw_bidirectional` (both directions of a stack), :func:`draw_lstm_cell`, :func:`draw_gru_cell`, :func:`draw_learned_state` (LSTM_realize),
:func:`draw_contract`. Plots: :func:`plot_gates`, :func:`plot_gradient_norms`,
:func:`plot_losses`, :func:`plot_contributions`.
"""
import importlib

# Where each public name lives. They load on first use, so that ``lstm_numpy.plot.training`` (which
# imports matplotlib only inside its functions) and ``import lstm_numpy.plot`` work without
# matplotlib; the first drawing function touched imports it.
_HOMES = {"save": "canvas", "draw_legend": "legend", "draw_unrolled": "unrolled", "draw_bidirectional": "bidirectional", "draw_lstm_cell": "lstm_cell",
          "draw_gru_cell": "gru_cell", "draw_learned_state": "learned_state", "learned_initial_state": "learned_state",
          "draw_contract": "contract", "plot_gates": "analysis", "plot_gradient_norms": "analysis",
          "plot_losses": "analysis", "gradient_flow_curves": "analysis", "run_for_gates": "analysis",
          "plot_contributions": "contributions", "contribution_runs": "contributions"}

__all__ = list(_HOMES)


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value                                   # found once, then an ordinary attribute
    return value


def __dir__():
    return sorted(set(globals()) | set(_HOMES))
