"""The fast engine: :func:`dynamic_rnn` and :func:`dynamic_rnn_backward` with the contract of
:mod:`lstm_numpy.time_loop`, computed whole sequences layer by layer; both directions as two such passes (``fast.bidirectional``).

The readable step functions (``lstm.py``, ``gru.py``, ``rnn.py``) stay what a reader steps
through; this package holds the same equations arranged for speed, and the tests hold it
equal to them (to 1e-12 in float64). docs/performance.md explains each lever and what it
measured. A layer with an option its kernel does not compute (an LSTM's peepholes, clips or
projection) runs the readable step functions instead, that layer only; :func:`routes` says
which layers did.

Examples
--------
>>> import numpy as np
>>> import lstm_numpy as ln
>>> cell = ln.LSTMCell(8, 16, rng=0)
>>> ws = ln.fast.Workspace()                      # buffers kept from one call to the next
>>> x = np.ones((4, 10, 8))                       # (B, T, D)
>>> outputs, final_state, cache = ln.fast.dynamic_rnn(cell, x, workspace=ws)
>>> grads = ln.fast.dynamic_rnn_backward(np.ones_like(outputs), None, cache)
>>> grads.params["W_h"].shape, grads.inputs.shape
((16, 64), (4, 10, 8))
"""
from .bidirectional import (bidirectional_dynamic_rnn, bidirectional_dynamic_rnn_backward,
                            stack_bidirectional_dynamic_rnn, stack_bidirectional_dynamic_rnn_backward)
from .onehot import OneHot
from .sequence import check_arguments, dynamic_rnn, dynamic_rnn_backward, routes, run_checked
from .workspace import Workspace

__all__ = ["dynamic_rnn", "dynamic_rnn_backward", "check_arguments", "run_checked", "routes",
           "bidirectional_dynamic_rnn", "bidirectional_dynamic_rnn_backward", "stack_bidirectional_dynamic_rnn",
           "stack_bidirectional_dynamic_rnn_backward", "Workspace", "OneHot"]
