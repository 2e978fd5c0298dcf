"""The fast engine's backward pass, traced: what its kernels hand from one step to the next.

:func:`backward_trace` runs :func:`lstm_numpy.fast.dynamic_rnn_backward` under the recorder of
:mod:`lstm_numpy.bptt` and keeps, for every step t and layer k, the last value of each per-step
array a kernel's time loop computes, named as the readable path names the same quantity:

- ``dh`` (the sum a step receives) and ``dc`` (eq. (7) of docs/lstm.md);
- ``dh_prev`` and ``dc_prev``, what the step hands to step t - 1, the carry of rows past their
  length included (the kernels call the first ``dh_next``, as the next step receives it);
- ``da`` of an LSTM step (the kernels' ``da_t``) and ``da_r``, ``da_n``, ``drh`` of a GRU step.

The kernels write into their arrays in place, so these are compared by contents after every
line, not only by name. Where a row is past its length the kernels fold the carry into ``dh``
(and leave ``dc`` and a GRU's ``drh`` unused in those rows); the readable path leaves those
rows of ``dh``, ``dc`` and ``drh`` at zero and sends the carry around the step. Everything else
is the same quantity on every row.
"""
import sys

import numpy as np

from ..bptt import CELL, BackwardTrace, GradEntry, _Recorder, equation_of
from .sequence import dynamic_rnn_backward
from . import gru, lstm, rnn

AS_READABLE = {"dh": "dh", "dc": "dc", "dc_prev": "dc_prev", "dh_next": "dh_prev", "da_t": "da",
               "da_r": "da_r", "da_n": "da_n", "drh": "drh"}   # kernel's name -> the readable path's


def backward_trace(cache, d_outputs, d_final_state=None):
    """Trace :func:`lstm_numpy.fast.dynamic_rnn_backward` on a fast cache.

    Parameters
    ----------
    cache : dict from :func:`lstm_numpy.fast.dynamic_rnn`, not yet overwritten
    d_outputs : ndarray of the outputs' shape, (B, T, H_top) or (T, B, H_top): dL/d outputs
    d_final_state : None or the state structure, leaves of shape (B, H)

    Returns
    -------
    BackwardTrace whose entries are the per-step arrays named in ``AS_READABLE``, each of shape
    (B, H) or (B, 4H), the last value each step gives them, from the last step to the first
    """
    cell = cache["cell"]
    roles = {(module.__file__, "backward"): CELL for module in (gru, lstm, rnn)}
    recorder = _Recorder(roles, by_value={CELL: set(AS_READABLE)})
    previous = sys.gettrace()
    sys.settrace(recorder)
    try:
        grads = dynamic_rnn_backward(d_outputs, d_final_state, cache)
    finally:
        sys.settrace(previous)
    T, B, D = cache["inputs_shape"]
    layer_of = {id(layer_cache): k for k, layer_cache in enumerate(cache["layers"])}
    last = {}
    for role, kind, name, value, where, t, layer_cache in recorder.events:
        if (name in AS_READABLE and t is not None and isinstance(value, np.ndarray) and value.ndim == 2
                and value.shape[0] == B):
            k = layer_of[id(layer_cache)]
            readable = AS_READABLE[name]
            last[(t, k, readable)] = GradEntry(t, k, readable, f"{readable}^{k}", value.shape,
                                               equation_of(where.text), "", "", where, name, value)
    entries = sorted(last.values(), key=lambda e: (-e.t, -e.k))
    dims = {"kind": cell.cells[0].kind, "s": B, "m": D, "T": T, "n": [layer.hidden_size for layer in cell.cells],
            "lengths": cache["sequence_length"]}
    lengths = cache["sequence_length"]
    dead = {} if lengths is None else {t: np.flatnonzero(t >= lengths).tolist() for t in range(T)
                                       if (t >= lengths).any()}
    return BackwardTrace(entries, dims, dead, grads, d_outputs, d_final_state)
