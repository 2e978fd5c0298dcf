"""The cell protocol, and what the one-layer cells have in common.

Each cell kind lives in its own module (``rnn.py``, ``lstm.py``, ``gru.py``) with its step
forward and step backward side by side. The cell classes add only bookkeeping around those two
functions, and they answer every question the rest of the package asks about a cell, so that
no other module tests a cell's class:

- what it is: ``kind`` (``"rnn"``, ``"lstm"``, ``"gru"``), ``gates`` (the gate blocks along the
  last axis of ``W_x`` and ``W_h``), ``options()`` (the constructor's options beyond the sizes);
- what it has: ``param_shapes()`` (its parameter names and shapes), ``state_parts`` (the arrays
  of one layer's state, ``("h",)`` or ``("c", "h")``), ``input_size``, ``hidden_size``,
  ``output_size``, ``dtype``;
- how a stack and a single cell look alike: ``stacked`` (False here), ``cells`` (the layers, a single cell being a stack
  of one), ``param_key(k, name)`` (the key of layer k's array in ``params`` and in
  ``grads.params``), ``split_layers`` and ``join_layers`` (a state, a state gradient or a step
  cache as one entry per layer, and back). :class:`~lstm_numpy.multi.MultiRNNCell` answers the
  same three for a stack; these are the one place that builds per-layer keys and states.
"""
import math

import numpy as np

from .checks import check_bytes, check_finite, check_size
from .initializers import as_rng, init_gate_weights


def check_dtype(dtype):
    """float32 or float64 as a ``numpy.dtype``; anything else is a TypeError.

    Parameters
    ----------
    dtype : anything ``numpy.dtype`` takes, such as ``"float32"`` or ``np.float64``

    Returns
    -------
    numpy.dtype, float32 or float64
    """
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
    params : dict of name -> ndarray, the cell's own arrays (writing into them changes the cell),
        each of the shape :meth:`param_shapes` gives, such as ``W_x`` of shape (D, kH)
    """

    kind = None           # "rnn", "lstm" or "gru": the name kinds.CELL_CLASSES knows it by
    gates = ()            # names of the gate blocks along the last axis of W_x, W_h
    n_blocks = 1          # how many H-wide blocks W_x and W_h hold
    state_parts = ("h",)  # the arrays of one layer's state, in the state's order
    stacked = False       # a single layer; a MultiRNNCell says True
    concat_form = True    # each gate reads one [x, h_prev]: its weights stack into one [D + H, H] matrix
    OPTIONS = {}          # the constructor's options beyond the sizes, with their defaults

    def __init__(self, input_size, hidden_size, *, init="dl", rng=None, dtype=np.float64):
        self.input_size = check_size("input_size", input_size)
        self.hidden_size = check_size("hidden_size", hidden_size)
        self.dtype = check_dtype(dtype)
        check_bytes(f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})'s weights",
                    self.weight_count() * self.dtype.itemsize)
        W_x, W_h = init_gate_weights(init, self.input_size, self.hidden_size, self.n_blocks,
                                     as_rng(rng), self.dtype, recurrent_size=self.output_size)
        self.params = {"W_x": W_x, "W_h": W_h}
        for name, shape in self.param_shapes().items():
            if name not in self.params:
                self.params[name] = np.zeros(shape, dtype=self.dtype)   # biases start at zero

    def weight_count(self):
        """How many numbers ``params`` holds, from the shapes alone (nothing allocated).

        Returns
        -------
        int, the sum over :meth:`param_shapes` of each shape's product
        """
        return sum(math.prod(shape) for shape in self.param_shapes().values())

    def param_shapes(self):
        """The shape each entry of ``params`` must have: ``W_h`` has a row per column of the
        output fed back, ``output_size`` (H, or an LSTM's P with a projection)."""
        D, H, k = self.input_size, self.hidden_size, self.n_blocks
        return {"W_x": (D, k * H), "W_h": (self.output_size, k * H), "b": (k * H,)}

    def check_params(self):
        """A ValueError if an array in ``params`` lost its name, shape or dtype, or holds a NaN or inf
        (set by hand, loaded or converted: a cell that would only compute NaN is refused where it
        comes in, naming the array and the index)."""
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
            if not np.isfinite(arr).all():
                check_finite(f"{type(self).__name__}.params[{name!r}]", arr)

    def zero_state(self, batch_size):
        """The all-zero state for a batch: an ndarray (B, H), or ``LSTMState(c, h)`` of them
        (with a projection, c (B, H) and h (B, P))."""
        B = check_size("batch_size", batch_size)
        widths = {"c": self.hidden_size, "h": self.output_size}
        return self.make_state({part: np.zeros((B, widths[part]), dtype=self.dtype) for part in self.state_parts})

    @property
    def output_size(self):
        """The width of the output h: H (an LSTM with a projection says P)."""
        return self.hidden_size

    def step_quantities(self):
        """What a step computes after its products, in order, for the trace (each cell says its own).

        Returns
        -------
        list of (key, name, meaning): the step cache's key, the name in the docs' notation, and
        how it is computed; each value of shape (B, H)
        """
        raise NotImplementedError

    def options(self):
        """The constructor's options beyond the sizes, as they are set: ``{name: value}``."""
        return {name: getattr(self, name) for name in self.OPTIONS}

    def make_state(self, parts):
        """One layer's state from its arrays: ``parts["h"]`` itself (LSTMCell overrides it).

        Parameters
        ----------
        parts : dict with a key per entry of ``state_parts``, each an ndarray of shape (B, H)

        Returns
        -------
        state : ndarray of shape (B, H)
        """
        return parts["h"]

    def state_arrays(self, state):
        """The inverse of :meth:`make_state`: ``{"h": state}`` (LSTMCell overrides it).

        Parameters
        ----------
        state : ndarray of shape (B, H), one layer's state (or its gradient)

        Returns
        -------
        dict with a key per entry of ``state_parts``, each an ndarray of shape (B, H)
        """
        return {"h": state}

    def start_sequence(self, batch_size):
        """A new sequence of ``batch_size`` rows begins: nothing to do for a plain cell (a
        DropoutWrapper draws its masks here). The time loop calls it once per layer per pass.

        Parameters
        ----------
        batch_size : int, B

        Returns
        -------
        None
        """

    def hold_draws(self):
        """Make every later pass repeat the random draws of the last one (a check that runs the
        same pass again needs the same function): nothing to hold for a plain cell.

        Returns
        -------
        what :meth:`release_draws` takes back (None here)
        """
        return None

    def release_draws(self, held):
        """Undo :meth:`hold_draws`.

        Parameters
        ----------
        held : what :meth:`hold_draws` returned

        Returns
        -------
        None
        """

    @property
    def cells(self):
        """The layers of this cell, for code that walks stacks and single cells alike."""
        return (self,)

    def param_key(self, k, name):
        """The key of layer k's array ``name`` in ``params``: ``name`` itself for a single cell.

        Parameters
        ----------
        k : int, the layer, 0 for a single cell
        name : str, a key of the layer's own ``params`` such as ``"W_x"``

        Returns
        -------
        str
        """
        return name

    def split_layers(self, value):
        """A state, state gradient or step cache as one entry per layer: ``(value,)``.

        Parameters
        ----------
        value : this cell's state (leaves of shape (B, H)), its gradient, or one step's cache

        Returns
        -------
        tuple with one entry per layer
        """
        return (value,)

    def join_layers(self, values):
        """The inverse of :meth:`split_layers`: ``values[0]``.

        Parameters
        ----------
        values : sequence with one entry per layer, such as states with leaves of shape (B, H)

        Returns
        -------
        the one entry
        """
        return values[0]

    def __repr__(self):
        return (f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size}"
                f"{self._extra_repr()}, dtype={self.dtype.name})")

    def _extra_repr(self):
        return ""
