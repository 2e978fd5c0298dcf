"""What every converter needs: a cell's layers, their kinds, and new layers from arrays.

A converter walks a cell layer by layer. `layers_of` lists the layers (a single cell is
a stack of one), `layer_arrays` gives layer k's weights or gradients under lstm_numpy's
own names, and `new_layer` builds a ready cell from arrays already in lstm_numpy's layout.
"""
from collections.abc import Mapping

import numpy as np

from ..checks import check_finite, check_range, float_array
from ..kinds import CELL_CLASSES

KINDS = ("lstm", "gru", "rnn_tanh", "rnn_relu")
GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}  # gate blocks per layer


def check_kind(kind):
    """A ValueError unless ``kind`` is one of :data:`KINDS`.

    Parameters
    ----------
    kind : str, "lstm", "gru", "rnn_tanh" or "rnn_relu"

    Returns
    -------
    None
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}")


def check_names(what, mapping):
    """``mapping`` itself, or a TypeError unless it maps str names to values (a dict of arrays).

    Parameters
    ----------
    what : str, the argument, for the message (``"variables"``, ``"params"``)
    mapping : the value given: a mapping of str to ndarray, each array of any shape

    Returns
    -------
    the mapping
    """
    if not isinstance(mapping, Mapping):
        raise TypeError(f"expected {what} as a mapping of names to arrays, got {type(mapping).__name__}")
    bad = [name for name in mapping if not isinstance(name, str)]
    if bad:
        raise TypeError(f"expected {what} keyed by str names, got the key {bad[0]!r} ({type(bad[0]).__name__})")
    return mapping


def layers_of(cell):
    """The layers of a MultiRNNCell, or [cell] for a single cell.

    Parameters
    ----------
    cell : RNNCell, LSTMCell, GRUCell or MultiRNNCell

    Returns
    -------
    list of cells, bottom layer first
    """
    if isinstance(cell, type):
        raise TypeError(f"expected a cell object such as {cell.__name__}(8, 20), got the class {cell.__name__} itself")
    layers = getattr(cell, "cells", None)
    if not isinstance(layers, tuple) or not all(getattr(layer, "kind", None) in CELL_CLASSES for layer in layers):
        raise TypeError(f"expected an lstm_numpy cell or MultiRNNCell, got {type(cell).__name__}")
    return list(layers)


def kind_of(layer):
    """The kind of one layer, as the converters name it.

    Parameters
    ----------
    layer : RNNCell, LSTMCell or GRUCell

    Returns
    -------
    str, "lstm", "gru", "rnn_tanh" or "rnn_relu"
    """
    return "rnn_" + layer.activation if layer.kind == "rnn" else layer.kind


def layer_arrays(cell, params, k):
    """Layer k's arrays, keyed W_x, W_h, b (or b_x, b_h).

    params None: the layer's own weights. Otherwise a gradient dict keyed like
    cell.params (grads.params), checked against the layer's shapes.

    Parameters
    ----------
    cell : a cell or MultiRNNCell
    params : None, or a dict with the keys of ``cell.params``, each ``dp`` of its parameter's
        shape
    k : int, the layer, from 0

    Returns
    -------
    arrays : dict of str to ndarray: ``W_x`` of shape (D, kH), ``W_h`` (H, kH), and ``b`` (kH,)
        or, for a GRU with reset_after, ``b_x`` and ``b_h`` (3H,)
    """
    layers = layers_of(cell)
    layer = layers[k]
    if params is None:
        return dict(layer.params)
    check_names("params", params)
    if any(layer is layers[j] for j in range(k)):
        raise ValueError(
            f"layers {layers.index(layer)} and {k} share one weight set, so the gradient "
            "holds their sum and no framework layout has a place for it; "
            "build the stack with one cell per layer")
    unknown = sorted(map(str, set(params) - set(cell.params)))
    if unknown:
        raise ValueError(f"params has keys this cell does not have: {', '.join(unknown)}; "
                         f"expected those of cell.params: {', '.join(cell.params)}")
    arrays = {}
    for name, weight in layer.params.items():
        key = cell.param_key(k, name)
        if key not in params:
            raise ValueError(f"params has no {key!r}: pass grads.params of this cell")
        arrays[name] = check_shape(f"params[{key!r}]", params[key], weight.shape, finite=False)
    return arrays


def check_shape(name, array, expected, letters=None, finite=True, cell_dtype=None):
    """array as an ndarray, or a ValueError naming the expected shape with its letters.

    expected: one size per axis, None where any size will do. letters: one label per
    axis, such as ("4H", "D"); the message then reads
    "expected shape (4H=24, D=4), got (24, 5)". Integer, boolean, complex or other
    non-float data is a TypeError (a cast would drop an imaginary part or hide a mix-up);
    with ``finite``, a NaN or inf is a ValueError that points at it.

    Parameters
    ----------
    name : str, what the array is, for the message
    array : array-like, of any shape
    expected : tuple of int or None, one per axis, such as (24, 4) for (4H, D)
    letters : None, or a tuple of str, one per axis, such as ("4H", "D")
    finite : bool, whether NaN and inf are refused (weights: yes; gradients pass as they are)
    cell_dtype : None, or the dtype of the cell the array goes into: a value beyond its range is refused

    Returns
    -------
    ndarray of shape ``expected``, of a floating-point dtype
    """
    array = float_array(name, array)
    fits = array.ndim == len(expected) and all(
        n is None or n == m for n, m in zip(expected, array.shape))
    if not fits:
        letters = letters or [None] * len(expected)
        wanted = ", ".join(str(n) if a is None else a if n is None else f"{a}={n}"
                           for a, n in zip(letters, expected))
        if len(expected) == 1:
            wanted += ","
        raise ValueError(f"{name}: expected shape ({wanted}), got {array.shape}")
    if finite:
        check_finite(name, array)
    if cell_dtype is not None:
        check_range(name, array, cell_dtype)
    return array


def axis_size(array, axis, ndim):
    """array.shape[axis] if array has ndim axes, else None (check_shape then complains).

    Parameters
    ----------
    array : array-like, such as a kernel of shape (D, 4H)
    axis : int
    ndim : int, the axes the array should have

    Returns
    -------
    int or None: 4H for ``axis_size(kernel, 1, 2)`` on a (D, 4H) kernel
    """
    shape = np.shape(array)
    return shape[axis] if len(shape) == ndim else None


def new_layer(kind, input_size, hidden_size, arrays, *, dtype, forget_bias=0.0,
              reset_after=True, **lstm_options):
    """A new cell of that kind whose params are set to arrays (lstm_numpy's layout).

    Parameters
    ----------
    kind : str, "lstm", "gru", "rnn_tanh" or "rnn_relu"
    input_size : int, D
    hidden_size : int, H
    arrays : dict of str to ndarray: ``W_x`` of shape (D, kH), ``W_h`` (H, kH), ``b`` (kH,)
        or ``b_x`` and ``b_h`` (3H,) for a GRU with reset_after; copied into the new cell
    dtype : numpy float dtype of the cell
    forget_bias : float, for an LSTM
    reset_after : bool, for a GRU
    lstm_options : TensorFlow 1.x LSTMCell's options for an LSTM (``use_peepholes``,
        ``cell_clip``, ``num_proj``, ``proj_clip``); ``arrays`` then holds ``W_h`` of shape
        (P, 4H), the peepholes (H,) and ``W_proj`` (H, P) as they apply

    Returns
    -------
    RNNCell, LSTMCell or GRUCell
    """
    cell_kind, _, activation = kind.partition("_")           # "rnn_tanh" -> "rnn", "tanh"
    given = {"forget_bias": forget_bias, "reset_after": reset_after, "activation": activation or "tanh",
             **lstm_options}
    options = {name: value for name, value in given.items() if name in CELL_CLASSES[cell_kind].OPTIONS}
    layer = CELL_CLASSES[cell_kind](input_size, hidden_size, dtype=dtype, **options)
    for name, value in arrays.items():
        layer.params[name][...] = value
    return layer


def check_options(layer, k, framework, supported=()):
    """A ValueError if layer k uses an LSTMCell option (peepholes, a clip, a projection) that
    ``framework`` has no place for.

    Parameters
    ----------
    layer : RNNCell, LSTMCell or GRUCell
    k : int, the layer, from 0
    framework : str, for the message, such as "PyTorch's nn.LSTM"
    supported : the options the framework has, such as ("num_proj",)

    Returns
    -------
    None
    """
    extra = [f"{name}={value!r}" for name, value in layer.options().items()
             if name in ("use_peepholes", "cell_clip", "num_proj", "proj_clip")
             and value != layer.OPTIONS[name] and name not in supported]
    if extra:
        raise ValueError(f"layer {k} has {', '.join(extra)}, which {framework} does not have; "
                         f"use to_tf (TensorFlow 1.x's LSTMCell has every LSTM option)")


def fold_forget_bias(layer, b):
    """An LSTM bias with the layer's run-time forget_bias added to its f block.

    For frameworks that have no run-time forget bias (PyTorch, Keras): the folded bias
    makes them compute what this layer computes: eq. (3) of docs/lstm.md adds forget_bias
    to ``a_f`` at run time, the folded bias holds it.

    Parameters
    ----------
    layer : LSTMCell
    b : ndarray of shape (4H,), blocks i, f, g, o

    Returns
    -------
    ndarray of shape (4H,)
    """
    i, f, g, o = np.split(b, 4)
    return np.concatenate([i, f + layer.forget_bias, g, o])


def is_direction_pair(value):
    """Whether ``value`` is a pair (cell_fw, cell_bw), or (cells_fw, cells_bw) of lists of cells.

    Parameters
    ----------
    value : anything a converter was given

    Returns
    -------
    bool
    """
    return isinstance(value, (tuple, list)) and len(value) == 2 and not hasattr(value, "_fields") \
        and all(hasattr(side, "params") or isinstance(side, (tuple, list)) for side in value)


def check_stack_params(cells_fw, cells_bw, params):
    """A ValueError unless ``params`` is None or has exactly the keys ``layer_{k}/fw/<name>``,
    ``layer_{k}/bw/<name>`` of these cells (each array of its parameter's shape).

    Parameters
    ----------
    cells_fw, cells_bw : lists of L one-layer cells
    params : None or a dict such as ``grads.params`` of the stacked bidirectional backward

    Returns
    -------
    None
    """
    if len(cells_fw) != len(cells_bw) or not cells_fw:
        raise ValueError(f"expected cells_fw and cells_bw with one cell per layer each, got "
                         f"{len(cells_fw)} and {len(cells_bw)}")
    if params is None:
        return
    expected = {f"layer_{k}/{side}/{name}" for k, pair in enumerate(zip(cells_fw, cells_bw))
                for side, cell in zip(("fw", "bw"), pair) for name in cell.params}
    if set(params) != expected:
        raise ValueError(f"expected params with the keys {sorted(expected)}, got {sorted(params)}")
