"""A stack of cells, one per layer: layer k's output h is layer k+1's input at the same step.

The forward step goes up the stack; the backward step comes down it, the input gradient of
layer k+1 becoming the output gradient of layer k.
"""
import warnings

from .cell import Cell


def _replacing_is_an_error(key):
    """The TypeError for a change to a stack's ``params``, whose entries are the layers' own arrays."""
    return TypeError(f"MultiRNNCell.params is a view of the layers' arrays: write into the array "
                     f"(params[{key}][...] = value) or replace it in cells[k].params")


class ParamsView(dict):
    """A stack's ``params``: a dict of the layers' own arrays under ``"cell_{k}/{name}"``, read-only.

    For layers of sizes [20, 30] on input 8, ``params["cell_1/W_h"]`` is layer 1's own W_h,
    of shape (30, 120). Writing into an array (``params[key][...] = value``) changes the layer;
    replacing an entry (``params[key] = value``, ``update``, ``pop``, ...) would change nothing,
    so it is an error. ``params.copy()`` and ``dict(params)`` give a plain dict of the same
    arrays; a pickle or a deep copy of it is a plain dict too.

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> params = ln.MultiRNNCell([ln.LSTMCell(8, 20, rng=0), ln.LSTMCell(20, 30, rng=1)]).params
    >>> isinstance(params, dict), params["cell_1/W_h"].shape
    (True, (30, 120))
    >>> params["cell_0/b"] = 0
    Traceback (most recent call last):
    ...
    TypeError: MultiRNNCell.params is a view of the layers' arrays: write into the array (params['cell_0/b'][...] = value) or replace it in cells[k].params
    """

    def __init__(self, arrays=()):
        super().__init__(arrays)

    def __setitem__(self, key, value):
        raise _replacing_is_an_error(repr(key))

    def _refuse(self, *args, **kwargs):
        """Refused, as ``params[key] = value`` is: a change to the view would not reach the layers.

        Parameters
        ----------
        args, kwargs : what the dict method takes

        Returns
        -------
        nothing: a TypeError that says how to change a layer's array
        """
        raise _replacing_is_an_error("key")

    __delitem__ = __ior__ = update = setdefault = pop = popitem = clear = _refuse

    def __reduce__(self):                     # pickle and deepcopy: a plain dict
        return dict, (dict(self),)

    def __repr__(self):
        return f"ParamsView({dict.__repr__(self)})"


class MultiRNNCell:
    """Layers stacked as in TensorFlow's ``MultiRNNCell``; sizes may differ per layer.

    Parameters
    ----------
    cells : sequence of RNNCell, LSTMCell or GRUCell, bottom layer first.
        ``cells[k].input_size`` must equal ``cells[k - 1].output_size`` (its hidden size, or an
        LSTM's P with a projection).

    The same cell object given twice (the ``[cell] * n`` idiom) makes those layers share one
    weight set: allowed, with a warning, where the sizes fit (input size = hidden size), a
    ValueError where they do not.

    Attributes
    ----------
    cells : tuple of the layer cells
    input_size : int, D of the bottom layer
    hidden_size : int, H of the top layer
    dtype : numpy.dtype shared by every layer
    params : dict ``"cell_{k}/{name}" -> ndarray``, the layers' own arrays; a shared weight set
        appears once, under the first layer that uses it. Layer k's arrays keep their cell's
        shapes: an LSTM layer's ``W_x`` (D, 4H), ``W_h`` (H, 4H), ``b`` (4H,).

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> stack = ln.MultiRNNCell([ln.LSTMCell(8, 20, rng=0), ln.LSTMCell(20, 30, rng=1)])
    >>> stack.params["cell_1/W_h"].shape
    (30, 120)
    >>> [s.h.shape for s in stack.zero_state(4)]
    [(4, 20), (4, 30)]
    """

    stacked = True      # the cell protocol: a state, a step cache and params go per layer

    def __init__(self, cells):
        if isinstance(cells, Cell) or not hasattr(cells, "__iter__"):
            raise TypeError(f"expected cells as a list of cells, bottom layer first, got {type(cells).__name__}"
                            f"{': MultiRNNCell([cell]) for one layer' if isinstance(cells, Cell) else ''}")
        cells = tuple(cells)
        if not cells:
            raise ValueError("expected at least one cell in a MultiRNNCell, got none")
        for k, cell in enumerate(cells):
            if isinstance(cell, type):
                raise TypeError(f"expected cells[{k}] as a cell object such as {cell.__name__}(8, 20), "
                                f"got the class {cell.__name__} itself")
            if not isinstance(cell, Cell) and (getattr(cell, "stacked", True) or not hasattr(cell, "step")):
                raise TypeError(f"expected cells[{k}] as an RNNCell, LSTMCell or GRUCell (or a wrapper of one), "
                                f"got {type(cell).__name__}")
        self.cells = cells
        self.owner = tuple(next(j for j in range(k + 1) if cells[j] is cells[k]) for k in range(len(cells)))
        self._check_shared()
        for k in range(1, len(cells)):
            if cells[k].input_size != cells[k - 1].output_size:
                raise ValueError(f"layer sizes do not chain: cells[{k}].input_size is {cells[k].input_size}, "
                                 f"expected cells[{k - 1}].output_size = {cells[k - 1].output_size}")
        dtypes = {cell.dtype for cell in cells}
        if len(dtypes) > 1:
            raise TypeError(f"expected one dtype across the layers, got {[cell.dtype.name for cell in cells]}")

    def _check_shared(self):
        shared = sorted({j for k, j in enumerate(self.owner) if j != k})
        for j in shared:
            layers = [k for k, owner in enumerate(self.owner) if owner == j]
            cell = self.cells[j]
            if cell.input_size != cell.hidden_size:
                raise ValueError(
                    f"the same cell object is used for layers {layers} (the MultiRNNCell([cell] * n) "
                    f"pitfall): its input_size {cell.input_size} differs from its hidden_size "
                    f"{cell.hidden_size}, so one weight set cannot serve every layer. Build one cell "
                    f"per layer: MultiRNNCell([LSTMCell(...) for _ in range(n)]).")
            warnings.warn(f"layers {layers} of this MultiRNNCell are one cell object and share one "
                          f"weight set (the [cell] * n idiom); build one cell per layer for separate "
                          f"weights", UserWarning, stacklevel=3)

    @property
    def input_size(self):
        return self.cells[0].input_size

    @property
    def hidden_size(self):
        return self.cells[-1].hidden_size

    @property
    def dtype(self):
        return self.cells[0].dtype

    @property
    def output_size(self):
        return self.cells[-1].output_size

    @property
    def params(self):
        return ParamsView({self.param_key(k, name): arr
                           for k, cell in enumerate(self.cells) if self.owner[k] == k
                           for name, arr in cell.params.items()})

    def param_key(self, k, name):
        """The key of layer k's array ``name`` in ``params``: ``"cell_{j}/{name}"``, where j is the
        first layer that uses layer k's cell object (j = k unless weights are shared).

        Parameters
        ----------
        k : int, the layer, from 0
        name : str, a key of the layer's own ``params`` such as ``"W_x"``

        Returns
        -------
        str, such as ``"cell_1/W_h"``
        """
        return f"cell_{self.owner[k]}/{name}"

    def split_layers(self, value):
        """A state, state gradient or step cache of the stack as a tuple with one entry per layer.

        Parameters
        ----------
        value : tuple with one entry per layer, such as the stack's state (leaves of shape (B, H_k))

        Returns
        -------
        tuple with one entry per layer
        """
        return tuple(value)

    def join_layers(self, values):
        """The inverse of :meth:`split_layers`: the stack's structure, a tuple per layer.

        Parameters
        ----------
        values : sequence with one entry per layer, such as states with leaves of shape (B, H_k)

        Returns
        -------
        tuple with one entry per layer
        """
        return tuple(values)

    def check_params(self):
        """A ValueError if any layer's params lost a name, shape or dtype."""
        for k, cell in enumerate(self.cells):
            if self.owner[k] == k:
                cell.check_params()

    def zero_state(self, batch_size):
        """A tuple with each layer's zero state: (B, H_k) arrays, or LSTMState(c, h) of them."""
        return tuple(cell.zero_state(batch_size) for cell in self.cells)

    def step(self, x, state):
        """One step up the stack.

        Parameters
        ----------
        x : ndarray of shape (B, D)
        state : tuple with one state per layer

        Returns
        -------
        h : ndarray of shape (B, H_top), the top layer's output
        new_state : tuple with one state per layer
        cache : tuple with one step cache per layer
        """
        new_state, cache = [], []
        for cell, state_k in zip(self.cells, state):
            x, new_state_k, cache_k = cell.step(x, state_k)   # layer k's h is layer k+1's x
            new_state.append(new_state_k)
            cache.append(cache_k)
        return x, tuple(new_state), tuple(cache)

    def step_backward(self, dh, dstate, cache):
        """Backward of :meth:`step`, down the stack.

        Parameters
        ----------
        dh : ndarray of shape (B, H_top), dL/d(top layer's output)
        dstate : tuple with one state gradient per layer, dL/d(new state)
        cache : tuple from :meth:`step`

        Returns
        -------
        dx : ndarray of shape (B, D)
        dstate_prev : tuple with one state gradient per layer
        dparams : dict with the keys of :attr:`params`; a shared weight set gets the sum over
            its layers
        """
        dstate_prev = [None] * len(self.cells)
        dparams = {}
        for k in reversed(range(len(self.cells))):
            # layer k's input gradient is the output gradient of layer k-1 (its h at this step)
            dh, dstate_prev[k], dp = self.cells[k].step_backward(dh, dstate[k], cache[k])
            for name, grad in dp.items():
                key = self.param_key(k, name)
                dparams[key] = dparams[key] + grad if key in dparams else grad
        return dh, tuple(dstate_prev), dparams

    def __repr__(self):
        return "MultiRNNCell([" + ", ".join(repr(cell) for cell in self.cells) + "])"
