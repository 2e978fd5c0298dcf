"""Both directions on the fast engine: two passes of :func:`lstm_numpy.fast.dynamic_rnn`.

The construction is the readable one of ``lstm_numpy/bidirectional.py``, eqs. (B1)-(B4), and
``stack_bidirectional.py``, eqs. (S1)-(S2); only the time loop is the fast engine's. Each
direction (of each layer) keeps its cache in a workspace of its own (:meth:`Workspace.part`),
so that the second pass does not overwrite the first one's.
"""
import numpy as np

from ..bidirectional import _pair, _time_major, check_directions, reverse_sequence
from ..checks import check_sequence_length, inputs_time_major
from ..stack_bidirectional import _per_layer
from ..time_loop import Grads
from .sequence import _as_float, dynamic_rnn, dynamic_rnn_backward
from .workspace import Workspace


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None, initial_state_fw=None,
                              initial_state_bw=None, time_major=False, *, workspace=None):
    """:func:`lstm_numpy.bidirectional_dynamic_rnn` on the fast engine: same arguments and results.

    Parameters
    ----------
    cell_fw, cell_bw, inputs, sequence_length, initial_state_fw, initial_state_bw, time_major :
        as for :func:`lstm_numpy.bidirectional_dynamic_rnn`; inputs of shape (B, T, D)
    workspace : None or a :class:`Workspace`, whose parts ``"fw"`` and ``"bw"`` hold the passes

    Returns
    -------
    (outputs_fw, outputs_bw) : ndarrays of shape (B, T, H_fw) and (B, T, H_bw), or time-major
    (final_state_fw, final_state_bw) : each cell's state structure
    cache : dict for :func:`bidirectional_dynamic_rnn_backward`

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> x = np.random.default_rng(0).normal(size=(3, 5, 4))                 # (B, T, D)
    >>> cells = ln.LSTMCell(4, 6, rng=0), ln.GRUCell(4, 7, rng=1)
    >>> (out_fw, out_bw), _, _ = ln.fast.bidirectional_dynamic_rnn(*cells, x, sequence_length=[5, 2, 0])
    >>> (expected_fw, expected_bw), _, _ = ln.bidirectional_dynamic_rnn(*cells, x, sequence_length=[5, 2, 0])
    >>> out_bw.shape, bool(np.allclose(out_bw, expected_bw, rtol=1e-12, atol=1e-14))
    ((3, 5, 7), True)
    """
    check_directions(cell_fw, cell_bw)
    workspace = Workspace() if workspace is None else workspace
    xs = inputs_time_major(inputs, cell_fw, time_major, _as_float)   # (T, B, D)
    lengths = check_sequence_length(sequence_length, xs.shape[1], xs.shape[0])
    xs_rev = reverse_sequence(xs, lengths)                    # (T, B, D)  eq. (B1)
    hs_fw, final_fw, cache_fw = dynamic_rnn(cell_fw, xs, lengths, initial_state_fw, True,
                                            workspace=workspace.part("fw"))          # eq. (B2)
    hs_bw_rev, final_bw, cache_bw = dynamic_rnn(cell_bw, xs_rev, lengths, initial_state_bw, True,
                                                workspace=workspace.part("bw"))      # eq. (B3)
    hs_bw = reverse_sequence(hs_bw_rev, lengths)              # (T, B, H_bw)  eq. (B4)
    cache = {"fw": cache_fw, "bw": cache_bw, "sequence_length": lengths, "time_major": time_major,
             "inputs_shape": xs.shape}
    if not time_major:
        hs_fw, hs_bw = hs_fw.transpose(1, 0, 2), hs_bw.transpose(1, 0, 2)
    return (hs_fw, hs_bw), (final_fw, final_bw), cache


def bidirectional_dynamic_rnn_backward(d_outputs, d_final_states, cache):
    """:func:`lstm_numpy.bidirectional_dynamic_rnn_backward` for a cache of the fast pass.

    Parameters
    ----------
    d_outputs : pair (d_outputs_fw, d_outputs_bw), each of its outputs' shape, such as (B, T, H_fw)
    d_final_states : pair of state gradients (each may be None), or None
    cache : dict from :func:`bidirectional_dynamic_rnn` (fast)

    Returns
    -------
    Grads(inputs, initial_state=(fw, bw), params keyed "fw/<name>", "bw/<name>"), each ``dfoo``
    of ``foo``'s shape, inputs (B, T, D)
    """
    cache_fw, cache_bw, lengths = cache["fw"], cache["bw"], cache["sequence_length"]
    T, B, _ = cache["inputs_shape"]
    d_hs_fw, d_hs_bw = _pair("d_outputs", d_outputs)
    d_final_fw, d_final_bw = (None, None) if d_final_states is None else _pair("d_final_states", d_final_states)
    cell_fw, cell_bw = cache_fw["cell"], cache_bw["cell"]
    d_hs_fw = _time_major("d_outputs[0]", d_hs_fw, cell_fw.dtype, (T, B, cell_fw.output_size), cache["time_major"])
    d_hs_bw = _time_major("d_outputs[1]", d_hs_bw, cell_bw.dtype, (T, B, cell_bw.output_size), cache["time_major"])
    grads_bw = dynamic_rnn_backward(reverse_sequence(d_hs_bw, lengths), d_final_bw, cache_bw)   # (B4), (B3)
    grads_fw = dynamic_rnn_backward(d_hs_fw, d_final_fw, cache_fw)                          # (B2)
    dxs = grads_fw.inputs + reverse_sequence(grads_bw.inputs, lengths)   # (T, B, D)  eq. (B1)
    params = {**{f"fw/{name}": g for name, g in grads_fw.params.items()},
              **{f"bw/{name}": g for name, g in grads_bw.params.items()}}
    d_inputs = dxs if cache["time_major"] else dxs.transpose(1, 0, 2)
    return Grads(inputs=d_inputs, initial_state=(grads_fw.initial_state, grads_bw.initial_state), params=params)


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, sequence_length=None, initial_states_fw=None,
                                    initial_states_bw=None, time_major=False, *, workspace=None):
    """:func:`lstm_numpy.stack_bidirectional_dynamic_rnn` on the fast engine: same arguments and results.

    Parameters
    ----------
    cells_fw, cells_bw, inputs, sequence_length, initial_states_fw, initial_states_bw, time_major :
        as for :func:`lstm_numpy.stack_bidirectional_dynamic_rnn`; inputs of shape (B, T, D)
    workspace : None or a :class:`Workspace`, whose parts ``"layer_{k}"`` hold layer k's passes

    Returns
    -------
    outputs : ndarray of shape (B, T, H), H = H_fw + H_bw of the top layer (or time-major)
    finals_fw, finals_bw : tuples with one final state per layer
    cache : dict for :func:`stack_bidirectional_dynamic_rnn_backward`
    """
    cells_fw, cells_bw = list(cells_fw), list(cells_bw)
    if not cells_fw or len(cells_fw) != len(cells_bw):
        raise ValueError(f"expected cells_fw and cells_bw with one cell per layer each (L >= 1), "
                         f"got {len(cells_fw)} and {len(cells_bw)}")
    L = len(cells_fw)
    workspace = Workspace() if workspace is None else workspace
    xs = inputs_time_major(inputs, cells_fw[0], time_major, _as_float)   # (T, B, D)
    lengths = check_sequence_length(sequence_length, xs.shape[1], xs.shape[0])
    initial_fw = _per_layer("initial_states_fw", initial_states_fw, L)
    initial_bw = _per_layer("initial_states_bw", initial_states_bw, L)
    finals_fw, finals_bw, caches = [], [], []
    for k in range(L):
        (hs_fw, hs_bw), (final_fw, final_bw), cache_k = bidirectional_dynamic_rnn(
            cells_fw[k], cells_bw[k], xs, lengths, initial_fw[k], initial_bw[k], True,
            workspace=workspace.part(f"layer_{k}"))           # eq. (S1)
        xs = np.concatenate([hs_fw, hs_bw], axis=2)           # (T, B, H_fw + H_bw)  eq. (S2)
        finals_fw.append(final_fw)
        finals_bw.append(final_bw)
        caches.append(cache_k)
    cache = {"layers": caches, "time_major": time_major, "sequence_length": lengths}
    return (xs if time_major else xs.transpose(1, 0, 2)), tuple(finals_fw), tuple(finals_bw), cache


def stack_bidirectional_dynamic_rnn_backward(d_outputs, d_finals_fw, d_finals_bw, cache):
    """:func:`lstm_numpy.stack_bidirectional_dynamic_rnn_backward` for a cache of the fast pass.

    Parameters
    ----------
    d_outputs : ndarray of the outputs' shape, (B, T, H) or (T, B, H)
    d_finals_fw, d_finals_bw : None, or tuples with one state gradient (or None) per layer
    cache : dict from :func:`stack_bidirectional_dynamic_rnn` (fast)

    Returns
    -------
    Grads(inputs, initial_state=(fw, bw) tuples per layer, params keyed "layer_{k}/fw/<name>", ...),
    each ``dfoo`` of ``foo``'s shape, inputs (B, T, D)
    """
    caches = cache["layers"]
    L = len(caches)
    T, B, _ = caches[-1]["inputs_shape"]
    top_fw, top_bw = caches[-1]["fw"]["cell"], caches[-1]["bw"]["cell"]
    d_finals_fw = _per_layer("d_finals_fw", d_finals_fw, L)
    d_finals_bw = _per_layer("d_finals_bw", d_finals_bw, L)
    d_xs = _time_major("d_outputs", d_outputs, top_fw.dtype, (T, B, top_fw.output_size + top_bw.output_size),
                       cache["time_major"])                   # (T, B, H_fw + H_bw)
    dinit_fw, dinit_bw, params = [None] * L, [None] * L, {}
    for k in reversed(range(L)):
        H_fw = caches[k]["fw"]["cell"].output_size
        grads = bidirectional_dynamic_rnn_backward((d_xs[:, :, :H_fw], d_xs[:, :, H_fw:]),
                                                   (d_finals_fw[k], d_finals_bw[k]), caches[k])   # (S2), (S1)
        d_xs = grads.inputs                                   # (T, B, D_k)
        dinit_fw[k], dinit_bw[k] = grads.initial_state
        params.update({f"layer_{k}/{key}": g for key, g in grads.params.items()})
    d_inputs = d_xs if cache["time_major"] else d_xs.transpose(1, 0, 2)
    return Grads(inputs=d_inputs, initial_state=(tuple(dinit_fw), tuple(dinit_bw)), params=params)
