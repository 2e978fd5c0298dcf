"""One-hot inputs held as their ids, and the two products a layer makes with its inputs.

A one-hot row picks a row: ``onehot(id) W_x = W_x[id]``. So for inputs that are one-hot
characters the input part ``x W_x`` of eq. (1) is a gather of rows of ``W_x``, not a
(T·B, D) x (D, kH) product, and its weight gradient ``dW_x = x^T da`` adds each row of ``da``
into the row of its id, not a (D, T·B) x (T·B, kH) product. The numbers are the same (sums in
another order). Every fast kernel makes its two input products through :func:`input_product`
and :func:`add_input_gradient`, which take either dense inputs or :class:`OneHot`.
"""
import numpy as np

from .workspace import add_product


class OneHot:
    """A sequence of one-hot vectors of width ``depth``, held as their ids.

    It goes where the fast engine takes inputs (``lstm_numpy.fast.dynamic_rnn``), as the dense
    array it stands for would: ids of shape (B, T) stand for inputs (B, T, D), and with
    ``time_major=True`` ids (T, B) for inputs (T, B, D). The readable engine takes dense arrays only.

    Parameters
    ----------
    ids : ints of shape (B, T), or (T, B) for time-major inputs, each in [0, depth)
    depth : int, D, the width of a one-hot vector
    check : bool, check the ids' type, shape and range (False where the caller just did)

    Attributes
    ----------
    ids : int64 ndarray of shape (B, T) or (T, B)
    shape : (B, T, D) or (T, B, D), the shape of the dense inputs it stands for
    ndim : 3

    Examples
    --------
    >>> x = OneHot(np.array([[2], [0]]), 3)               # B = 2, T = 1, D = 3
    >>> x.shape, x.dense()[:, 0]
    ((2, 1, 3), array([[0., 0., 1.],
           [1., 0., 0.]]))
    """

    ndim = 3

    def __init__(self, ids, depth, *, check=True):
        self.ids = np.asarray(ids)
        self.depth = int(depth)
        if check and (self.ids.dtype.kind not in "iu" or self.ids.ndim != 2):
            raise ValueError(f"expected one-hot ids as integers of shape (B, T), got {self.ids.dtype} {self.ids.shape}")
        if check and self.ids.size and (self.ids.min() < 0 or self.ids.max() >= self.depth):
            raise ValueError(f"expected one-hot ids in [0, D={self.depth}), got [{self.ids.min()}, {self.ids.max()}]")
        self.shape = self.ids.shape + (self.depth,)

    def __getitem__(self, steps):
        """Some steps of time-major inputs, as a OneHot: ``x[t0:t1]`` of shape (t1 - t0, B, D)."""
        return OneHot(self.ids[steps], self.depth, check=False)

    def transpose(self, *axes):
        """The other layout, ``x.transpose(1, 0, 2)``: (B, T, D) <-> (T, B, D), as for an ndarray."""
        if axes != (1, 0, 2):
            raise ValueError(f"a OneHot swaps its first two axes only, (1, 0, 2); got {axes}")
        return OneHot(self.ids.T, self.depth, check=False)

    def dense(self, dtype=np.float64):
        """The one-hot vectors themselves: an ndarray of shape (T, B, D)."""
        return np.eye(self.depth, dtype=dtype)[self.ids]


def input_product(xs, W, out):
    """``out = xs W`` for every (step, row) at once: eq. (1)'s input part.

    Parameters
    ----------
    xs : ndarray of shape (T, B, D), C-contiguous, or a :class:`OneHot` of that shape
    W : ndarray of shape (D, kH), such as W_x (D, 4H), k gate blocks
    out : ndarray of shape (N, kH), N = T·B, C-contiguous, written

    Returns
    -------
    None: the product is in ``out``
    """
    if isinstance(xs, OneHot):
        np.take(W, xs.ids.reshape(-1), axis=0, out=out)       # (N, kH), the rows the ids pick, step by step
    else:
        T, B, D = xs.shape
        np.matmul(xs.reshape(T * B, D), W, out=out)           # (N, kH)


def add_input_gradient(dW, xs, da_rows):
    """``dW += xs^T da`` over some steps: eq. (1)'s weight gradient ``dW_x``.

    Parameters
    ----------
    dW : ndarray of shape (D, kH), added to in place
    xs : ndarray of shape (T, B, D) for the T steps of a chunk, or a :class:`OneHot` of that shape
    da_rows : ndarray of shape (N, kH), N = T·B, the gate gradients of the same steps, row for row

    Returns
    -------
    None: the sum is in ``dW``
    """
    if isinstance(xs, OneHot):
        ids = xs.ids.reshape(-1)                              # (steps*B,)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        starts = np.flatnonzero(np.diff(sorted_ids, prepend=-1))   # where each id's rows begin
        dW[sorted_ids[starts]] += np.add.reduceat(da_rows[order], starts, axis=0)   # one row per id used
    else:
        steps, B, D = xs.shape
        add_product(dW, xs.reshape(steps * B, D).T, da_rows)  # (D, kH)
