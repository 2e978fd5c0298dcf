"""Whole sequences, with TensorFlow 1.x ``dynamic_rnn`` semantics, for every cell type.

The time loop is written once: it calls ``cell.step`` forward and ``cell.step_backward``
backward, for a single cell or a MultiRNNCell alike. See docs/dynamic_rnn.md. (The module is
``time_loop``, so that ``lstm_numpy.dynamic_rnn``, the function, hides no module.)

The ``sequence_length`` rule, forward: at and past a row's length its output is zero and its
state is carried unchanged. Backward, the same rule read in reverse: a masked step lets no
gradient in through its output, and the carried state hands its gradient straight back.
"""
from collections import namedtuple

import numpy as np

from .checks import (as_float_array, check_cell, check_outputs_shape, check_sequence_length,
                     check_state, inputs_time_major)
from .state import map_state

Grads = namedtuple("Grads", ["inputs", "initial_state", "params"])
Grads.__doc__ = """Gradients from :func:`dynamic_rnn_backward`.

inputs : ndarray of the inputs' shape, (B, T, D) or (T, B, D)
initial_state : the state structure, dL/d(initial state): (B, H) arrays per layer
params : dict with the keys and shapes of ``cell.params``"""


CheckedArguments = namedtuple("CheckedArguments", ["xs", "sequence_length", "initial_state", "time_major"])
CheckedArguments.__doc__ = """The arguments of :func:`dynamic_rnn` after :func:`check_arguments`.

xs : ndarray of shape (T, B, D), time-major whatever the layout given, of the cell's dtype
sequence_length : None, or an int64 ndarray of shape (B,), each in [0, T]
initial_state : None (zeros), or the cell's state structure, leaves of shape (B, H)
time_major : bool, the layout the caller gave and gets the outputs in"""


def check_arguments(cell, inputs, sequence_length=None, initial_state=None, time_major=False, convert=None):
    """Every check of :func:`dynamic_rnn`'s arguments, done once, before the time loop.

    A model that looks at its inputs itself (its first frame, its lengths) checks them here and
    hands the result to :func:`run_checked`, so that nothing is converted or checked twice.
    The fast engine (``lstm_numpy.fast``) shares this step, with its own ``convert``.

    Parameters
    ----------
    cell, inputs, sequence_length, initial_state, time_major : as for :func:`dynamic_rnn`
    convert : None (a checked copy, :func:`~lstm_numpy.checks.as_float_array`), or a function
        ``(name, a, dtype) -> ndarray`` that makes the inputs' array

    Returns
    -------
    CheckedArguments(xs, sequence_length, initial_state, time_major), ``xs`` of shape (T, B, D)

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> checked = check_arguments(ln.GRUCell(3, 5, rng=0), np.ones((2, 4, 3)), [4, 1])
    >>> checked.xs.shape, checked.sequence_length
    ((4, 2, 3), array([4, 1]))
    """
    check_cell(cell)
    xs = inputs_time_major(inputs, cell, time_major, convert)   # (T, B, D)
    T, B, _ = xs.shape
    lengths = check_sequence_length(sequence_length, B, T)
    if initial_state is not None:
        initial_state = check_state("initial_state", initial_state, cell.zero_state(B), cell.dtype)
    return CheckedArguments(xs, lengths, initial_state, time_major)


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, time_major=False):
    """Run ``cell`` over whole sequences, as TensorFlow 1.x ``dynamic_rnn`` does.

    Parameters
    ----------
    cell : RNNCell, LSTMCell, GRUCell or MultiRNNCell
    inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major=True``; float data is
        converted to the cell's dtype.
    sequence_length : None, or ints of shape (B,) in [0, T]. At and past a row's length its
        output is zero and its state is carried unchanged.
    initial_state : None (zeros) or the cell's state structure: (B, H) for RNN and GRU layers,
        ``LSTMState(c, h)`` for an LSTM layer, a tuple of those for a MultiRNNCell.
    time_major : bool, the layout of ``inputs`` and ``outputs``

    Returns
    -------
    outputs : ndarray of shape (B, T, H_top), or (T, B, H_top) with ``time_major=True``
    final_state : the state structure, each row's state at its last valid step
    cache : dict for :func:`dynamic_rnn_backward`; ``cache["steps"][t]`` is the step cache of
        step t (for a MultiRNNCell a tuple with one dict per layer) holding every gate.

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.LSTMCell(8, 20, rng=0), ln.LSTMCell(20, 30, rng=1)])
    >>> x = np.random.default_rng(0).normal(size=(4, 6, 8))                 # (B, T, D)
    >>> outputs, final_state, cache = ln.dynamic_rnn(cell, x, sequence_length=[6, 3, 0, 1])
    >>> outputs.shape, final_state[1].h.shape
    ((4, 6, 30), (4, 30))
    >>> bool(np.all(outputs[1, 3:] == 0))      # row 1 has length 3: zero output past it
    True
    """
    return run_checked(cell, check_arguments(cell, inputs, sequence_length, initial_state, time_major))


def run_checked(cell, checked):
    """The time loop of :func:`dynamic_rnn`, on arguments that :func:`check_arguments` checked.

    Parameters
    ----------
    cell : the cell the arguments were checked for
    checked : CheckedArguments, with ``xs`` of shape (T, B, D)

    Returns
    -------
    outputs, final_state, cache : as from :func:`dynamic_rnn`, outputs of shape (B, T, H_top)
        or (T, B, H_top)
    """
    xs, lengths, time_major = checked.xs, checked.sequence_length, checked.time_major   # (T, B, D)
    T, B, _ = xs.shape
    state = cell.zero_state(B) if checked.initial_state is None else checked.initial_state
    initial_state = state

    for layer in cell.cells:
        layer.start_sequence(B)                               # a DropoutWrapper draws this sequence's masks

    outputs = np.zeros((T, B, cell.output_size), dtype=cell.dtype)   # (T, B, H_top)
    steps = []
    for t in range(T):
        h, new_state, step_cache = cell.step(xs[t], state)
        if lengths is None:
            outputs[t], state = h, new_state
        else:
            alive = (t < lengths)[:, None]                    # (B, 1), rows still inside their length
            outputs[t] = np.where(alive, h, 0)
            state = map_state(lambda new, old: np.where(alive, new, old), new_state, state)
        steps.append(step_cache)

    cache = {"cell": cell, "steps": steps, "sequence_length": lengths, "time_major": time_major,
             "inputs_shape": xs.shape, "initial_state": initial_state}
    final_state = map_state(np.copy, state)                   # the caller's own, not the cache's arrays
    return (outputs if time_major else outputs.transpose(1, 0, 2)), final_state, cache


def dynamic_rnn_backward(d_outputs, d_final_state, cache):
    """Backpropagation through time for :func:`dynamic_rnn`.

    Parameters
    ----------
    d_outputs : ndarray of shape (B, T, H_top), or (T, B, H_top) with ``time_major``: the
        outputs' shape, dL/d outputs
    d_final_state : None (no loss on the final state) or the state structure, dL/d final_state
    cache : dict from :func:`dynamic_rnn`

    Returns
    -------
    Grads(inputs, initial_state, params), each ``dfoo`` with ``foo``'s shape and structure;
    ``params`` has the keys of ``cell.params``.

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.GRUCell(3, 5, rng=0)
    >>> outputs, final_state, cache = ln.dynamic_rnn(cell, np.ones((2, 4, 3)))
    >>> grads = ln.dynamic_rnn_backward(np.ones_like(outputs), None, cache)
    >>> grads.inputs.shape, grads.initial_state.shape, grads.params["W_h"].shape
    ((2, 4, 3), (2, 5), (5, 15))
    """
    if not isinstance(cache, dict) or not {"cell", "steps", "sequence_length", "inputs_shape"} <= set(cache):
        raise TypeError(f"expected the cache dict that dynamic_rnn returned (its third value), "
                        f"got {type(cache).__name__}")
    cell, steps, lengths = cache["cell"], cache["steps"], cache["sequence_length"]
    T, B, D = cache["inputs_shape"]
    H = cell.output_size
    d_outputs = check_outputs_shape(as_float_array("d_outputs", d_outputs, cell.dtype), T, B, H, cache["time_major"])
    d_outputs = d_outputs if cache["time_major"] else d_outputs.transpose(1, 0, 2)   # (T, B, H)
    template = cell.zero_state(B)
    dstate = template if d_final_state is None else check_state("d_final_state", d_final_state, template, cell.dtype)

    dxs = np.zeros((T, B, D), dtype=cell.dtype)               # (T, B, D)
    dparams = {name: np.zeros_like(p) for name, p in cell.params.items()}
    for t in reversed(range(T)):
        if lengths is None:
            dh, dstate_new, dcarry = d_outputs[t], dstate, None
        else:
            alive = (t < lengths)[:, None]                    # (B, 1)
            dh = np.where(alive, d_outputs[t], 0)             # masked outputs were constant zeros
            dstate_new = map_state(lambda d: np.where(alive, d, 0), dstate)   # into the step's new state
            dcarry = map_state(lambda d: np.where(alive, 0, d), dstate)       # straight through the carry
        dxs[t], dstate, dp = cell.step_backward(dh, dstate_new, steps[t])
        if dcarry is not None:
            dstate = map_state(np.add, dstate, dcarry)
        for name, grad in dp.items():
            dparams[name] += grad
    d_inputs = dxs if cache["time_major"] else dxs.transpose(1, 0, 2)
    return Grads(inputs=d_inputs, initial_state=dstate, params=dparams)


def gate_history(cache, name, layer=0):
    """One gate (or any cached quantity) of one layer over every step, as an array (T, B, H).

    Parameters
    ----------
    cache : dict from :func:`dynamic_rnn`
    name : str, a key of the step cache: ``"i", "f", "g", "o", "c", "h"`` for an LSTM,
        ``"r", "z", "n", "h"`` for a GRU, ``"h"`` for an RNN
    layer : int, the layer k of a MultiRNNCell (0 for a single cell)

    Returns
    -------
    ndarray of shape (T, B, H), time-major whatever the layout of the inputs

    Notes
    -----
    Values at and past a row's sequence length are what the step computed before the mask,
    not the carried state.
    """
    if not isinstance(cache, dict) or "steps" not in cache:
        got = f"a dict with keys {sorted(map(str, cache))}" if isinstance(cache, dict) else type(cache).__name__
        hint = ("; only the readable engine keeps every step: run lstm_numpy.dynamic_rnn, or a model with "
                "engine=\"readable\"") if isinstance(cache, dict) else ""
        raise TypeError(f"expected the cache of lstm_numpy.dynamic_rnn (its third value, which keeps every "
                        f"step), got {got}{hint}")
    cell = cache["cell"]
    n_layers = len(cell.cells)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < n_layers:
        raise ValueError(f"expected layer in [0, {n_layers - 1}], got {layer!r}")
    per_step = [cell.split_layers(step)[layer] for step in cache["steps"]]
    if name not in per_step[0]:
        raise KeyError(f"no {name!r} in the step cache; it holds {sorted(per_step[0])}")
    return np.stack([s[name] for s in per_step])              # (T, B, H)
