"""The GEMM-only bound: the matrix products of a forward and backward pass, timed alone.

Every NumPy implementation of these layers must do at least these products (or their flops in
another grouping); timed on their own, with preallocated outputs and in the engine's layouts,
they are the floor of what NumPy code arranged as the engine is (a row per batch entry) can
reach on this BLAS. The ratio ``engine / bound`` is the price of everything else: the
elementwise gate arithmetic, Python, memory traffic. (The other orientation of the per-step
products, a column per batch entry, measured faster here in float32 and slower in float64:
docs/performance.md, "The bound's orientation".)
"""
import numpy as np

from ..fast.workspace import aligned_copy, aligned_empty

BLOCKS = {"lstm": 4, "gru": 3, "gru-rb": 3, "rnn": 1}     # H-wide gate blocks of W_x and W_h


def products(kind, B, T, D, H, L):
    """The products of one forward and backward pass of an L-layer stack of ``kind`` ("lstm",
    "gru" with the reset after the product, "gru-rb" with the reset before it, "rnn"), as lists of
    ``(m, k, n, count, layout)``: ``count`` products of an (m, k) by a (k, n) matrix, with
    ``layout`` "NN", "NT" or "TN" saying which operand is a transposed view, as in the engine.

    Returns
    -------
    forward, backward : lists of (m, k, n, count, layout)

    Examples
    --------
    >>> fwd, bwd = products("lstm", 16, 50, 32, 64, 1)
    >>> fwd
    [(800, 32, 256, 1, 'NN'), (16, 64, 256, 50, 'NN')]
    >>> flops(fwd + bwd) / 1e6                                      # Mflop
    117.9648
    """
    G = BLOCKS[kind] * H
    forward, backward = [], []
    for layer in range(L):
        D_k = D if layer == 0 else H
        forward.append((T * B, D_k, G, 1, "NN"))              # x W_x for every step at once
        if kind == "gru-rb":                                   # the reset before the product (TensorFlow 1.x):
            forward += [(B, H, 2 * H, T, "NN"),               # h_prev W_h[r, z], one per step
                        (B, H, H, T, "NN")]                   # (r h_prev) W_hn, one per step
            backward += [(B, H, H, T, "NN"),                  # da_n W_hn^T, one per step
                         (B, 2 * H, H, T, "NN"),              # da[r, z] W_h[r, z]^T, one per step
                         (H, T * B, 2 * H, 1, "TN"),          # dW_h[r, z] = hs^T da[r, z]
                         (H, T * B, H, 1, "TN")]              # dW_hn = (r hs)^T da_n
        else:
            forward.append((B, H, G, T, "NN"))                # h_prev W_h, one per step
            backward += [(B, G, H, T, "NT" if kind == "rnn" else "NN"),   # da W_h^T, one per step (a row-major copy of W_h^T but in the RNN)
                         (H, T * B, G, 1, "TN")]              # dW_h = hs^T da
        backward += [(D_k, T * B, G, 1, "TN"),                # dW_x = xs^T da
                     (T * B, G, D_k, 1, "NT")]                # dxs = da W_x^T
    return forward, backward


def flops(shapes):
    """Floating-point operations of a list of products (a multiply and an add each)."""
    return sum(2 * m * k * n * count for m, k, n, count, _ in shapes)


def product_runner(shapes, dtype, rng):
    """A function that runs these products once, on random operands made now, each starting on
    a 64-byte boundary as the engine's weights and buffers do (see ``aligned_empty``)."""
    def matrix(rows, cols, transposed):
        a = aligned_copy(rng.standard_normal((cols, rows) if transposed else (rows, cols)).astype(dtype))
        return a.T if transposed else a

    operands = [(matrix(m, k, layout[0] == "T"), matrix(k, n, layout[1] == "T"), aligned_empty((m, n), dtype), count)
                for m, k, n, count, layout in shapes]

    def run():
        for a, b, out, count in operands:
            for _ in range(count):
                np.matmul(a, b, out=out)
    return run
