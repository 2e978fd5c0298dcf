"""A small real training run whose loss curves the gallery plots: remember the first input.

Task: a sequence of T standard-normal numbers; the target is the first of them, read from the
top layer's h at the last step through a dense head ``y = h_{T-1} W + b``. The loss is the
mean squared error; gradients come from :func:`~lstm_numpy.dynamic_rnn_backward` with only
the last output receiving one; the update is Adam. An RNN and an LSTM of the same size train
on the same batches.
"""
import numpy as np

from ..time_loop import dynamic_rnn, dynamic_rnn_backward
from ..lstm import LSTMCell
from ..rnn import RNNCell


def adam(params, grads, moments, step, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam update of every array in ``params`` (in place)."""
    for name, p in params.items():
        m, v = moments.setdefault(name, (np.zeros_like(p), np.zeros_like(p)))
        m = beta1 * m + (1 - beta1) * grads[name]
        v = beta2 * v + (1 - beta2) * grads[name] ** 2
        moments[name] = (m, v)
        p -= lr * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + eps)


def train(cell, steps, batch, updates, rng):
    """Train ``cell`` and a dense head on the task; return the loss of every update."""
    H = cell.hidden_size
    head = {"W": rng.uniform(-1, 1, size=(H, 1)) / np.sqrt(H), "b": np.zeros(1)}
    moments, losses = {}, []
    for step in range(1, updates + 1):
        x = rng.normal(size=(batch, steps, 1))                # (B, T, 1)
        y = x[:, 0, :]                                        # (B, 1), the first input
        outputs, _, cache = dynamic_rnn(cell, x)
        h_last = outputs[:, -1]                               # (B, H)
        pred = h_last @ head["W"] + head["b"]                 # (B, 1)
        losses.append(float(np.mean((pred - y) ** 2)))
        d_pred = 2 * (pred - y) / batch                       # (B, 1)
        d_outputs = np.zeros_like(outputs)
        d_outputs[:, -1] = d_pred @ head["W"].T               # (B, H)
        grads = dynamic_rnn_backward(d_outputs, None, cache)
        params = {**{f"cell/{k}": v for k, v in cell.params.items()}, **{f"head/{k}": v for k, v in head.items()}}
        dparams = {**{f"cell/{k}": v for k, v in grads.params.items()},
                   "head/W": h_last.T @ d_pred, "head/b": d_pred.sum(axis=0)}
        adam(params, dparams, moments, step)
    return np.array(losses)


def train_memory_task(hidden=16, steps=25, batch=32, updates=400, seed=0):
    """Train a tanh RNN and an LSTM (forget_bias 1) of the same size on the task.

    Returns
    -------
    losses : dict label -> ndarray (updates,), the loss of every update
    cells : dict label -> the trained cell
    """
    losses, cells = {}, {}
    for label, cell in ((f"RNN (tanh), H={hidden}", RNNCell(1, hidden, rng=seed)),
                        (f"LSTM, H={hidden}, forget_bias=1", LSTMCell(1, hidden, forget_bias=1.0, rng=seed))):
        losses[label] = train(cell, steps, batch, updates, np.random.default_rng(seed + 1))
        cells[label] = cell
    return losses, cells
