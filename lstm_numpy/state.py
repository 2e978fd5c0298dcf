"""Recurrent states and the few operations that walk their structure.

A state is one of three things:
- an ndarray ``h`` of shape (B, H): an RNN or GRU layer;
- ``LSTMState(c, h)``, each (B, H): an LSTM layer, in TensorFlow's order;
- a tuple with one of the above per layer: a MultiRNNCell.
"""
from collections import namedtuple

import numpy as np

LSTMState = namedtuple("LSTMState", ["c", "h"])
LSTMState.__doc__ = """The state of one LSTM layer: cell state ``c`` and hidden state ``h``, each (B, H).

The order is TensorFlow's ``LSTMStateTuple(c, h)``; PyTorch returns ``(h, c)``."""


def map_state(fn, *states):
    """Apply ``fn`` leaf by leaf to states of one structure; return a state of that structure.

    Parameters
    ----------
    fn : callable taking one leaf of each state (ndarrays of shape (B, H)) and returning one
    states : states of one structure: ndarrays of shape (B, H), LSTMStates, or tuples per layer

    Returns
    -------
    state : the structure of ``states[0]``, each leaf what ``fn`` returned for it

    Examples
    --------
    >>> s = LSTMState(np.ones((2, 3)), np.zeros((2, 3)))
    >>> map_state(lambda a: a + 1, s).c.shape
    (2, 3)
    """
    first = states[0]
    if isinstance(first, LSTMState):
        return LSTMState(*(map_state(fn, *leaves) for leaves in zip(*states)))
    if isinstance(first, tuple):
        return tuple(map_state(fn, *layers) for layers in zip(*states))
    return fn(*states)


def state_leaves(state):
    """The arrays of a state, in order: ``[h]``, ``[c, h]``, or each layer's in turn.

    Parameters
    ----------
    state : an ndarray of shape (B, H), an LSTMState, or a tuple of states per layer

    Returns
    -------
    list of ndarrays, each of shape (B, H) (a layer's own H)
    """
    if isinstance(state, tuple):
        return [leaf for part in state for leaf in state_leaves(part)]
    return [state]


def state_names(state, prefix):
    """Names for the leaves of a state, in :func:`state_leaves` order: ``prefix[1].c`` and so on.

    Parameters
    ----------
    state : a state: an ndarray of shape (B, H), an LSTMState, or a tuple of states per layer
    prefix : str, the name of the whole state

    Returns
    -------
    list of str, one per leaf
    """
    if isinstance(state, LSTMState):
        return [f"{prefix}.c", f"{prefix}.h"]
    if isinstance(state, tuple):
        return [name for k, s in enumerate(state) for name in state_names(s, f"{prefix}[{k}]")]
    return [prefix]


def describe(state):
    """A short text of a state's structure and shapes, for error messages.

    Parameters
    ----------
    state : an ndarray of shape (B, H), an LSTMState, a tuple of states, or anything else

    Returns
    -------
    str, such as ``LSTMState(c=ndarray(4, 20), h=ndarray(4, 20))``
    """
    if isinstance(state, LSTMState):
        return f"LSTMState(c={describe(state.c)}, h={describe(state.h)})"
    if isinstance(state, tuple):
        return "tuple(" + ", ".join(describe(s) for s in state) + ")"
    if isinstance(state, np.ndarray):
        return f"ndarray{state.shape}"
    return type(state).__name__
