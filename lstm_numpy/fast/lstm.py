"""The LSTM layer over a whole sequence, fast: eqs. (1)-(7) of docs/lstm.md, batched over time.

The equations of :mod:`lstm_numpy.lstm`, arranged for speed (docs/performance.md):

- the input part ``x W_x + b`` of eq. (1) for all T steps is one product before the loop;
  inside the loop one ``(B, H) x (H, 4H)`` product per step, the rest elementwise, in place;
- ``sigma(a) = (1 + tanh(a / 2)) / 2``, so one tanh covers all four gates: the columns of
  i, f, o are multiplied by 1/2 (exact, a power of two), those of g by 1;
- backward, the gate gradients of a chunk of steps are kept, and the weight gradients and the
  input gradient are a few large products per chunk, not small ones per step;
- backward, every factor that does not depend on the incoming gradient is computed for the
  whole chunk at once; per step only the products with ``dh`` and ``dc`` remain.
"""
import numpy as np

from .workspace import add_product, aligned_copy, chunk_steps, chunk_target

OPTIONS = ("forget_bias",)   # the cell options this kernel computes: peepholes, clips and a projection go the readable route (fast/readable.py)


def tanh_form(H, dtype):
    """``scale, shift`` (4H,): ``tanh(a * scale) * scale + shift`` is sigma(a) for i, f, o, tanh(a) for g.

    So one tanh computes eqs. (2)-(5) of docs/lstm.md.

    Parameters
    ----------
    H : int, the hidden size
    dtype : numpy float dtype of the result

    Returns
    -------
    scale, shift : ndarrays of shape (4H,), 1/2 and 1/2 in the columns of i, f, o; 1 and 0 in g's
    """
    scale = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype), H)   # (4H,)  i, f, g, o
    shift = np.repeat(np.array([0.5, 0.5, 0.0, 0.5], dtype), H)   # (4H,)
    return scale, shift


def forward(cell, xs, state, dead, buffer):
    """Eqs. (1)-(7) of docs/lstm.md for every step of one layer.

    Parameters
    ----------
    cell : LSTMCell
    xs : ndarray of shape (T, B, D), C-contiguous
    state : LSTMState(c, h), each (B, H)
    dead : None, or bool ndarray of shape (T, B, 1): True at and past a row's length, where the
        state is carried unchanged
    buffer : callable ``(name, shape) -> ndarray`` of that shape, such as (T, B, H), of the
        cell's dtype, uninitialised

    Returns
    -------
    cache : dict with ``gates`` (T, B, 4H) holding i, f, g, o; ``cs``, ``hs`` (T + 1, B, H),
        the states before step 0 and after every step; ``tanh_cs`` (T, B, H), tanh(c) of every
        step, which eq. (7)'s backward needs; ``xs``
    """
    T, B, D = xs.shape
    H = cell.hidden_size
    W_x, W_h, b = cell.params["W_x"], cell.params["W_h"], cell.params["b"]
    scale, shift = tanh_form(H, cell.dtype)
    bias = b + np.repeat(np.array([0, cell.forget_bias, 0, 0], cell.dtype), H)   # (4H,)  eq. (3)'s constant
    W_h_scaled = aligned_copy(W_h * scale)                    # (H, 4H), row-major, aligned: the faster BLAS kernel here
    gates = buffer("gates", (T, B, 4 * H))                   # (T, B, 4H)
    np.matmul(xs.reshape(T * B, D), W_x * scale, out=gates.reshape(T * B, 4 * H))   # (T*B, 4H)  eq. (1), x part
    rows = {name: np.repeat(v[None], B, axis=0) for name, v in            # (B, 4H) each: whole rows, which
            (("bias", bias * scale), ("scale", scale), ("shift", shift))}   # NumPy runs faster than a broadcast
    hs, cs, tanh_cs = buffer("hs", (T + 1, B, H)), buffer("cs", (T + 1, B, H)), buffer("tanh_cs", (T, B, H))
    hs[0], cs[0] = state.h, state.c
    ah = buffer("ah", (B, 4 * H), shared=True)
    ig = buffer("ig", (B, H), shared=True)
    each_gate = gates.reshape(T, B, 4, H).transpose(0, 2, 1, 3)   # (T, 4, B, H), views
    for t in range(T):
        a = gates[t]                                          # (B, 4H), x W_x already in
        np.dot(hs[t], W_h_scaled, out=ah)                     # (B, 4H)  eq. (1), h part
        ah += rows["bias"]                                    # (B, 4H)  eq. (1), b part: here, while ah is in cache
        a += ah                                               # (B, 4H)  eq. (1)
        np.tanh(a, out=a)                                     # (B, 4H)  eqs. (2)-(5), then
        a *= rows["scale"]                                    # ...
        a += rows["shift"]                                    # ... i, f, o = sigma(.), g = tanh(.)
        i, f, g, o = each_gate[t]                             # 4 x (B, H)
        np.multiply(f, cs[t], out=cs[t + 1])                  # (B, H)  eq. (6), then
        cs[t + 1] += np.multiply(i, g, out=ig)                # ... c = f c_prev + i g
        np.multiply(o, np.tanh(cs[t + 1], out=tanh_cs[t]), out=hs[t + 1])   # (B, H)  eq. (7), tanh(c) kept for backward
        if dead is not None:
            np.copyto(cs[t + 1], cs[t], where=dead[t])        # masked rows carry their state
            np.copyto(hs[t + 1], hs[t], where=dead[t])
    return {"gates": gates, "cs": cs, "hs": hs, "tanh_cs": tanh_cs, "xs": xs}


def backward(cell, d_hs_chunks, dstate, cache, dead, buffer, result, d_xs=None):
    """Backward of :func:`forward`, eqs. (7) down to (1) of docs/lstm.md; each ``dfoo`` has ``foo``'s shape.

    Parameters
    ----------
    cell : LSTMCell
    d_hs_chunks : iterable of ``(t0, t1, d_hs)``, the last steps first: ``d_hs`` of shape
        (t1 - t0, B, H), any strides, is dL/d(outputs of the layer) at steps t0 to t1 - 1; the
        chunks are those of :func:`~lstm_numpy.fast.workspace.chunk_steps`
    dstate : LSTMState(dc, dh), each (B, H), dL/d(state after the last step)
    cache : dict from :func:`forward`
    dead : as for :func:`forward`; masked steps let no gradient in through ``d_hs``
    buffer : as for :func:`forward`
    result : dict, filled when the chunks run out: ``"dstate"``, LSTMState(dc, dh), dL/d(initial state); ``"params"``, dict with dW_x (D, 4H), dW_h (H, 4H), db (4H,)
    d_xs : None, or a C-contiguous ndarray of shape (T, B, D) that receives dL/d xs chunk by
        chunk (the bottom layer writes the input gradient straight into the array returned)

    Yields
    ------
    t0, t1, dxs : for each chunk, as it is done, dL/d xs at its steps, of shape (t1 - t0, B, D):
        the layer below's ``d_hs``. Without ``d_xs`` the array is a chunk buffer that the next
        chunk overwrites; with it, ``d_xs[t0:t1]``.
    """
    gates, cs, hs, tanh_cs, xs = cache["gates"], cache["cs"], cache["hs"], cache["tanh_cs"], cache["xs"]
    T, B, D = xs.shape
    H = cell.hidden_size
    W_x, W_h = cell.params["W_x"], cell.params["W_h"]
    W_h_T = aligned_copy(W_h.T)                               # (4H, H), row-major, aligned: the faster BLAS kernel here
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(cell.params["b"])
    dh_next, dc_next = dstate.h, dstate.c                     # (B, H) each, from step t + 1
    steps = chunk_steps(T, B)
    da = buffer("da", (steps, B, 4 * H), shared=True)     # (steps, B, 4H), one chunk
    dc_dh = buffer("dc_dh", (steps, B, H), shared=True)   # (steps, B, H), one chunk
    each_factor = buffer("factor", (steps, B, 4, H), shared=True)   # (steps, B, 4, H), one chunk
    d_gate = buffer("d_gate", (B, 4, H), shared=True)     # (B, 4, H): dc, dc, dc, dh, what da_i, da_f, da_g, da_o take
    d_gate_rows = d_gate.reshape(B, 4 * H)                # (B, 4H), a view
    each_gate = gates.reshape(T, B, 4, H).transpose(0, 2, 1, 3)   # (T, 4, B, H)
    each_da = da.reshape(steps, B, 4, H).transpose(0, 2, 1, 3)    # (steps, 4, B, H)
    dxs_at = chunk_target(d_xs, buffer, steps, B, D)          # (t0, t1) -> where dL/d xs of a chunk goes
    for t0, t1, d_hs in d_hs_chunks:
        # Every factor that does not depend on the incoming gradient, for the whole chunk at
        # once: afterwards da_o = dh * da[o], da_i = dc * da[i] and so on, dc = dc_next + dh * dc_dh.
        i, f, g, o = each_gate[t0:t1].transpose(1, 0, 2, 3)   # 4 x (t1-t0, B, H)
        da_g = each_da[:t1 - t0, 2]                           # (t1-t0, B, H), a view of da
        tanh_c = tanh_cs[t0:t1]                               # (t1-t0, B, H)  eq. (7), from forward
        np.subtract(1, gates[t0:t1], out=da[:t1 - t0])        # (t1-t0, B, 4H)  eqs. (2), (3), (5): sigma' = s (1 - s)
        da[:t1 - t0] *= gates[t0:t1]                          # ...
        np.square(g, out=da_g)                                # (t1-t0, B, H)  eq. (4): tanh' = 1 - g^2
        np.subtract(1, da_g, out=da_g)                        # ...
        factor = each_factor[:t1 - t0]                        # (t1-t0, B, 4, H), one block a gate:
        factor[:, :, 0] = g                                   # eqs. (6), (2): da_i = dc * i' * g
        factor[:, :, 1] = cs[t0:t1]                           # eqs. (6), (3): da_f = dc * f' * c_prev
        factor[:, :, 2] = i                                   # eqs. (6), (4): da_g = dc * g' * i
        factor[:, :, 3] = tanh_c                              # eqs. (7), (5): da_o = dh * o' * tanh(c)
        da[:t1 - t0] *= factor.reshape(t1 - t0, B, 4 * H)     # (t1-t0, B, 4H)  whole rows, one product
        np.square(tanh_c, out=dc_dh[:t1 - t0])                # (t1-t0, B, H)  eq. (7): dc = dc_next + dh * this,
        np.subtract(1, dc_dh[:t1 - t0], out=dc_dh[:t1 - t0])  # ... with this = o (1 - tanh(c)^2)
        dc_dh[:t1 - t0] *= o                                  # ...
        for t in reversed(range(t0, t1)):
            f_t = each_gate[t, 1]                             # (B, H), step t's forget gate
            dh = d_hs[t - t0] + dh_next                            # (B, H)  h goes to the output and to t + 1
            if dead is not None:
                np.copyto(dh, dh_next, where=dead[t])         # no gradient in through a masked output
            dc = dc_next + dh * dc_dh[t - t0]                 # (B, H)  eq. (7), c fans out to h and c_next
            d_gate[:, :3] = dc[:, None]                       # (B, 3, H)  i, f, g take dc
            d_gate[:, 3] = dh                                 # (B, H)     o takes dh
            da_t = da[t - t0]                                 # (B, 4H), a view
            da_t *= d_gate_rows                               # (B, 4H)  da_i, da_f, da_g (eqs. (6), (2)-(4)), da_o (eqs. (7), (5))
            dc_prev = dc * f_t                                # (B, H)  eq. (6)
            if dead is not None:
                np.copyto(da_t, 0, where=dead[t])             # a masked step has no gate gradient
                np.copyto(dc_prev, dc_next, where=dead[t])    # its carried state passes straight through
            dh_next = np.dot(da_t, W_h_T)                     # (B, H)  eq. (1)
            if dead is not None:
                np.copyto(dh_next, dh, where=dead[t])
            dc_next = dc_prev
        rows = (t1 - t0) * B
        da_rows = da[:t1 - t0].reshape(rows, 4 * H)           # (rows, 4H)
        add_product(dW_x, xs[t0:t1].reshape(rows, D).T, da_rows)   # (D, 4H)  eq. (1)
        add_product(dW_h, hs[t0:t1].reshape(rows, H).T, da_rows)   # (H, 4H)  eq. (1), hs[t] is h_prev of step t
        db += da_rows.sum(axis=0)                             # (4H,)    eq. (1)
        dxs = dxs_at(t0, t1)                                  # (t1-t0, B, D)
        np.matmul(da_rows, W_x.T, out=dxs.reshape(rows, D))   # (rows, D)  eq. (1)
        yield t0, t1, dxs
    result["dstate"], result["params"] = type(dstate)(dc_next, dh_next), {"W_x": dW_x, "W_h": dW_h, "b": db}
