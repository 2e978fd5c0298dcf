"""Cells around a cell: TensorFlow 1.x ``ResidualWrapper`` and ``DropoutWrapper``.

A wrapper is a one-layer cell in every respect the package asks about (the cell protocol of
``cell.py``): its kind, gates, state, params and their names are the wrapped cell's; it adds
no weights of its own. Only ``step`` and ``step_backward`` change. Its step cache is the wrapped
cell's (every gate where it was), plus the wrapper's own entries. See docs/bidirectional.md.

Residual, eq. (R1):           out = h + x                                     (B, H), H = D
Dropout (inverted), eqs. (W1)-(W4), each mask m of zeros and ones drawn with P(1) = keep:
    x_in = x / keep_in * m_in                  (W1)  (B, D)
    h, new_state = cell.step(x_in, state)      (W2)
    new_state.h = h / keep_state * m_state     (W3)  (B, H), an LSTM's c is left alone
    out = h / keep_out * m_out                 (W4)  (B, H)
"""
import numpy as np


class Wrapper:
    """What both wrappers share: the wrapped cell answers every question but ``step``.

    Parameters
    ----------
    cell : a one-layer cell (RNNCell, LSTMCell, GRUCell, or another wrapper) whose state has
        (B, H) leaves
    """

    stacked = False

    def __init__(self, cell):
        if getattr(cell, "stacked", True) or not hasattr(cell, "step_backward"):
            raise TypeError(f"expected one layer to wrap (an RNNCell, LSTMCell, GRUCell or a wrapper of one), "
                            f"got {type(cell).__name__}; wrap each layer, then stack them in a MultiRNNCell")
        self.cell = cell

    def __getattr__(self, name):
        # Everything the wrapper does not define is the wrapped cell's: sizes, params, state, kind.
        if name == "cell":
            raise AttributeError(name)
        return getattr(self.cell, name)

    @property
    def wrapped(self):
        """The cell inside: a plain cell's step is not this wrapper's (the fast engine asks)."""
        return self.cell

    @property
    def cells(self):
        """The layers: the wrapper itself, one layer."""
        return (self,)

    def param_key(self, k, name):
        """The key of the wrapped cell's array ``name``: ``name`` itself (a wrapper adds no weights).

        Parameters
        ----------
        k : int, the layer, 0
        name : str, a key of the wrapped cell's ``params`` such as ``"W_x"`` (D, kH)

        Returns
        -------
        str
        """
        return name

    def split_layers(self, value):
        """A state, state gradient or step cache (leaves of shape (B, H)) as one entry per layer: ``(value,)``."""
        return (value,)

    def join_layers(self, values):
        """The inverse of :meth:`split_layers`: ``values[0]``, such as a state with (B, H) leaves."""
        return values[0]

    def start_sequence(self, batch_size):
        """Called by the time loop before step 0 of a (B, T, D) batch: passed on to a wrapped wrapper."""
        self.cell.start_sequence(batch_size)

    def __repr__(self):
        return f"{type(self).__name__}({self.cell!r}{self._extra_repr()})"

    def _extra_repr(self):
        return ""


class ResidualWrapper(Wrapper):
    """The wrapped cell's output plus its input, eq. (R1); the state is the cell's own.

    Parameters
    ----------
    cell : a one-layer cell whose output size equals its input size (H = D)

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.ResidualWrapper(ln.GRUCell(5, 5, rng=0))
    >>> x = np.ones((2, 5))
    >>> out, state, cache = cell.step(x, cell.zero_state(2))
    >>> bool(np.allclose(out, state + x))
    True
    """

    def __init__(self, cell):
        super().__init__(cell)
        if cell.input_size != cell.output_size:
            raise ValueError(f"a ResidualWrapper adds the input to the output: expected the cell's input size "
                             f"D to equal its output size H, got D={cell.input_size}, H={cell.output_size}")

    def step(self, x, state):
        """One step of the wrapped cell, then eq. (R1).

        Parameters
        ----------
        x : ndarray of shape (B, D)
        state : the wrapped cell's state, leaves of shape (B, H)

        Returns
        -------
        out : ndarray of shape (B, H), h + x
        new_state : the wrapped cell's new state
        cache : the wrapped cell's step cache
        """
        h, new_state, cache = self.cell.step(x, state)
        out = h + x                                           # (B, H)  eq. (R1)
        return out, new_state, cache

    def step_backward(self, dout, dstate, cache):
        """Backward of :meth:`step`; each ``dfoo`` has ``foo``'s shape.

        Parameters
        ----------
        dout : ndarray of shape (B, H), dL/d out
        dstate : the state's structure, dL/d new_state
        cache : from :meth:`step`

        Returns
        -------
        dx : (B, D), dstate_prev : the state's structure, dparams : dict with the keys of ``params``
        """
        dh = dout                                             # (B, H)  eq. (R1)
        dx_cell, dstate_prev, dparams = self.cell.step_backward(dh, dstate, cache)
        dx = dx_cell + dout                                   # (B, D)  eq. (R1), x fans out to the cell and out
        return dx, dstate_prev, dparams
