"""How far back a gradient reaches: ||dL/dh_t|| for a loss on the last step only.

The loss is ``L = sum(outputs[:, T-1] * d_last)``: only the last output receives a gradient.
For every step t, :func:`hidden_gradient_norms` measures the norm of dL/dh_t of the top layer
with the real backward pass. The top layer's h_t has two consumers: the output at step t (no
loss there for t < T-1) and the same layer at step t+1. So dL/dh_t is the gradient of the
initial state's h when the network is run over the suffix ``x[:, t+1:]`` starting from the
state at step t: one :func:`~lstm_numpy.dynamic_rnn` and one
:func:`~lstm_numpy.dynamic_rnn_backward` per step, nothing re-derived by hand. Nothing here
imports matplotlib.
"""
import numpy as np

from .time_loop import dynamic_rnn, dynamic_rnn_backward


def state_after(cell, step):
    """The state after a step, rebuilt from that step's cache (one entry per layer for a stack).

    Parameters
    ----------
    cell : a cell or MultiRNNCell
    step : the step's cache from :func:`~lstm_numpy.dynamic_rnn` (a tuple of them for a stack)

    Returns
    -------
    state : the cell's state structure, each leaf an ndarray of shape (B, H)
    """
    return cell.join_layers([layer.make_state({part: cache_k[part] for part in layer.state_parts})
                             for layer, cache_k in zip(cell.cells, cell.split_layers(step))])


def top_h(state, cell):
    """The top layer's h of a state (or of a state gradient) of ``cell``.

    Parameters
    ----------
    state : the state structure of ``cell``, leaves of shape (B, H)
    cell : a cell or MultiRNNCell

    Returns
    -------
    ndarray of shape (B, H_top)
    """
    return cell.cells[-1].state_arrays(cell.split_layers(state)[-1])["h"]


def hidden_gradient_norms(cell, inputs, d_last=None):
    """||dL/dh_t|| of the top layer for every step t, with ``L = sum(outputs[:, -1] * d_last)``.

    Parameters
    ----------
    cell : RNNCell, LSTMCell, GRUCell or MultiRNNCell
    inputs : ndarray of shape (B, T, D)
    d_last : None (ones) or ndarray of shape (B, H_top), dL/d outputs[:, T-1]

    Returns
    -------
    norms : ndarray of shape (T,), the Frobenius norm over (B, H_top) of dL/dh_t
    grads : list of T ndarrays (B, H_top), dL/dh_t itself

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> norms, grads = hidden_gradient_norms(ln.RNNCell(3, 5, rng=0), np.ones((2, 6, 3)))
    >>> norms.shape, grads[0].shape, bool(norms[-1] == np.sqrt(10))
    ((6,), (2, 5), True)
    """
    outputs, _, cache = dynamic_rnn(cell, inputs)
    B, T, H = outputs.shape
    d_last = np.ones((B, H)) if d_last is None else np.asarray(d_last, dtype=float)
    if d_last.shape != (B, H):
        raise ValueError(f"expected d_last of shape (B, H_top)={(B, H)}, got {d_last.shape}")
    xs = np.asarray(inputs, dtype=cell.dtype)
    grads = [None] * T
    grads[T - 1] = d_last.copy()                              # h_{T-1} is the last output itself
    for t in range(T - 1):
        start = state_after(cell, cache["steps"][t])
        suffix = xs[:, t + 1:]                                # (B, T-1-t, D)
        out, _, suffix_cache = dynamic_rnn(cell, suffix, initial_state=start)
        d_out = np.zeros_like(out)
        d_out[:, -1] = d_last
        g = dynamic_rnn_backward(d_out, None, suffix_cache)
        grads[t] = top_h(g.initial_state, cell)               # (B, H_top)
    norms = np.array([np.linalg.norm(g) for g in grads])
    return norms, grads
