"""Each step's share of the gradient, RNN against LSTM against GRU (RNNbow's view, measured).

Heatmaps of :func:`~lstm_numpy.gradient_flow.step_contributions`: row t is the loss on output
step t alone, column t' the step the backward pass is at. A vanishing gradient shows as colour
fading away from the diagonal. Below them, for the LSTM, the gradient each step hands back
through the cell state (``dc_prev = dc * f``) against the one through h (``dh_prev``).
"""
import matplotlib
import numpy as np
from matplotlib.colors import LogNorm

from ..gradient_flow import step_contributions
from ..kinds import build_cell
from .analysis import _figure
from .canvas import RC
from .plot_axes import legend_off_the_lines, plain_log, whole_steps

NAMES = {"rnn": "RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}


def contribution_runs(sizes=(20,), input_size=8, steps=20, batch=4, seed=0, lengths=None, time_major=False,
                      weight="W_h", forget_bias=0.0):
    """:func:`~lstm_numpy.gradient_flow.step_contributions` of an RNN, an LSTM and a GRU of one
    configuration: same sizes, same initialiser seed, same inputs, same d_outputs.

    Parameters
    ----------
    sizes : sequence of int, the hidden size of each layer, bottom first
    input_size : int, D
    steps : int, T
    batch : int, B
    seed : int, for the weights, the inputs (B, T, D) and d_outputs (B, T, H_top)
    lengths : None or ints of shape (B,), sequence_length
    time_major : bool, the inputs' layout
    weight : str, the parameter whose shares are measured
    forget_bias : float, the LSTM's

    Returns
    -------
    dict kind -> Contributions, its norms of shape (L, T, T)
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(steps, batch, input_size) if time_major else (batch, steps, input_size))
    d_outputs = rng.normal(size=(steps, batch, sizes[-1]) if time_major else (batch, steps, sizes[-1]))
    options = {"lstm": {"forget_bias": forget_bias}}
    return {kind: step_contributions(build_cell(kind, list(sizes), input_size, rng=seed, **options.get(kind, {})),
                                     x, weight, d_outputs, sequence_length=lengths, time_major=time_major)
            for kind in NAMES}


def _heatmap(fig, ax, values, norm, title):
    """One T x T lower-triangular matrix, the upper triangle left blank."""
    T = values.shape[0]
    lower = np.tril(np.ones((T, T), bool))
    shown = np.where(lower & (values > 0), values, np.nan)
    im = ax.imshow(shown, norm=norm, cmap="magma", interpolation="nearest", origin="upper")
    zero = np.zeros((T, T, 4))
    zero[lower & (values == 0)] = (0.75, 0.75, 0.75, 1.0)    # grey: exactly zero (W_h's share at t' = 0, where h_prev = 0)
    ax.imshow(zero, interpolation="nearest", origin="upper")
    ax.set_title(title, fontsize=8)
    ax.set_xlabel("step t' the backward pass is at", fontsize=8)
    ax.tick_params(labelsize=7)
    whole_steps(ax.xaxis)
    whole_steps(ax.yaxis)
    return im


def _norm(blocks):
    """One log colour scale for a row of heatmaps: the largest value down to 1e-8 of it."""
    positive = np.concatenate([b[b > 0] for b in blocks] + [np.array([1.0])])
    hi = float(positive.max())
    lo = max(float(positive.min()), hi * 1e-8)
    return LogNorm(vmin=lo, vmax=hi)


def plot_contributions(runs, layer=0, title=None, names=None):
    """Heatmaps of ||dL_t/dh_t'|| and of ||step t''s share of dL_t/dW||, one column per cell,
    then the LSTM's gradient through c against through h for the loss on the last step.

    Parameters
    ----------
    runs : dict kind -> Contributions (from :func:`contribution_runs`), norms of shape (L, T, T)
    layer : int, k (from 0), the layer shown
    title : None (a title naming the configuration) or str
    names : None or dict kind -> the name a column is titled with (default ``NAMES``)

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = {**NAMES, **(names or {})}
    first = next(iter(runs.values()))
    L, T, _ = first.hidden_norms.shape
    if not 0 <= layer < L:
        raise ValueError(f"expected layer in [0, {L - 1}], got {layer}")
    with matplotlib.rc_context(RC):
        fig = _figure(3.3 * len(runs) + 1.0, 9.2)
        grid = fig.add_gridspec(3, len(runs), height_ratios=[1, 1, 0.8])
        rows = [("hidden_norms", "||dL_t/dh_t'||"), ("weight_norms", f"||step t' share of dL_t/d{first.weight}||")]
        for r, (field, what) in enumerate(rows):
            blocks = [getattr(c, field)[layer] for c in runs.values()]
            norm = _norm(blocks)
            axes = [fig.add_subplot(grid[r, j]) for j in range(len(runs))]
            for ax, (kind, block) in zip(axes, zip(runs, blocks)):
                im = _heatmap(fig, ax, block, norm, f"{names.get(kind, kind)}: {what}")
            axes[0].set_ylabel("loss on step t", fontsize=8)
            bar = fig.colorbar(im, ax=axes, fraction=0.04, pad=0.02)
            bar.ax.tick_params(labelsize=7)
            plain_log(bar.ax.yaxis)
        ax = fig.add_subplot(grid[2, :])
        lstm = runs.get("lstm")
        if lstm is not None and "c" in lstm.state_norms:
            steps = np.arange(T)
            ax.semilogy(steps, np.maximum(lstm.state_norms["c"][layer, T - 1], 1e-300), marker=".", lw=1.3,
                        label="through the cell state: ||dc_prev|| = ||dc * f||")
            ax.semilogy(steps, np.maximum(lstm.state_norms["h"][layer, T - 1], 1e-300), marker=".", lw=1.3,
                        label="through h: ||dh_prev||")
            ax.set_xlabel("step t' (handing its gradient back to t' - 1)", fontsize=8)
            ax.set_ylabel("norm (log scale)", fontsize=8)
            ax.set_title(f"{names['lstm']} layer {layer}, loss on the last step t = {T - 1}: the two paths back",
                         fontsize=8)
            whole_steps(ax.xaxis)
            plain_log(ax.yaxis)
            ax.tick_params(labelsize=7)
            ax.grid(True, alpha=0.3)
            legend_off_the_lines(ax, fontsize=7)
        else:
            ax.set_axis_off()
        fig.suptitle(title or f"Each step's share of the gradient, layer {layer} of {L}, T = {T} "
                              f"(row t: the loss on step t alone; white: t' > t, no path forward; grey: exactly 0)",
                     fontsize=9)
    return fig
