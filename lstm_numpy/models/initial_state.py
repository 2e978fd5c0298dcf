"""Initial states that are learned: the article's encoder from x_0, and one vector per layer.

Both produce a state with the structure ``dynamic_rnn`` takes as ``initial_state`` (a tuple of
layer states for a MultiRNNCell, one layer state for a single cell), and both take
``grads.initial_state`` back in their backward pass.

The article's encoder (its picture "LSTM_realize"), layer k = 0 .. L-1, widths
``[D, H_0, ..., H_{L-1}]``:

    h0_0 = tanh(x_0 @ WEH_0),   h0_k = tanh(h0_{k-1} @ WEH_k)        (E1)   (B, H_k)
    c0_0 = tanh(x_0 @ WEC_0),   c0_k = tanh(c0_{k-1} @ WEC_k)        (E2)   (B, H_k)

``WEH_k`` and ``WEC_k`` are ``(width[k], width[k+1])``. Layers without a cell state (RNN, GRU)
take only h0, but the c chain still runs through them when a later layer needs it.
"""
import numpy as np

from ..activations import tanh_grad
from ..checks import as_float_array
from ..initializers import as_rng, init_matrix


def _assemble(hs, cs, cell):
    """Per-layer h0 (and c0) arrays as ``dynamic_rnn``'s state structure."""
    states = [layer.make_state({part: {"c": c, "h": h}[part] for part in layer.state_parts})
              for layer, h, c in zip(cell.cells, hs, cs)]
    return cell.join_layers(states)


def _split(dstate, cell):
    """The inverse of :func:`_assemble`: per-layer dh0 and dc0 (None where a layer has no c)."""
    arrays = [layer.state_arrays(d) for layer, d in zip(cell.cells, cell.split_layers(dstate))]
    return [a["h"] for a in arrays], [a.get("c") for a in arrays]


class EncoderInitialState:
    """The article's learned initial state: each layer's h0 and c0 from the first input frame x_0.

    Parameters
    ----------
    cell : the RNNCell, LSTMCell, GRUCell or MultiRNNCell whose initial state this computes
    init : str, initialiser of WEH_k and WEC_k (see :mod:`lstm_numpy.initializers`)
    rng : int seed or numpy.random.Generator

    ``params``: ``WEH_k (width[k], width[k+1])`` for every layer k, and ``WEC_k`` of the same
    shapes up to the last LSTM layer.

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.LSTMCell(3, 4, rng=0), ln.LSTMCell(4, 6, rng=1)])
    >>> encoder = EncoderInitialState(cell, rng=0)
    >>> state, cache = encoder.forward(np.ones((2, 3)))           # x_0: (B, D)
    >>> state[1].c.shape, encoder.params["WEH_1"].shape
    ((2, 6), (4, 6))
    """

    def __init__(self, cell, *, init="glorot_bengio", rng=None):
        rng = as_rng(rng)
        self.cell, self.layers = cell, cell.cells
        self.dtype = cell.dtype
        widths = [cell.input_size] + [c.hidden_size for c in self.layers]
        lstm = [k for k, layer in enumerate(self.layers) if "c" in layer.state_parts]
        self.n_c = lstm[-1] + 1 if lstm else 0        # the c chain runs up to the last LSTM layer
        self.params = {}
        for k in range(len(self.layers)):
            shape = (widths[k], widths[k + 1])
            self.params[f"WEH_{k}"] = init_matrix(init, shape, rng, dtype=self.dtype)
            if k < self.n_c:
                self.params[f"WEC_{k}"] = init_matrix(init, shape, rng, dtype=self.dtype)

    def forward(self, x0):
        """h0 and c0 of every layer, eqs. (E1)-(E2) of docs/models.md.

        Parameters
        ----------
        x0 : ndarray of shape (B, D), the first input frame

        Returns
        -------
        state : the cell's state structure, ready for ``dynamic_rnn(initial_state=...)``: each
            layer's h0 (and c0) an ndarray of shape (B, H_k)
        cache : dict for :meth:`backward`
        """
        x0 = as_float_array("x0", x0, self.dtype)
        D = self.layers[0].input_size
        if x0.ndim != 2 or x0.shape[1] != D:
            raise ValueError(f"expected x0 of shape (B, D={D}), got {x0.shape}")
        hs, cs = [], []
        h, c = x0, x0
        for k in range(len(self.layers)):
            h = np.tanh(h @ self.params[f"WEH_{k}"])                 # (B, H_k)  eq. (E1)
            hs.append(h)
            c = np.tanh(c @ self.params[f"WEC_{k}"]) if k < self.n_c else None   # (B, H_k)  eq. (E2)
            cs.append(c)
        return _assemble(hs, cs, self.cell), {"x0": x0, "hs": hs, "cs": cs}

    def backward(self, dstate, cache):
        """Backward of :meth:`forward`, down the two chains; each ``dfoo`` has ``foo``'s shape.

        Parameters
        ----------
        dstate : the state structure, dL/d(initial state), e.g. ``grads.initial_state``: each
            layer's dh0 (and dc0) of shape (B, H_k)
        cache : dict from :meth:`forward`

        Returns
        -------
        dx0 : ndarray of shape (B, D)
        dparams : dict with the keys and shapes of ``params``: ``dWEH_k`` (by eq. (E1) of
            docs/models.md) and ``dWEC_k`` (by eq. (E2)) of shape (width[k], width[k+1])
        """
        dhs, dcs = _split(dstate, self.cell)
        hs, cs, x0 = cache["hs"], cache["cs"], cache["x0"]
        dparams = {}
        dh_up = np.zeros_like(hs[-1])                 # from layer k+1's chain, none above the top
        dc_up = None
        dx0 = np.zeros_like(x0)
        for k in reversed(range(len(self.layers))):
            below_h = hs[k - 1] if k > 0 else x0
            da = (dhs[k] + dh_up) * tanh_grad(hs[k])                      # (B, H_k)  eq. (E1)
            dparams[f"WEH_{k}"] = below_h.T @ da                          # eq. (E1)
            dh_up = da @ self.params[f"WEH_{k}"].T                        # (B, width[k])  eq. (E1)
            if k < self.n_c:
                below_c = cs[k - 1] if k > 0 else x0
                dc = dcs[k] if dcs[k] is not None else np.zeros_like(cs[k])
                if dc_up is not None:
                    dc = dc + dc_up
                da = dc * tanh_grad(cs[k])                                # (B, H_k)  eq. (E2)
                dparams[f"WEC_{k}"] = below_c.T @ da                      # eq. (E2)
                dc_up = da @ self.params[f"WEC_{k}"].T                    # (B, width[k])  eq. (E2)
        dx0 = dh_up + (dc_up if dc_up is not None else 0.0)               # x_0 fans out to both chains
        return dx0, {name: dparams[name] for name in self.params}


class LearnedInitialState:
    """The common alternative: one learned vector per layer (h0, and c0 for LSTM layers).

    Each vector starts at zero, so an untrained model starts from the zero state, and is
    broadcast over the batch; its gradient is the sum over the batch.

    Parameters
    ----------
    cell : the RNNCell, LSTMCell, GRUCell or MultiRNNCell whose initial state this holds

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> init = LearnedInitialState(ln.LSTMCell(3, 5))
    >>> sorted(init.params), init.forward(4)[0].h.shape
    (['c_0', 'h_0'], (4, 5))
    """

    def __init__(self, cell):
        self.cell, self.layers = cell, cell.cells
        self.dtype = cell.dtype
        self.params = {}
        for k, layer in enumerate(self.layers):
            self.params[f"h_{k}"] = np.zeros(layer.output_size, dtype=self.dtype)
            if "c" in layer.state_parts:
                self.params[f"c_{k}"] = np.zeros(layer.hidden_size, dtype=self.dtype)

    def forward(self, batch_size):
        """The state for a batch of ``batch_size`` rows, each row the same: ``(state, cache)``.

        Parameters
        ----------
        batch_size : int, B

        Returns
        -------
        state : the cell's state structure, each layer's h0 (and c0) an ndarray of shape (B, H_k),
            the layer's learned vector of shape (H_k,) in every row
        cache : dict for :meth:`backward`
        """
        def rows(name):
            return np.broadcast_to(self.params[name], (batch_size,) + self.params[name].shape).copy()
        hs = [rows(f"h_{k}") for k in range(len(self.layers))]                      # (B, H_k)
        cs = [rows(f"c_{k}") if f"c_{k}" in self.params else None for k in range(len(self.layers))]
        return _assemble(hs, cs, self.cell), {"batch_size": batch_size}

    def backward(self, dstate, cache):
        """Backward of :meth:`forward`: ``(None, dparams)``; each vector's gradient sums over B.

        Parameters
        ----------
        dstate : the state structure, dL/d(initial state): each layer's dh0 (and dc0) of shape
            (B, H_k)
        cache : dict from :meth:`forward`

        Returns
        -------
        None : there is no input to differentiate
        dparams : dict with the keys of ``params``, ``dh_k`` and ``dc_k`` of shape (H_k,)
        """
        dhs, dcs = _split(dstate, self.cell)
        dparams = {}
        for k in range(len(self.layers)):
            dparams[f"h_{k}"] = dhs[k].sum(axis=0)                        # (H_k,), broadcast over B
            if dcs[k] is not None:
                dparams[f"c_{k}"] = dcs[k].sum(axis=0)                    # (H_k,)
        return None, dparams
