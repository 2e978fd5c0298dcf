"""Bidirectional layers stacked, as TensorFlow 1.x ``stack_bidirectional_dynamic_rnn`` does.

Layer k runs :func:`~lstm_numpy.bidirectional.bidirectional_dynamic_rnn` on the outputs of
layer k-1, both directions concatenated on the last axis. PyTorch's ``nn.LSTM(...,
bidirectional=True)`` over packed sequences computes the same. See docs/bidirectional.md.

    hs_fw_k, hs_bw_k = bidirectional(cell_fw_k, cell_bw_k, xs_k)    (S1)  (T, B, H_fw_k), (T, B, H_bw_k)
    xs_{k+1} = [hs_fw_k, hs_bw_k]                                    (S2)  (T, B, H_fw_k + H_bw_k)

Backward, the concatenation (S2) splits the gradient of layer k+1's input into the two
directions' output gradients; each direction then hands its own share down to layer k's input.
"""
import numpy as np

from .bidirectional import _time_major, bidirectional_dynamic_rnn, bidirectional_dynamic_rnn_backward
from .checks import check_sequence_length, inputs_time_major
from .time_loop import Grads


def _per_layer(name, values, L):
    """``values`` as a tuple with one entry per layer (None for every layer if None)."""
    if values is None:
        return (None,) * L
    if not isinstance(values, (tuple, list)) or len(values) != L:
        got = f"{type(values).__name__} of length {len(values)}" if isinstance(values, (tuple, list)) \
            else type(values).__name__
        raise ValueError(f"expected {name} as a tuple of L={L} states, one per layer, got {got}")
    return tuple(values)


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, sequence_length=None,
                                    initial_states_fw=None, initial_states_bw=None, time_major=False):
    """Bidirectional layers, each reading ``[fw, bw]`` of the one below, eqs. (S1)-(S2).

    Parameters
    ----------
    cells_fw, cells_bw : sequences of L cells each, bottom first; layer k's cells take
        ``cells_fw[k-1].output_size + cells_bw[k-1].output_size`` inputs (D for k = 0)
    inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major=True``
    sequence_length : None, or ints of shape (B,) in [0, T]
    initial_states_fw, initial_states_bw : None, or a tuple with one state (or None) per layer
    time_major : bool, the layout of ``inputs`` and ``outputs``

    Returns
    -------
    outputs : ndarray of shape (B, T, H), where H = H_fw + H_bw: the top layer's two directions
        concatenated (time-major with ``time_major``); zeros past each row's length
    finals_fw, finals_bw : tuples with one final state per layer
    cache : dict for :func:`stack_bidirectional_dynamic_rnn_backward`; ``cache["layers"][k]`` is
        layer k's :func:`bidirectional_dynamic_rnn` cache

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cells_fw = [ln.LSTMCell(4, 6, rng=0), ln.LSTMCell(6 + 5, 3, rng=1)]
    >>> cells_bw = [ln.LSTMCell(4, 5, rng=2), ln.LSTMCell(6 + 5, 2, rng=3)]
    >>> x = np.random.default_rng(0).normal(size=(2, 7, 4))                 # (B, T, D)
    >>> outputs, finals_fw, finals_bw, cache = ln.stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, x)
    >>> outputs.shape, finals_fw[1].h.shape, finals_bw[0].c.shape
    ((2, 7, 5), (2, 3), (2, 5))
    """
    cells_fw, cells_bw = list(cells_fw), list(cells_bw)
    L = len(cells_fw)
    if L == 0 or len(cells_bw) != L:
        raise ValueError(f"expected cells_fw and cells_bw with one cell per layer each (L >= 1), "
                         f"got {L} and {len(cells_bw)}")
    for k in range(1, L):
        width = cells_fw[k - 1].output_size + cells_bw[k - 1].output_size
        for side, cells in (("cells_fw", cells_fw), ("cells_bw", cells_bw)):
            if cells[k].input_size != width:
                raise ValueError(f"layer sizes do not chain: {side}[{k}].input_size is {cells[k].input_size}, "
                                 f"expected H_fw + H_bw = {width} of layer {k - 1}")
    xs = inputs_time_major(inputs, cells_fw[0], time_major)   # (T, B, D)
    lengths = check_sequence_length(sequence_length, xs.shape[1], xs.shape[0])
    initial_fw = _per_layer("initial_states_fw", initial_states_fw, L)
    initial_bw = _per_layer("initial_states_bw", initial_states_bw, L)

    finals_fw, finals_bw, caches = [], [], []
    for k in range(L):
        (hs_fw, hs_bw), (final_fw, final_bw), cache_k = bidirectional_dynamic_rnn(
            cells_fw[k], cells_bw[k], xs, lengths, initial_fw[k], initial_bw[k], time_major=True)   # eq. (S1)
        xs = np.concatenate([hs_fw, hs_bw], axis=2)           # (T, B, H_fw + H_bw)  eq. (S2)
        finals_fw.append(final_fw)
        finals_bw.append(final_bw)
        caches.append(cache_k)

    cache = {"layers": caches, "time_major": time_major, "sequence_length": lengths}
    outputs = xs if time_major else xs.transpose(1, 0, 2)
    return outputs, tuple(finals_fw), tuple(finals_bw), cache


def stack_bidirectional_dynamic_rnn_backward(d_outputs, d_finals_fw, d_finals_bw, cache):
    """Backward of :func:`stack_bidirectional_dynamic_rnn`, from the top layer down; ``dfoo`` has ``foo``'s shape.

    Parameters
    ----------
    d_outputs : ndarray of the outputs' shape, (B, T, H_fw + H_bw) or (T, B, H_fw + H_bw)
    d_finals_fw, d_finals_bw : None, or tuples with one state gradient (or None) per layer
    cache : dict from :func:`stack_bidirectional_dynamic_rnn`

    Returns
    -------
    Grads(inputs, initial_state, params): ``inputs`` of the inputs' shape; ``initial_state``
    the pair (fw, bw), each a tuple with one state gradient per layer; ``params`` keyed
    ``"layer_{k}/fw/<name>"`` and ``"layer_{k}/bw/<name>"``.
    """
    if not isinstance(cache, dict) or "layers" not in cache or "time_major" not in cache:
        raise TypeError(f"expected the cache dict that stack_bidirectional_dynamic_rnn returned (its fourth "
                        f"value), got {type(cache).__name__}")
    caches = cache["layers"]
    L = len(caches)
    T, B, _ = caches[-1]["inputs_shape"]
    top_fw, top_bw = caches[-1]["fw"]["cell"], caches[-1]["bw"]["cell"]
    H_fw = top_fw.output_size
    d_finals_fw = _per_layer("d_finals_fw", d_finals_fw, L)
    d_finals_bw = _per_layer("d_finals_bw", d_finals_bw, L)
    d_xs = _time_major("d_outputs", d_outputs, top_fw.dtype, (T, B, H_fw + top_bw.output_size),
                       cache["time_major"])                   # (T, B, H_fw + H_bw)

    dinit_fw, dinit_bw, params = [None] * L, [None] * L, {}
    for k in reversed(range(L)):
        H_fw = caches[k]["fw"]["cell"].output_size
        d_hs_fw, d_hs_bw = d_xs[:, :, :H_fw], d_xs[:, :, H_fw:]   # (T, B, H_fw), (T, B, H_bw)  eq. (S2)
        grads = bidirectional_dynamic_rnn_backward((d_hs_fw, d_hs_bw), (d_finals_fw[k], d_finals_bw[k]),
                                                   caches[k])   # eq. (S1)
        d_xs = grads.inputs                                   # (T, B, D_k), dL/d layer k's input
        dinit_fw[k], dinit_bw[k] = grads.initial_state
        params.update({f"layer_{k}/{key}": g for key, g in grads.params.items()})
    d_inputs = d_xs if cache["time_major"] else d_xs.transpose(1, 0, 2)
    return Grads(inputs=d_inputs, initial_state=(tuple(dinit_fw), tuple(dinit_bw)), params=params)

