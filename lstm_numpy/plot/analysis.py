"""Plots of what the numbers do: gates over time, gradients reaching back, losses going down.

Each function returns a ``matplotlib.figure.Figure``; save it with
:func:`lstm_numpy.plot.save` for deterministic bytes.
"""
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..gradient_flow import hidden_gradient_norms
from ..kinds import build_cell
from ..time_loop import dynamic_rnn, gate_history
from .canvas import RC
from .plot_axes import legend_off_the_lines, plain_log, whole_steps

GATE_TITLES = {"i": "input gate i", "f": "forget gate f", "g": "candidate g", "o": "output gate o",
               "c": "cell state c", "h": "hidden state h", "r": "reset gate r", "z": "update gate z",
               "n": "candidate n"}


def _figure(width, height):
    """A figure whose constrained layout keeps every tick label, colour bar and title inside it."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
    return fig


def _widen_to_title(fig, title, margin=0.3):
    """Widen ``fig`` so that its title fits, with ``margin`` inches either side."""
    needed = title.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi + 2 * margin
    width, height = fig.get_size_inches()
    if needed > width:
        fig.set_size_inches(needed, height)


def plot_gates(cache, layer=0, row=0, title=None):
    """Heatmaps of every gate of one layer over time, for one row of the batch.

    Parameters
    ----------
    cache : dict from :func:`~lstm_numpy.dynamic_rnn`
    layer : int, k (from 0, as ``cell_{k}`` in params)
    row : int, which row of the batch
    title : None (a title naming the layer and row) or str

    Returns
    -------
    matplotlib.figure.Figure
    """
    cell = cache["cell"]
    layers = cell.cells
    if not 0 <= layer < len(layers):
        raise ValueError(f"expected layer in [0, {len(layers) - 1}], got {layer}")
    names = layers[layer].gates + layers[layer].state_parts   # LSTM: i, f, g, o, c, h
    T, B, _ = cache["inputs_shape"]
    if not 0 <= row < B:
        raise ValueError(f"expected row in [0, {B - 1}], got {row}")
    with matplotlib.rc_context(RC):
        fig = _figure(2.2 * len(names) + 0.6, 3.4)
        axes = fig.subplots(1, len(names), sharey=True)
        axes = np.atleast_1d(axes)
        for ax, name in zip(axes, names):
            values = gate_history(cache, name, layer=layer)[:, row, :].T   # (H, T)
            lo, hi = (0, 1) if name in ("i", "f", "o", "r", "z") else (-1, 1)
            if name == "c":
                hi = max(1.0, float(np.abs(values).max()))
                lo = -hi
            im = ax.imshow(values, aspect="auto", cmap="viridis" if lo == 0 else "RdBu_r", vmin=lo, vmax=hi,
                           interpolation="nearest", origin="lower")
            ax.set_title(f"{GATE_TITLES[name]}\n{values.shape[0]} units × T={values.shape[1]}", fontsize=8)
            ax.set_xlabel("step t", fontsize=8)
            ax.tick_params(labelsize=8)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            fig.colorbar(im, ax=ax, fraction=0.08, pad=0.03).ax.tick_params(labelsize=8)
        axes[0].set_ylabel("unit", fontsize=8)
        suptitle = fig.suptitle(title or f"{type(layers[layer]).__name__} layer {layer}, batch row {row}: every gate over time",
                                fontsize=9)
        _widen_to_title(fig, suptitle)                        # one gate's panel is narrower than the title
    return fig


def plot_gradient_norms(curves, title="||dL/dh_t|| for a loss on the last step only"):
    """The norm of dL/dh_t against t, one line per model, log scale.

    Parameters
    ----------
    curves : dict label -> ndarray (T,), e.g. from :func:`~lstm_numpy.gradient_flow.hidden_gradient_norms`
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    with matplotlib.rc_context(RC):
        fig = _figure(6.4, 3.8)
        ax = fig.add_subplot()
        for label, norms in curves.items():
            norms = np.asarray(norms, dtype=float)
            ax.semilogy(np.arange(len(norms)), np.maximum(norms, 1e-300), marker=".", ms=3, lw=1.2, label=label)
        ax.set_xlabel("step t (the loss is on the last step)")
        ax.set_ylabel("||dL/dh_t||  (log scale)")
        whole_steps(ax.xaxis)
        plain_log(ax.yaxis)
        ax.set_title(title, fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
        legend_off_the_lines(ax, fontsize=8)
    return fig


def gradient_flow_curves(sizes=(32,), input_size=8, steps=40, batch=8, seed=0):
    """Measured ||dL/dh_t|| for a tanh RNN and an LSTM of the same sizes (forget_bias 0 and 1).

    Same inputs, same initialiser, layers of ``sizes`` units each (one int for one layer); the
    norm is the top layer's, see :func:`~lstm_numpy.gradient_flow.hidden_gradient_norms`. The
    defaults are the docs' figure: one layer of 32 units, input 8, batch 8, T = 40.

    Returns
    -------
    dict label -> ndarray (T,)
    """
    sizes = [sizes] if np.ndim(sizes) == 0 else list(sizes)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, input_size))           # (B, T, D)
    H = str(sizes[0]) if len(sizes) == 1 else str(sizes)
    cells = {f"RNN (tanh), H={H}": build_cell("rnn", sizes, input_size, rng=seed),
             f"LSTM, H={H}, forget_bias=0 (PyTorch)": build_cell("lstm", sizes, input_size, rng=seed),
             f"LSTM, H={H}, forget_bias=1 (TF BasicLSTMCell)": build_cell("lstm", sizes, input_size,
                                                                         forget_bias=1.0, rng=seed)}
    return {label: hidden_gradient_norms(cell, x)[0] for label, cell in cells.items()}


def plot_losses(losses, title="training loss", xlabel="step", log=None):
    """Loss curves: one list of losses, or a dict label -> list.

    Parameters
    ----------
    losses : sequence of float, or dict label -> sequence of float
    title, xlabel : str
    log : None (log scale when the losses span more than two decades), or a bool

    Returns
    -------
    matplotlib.figure.Figure
    """
    runs = losses if isinstance(losses, dict) else {"loss": losses}
    runs = {label: np.asarray(v, dtype=float) for label, v in runs.items()}
    for label, v in runs.items():
        if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)):
            raise ValueError(f"expected losses {label!r} as a non-empty 1-D sequence of finite numbers, "
                             f"got shape {v.shape}")
    if log is None:
        everything = np.concatenate(list(runs.values()))
        log = bool(everything.min() > 0 and everything.max() / everything.min() > 100)
    with matplotlib.rc_context(RC):
        fig = _figure(6.0, 3.6)
        ax = fig.add_subplot()
        for label, v in runs.items():
            ax.plot(np.arange(v.size), v, lw=1.3, label=label)
        if log:
            ax.set_yscale("log")
            plain_log(ax.yaxis)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("loss")
        whole_steps(ax.xaxis)
        ax.set_title(title, fontsize=9)
        ax.grid(True, alpha=0.3)
        if len(runs) > 1:
            legend_off_the_lines(ax, fontsize=8)
    return fig


def run_for_gates(cell, steps=30, batch=2, seed=0):
    """A forward pass on a smooth input (a few sines), for :func:`plot_gates`: returns the cache."""
    t = np.arange(steps)
    freqs = np.linspace(0.1, 0.6, cell.input_size)
    x = np.sin(np.outer(t, freqs) + np.random.default_rng(seed).uniform(0, np.pi, size=(batch, 1, cell.input_size)))
    return dynamic_rnn(cell, x)[2]
