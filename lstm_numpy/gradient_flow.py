"""How far back a gradient reaches: ||dL/dh_t|| for a loss on the last step only, and each
step's share of a weight's gradient for a loss on any one step (:func:`step_contributions`).

The loss is ``L = sum(outputs[:, T-1] * d_last)``: only the last output receives a gradient.
For every step t, :func:`hidden_gradient_norms` measures the norm of dL/dh_t of the top layer
with the real backward pass. The top layer's h_t has two consumers: the output at step t (no
loss there for t < T-1) and the same layer at step t+1. So dL/dh_t is the gradient of the
initial state's h when the network is run over the suffix ``x[:, t+1:]`` starting from the
state at step t: one :func:`~lstm_numpy.dynamic_rnn` and one
:func:`~lstm_numpy.dynamic_rnn_backward` per step, nothing re-derived by hand. Nothing here
imports matplotlib.
"""
from collections import namedtuple

import numpy as np

from .bptt import backward_trace
from .checks import check_outputs_shape
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


Contributions = namedtuple("Contributions", ["weight", "weight_norms", "hidden_norms", "state_norms",
                                             "weight_parts", "d_outputs"])
Contributions.__doc__ = """Per-step gradient contributions, from :func:`step_contributions`.

Row t is the loss on output step t alone, ``L_t = sum(outputs[t] * d_outputs[t])``; column t'
is the step the backward pass is at. Entries with t' > t are zero: a loss at step t reaches
back, never forward.

weight : str, the parameter traced (``"W_h"``)
weight_norms : ndarray of shape (L, T, T), [k, t, t'] = ||step t''s contribution to dL_t/d weight of layer k||
hidden_norms : ndarray of shape (L, T, T), [k, t, t'] = ||dL_t/dh_t'|| of layer k (the sum ``dh`` step t' receives)
state_norms : dict part -> ndarray of shape (L, T, T), [k, t, t'] = ||dL_t/d part_{t'-1}||, what step t'
    hands back to step t' - 1 (``"c"``: ``dc_prev = dc * f`` for an LSTM; ``"h"``: ``dh_prev``); only the
    parts every layer has
weight_parts : list with one ndarray per layer, of shape (T, T) + the weight's shape: the contributions
    themselves; summed over t' they are dL_t/d weight
d_outputs : ndarray of shape (B, T, H_top) or (T, B, H_top), the outputs' layout: the d_outputs[t] each L_t uses"""


def step_contributions(cell, inputs, weight="W_h", d_outputs=None, sequence_length=None, time_major=False,
                       seed=0):
    """For a loss at each output step t, how much each step t' <= t adds to a weight's gradient.

    The gradient of a weight is a sum over the steps the backward pass goes through. For the
    loss on step t alone, one traced :func:`~lstm_numpy.dynamic_rnn_backward` (see
    :func:`~lstm_numpy.bptt.backward_trace`) gives each step's term ``dW`` of that sum and the
    gradient ``dh`` each step receives; this is done for every t (T backward passes).

    Parameters
    ----------
    cell : a cell or MultiRNNCell (any kind, any configuration)
    inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major``
    weight : str, a key of each layer's params: ``"W_h"`` (default), ``"W_x"``, ``"b"``, ...
    d_outputs : None (standard normal numbers drawn with ``seed``) or ndarray of the outputs'
        shape, (B, T, H_top) or (T, B, H_top); the loss at step t is ``sum(outputs[t] * d_outputs[t])``
    sequence_length : None or ints of shape (B,), as for :func:`~lstm_numpy.dynamic_rnn`
    time_major : bool, the layout of ``inputs`` and ``d_outputs``
    seed : int, for the default ``d_outputs``

    Returns
    -------
    Contributions, its norms of shape (L, T, T)

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> contrib = step_contributions(ln.LSTMCell(3, 5, rng=0), np.ones((2, 4, 3)))
    >>> contrib.weight_norms.shape, contrib.weight_parts[0].shape, bool(np.all(np.triu(contrib.hidden_norms[0], 1) == 0))
    ((1, 4, 4), (4, 4, 5, 20), True)
    """
    outputs, _, cache = dynamic_rnn(cell, inputs, sequence_length, None, time_major)
    layers = cell.cells
    for k, layer in enumerate(layers):
        if weight not in layer.params:
            raise KeyError(f"expected weight as a parameter of every layer, got {weight!r}; layer {k} has "
                           f"{sorted(layer.params)}")
    T, B, _ = cache["inputs_shape"]
    H = cell.output_size
    if d_outputs is None:
        d_outputs = np.random.default_rng(seed).normal(size=outputs.shape)
    d_outputs = check_outputs_shape(np.asarray(d_outputs, dtype=cell.dtype), T, B, H, time_major)
    d_steps = d_outputs if time_major else d_outputs.transpose(1, 0, 2)   # (T, B, H_top)
    parts = [part for part in layers[0].state_parts if all(part in layer.state_parts for layer in layers)]
    weight_parts = [np.zeros((T, T) + layer.params[weight].shape, dtype=cell.dtype) for layer in layers]
    hidden = np.zeros((len(layers), T, T))
    states = {part: np.zeros((len(layers), T, T)) for part in parts}
    for t in range(T):
        one_step = np.zeros((T, B, H), dtype=cell.dtype)      # (T, B, H_top): the loss at step t only
        one_step[t] = d_steps[t]
        bt = backward_trace(cache, one_step if time_major else one_step.transpose(1, 0, 2))
        for k in range(len(layers)):
            for source in range(T):
                weight_parts[k][t, source] = bt.find("d" + weight, k, source).value
                hidden[k, t, source] = np.linalg.norm(bt.find("dh", k, source).value)
                for part in parts:
                    states[part][k, t, source] = np.linalg.norm(bt.find(f"d{part}_prev", k, source).value)
    norms = np.stack([np.sqrt(np.sum(w.reshape(T, T, -1) ** 2, axis=-1)) for w in weight_parts])
    return Contributions(weight, norms, hidden, states, weight_parts, d_outputs)
