"""The route for a layer the fast kernels do not cover: the readable time loop, behind a kernel's face.

The kernels in ``lstm.py``, ``gru.py`` and ``rnn.py`` cover the options they list in their
``OPTIONS``. A layer with any other option away from its default (an LSTM with peepholes, a
cell clip or a projection, eqs. (8)-(13) of docs/lstm.md) runs here instead: this module's
``forward`` and ``backward`` take and give what a kernel's do, and compute them with
:func:`lstm_numpy.dynamic_rnn` and :func:`lstm_numpy.dynamic_rnn_backward` on that one layer. So
the numbers are the readable path's own, never an approximation; the other layers of the stack
still run their fast kernels. The layer's fast cache says so: ``cache["route"] == "readable"``.
"""
import numpy as np

from ..state import map_state
from ..time_loop import dynamic_rnn, dynamic_rnn_backward
from .workspace import chunk_target


def forward(cell, xs, state, dead, buffer):
    """One layer over every step with the readable step functions.

    Parameters
    ----------
    cell : a one-layer cell, such as an LSTMCell with peepholes
    xs : ndarray of shape (T, B, D)
    state : the layer's state before step 0, leaves of shape (B, H) (an LSTM's h (B, P))
    dead : None, or bool ndarray of shape (T, B, 1): True at and past a row's length
    buffer : unused (the readable loop makes its own arrays); here so that every kernel is called alike

    Returns
    -------
    cache : dict with ``hs`` (T + 1, B, P), the state's h before step 0 and the output of
        every step (zero at and past a row's length, which the next layer's masked steps
        ignore); ``final_state``, the layer's state after its last valid step; ``readable``,
        the cache of :func:`lstm_numpy.dynamic_rnn`; ``route``, ``"readable"``
    """
    T, B, _ = xs.shape
    lengths = None if dead is None else np.sum(~dead[:, :, 0], axis=0)   # (B,), dead is t >= length
    outputs, final_state, readable = dynamic_rnn(cell, xs, sequence_length=lengths, initial_state=state,
                                                 time_major=True)       # (T, B, P)
    hs = np.concatenate([cell.state_arrays(state)["h"][None], outputs])  # (T + 1, B, P)
    return {"hs": hs, "final_state": final_state, "readable": readable, "route": "readable"}


def backward(cell, d_hs_chunks, dstate, cache, dead, buffer, result, d_xs=None):
    """Backward of :func:`forward`: :func:`lstm_numpy.dynamic_rnn_backward`, handed out in chunks.

    Parameters
    ----------
    cell : the one-layer cell
    d_hs_chunks : iterable of ``(t0, t1, d_hs)``, the last steps first, ``d_hs`` of shape
        (t1 - t0, B, P): dL/d(outputs of the layer) at steps t0 to t1 - 1
    dstate : the layer's state structure, leaves of shape (B, H), dL/d(state after the last step)
    cache : dict from :func:`forward`
    dead : as for :func:`forward` (the readable cache holds the lengths it stands for)
    buffer : callable ``(name, shape) -> ndarray``, for the chunks of dL/d xs, such as (steps, B, D)
    result : dict, filled when the chunks run out: ``"dstate"``, dL/d(initial state);
        ``"params"``, a dict with the keys and shapes of ``cell.params``
    d_xs : None, or an ndarray of shape (T, B, D) that receives dL/d xs chunk by chunk

    Yields
    ------
    t0, t1, dxs : for each chunk, dL/d xs at its steps, of shape (t1 - t0, B, D)
    """
    readable = cache["readable"]
    T, B, D = readable["inputs_shape"]
    d_outputs = np.zeros((T, B, cell.output_size), dtype=cell.dtype)   # (T, B, P)
    chunks = []
    for t0, t1, d_hs in d_hs_chunks:                          # the whole sequence first: the
        d_outputs[t0:t1] = d_hs                               # readable loop runs back in one go
        chunks.append((t0, t1))
    grads = dynamic_rnn_backward(d_outputs, map_state(np.copy, dstate), readable)
    dxs_at = chunk_target(d_xs, buffer, max((t1 - t0 for t0, t1 in chunks), default=1), B, D)
    for t0, t1 in chunks:
        dxs = dxs_at(t0, t1)                                  # (t1-t0, B, D)
        dxs[...] = grads.inputs[t0:t1]
        yield t0, t1, dxs
    result["dstate"], result["params"] = grads.initial_state, grads.params
