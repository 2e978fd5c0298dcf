"""Both directions over one sequence, with TensorFlow 1.x ``bidirectional_dynamic_rnn`` semantics.

A forward cell reads each row's steps 0, 1, ..., n-1; a backward cell reads the same row's
valid steps in reverse, n-1, ..., 0, where n is the row's length. Both run through the one
time loop (:func:`~lstm_numpy.time_loop.dynamic_rnn`); the backward cell is simply given the
inputs reversed row by row, and its outputs are reversed back, so that both directions'
outputs at position t belong to input step t. See docs/bidirectional.md.

    xs_rev = reverse_sequence(xs, n)                          (B1)  (T, B, D)
    hs_fw = dynamic_rnn(cell_fw, xs)                          (B2)  (T, B, H_fw)
    hs_bw_rev = dynamic_rnn(cell_bw, xs_rev)                  (B3)  (T, B, H_bw)
    hs_bw = reverse_sequence(hs_bw_rev, n)                    (B4)  (T, B, H_bw)

Backward, the input fans out to both directions (B2, B1), so its two gradients add.
"""
import numpy as np

from .checks import as_float_array, check_cell, check_state
from .time_loop import CheckedArguments, Grads, check_arguments, dynamic_rnn_backward, run_checked


def reverse_sequence(xs, lengths):
    """Each row's first ``lengths[b]`` steps in reverse order, the steps past them left in place.

    As ``tf.reverse_sequence(xs, lengths, seq_axis=0, batch_axis=1)``; without lengths, every
    step reversed (``xs[::-1]``). The map is a permutation that undoes itself, so it is also
    its own backward: the gradient of the reversed array is reversed the same way.

    Parameters
    ----------
    xs : ndarray of shape (T, B, ...), time-major
    lengths : None, or ints of shape (B,) in [0, T]

    Returns
    -------
    ndarray of ``xs``' shape, new memory

    Examples
    --------
    >>> xs = np.arange(4.0)[:, None] * np.ones((4, 3))         # (T, B) = (4, 3), xs[t, b] = t
    >>> reverse_sequence(xs, np.array([4, 2, 0])).T
    array([[3., 2., 1., 0.],
           [1., 0., 2., 3.],
           [0., 1., 2., 3.]])
    """
    if lengths is None:
        return xs[::-1].copy()
    T, B = xs.shape[:2]
    t = np.arange(T)[:, None]                                 # (T, 1)
    source = np.where(t < lengths, lengths - 1 - t, t)        # (T, B), the step each position reads
    return xs[source, np.arange(B)]                           # (T, B, ...)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None, initial_state_fw=None,
                              initial_state_bw=None, time_major=False):
    """Run ``cell_fw`` forward and ``cell_bw`` backward over each row's valid steps, eqs. (B1)-(B4).

    Parameters
    ----------
    cell_fw, cell_bw : two cells (or stacks) with the same ``input_size`` D and dtype; two
        objects, each with weights of its own
    inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major=True``
    sequence_length : None, or ints of shape (B,) in [0, T]; the backward direction starts at
        each row's last valid step
    initial_state_fw, initial_state_bw : None (zeros) or each cell's state structure, (B, H) leaves
    time_major : bool, the layout of ``inputs`` and of the outputs

    Returns
    -------
    (outputs_fw, outputs_bw) : ndarrays of shape (B, T, H_fw) and (B, T, H_bw) (time-major with
        ``time_major``); ``outputs_bw[:, t]`` belongs to input step t; zeros past each row's length
    (final_state_fw, final_state_bw) : each cell's state structure; the backward cell's final
        state is its state after reading step 0
    cache : dict for :func:`bidirectional_dynamic_rnn_backward`, holding each direction's
        :func:`dynamic_rnn` cache under ``"fw"`` and ``"bw"`` (the latter in reversed time)

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> x = np.random.default_rng(0).normal(size=(3, 5, 4))                 # (B, T, D)
    >>> (out_fw, out_bw), (final_fw, final_bw), cache = ln.bidirectional_dynamic_rnn(
    ...     ln.LSTMCell(4, 6, rng=0), ln.GRUCell(4, 7, rng=1), x, sequence_length=[5, 2, 0])
    >>> out_fw.shape, out_bw.shape, final_fw.h.shape, final_bw.shape
    ((3, 5, 6), (3, 5, 7), (3, 6), (3, 7))
    >>> bool(np.allclose(out_bw[1, 0], final_bw[1]))          # row 1's backward pass ends at step 0
    True
    """
    check_directions(cell_fw, cell_bw)
    checked = check_arguments(cell_fw, inputs, sequence_length, None, time_major)   # once, for both directions
    xs, lengths = checked.xs, checked.sequence_length         # (T, B, D)
    T, B, _ = xs.shape
    if initial_state_fw is not None:
        initial_state_fw = check_state("initial_state_fw", initial_state_fw, cell_fw.zero_state(B), cell_fw.dtype)
    if initial_state_bw is not None:
        initial_state_bw = check_state("initial_state_bw", initial_state_bw, cell_bw.zero_state(B), cell_bw.dtype)

    xs_rev = reverse_sequence(xs, lengths)                    # (T, B, D)  eq. (B1)
    forward = CheckedArguments(xs, lengths, initial_state_fw, True)
    backward = CheckedArguments(xs_rev, lengths, initial_state_bw, True)
    hs_fw, final_fw, cache_fw = run_checked(cell_fw, forward)         # (T, B, H_fw)  eq. (B2)
    hs_bw_rev, final_bw, cache_bw = run_checked(cell_bw, backward)    # (T, B, H_bw)  eq. (B3)
    hs_bw = reverse_sequence(hs_bw_rev, lengths)              # (T, B, H_bw)  eq. (B4)

    cache = {"fw": cache_fw, "bw": cache_bw, "sequence_length": lengths, "time_major": time_major,
             "inputs_shape": xs.shape}
    if not time_major:
        hs_fw, hs_bw = hs_fw.transpose(1, 0, 2), hs_bw.transpose(1, 0, 2)
    return (hs_fw, hs_bw), (final_fw, final_bw), cache


def bidirectional_dynamic_rnn_backward(d_outputs, d_final_states, cache):
    """Backward of :func:`bidirectional_dynamic_rnn`: eqs. (B4) down to (B1); ``dfoo`` has ``foo``'s shape.

    Parameters
    ----------
    d_outputs : pair (d_outputs_fw, d_outputs_bw), each of its outputs' shape, such as (B, T, H_fw)
    d_final_states : pair (d_final_fw, d_final_bw), each None or its final state's structure;
        or None for no loss on either final state
    cache : dict from :func:`bidirectional_dynamic_rnn`

    Returns
    -------
    Grads(inputs, initial_state, params): ``inputs`` of the inputs' shape (B, T, D);
    ``initial_state`` the pair (fw, bw) of state gradients; ``params`` keyed ``"fw/<name>"`` and
    ``"bw/<name>"``, each of the shape of the cell's own ``params[<name>]``.

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> outs, finals, cache = ln.bidirectional_dynamic_rnn(ln.RNNCell(4, 6, rng=0), ln.RNNCell(4, 7, rng=1),
    ...                                                    np.ones((3, 5, 4)))
    >>> grads = ln.bidirectional_dynamic_rnn_backward([np.ones_like(o) for o in outs], None, cache)
    >>> grads.inputs.shape, grads.initial_state[1].shape, grads.params["bw/W_h"].shape
    ((3, 5, 4), (3, 7), (7, 7))
    """
    if not isinstance(cache, dict) or not {"fw", "bw", "sequence_length"} <= set(cache):
        raise TypeError(f"expected the cache dict that bidirectional_dynamic_rnn returned (its third value), "
                        f"got {type(cache).__name__}")
    cache_fw, cache_bw, lengths = cache["fw"], cache["bw"], cache["sequence_length"]
    T, B, D = cache["inputs_shape"]
    d_hs_fw, d_hs_bw = _pair("d_outputs", d_outputs)
    d_final_fw, d_final_bw = (None, None) if d_final_states is None else _pair("d_final_states", d_final_states)
    cell_fw, cell_bw = cache_fw["cell"], cache_bw["cell"]
    d_hs_fw = _time_major("d_outputs[0]", d_hs_fw, cell_fw.dtype, (T, B, cell_fw.output_size), cache["time_major"])
    d_hs_bw = _time_major("d_outputs[1]", d_hs_bw, cell_bw.dtype, (T, B, cell_bw.output_size), cache["time_major"])

    d_hs_bw_rev = reverse_sequence(d_hs_bw, lengths)          # (T, B, H_bw)  eq. (B4), a reversal is its own backward
    grads_bw = dynamic_rnn_backward(d_hs_bw_rev, d_final_bw, cache_bw)        # eq. (B3), BPTT of the backward cell
    grads_fw = dynamic_rnn_backward(d_hs_fw, d_final_fw, cache_fw)            # eq. (B2), BPTT of the forward cell
    dxs_rev = grads_bw.inputs                                 # (T, B, D)  dL/d xs_rev
    dxs = grads_fw.inputs + reverse_sequence(dxs_rev, lengths)   # (T, B, D)  eq. (B1): xs fans out to both

    params = {**{f"fw/{name}": g for name, g in grads_fw.params.items()},
              **{f"bw/{name}": g for name, g in grads_bw.params.items()}}
    d_inputs = dxs if cache["time_major"] else dxs.transpose(1, 0, 2)
    return Grads(inputs=d_inputs, initial_state=(grads_fw.initial_state, grads_bw.initial_state), params=params)


def check_directions(cell_fw, cell_bw):
    """A TypeError or ValueError unless the two are cells of one input size D and dtype, two objects.

    Parameters
    ----------
    cell_fw, cell_bw : cells (or stacks) taking inputs of shape (B, D)

    Returns
    -------
    None
    """
    check_cell(cell_fw)
    check_cell(cell_bw)
    if cell_fw is cell_bw:
        raise ValueError("cell_fw and cell_bw are one object; each direction needs a cell of its own "
                         "(two weight sets, as TensorFlow's fw/ and bw/ scopes hold)")
    if (cell_bw.input_size, cell_bw.dtype) != (cell_fw.input_size, cell_fw.dtype):
        raise ValueError(f"expected cell_bw with cell_fw's input size D={cell_fw.input_size} and dtype "
                         f"{cell_fw.dtype}, got D={cell_bw.input_size} and {cell_bw.dtype}")


def _pair(name, value):
    """``value`` as a pair (fw, bw), or a TypeError that names ``name``."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"expected {name} as a pair (fw, bw), got {type(value).__name__}"
                        + (f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""))
    return value


def _time_major(name, d, dtype, shape, time_major):
    """An output gradient in ``dtype``, checked against the outputs' ``shape`` (T, B, H) and made time-major."""
    arr = as_float_array(name, d, dtype)
    T, B, H = shape
    expected = (T, B, H) if time_major else (B, T, H)
    if arr.shape != expected:
        layout = "(T, B, H)" if time_major else "(B, T, H)"
        raise ValueError(f"expected {name} of the outputs' shape {layout}={expected}, got {arr.shape}")
    return arr if time_major else arr.transpose(1, 0, 2)
