"""Figures of a training run: the loss curve, and predictions against truth.

matplotlib is imported inside each function, so this module imports without it; the training
command calls :func:`available` first and skips the figures when matplotlib is missing. The
figures are drawn without pyplot, on the Agg canvas: files only, never a window.
"""
import importlib.util
import os

import numpy as np


def available():
    """Whether matplotlib can be imported."""
    return importlib.util.find_spec("matplotlib") is not None


def _figure(width, height):
    """A figure on the Agg canvas (files only, no window, no pyplot state); its constrained layout
    keeps the labels and an outside legend inside it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path):
    """Into ``path``'s folder, made if missing, by the one deterministic save of every figure."""
    from .canvas import save
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    save(fig, path)


def loss_figure(history, *, title="training loss", ylabel="loss", eval_label="held-out", baseline=None,
                baseline_label="baseline"):
    """The figure :func:`loss_curve` writes (arguments as there, without the path).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .plot_axes import legend_off_the_lines, plain_log, whole_steps
    fig = _figure(6.4, 4.0)
    ax = fig.add_subplot()
    loss = np.asarray(history["loss"])
    steps = np.arange(1, len(loss) + 1)
    ax.plot(steps, loss, color="0.75", linewidth=0.8, label="training batch")
    window = max(1, len(loss) // 50)
    if len(loss) >= window:
        smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
        ax.plot(steps[window - 1:], smooth, color="C0", label=f"training, mean of {window}")
    if history["eval"]:
        at, value = zip(*history["eval"])
        ax.plot(at, value, "o-", color="C1", label=eval_label)
    if baseline is not None:
        ax.axhline(baseline, color="C3", linestyle="--", label=baseline_label)
    ax.set_yscale("log")
    plain_log(ax.yaxis)                       # 3, 4, 6 bits rather than 3x10^0 when the range allows
    whole_steps(ax.xaxis)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    legend_off_the_lines(ax)                  # never over the baseline, which "best" would cover
    return fig


def loss_curve(history, path, *, title="training loss", ylabel="loss", eval_label="held-out", baseline=None,
               baseline_label="baseline"):
    """The training loss per step (and a running mean), the evaluations, and an optional baseline.

    Parameters
    ----------
    history : dict from :func:`lstm_numpy.train.loop.train`
    path : str, the PNG to write
    baseline : None or float, drawn as a horizontal line (e.g. the naive forecast's error)
    """
    _save(loss_figure(history, title=title, ylabel=ylabel, eval_label=eval_label, baseline=baseline,
                      baseline_label=baseline_label), path)


def sine_predictions(inputs, lengths, targets, predictions, path, *, rows=4):
    """A few held-out windows: the input values, the true next value and the model's forecast.

    Parameters
    ----------
    inputs : ndarray of shape (B, T, 1); lengths : ints (B,); targets, predictions : (B, 1)
    path : str, the PNG to write
    """
    _save(predictions_figure(inputs, lengths, targets, predictions, rows=rows), path)


def predictions_figure(inputs, lengths, targets, predictions, *, rows=4):
    """The figure :func:`sine_predictions` writes (arguments as there, without the path).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _figure(6.4, 1.6 * rows)
    axes = fig.subplots(rows, 1, sharex=True)
    for b, ax in enumerate(np.atleast_1d(axes)):
        n = int(lengths[b])
        ax.plot(np.arange(n), inputs[b, :n, 0], ".-", color="C0", label="input window")
        # the true value a ring around the forecast's cross: both stay visible when they agree
        ax.plot([n], targets[b], "o", color="C2", mfc="none", markersize=12, mew=2, zorder=3,
                label="true next value")
        ax.plot([n], predictions[b], "x", color="C3", markersize=7, mew=2, zorder=4, label="prediction")
        ax.set_ylim(-1.4, 1.4)
    np.atleast_1d(axes)[0].legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize="small", ncol=3,
                                  frameon=False)                     # above the first panel, off the data
    np.atleast_1d(axes)[-1].set_xlabel("step t")
    fig.suptitle("held-out windows: forecast of the next value")
    return fig
