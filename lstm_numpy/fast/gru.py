"""The GRU layer over a whole sequence, fast, in both forms: eqs. (1)-(11) of docs/gru.md.

The equations of :mod:`lstm_numpy.gru`, arranged as in ``fast/lstm.py``: the input part of every
step is one product before the loop; ``sigma(a) = (1 + tanh(a / 2)) / 2`` for r and z, whose
columns of the weights and biases are halved (exact); backward, the weight and input
gradients are large products over a chunk of steps, and the factors that do not depend on
the incoming gradient are computed for the whole chunk at once.
"""
import numpy as np

from .workspace import add_product, aligned_copy, chunk_steps, chunk_target

OPTIONS = ("reset_after",)   # the cell options this kernel computes: both forms of the reset gate


def forward(cell, xs, state, dead, buffer):
    """Eqs. (1)-(6) (``reset_after=True``) or (7)-(11) of docs/gru.md for every step of one layer.

    Parameters
    ----------
    cell : GRUCell
    xs : ndarray of shape (T, B, D), C-contiguous
    state : ndarray of shape (B, H)
    dead : None, or bool ndarray of shape (T, B, 1), True at and past a row's length
    buffer : callable ``(name, shape) -> ndarray`` of that shape, such as (T, B, H), of the
        cell's dtype, uninitialised

    Returns
    -------
    cache : dict with ``gates`` (T, B, 3H) holding r, z, n; ``hs`` (T + 1, B, H); ``xs``; and
        ``ah_n`` (T, B, H), h_prev W_hn + b_hn (reset after), or ``rh`` (T, B, H), r * h_prev
        (reset before)
    """
    T, B, D = xs.shape
    H = cell.hidden_size
    p = cell.params
    scale = np.repeat(np.array([0.5, 0.5, 1.0], cell.dtype), H)   # (3H,)  r, z halved for the tanh form
    bias_x = p["b_x"] if cell.reset_after else p["b"]
    gates = buffer("gates", (T, B, 3 * H))                   # (T, B, 3H)
    np.matmul(xs.reshape(T * B, D), p["W_x"] * scale, out=gates.reshape(T * B, 3 * H))   # eq. (1) / (7)
    gates += bias_x * scale                                   # (T, B, 3H)  eq. (1) / (7)
    hs = buffer("hs", (T + 1, B, H))
    hs[0] = state
    each_gate = gates.reshape(T, B, 3, H).transpose(0, 2, 1, 3)   # (T, 3, B, H), views
    if cell.reset_after:
        W_h_scaled, b_h_scaled = aligned_copy(p["W_h"] * scale), p["b_h"] * scale   # (H, 3H) row-major, aligned; (3H,)
        ah, ah_ns = buffer("ah", (B, 3 * H), shared=True), buffer("ah_n", (T, B, H))
        ah_r, ah_z, ah_n = ah.reshape(B, 3, H).transpose(1, 0, 2)     # 3 x (B, H), views
    else:
        W_h_rz, W_h_n = aligned_copy(p["W_h"][:, :2 * H] * 0.5), aligned_copy(p["W_h"][:, 2 * H:])   # (H, 2H), (H, H), row-major, aligned
        ah_rz, ah_n = buffer("ah_rz", (B, 2 * H), shared=True), buffer("ah_n", (B, H), shared=True)
        rhs = buffer("rh", (T, B, H))
    for t in range(T):
        rz = gates[t, :, :2 * H]                              # (B, 2H), x part of r and z
        r, z, n = each_gate[t]                                # 3 x (B, H)
        if cell.reset_after:
            np.add(np.dot(hs[t], W_h_scaled, out=ah), b_h_scaled, out=ah)   # (B, 3H)  eq. (2)
            rz += ah[:, :2 * H]                               # (B, 2H)  eqs. (3), (4)
        else:
            rz += np.dot(hs[t], W_h_rz, out=ah_rz)            # (B, 2H)  eqs. (8), (9)
        np.tanh(rz, out=rz)                                   # (B, 2H)  r, z = sigma(.)
        rz *= 0.5                                             # ...
        rz += 0.5                                             # ...
        if cell.reset_after:
            ah_ns[t] = ah_n                                   # (B, H)  kept for the backward pass
            np.tanh(n + r * ah_n, out=n)                      # (B, H)  eq. (5)
        else:
            np.multiply(r, hs[t], out=rhs[t])                 # (B, H)  eq. (10)
            np.tanh(n + np.dot(rhs[t], W_h_n, out=ah_n), out=n)   # (B, H)  eq. (10)
        np.add((1 - z) * n, z * hs[t], out=hs[t + 1])         # (B, H)  eq. (6) / (11)
        if dead is not None:
            np.copyto(hs[t + 1], hs[t], where=dead[t])        # masked rows carry their state
    cache = {"gates": gates, "hs": hs, "xs": xs}
    cache.update({"ah_n": ah_ns} if cell.reset_after else {"rh": rhs})
    return cache


def backward(cell, d_hs_chunks, dstate, cache, dead, buffer, result, d_xs=None):
    """Backward of :func:`forward`, eqs. (6) down to (1) or (11) down to (7) of docs/gru.md; each
    ``dfoo`` has ``foo``'s shape.

    Parameters
    ----------
    cell : GRUCell
    d_hs_chunks : iterable of ``(t0, t1, d_hs)``, the last steps first: ``d_hs`` of shape
        (t1 - t0, B, H), any strides, is dL/d(outputs of the layer) at steps t0 to t1 - 1; the
        chunks are those of :func:`~lstm_numpy.fast.workspace.chunk_steps`
    dstate : ndarray of shape (B, H), dL/d(state after the last step)
    cache : dict from :func:`forward`
    dead : as for :func:`forward`; masked steps let no gradient in through ``d_hs``
    buffer : as for :func:`forward`
    result : dict, filled when the chunks run out: ``"dstate"``, ndarray of shape (B, H), dL/d(initial state); ``"params"``, dict with dW_x (D, 3H), dW_h (H, 3H), and db_x, db_h (3H,) or db (3H,)
    d_xs : None, or a C-contiguous ndarray of shape (T, B, D) that receives dL/d xs chunk by
        chunk (the bottom layer writes the input gradient straight into the array returned)

    Yields
    ------
    t0, t1, dxs : for each chunk, as it is done, dL/d xs at its steps, of shape (t1 - t0, B, D):
        the layer below's ``d_hs``. Without ``d_xs`` the array is a chunk buffer that the next
        chunk overwrites; with it, ``d_xs[t0:t1]``.
    """
    gates, hs, xs = cache["gates"], cache["hs"], cache["xs"]
    T, B, D = xs.shape
    H = cell.hidden_size
    W_x, W_h = cell.params["W_x"], cell.params["W_h"]
    W_h_T = aligned_copy(W_h.T)                               # (3H, H), row-major, aligned: the faster BLAS kernel here
    grads = {name: np.zeros_like(p) for name, p in cell.params.items()}
    dh_next = dstate                                          # (B, H), from step t + 1
    steps = chunk_steps(T, B)
    da = buffer("da", (steps, B, 3 * H), shared=True)     # (steps, B, 3H), dL/d(x part) of r, z, n
    each_gate = gates.reshape(T, B, 3, H).transpose(0, 2, 1, 3)   # (T, 3, B, H)
    each_da = da.reshape(steps, B, 3, H).transpose(0, 2, 1, 3)    # (steps, 3, B, H)
    if cell.reset_after:
        dah = buffer("dah", (steps, B, 3 * H), shared=True)  # (steps, B, 3H), dL/d a_h of eq. (2)
    dxs_at = chunk_target(d_xs, buffer, steps, B, D)          # (t0, t1) -> where dL/d xs of a chunk goes
    for t0, t1, d_hs in d_hs_chunks:
        # Every factor that does not depend on the incoming gradient, for the whole chunk at
        # once: afterwards da_z = dh * da[z], da_n = dh * da[n], and da_r = da_n * da[r] (reset
        # after) or drh * da[r] (reset before).
        r, z, n = each_gate[t0:t1].transpose(1, 0, 2, 3)      # 3 x (t1-t0, B, H)
        da_r, da_z, da_n = each_da[:t1 - t0].transpose(1, 0, 2, 3)   # 3 x (t1-t0, B, H), views of da
        np.subtract(1, gates[t0:t1], out=da[:t1 - t0])        # (t1-t0, B, 3H)  r, z: sigma' = s (1 - s)
        da[:t1 - t0] *= gates[t0:t1]                          # ...
        np.square(n, out=da_n)                                # (t1-t0, B, H)  n: tanh' = 1 - n^2
        np.subtract(1, da_n, out=da_n)                        # ...
        da_n *= 1 - z                                         # (t1-t0, B, H)  eqs. (6), (5) / (11), (10)
        da_z *= hs[t0:t1] - n                                 # (t1-t0, B, H)  eqs. (6), (4) / (11), (9)
        da_r *= cache["ah_n"][t0:t1] if cell.reset_after else hs[t0:t1]   # (t1-t0, B, H)  eq. (5) / (10)
        for t in reversed(range(t0, t1)):
            r, z = each_gate[t, 0], each_gate[t, 1]           # (B, H) each
            da_r, da_n = each_da[t - t0, 0], each_da[t - t0, 2]   # (B, H) each
            dh = d_hs[t - t0] + dh_next                            # (B, H)  h goes to the output and to t + 1
            if dead is not None:
                np.copyto(dh, dh_next, where=dead[t])         # no gradient in through a masked output
            each_da[t - t0, 1:] *= dh                         # (2, B, H)  da_z, da_n
            if cell.reset_after:
                np.multiply(da_n, r, out=dah[t - t0, :, 2 * H:])   # (B, H)  eq. (5), dL/d ah_n
                da_r *= da_n                                  # (B, H)  eqs. (5), (3)
                dah[t - t0, :, :2 * H] = da[t - t0, :, :2 * H]   # (B, 2H)  eqs. (3), (4): both parts alike
                if dead is not None:
                    np.copyto(da[t - t0], 0, where=dead[t])   # a masked step has no gate gradient
                    np.copyto(dah[t - t0], 0, where=dead[t])
                dh_next = dh * z + np.dot(dah[t - t0], W_h_T)   # (B, H)  eqs. (6), (2)
            else:
                drh = da_n @ W_h_T[2 * H:]                    # (B, H)  eq. (10); np.dot would copy the strided da_n
                da_r *= drh                                   # (B, H)  eqs. (10), (8)
                if dead is not None:
                    np.copyto(da[t - t0], 0, where=dead[t])   # a masked step has no gate gradient
                dh_next = dh * z + drh * r + da[t - t0, :, :2 * H] @ W_h_T[:2 * H]   # (B, H)  eqs. (11), (10), (8), (9)
            if dead is not None:
                np.copyto(dh_next, dh, where=dead[t])         # the carried state passes straight through
        rows = (t1 - t0) * B
        da_rows = da[:t1 - t0].reshape(rows, 3 * H)           # (rows, 3H)
        hs_rows = hs[t0:t1].reshape(rows, H)                  # (rows, H), h_prev of each step
        add_product(grads["W_x"], xs[t0:t1].reshape(rows, D).T, da_rows)   # (D, 3H)  eq. (1) / (7)
        if cell.reset_after:
            dah_rows = dah[:t1 - t0].reshape(rows, 3 * H)     # (rows, 3H)
            add_product(grads["W_h"], hs_rows.T, dah_rows)   # (H, 3H)  eq. (2)
            grads["b_x"] += da_rows.sum(axis=0)               # (3H,)    eq. (1)
            grads["b_h"] += dah_rows.sum(axis=0)              # (3H,)    eq. (2)
        else:
            add_product(grads["W_h"][:, :2 * H], hs_rows.T, da_rows[:, :2 * H])   # (H, 2H)  eqs. (8), (9)
            add_product(grads["W_h"][:, 2 * H:], cache["rh"][t0:t1].reshape(rows, H).T, da_rows[:, 2 * H:])   # (H, H)  eq. (10)
            grads["b"] += da_rows.sum(axis=0)                 # (3H,)    eq. (7)
        dxs = dxs_at(t0, t1)                                  # (t1-t0, B, D)
        np.matmul(da_rows, W_x.T, out=dxs.reshape(rows, D))   # (rows, D)  eq. (1) / (7)
        yield t0, t1, dxs
    result["dstate"], result["params"] = dh_next, grads
