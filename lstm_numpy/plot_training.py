"""Figures of a training run: the loss curve, and predictions against truth.

matplotlib is imported inside each function, so this module imports without it; the training
command calls :func:`available` first and skips the figures when matplotlib is missing.
"""
import importlib.util
import os

import numpy as np


def available():
    """Whether matplotlib can be imported."""
    return importlib.util.find_spec("matplotlib") is not None


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")                     # files only, no window
    import matplotlib.pyplot as plt
    return plt


def _save(fig, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})   # no version stamp: same run, same bytes
    fig.clf()


def loss_curve(history, path, *, title="training loss", ylabel="loss", eval_label="held-out", baseline=None,
               baseline_label="baseline"):
    """The training loss per step (and a running mean), the evaluations, and an optional baseline.

    Parameters
    ----------
    history : dict from :func:`lstm_numpy.training.train`
    path : str, the PNG to write
    baseline : None or float, drawn as a horizontal line (e.g. the naive forecast's error)
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
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
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    _save(fig, path)
    plt.close(fig)


def sine_predictions(inputs, lengths, targets, predictions, path, *, rows=4):
    """A few held-out windows: the input values, the true next value and the model's forecast.

    Parameters
    ----------
    inputs : ndarray of shape (B, T, 1); lengths : ints (B,); targets, predictions : (B, 1)
    """
    plt = _pyplot()
    fig, axes = plt.subplots(rows, 1, figsize=(6.4, 1.6 * rows), sharex=True)
    for b, ax in enumerate(np.atleast_1d(axes)):
        n = int(lengths[b])
        ax.plot(np.arange(n), inputs[b, :n, 0], ".-", color="C0", label="input window")
        ax.plot([n], targets[b], "o", color="C2", label="true next value")
        ax.plot([n], predictions[b], "x", color="C3", markersize=9, mew=2, label="prediction")
        ax.set_ylim(-1.4, 1.4)
    np.atleast_1d(axes)[0].legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize="small", ncol=3,
                                  frameon=False)                     # above the first panel, off the data
    np.atleast_1d(axes)[-1].set_xlabel("step t")
    fig.suptitle("held-out windows: forecast of the next value")
    _save(fig, path)
    plt.close(fig)
