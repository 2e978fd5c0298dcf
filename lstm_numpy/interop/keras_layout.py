"""Keras LSTM / GRU / SimpleRNN weights <-> lstm_numpy cells.

A Keras recurrent layer's get_weights() is [kernel (D, kH), recurrent_kernel (H, kH),
bias], already in the row-vector orientation of W_x and W_h. LSTM gates are i, f, c, o
(ours, with c for g); GRU gates are z, r, h, reordered here to our r, z, n. A GRU with
reset_after=True (the Keras 2 default) has bias (2, 3H): the input bias, then the
recurrent one; with reset_after=False a single bias (3H,).
"""
import numpy as np

from ..multi import MultiRNNCell

from .layers import GATES, axis_size, check_kind, check_options, check_shape, fold_forget_bias, kind_of
from .layers import layer_arrays, layers_of, new_layer


def from_keras(weights, kind, *, reset_after=True, dtype=np.float64):
    """A cell holding the weights of one Keras recurrent layer, or of a stack of them.

    Parameters
    ----------
    weights : list of ndarray
        get_weights() of one layer, [kernel, recurrent_kernel, bias], or of a stack of
        layers of that kind (a Sequential's get_weights()), three arrays per layer:
        kernel (D, kH), recurrent_kernel (H, kH), bias (kH,), or (2, 3H) for a GRU with
        reset_after.
    kind : {"lstm", "gru", "rnn_tanh", "rnn_relu"}
        LSTM, GRU, or SimpleRNN with activation "tanh" or "relu".
    reset_after : bool
        The GRU's reset_after (Keras 2 default True).
    dtype : the cells' dtype.

    Returns
    -------
    A single cell for three arrays, a MultiRNNCell for more. LSTM layers have
    forget_bias=0.0 (Keras's unit_forget_bias only initialises the bias).

    Examples
    --------
    >>> import numpy as np
    >>> import lstm_numpy as ln
    >>> weights = [np.zeros((4, 18)), np.zeros((6, 18)), np.zeros((2, 18))]  # GRU(6) on D=4
    >>> cell = ln.interop.from_keras(weights, "gru")
    >>> type(cell).__name__, cell.reset_after, sorted(cell.params)
    ('GRUCell', True, ['W_h', 'W_x', 'b_h', 'b_x'])
    """
    check_kind(kind)
    if not isinstance(weights, (list, tuple)):
        raise TypeError(f"expected weights as a list of arrays, kernel, recurrent_kernel, bias per layer "
                        f"(as get_weights() gives them), got {type(weights).__name__}")
    if not weights or len(weights) % 3:
        count = len(weights)
        raise ValueError(
            "weights must list kernel, recurrent_kernel, bias for each layer (three arrays "
            f"per layer, as get_weights() gives them for use_bias=True), got {count}")
    layers = []
    for j in range(len(weights) // 3):
        input_size = layers[-1].output_size if layers else None
        layers.append(_layer_from_keras(weights[3 * j:3 * j + 3], j, kind, reset_after,
                                        input_size, dtype))
    return layers[0] if len(layers) == 1 else MultiRNNCell(layers)


def _layer_from_keras(arrays, j, kind, reset_after, input_size, dtype):
    gates = GATES[kind]
    gH = f"{gates}H" if gates > 1 else "H"
    kernel, recurrent, bias = arrays
    where = f"weights[{3 * j}:{3 * j + 3}] (layer {j})"
    H = axis_size(recurrent, 0, 2)
    D = input_size if input_size is not None else axis_size(kernel, 0, 2)
    gH_size = None if H is None else gates * H
    recurrent = check_shape(f"{where} recurrent_kernel", recurrent, (H, gH_size), ("H", gH), cell_dtype=dtype)
    kernel = check_shape(f"{where} kernel", kernel, (D, gates * H), ("D", gH), cell_dtype=dtype)
    if kind == "gru" and reset_after:
        bias = np.asarray(bias)
        if bias.shape == (3 * H,):
            raise ValueError(f"{where} bias: shape {bias.shape} is a GRU with "
                             "reset_after=False; pass reset_after=False")
        bias = check_shape(f"{where} bias", bias, (2, 3 * H), ("2", "3H"), cell_dtype=dtype)
    else:
        bias = check_shape(f"{where} bias", bias, (gates * H,), (gH,), cell_dtype=dtype)

    if kind == "gru":
        out = {"W_x": _zrh_to_rzn(kernel), "W_h": _zrh_to_rzn(recurrent)}
        if reset_after:
            out.update(b_x=_zrh_to_rzn(bias[0]), b_h=_zrh_to_rzn(bias[1]))
        else:
            out["b"] = _zrh_to_rzn(bias)
    else:
        out = {"W_x": kernel, "W_h": recurrent, "b": bias}
    return new_layer(kind, D, H, out, dtype=dtype, forget_bias=0.0, reset_after=reset_after)


def _zrh_to_rzn(w):
    z, r, h = np.split(w, 3, axis=-1)
    return np.concatenate([r, z, h], axis=-1)


def _rzn_to_zrh(w):
    r, z, n = np.split(w, 3, axis=-1)
    return np.concatenate([z, r, n], axis=-1)


def to_keras(cell, params=None):
    """A cell's weights (params=None) or gradients (params=grads.params) for Keras.

    Returns the flat list that set_weights() of the layer, or of a Sequential stack of
    such layers, takes: kernel, recurrent_kernel, bias per layer. An LSTM's run-time
    forget_bias is added to the forget-gate block of its bias (weights only), since
    Keras has none.

    Parameters
    ----------
    cell : a cell or MultiRNNCell
    params : None (the cell's weights) or a dict with the keys of ``cell.params``, such as
        ``grads.params``, each ``dp`` of its parameter's shape

    Returns
    -------
    weights : list of ndarray, three per layer: kernel of shape (D, kH), recurrent_kernel
        (H, kH), bias (kH,) or, for a GRU with reset_after, (2, 3H); kH = 4H for an LSTM

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.LSTMCell(4, 6, rng=0), ln.LSTMCell(6, 7, rng=1)])
    >>> [w.shape for w in ln.interop.to_keras(cell)]       # Sequential([LSTM(6), LSTM(7)])
    [(4, 24), (6, 24), (24,), (6, 28), (7, 28), (28,)]
    """
    out = []
    for k, layer in enumerate(layers_of(cell)):
        kind = kind_of(layer)
        check_options(layer, k, "Keras's LSTM layer")
        arrays = layer_arrays(cell, params, k)
        if kind == "gru":
            out += [_rzn_to_zrh(arrays["W_x"]), _rzn_to_zrh(arrays["W_h"])]
            if layer.reset_after:
                out.append(np.stack([_rzn_to_zrh(arrays["b_x"]), _rzn_to_zrh(arrays["b_h"])]))
            else:
                out.append(_rzn_to_zrh(arrays["b"]))
        else:
            b = arrays["b"]
            if kind == "lstm" and params is None:
                b = fold_forget_bias(layer, b)
            out += [arrays["W_x"].copy(), arrays["W_h"].copy(), b.copy()]
    return out
