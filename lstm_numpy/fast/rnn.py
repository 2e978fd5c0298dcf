"""The plain RNN layer over a whole sequence, fast: eqs. (1)-(2) of docs/rnn.md.

The input part ``x W_x + b`` of every step is one product before the loop, written straight
into the buffer of hidden states; backward, the weight and input gradients are large products
over a chunk of steps.
"""
import numpy as np

from .workspace import add_product, aligned_copy, chunk_steps, chunk_target

OPTIONS = ("activation",)   # the cell options this kernel computes: tanh and relu


def forward(cell, xs, state, dead, buffer):
    """Eqs. (1)-(2) of docs/rnn.md for every step of one layer.

    Parameters
    ----------
    cell : RNNCell
    xs : ndarray of shape (T, B, D), C-contiguous
    state : ndarray of shape (B, H)
    dead : None, or bool ndarray of shape (T, B, 1), True at and past a row's length
    buffer : callable ``(name, shape) -> ndarray`` of that shape, such as (T, B, H), of the
        cell's dtype, uninitialised

    Returns
    -------
    cache : dict with ``hs`` (T + 1, B, H), the state before step 0 and after every step; ``xs``
    """
    T, B, D = xs.shape
    H = cell.hidden_size
    W_x, W_h, b = cell.params["W_x"], cell.params["W_h"], cell.params["b"]
    hs = buffer("hs", (T + 1, B, H))
    hs[0] = state
    np.matmul(xs.reshape(T * B, D), W_x, out=hs[1:].reshape(T * B, H))   # (T*B, H)  eq. (1), x part
    hs[1:] += b                                               # (T, B, H)  eq. (1), b part
    ah = buffer("ah", (B, H), shared=True)
    W_h = aligned_copy(W_h)                                   # (H, H), row-major, aligned: the faster BLAS kernel here
    for t in range(T):
        a = hs[t + 1]                                         # (B, H), x W_x + b already in
        a += np.dot(hs[t], W_h, out=ah)                       # (B, H)  eq. (1)
        if cell.activation == "tanh":
            np.tanh(a, out=a)                                 # (B, H)  eq. (2)
        else:
            np.maximum(a, 0, out=a)                           # (B, H)  eq. (2), relu
        if dead is not None:
            np.copyto(hs[t + 1], hs[t], where=dead[t])        # masked rows carry their state
    return {"hs": hs, "xs": xs}


def backward(cell, d_hs_chunks, dstate, cache, dead, buffer, result, d_xs=None):
    """Backward of :func:`forward`, eqs. (2) down to (1) of docs/rnn.md; each ``dfoo`` has ``foo``'s shape.

    Parameters
    ----------
    cell : RNNCell
    d_hs_chunks : iterable of ``(t0, t1, d_hs)``, the last steps first: ``d_hs`` of shape
        (t1 - t0, B, H), any strides, is dL/d(outputs of the layer) at steps t0 to t1 - 1; the
        chunks are those of :func:`~lstm_numpy.fast.workspace.chunk_steps`
    dstate : ndarray of shape (B, H), dL/d(state after the last step)
    cache : dict from :func:`forward`
    dead : as for :func:`forward`; masked steps let no gradient in through ``d_hs``
    buffer : as for :func:`forward`
    result : dict, filled when the chunks run out: ``"dstate"``, ndarray of shape (B, H), dL/d(initial state); ``"params"``, dict with dW_x (D, H), dW_h (H, H), db (H,)
    d_xs : None, or a C-contiguous ndarray of shape (T, B, D) that receives dL/d xs chunk by
        chunk (the bottom layer writes the input gradient straight into the array returned)

    Yields
    ------
    t0, t1, dxs : for each chunk, as it is done, dL/d xs at its steps, of shape (t1 - t0, B, D):
        the layer below's ``d_hs``. Without ``d_xs`` the array is a chunk buffer that the next
        chunk overwrites; with it, ``d_xs[t0:t1]``.
    """
    hs, xs = cache["hs"], cache["xs"]
    T, B, D = xs.shape
    H = cell.hidden_size
    W_x, W_h = cell.params["W_x"], cell.params["W_h"]
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(cell.params["b"])
    dh_next = dstate                                          # (B, H), from step t + 1
    steps = chunk_steps(T, B)
    da = buffer("da", (steps, B, H), shared=True)         # (steps, B, H), one chunk
    dxs_at = chunk_target(d_xs, buffer, steps, B, D)          # (t0, t1) -> where dL/d xs of a chunk goes
    for t0, t1, d_hs in d_hs_chunks:
        if cell.activation == "tanh":
            np.square(hs[t0 + 1:t1 + 1], out=da[:t1 - t0])    # (t1-t0, B, H)  eq. (2): tanh' = 1 - h^2
            np.subtract(1, da[:t1 - t0], out=da[:t1 - t0])    # ...
        else:
            np.greater(hs[t0 + 1:t1 + 1], 0, out=da[:t1 - t0])   # (t1-t0, B, H)  eq. (2): relu' = 1 where h > 0
        for t in reversed(range(t0, t1)):
            dh = d_hs[t - t0] + dh_next                            # (B, H)  h goes to the output and to t + 1
            if dead is not None:
                np.copyto(dh, dh_next, where=dead[t])         # no gradient in through a masked output
            da[t - t0] *= dh                                  # (B, H)  eq. (2)
            if dead is not None:
                np.copyto(da[t - t0], 0, where=dead[t])       # a masked step has no gradient
            dh_next = np.dot(da[t - t0], W_h.T)               # (B, H)  eq. (1)
            if dead is not None:
                np.copyto(dh_next, dh, where=dead[t])         # the carried state passes straight through
        rows = (t1 - t0) * B
        da_rows = da[:t1 - t0].reshape(rows, H)               # (rows, H)
        add_product(dW_x, xs[t0:t1].reshape(rows, D).T, da_rows)   # (D, H)  eq. (1)
        add_product(dW_h, hs[t0:t1].reshape(rows, H).T, da_rows)   # (H, H)  eq. (1), hs[t] is h_prev of step t
        db += da_rows.sum(axis=0)                             # (H,)    eq. (1)
        dxs = dxs_at(t0, t1)                                  # (t1-t0, B, D)
        np.matmul(da_rows, W_x.T, out=dxs.reshape(rows, D))   # (rows, D)  eq. (1)
        yield t0, t1, dxs
    result["dstate"], result["params"] = dh_next, {"W_x": dW_x, "W_h": dW_h, "b": db}
