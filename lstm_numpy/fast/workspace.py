"""Buffers that the fast engine reuses from one call to the next.

Fresh memory is not free: a large new array costs a page fault per page the first time it
is written, and on a loaded machine that can cost as much as the arithmetic. A
:class:`Workspace` keeps every buffer of a forward and backward pass alive between calls, so
a training loop that calls the engine with the same shapes touches fresh memory only once.
"""
import math

import numpy as np

ALIGNMENT = 64   # bytes; OpenBLAS's AVX-512 kernels multiply by a matrix that starts on such a boundary faster


def aligned_empty(shape, dtype):
    """An uninitialised C-contiguous array whose data starts on a multiple of :data:`ALIGNMENT`.

    NumPy only promises 16 bytes. With OpenBLAS's AVX-512 (SkylakeX) kernels a per-step product
    ``h W`` in float32 ran 10% to 40% faster when ``W`` started on a 64-byte boundary.

    Parameters
    ----------
    shape : tuple of int, such as (H, 4H)
    dtype : numpy dtype

    Returns
    -------
    ndarray of shape ``shape``, a view into a slightly larger byte buffer

    Examples
    --------
    >>> a = aligned_empty((3, 5), np.float32)
    >>> a.shape, a.ctypes.data % ALIGNMENT, a.flags.c_contiguous
    ((3, 5), 0, True)
    """
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    raw = np.empty(nbytes + ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start:start + nbytes].view(dtype).reshape(shape)


def aligned_copy(a):
    """A C-contiguous copy of ``a``, of its shape, starting on a multiple of :data:`ALIGNMENT`.

    Parameters
    ----------
    a : ndarray of any shape and strides

    Returns
    -------
    ndarray of ``a``'s shape and dtype
    """
    out = aligned_empty(a.shape, a.dtype)
    out[...] = a
    return out


class Workspace:
    """Named buffers kept between calls of :func:`lstm_numpy.fast.dynamic_rnn`.

    A buffer is reallocated only when its shape or dtype changes. The cache of a forward pass
    lives in the workspace, so the next forward pass with the same workspace overwrites it:
    run the backward pass first (:func:`lstm_numpy.fast.dynamic_rnn_backward` raises a
    ValueError on a cache that was overwritten). Without a workspace every call gets its own
    fresh buffers.

    Examples
    --------
    >>> ws = Workspace()
    >>> a = ws.array("gates", (3, 4), np.float64)
    >>> ws.array("gates", (3, 4), np.float64) is a, ws.nbytes
    (True, 96)
    """

    def __init__(self):
        self._buffers = {}
        self._parts = {}
        self.generation = 0       # counts forward passes; a cache remembers the one it came from

    def part(self, name):
        """A workspace of its own inside this one, for one of several passes whose caches must
        live side by side (the two directions of a bidirectional pass, ``"layer_0/fw"``).

        Parameters
        ----------
        name : str, the pass, such as ``"fw"``

        Returns
        -------
        Workspace, the same one at every call with this name
        """
        return self._parts.setdefault(name, Workspace())

    def array(self, name, shape, dtype):
        """The buffer ``name``, uninitialised, of this shape and dtype.

        Parameters
        ----------
        name : str, such as ``"gates"``
        shape : tuple of int, such as (T, B, 4H)
        dtype : numpy float dtype

        Returns
        -------
        ndarray of shape ``shape``, the same array as the last call's when shape and dtype match
        """
        buf = self._buffers.get(name)
        if buf is None or buf.shape != tuple(shape) or buf.dtype != dtype:
            buf = self._buffers[name] = aligned_empty(shape, dtype)
        return buf

    @property
    def nbytes(self):
        """Bytes held by every buffer."""
        return sum(buf.nbytes for buf in self._buffers.values()) + sum(p.nbytes for p in self._parts.values())

    def __repr__(self):
        return f"Workspace({len(self._buffers)} buffers, {self.nbytes / 2**20:.1f} MiB)"


def chunk_target(d_xs, buffer, steps, B, D):
    """Where a layer's backward pass writes dL/d xs, a chunk of steps at a time.

    Parameters
    ----------
    d_xs : None, or a C-contiguous ndarray of shape (T, B, D) to receive every chunk (the
        bottom layer's: the input gradient returned), or False for no input gradient at all
    buffer : callable ``(name, shape) -> ndarray`` of that shape, such as (T, B, D), as the
        layers take it
    steps : int, the steps of a chunk
    B, D : int, the rows of a batch and the layer's input size

    Returns
    -------
    callable ``(t0, t1) -> ndarray``, C-contiguous, steps t0 to t1 - 1 of a (T, B, D) array:
    ``d_xs[t0:t1]``, or without ``d_xs`` the first rows of one chunk buffer that every chunk
    overwrites; with ``d_xs=False``, None (the layer skips the product)
    """
    if d_xs is False:
        return lambda t0, t1: None
    if d_xs is None:
        chunk = buffer("dxs", (steps, B, D))
        return lambda t0, t1: chunk[:t1 - t0]
    if not d_xs.flags.c_contiguous:                           # a reshape of it would copy and lose the writes
        raise ValueError(f"expected d_xs C-contiguous, got strides {d_xs.strides}")
    return lambda t0, t1: d_xs[t0:t1]


CHUNK_ROWS = 256   # backward keeps the gate gradients of about this many (step, row) pairs at once


def chunk_steps(T, B, rows=None):
    """How many steps the backward pass multiplies out together: chunks of even size, each
    about ``rows`` rows tall (default :data:`CHUNK_ROWS`), or all T steps when fewer.

    Parameters
    ----------
    T : int, the steps
    B : int, the rows of a batch
    rows : None or int, the (step, row) pairs a chunk should hold

    Returns
    -------
    int, the steps of a chunk: the gate gradients of a chunk are (steps, B, 4H) for an LSTM

    Examples
    --------
    >>> chunk_steps(100, 64), chunk_steps(200, 32), chunk_steps(50, 1)
    (4, 8, 50)
    """
    rows = CHUNK_ROWS if rows is None else rows
    steps = max(1, min(T, -(-rows // B)))     # ceil(rows / B), at most T
    n_chunks = -(-T // steps)
    return -(-T // n_chunks)                  # the same number of chunks, as even as they go


def add_product(out, a, b):
    """``out += a @ b``, :data:`CHUNK_ROWS` rows of ``out`` at a time.

    NumPy has no matrix product that adds into its output: ``out += a @ b`` first makes
    ``a @ b`` as large as ``out``. For a weight gradient, such as the (H, 4H) ``dW_h`` of a wide
    LSTM, that temporary can be larger than the chunk of gate gradients it comes from; in
    blocks of rows it is a (CHUNK_ROWS, N) array at most, about a chunk's size. A block of rows
    keeps each row of ``out`` whole (blocks of columns measured 1-3% slower).

    Parameters
    ----------
    out : ndarray of shape (K, N), such as (H, 4H), added to in place; a view (such as some
        columns) will do
    a : ndarray of shape (K, E), such as h_prev of a chunk's rows, transposed
    b : ndarray of shape (E, N), such as the chunk's gate gradients

    Returns
    -------
    None: the sum is in ``out``

    Examples
    --------
    >>> out = np.ones((300, 2))
    >>> add_product(out, np.arange(600.0).reshape(300, 2), np.eye(2))   # rows 0-255, then 256-299
    >>> out[[0, 299]]
    array([[  1.,   2.],
           [599., 600.]])
    """
    for i in range(0, out.shape[0], CHUNK_ROWS):
        out[i:i + CHUNK_ROWS] += a[i:i + CHUNK_ROWS] @ b      # (CHUNK_ROWS, N) temporary at most
