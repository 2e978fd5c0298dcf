"""What the one-layer cells have in common: sizes, dtype, parameters, zero state.

Each cell type lives in its own module (``rnn.py``, ``lstm.py``, ``gru.py``) with its step
forward and step backward side by side. The cell classes add only this bookkeeping around
those two functions.
"""
import numpy as np

from .checks import check_size
from .initializers import as_rng, init_gate_weights


def check_dtype(dtype):
    """float32 or float64 as a ``numpy.dtype``; anything else is a TypeError."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"expected dtype float32 or float64, got {dtype!r}") from None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"expected dtype float32 or float64, got {dt}")
    return dt


class Cell:
    """Base of RNNCell, LSTMCell and GRUCell (one layer each).

    Attributes
    ----------
    input_size : int, D
    hidden_size : int, H
    dtype : numpy.dtype, float32 or float64
    params : dict of name -> ndarray, the cell's own arrays (writing into them changes the cell)
    """

    gates = ()        # names of the gate blocks along the last axis of W_x, W_h
    n_blocks = 1      # how many H-wide blocks W_x and W_h hold

    def __init__(self, input_size, hidden_size, *, init="dl", rng=None, dtype=np.float64):
        self.input_size = check_size("input_size", input_size)
        self.hidden_size = check_size("hidden_size", hidden_size)
        self.dtype = check_dtype(dtype)
        W_x, W_h = init_gate_weights(init, self.input_size, self.hidden_size, self.n_blocks,
                                     as_rng(rng), self.dtype)
        self.params = {"W_x": W_x, "W_h": W_h}
        for name, shape in self.param_shapes().items():
            if name not in self.params:
                self.params[name] = np.zeros(shape, dtype=self.dtype)   # biases start at zero

    def param_shapes(self):
        """The shape each entry of ``params`` must have."""
        D, H, k = self.input_size, self.hidden_size, self.n_blocks
        return {"W_x": (D, k * H), "W_h": (H, k * H), "b": (k * H,)}

    def check_params(self):
        """A ValueError if an array in ``params`` lost its name, shape or dtype."""
        expected = self.param_shapes()
        if set(self.params) != set(expected):
            raise ValueError(f"expected {type(self).__name__} params {sorted(expected)}, "
                             f"got {sorted(self.params)}")
        for name, shape in expected.items():
            arr = self.params[name]
            if not isinstance(arr, np.ndarray) or arr.shape != shape or arr.dtype != self.dtype:
                got = f"{arr.dtype} {arr.shape}" if isinstance(arr, np.ndarray) else type(arr).__name__
                raise ValueError(f"expected {type(self).__name__}.params[{name!r}] as {self.dtype} "
                                 f"{shape}, got {got}")

    def zero_state(self, batch_size):
        """The all-zero state for a batch: an ndarray (B, H) (LSTMCell overrides it)."""
        B = check_size("batch_size", batch_size)
        return np.zeros((B, self.hidden_size), dtype=self.dtype)

    @property
    def cells(self):
        """The layers of this cell, for code that walks stacks and single cells alike."""
        return (self,)

    def __repr__(self):
        return (f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size}"
                f"{self._extra_repr()}, dtype={self.dtype.name})")

    def _extra_repr(self):
        return ""
