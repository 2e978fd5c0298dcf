"""A step-through trace of one forward pass, in the article's notation.

For every step t and layer k it lists each named quantity a step computes or uses, with its
shape, and its values on request: the layer's input ``x_t^k``, the previous state, the concat
``[x_t^k, h_{t-1}^k]`` of the article's form, each weight and bias, each gate, ``c_t^k`` and
``h_t^k``. The gates and states are read from the cache of a real :func:`~lstm_numpy.dynamic_rnn`
call; the weights from the cell's ``params``. Nothing here imports matplotlib.

Notation (the article's, layers counted from 1 as in its pictures): batch ``s``, input ``m``,
hidden ``n_k`` of layer k, layer input ``m_k`` (``m_1 = m``, ``m_k = n_{k-1}``). The concat form
of gate j of layer k is one matrix ``w_j^k`` of shape ``[m_k + n_k, n_k]``: the rows of ``W_x``
(``m_k`` of them) stacked on the rows of ``W_h`` (``n_k``), so that
``[x, h] @ w_j = x @ W_x,j + h @ W_h,j``. Layer k is ``cell_{k-1}`` in a MultiRNNCell's params.
"""
from collections import namedtuple

import numpy as np

from .dynamic_rnn import dynamic_rnn
from .gru import GRUCell
from .lstm import LSTMCell
from .multi import MultiRNNCell

TraceEntry = namedtuple("TraceEntry", ["t", "k", "name", "label", "shape", "symbol", "meaning", "value"])
TraceEntry.__doc__ = """One named quantity of one step t (from 0) of one layer k (from 1).

name : the key without layer index (``"w_f"``, ``"h_t"``); label : the article's notation
(``"w_f^1"``); shape : tuple; symbol : the shape in letters (``"[m_1 + n_1, n_1]"``);
meaning : how it is computed; value : the ndarray.

Parameters
----------
t : int, the step, from 0
k : int, the layer, from 1
name : str, the key without layer index (``"w_f"``, ``"h_t"``)
label : str, the article's notation (``"w_f^1"``)
shape : tuple of int, the value's shape, such as (B, H) for a gate (the article's ``(s, n_k)``)
symbol : str, the shape in the article's letters (``"[m_1 + n_1, n_1]"``)
meaning : str, how it is computed
value : ndarray of shape ``shape``: (B, H) for a gate or state, (D + H, H) for a concat weight
"""

GATE_WORDS = {"i": "input gate", "f": "forget gate", "g": "candidate (the article's C~)",
              "o": "output gate", "r": "reset gate", "z": "update gate", "n": "candidate"}


class Trace:
    """The entries of a traced forward pass, with the dimensions they are named by.

    Attributes
    ----------
    entries : list of TraceEntry, in the order the forward pass computes them
    dims : dict with ``kind`` ("rnn", "lstm", "gru"), ``s``, ``m``, ``T``, ``n`` (list, one per layer)

    Parameters
    ----------
    entries : list of TraceEntry; each value an ndarray such as a gate of shape (B, H)
    dims : dict, as the attribute
    """

    def __init__(self, entries, dims):
        self.entries = entries
        self.dims = dims

    def find(self, name, k=1, t=0):
        """The entry ``name`` of layer k at step t; a KeyError naming what exists otherwise.

        Parameters
        ----------
        name : str, such as ``"w_f"`` or ``"h_t"``
        k : int, the layer, from 1
        t : int, the step, from 0

        Returns
        -------
        TraceEntry, its value an ndarray of its ``shape``, such as (B, H) for ``"h_t"``
        """
        for e in self.entries:
            if e.name == name and e.k == k and e.t == t:
                return e
        names = sorted({e.name for e in self.entries if e.k == k and e.t == t})
        raise KeyError(f"no {name!r} for layer k={k} at t={t}; there are {names}")

    def shape(self, name, k=1, t=0):
        """The shape of entry ``name`` of layer k at step t.

        Parameters
        ----------
        name : str, such as ``"w_f"`` or ``"h_t"``
        k : int, the layer, from 1
        t : int, the step, from 0

        Returns
        -------
        tuple of int: (B, H) for ``"h_t"``, (D + H, H) for ``"w_f"`` (the article's
        ``[m_k + n_k, n_k]``)
        """
        return self.find(name, k, t).shape

    def format(self, values=False):
        """The readable table, step by step, layer by layer (see :func:`format_trace`).

        Parameters
        ----------
        values : bool, also print each array (a gate's of shape (B, H), ...)

        Returns
        -------
        str
        """
        return format_trace(self, values=values)

    def __str__(self):
        return self.format()


def trace_cache(cache):
    """The :class:`Trace` of a forward pass from the cache :func:`~lstm_numpy.dynamic_rnn` returned.

    Parameters
    ----------
    cache : dict from :func:`~lstm_numpy.dynamic_rnn`, of a forward pass over inputs of shape
        (B, T, D) or (T, B, D)

    Returns
    -------
    Trace
    """
    cell = cache["cell"]
    T, s, m = cache["inputs_shape"]
    layers = cell.cells
    stacked = isinstance(cell, MultiRNNCell)
    dims = {"kind": _kind(layers[0]), "s": s, "m": m, "T": T, "n": [c.hidden_size for c in layers],
            "lengths": cache["sequence_length"]}
    entries = []
    for t, step in enumerate(cache["steps"]):
        per_layer = step if stacked else (step,)
        for k, (layer, c) in enumerate(zip(layers, per_layer), start=1):
            entries.extend(_layer_entries(t, k, layer, c, f"cell_{k - 1}/" if stacked else ""))
    return Trace(entries, dims)


def trace(cell, inputs, sequence_length=None, initial_state=None, time_major=False):
    """Run :func:`~lstm_numpy.dynamic_rnn` and trace it; arguments as for ``dynamic_rnn``.

    Parameters
    ----------
    cell : a cell or MultiRNNCell
    inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major`` (the article's
        ``(s, T, m)``)
    sequence_length : None or ints of shape (B,)
    initial_state : None (zeros) or the cell's state structure, leaves of shape (B, H)
    time_major : bool

    Returns
    -------
    Trace

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.LSTMCell(8, 20, rng=0), ln.LSTMCell(20, 30, rng=1)])
    >>> tr = trace(cell, np.zeros((4, 3, 8)))                        # (s, T, m)
    >>> tr.shape("w_f", k=2), tr.find("w_f", k=2).symbol, tr.shape("h_t", k=2, t=2)
    ((50, 30), '[m_2 + n_2, n_2]', (4, 30))
    """
    _, _, cache = dynamic_rnn(cell, inputs, sequence_length, initial_state, time_major)
    return trace_cache(cache)


def _kind(layer):
    return "lstm" if isinstance(layer, LSTMCell) else "gru" if isinstance(layer, GRUCell) else "rnn"


def _layer_entries(t, k, layer, c, prefix):
    """The entries of layer k at step t, from its step cache ``c`` and its params."""
    m, n = f"m_{k}", f"n_{k}"
    rows = []

    def add(name, label, value, symbol, meaning):
        rows.append(TraceEntry(t, k, name, label, tuple(np.shape(value)), symbol, meaning, value))

    x_from = "x_t, the input" if k == 1 else f"h_t^{k - 1}, the output of layer {k - 1} at this step"
    add("x_t", f"x_t^{k}", c["x"], f"(s, {m})", f"= {x_from}")
    add("h_{t-1}", f"h_{{t-1}}^{k}", c["h_prev"], f"(s, {n})", "hidden state from step t-1")
    if "c_prev" in c:
        add("c_{t-1}", f"c_{{t-1}}^{k}", c["c_prev"], f"(s, {n})", "cell state from step t-1")
    xh = np.concatenate([c["x"], c["h_prev"]], axis=1)
    params = layer.params
    for name in ("W_x", "W_h"):
        rows_sym = m if name == "W_x" else n
        blocks = f"{layer.n_blocks}{n}" if layer.n_blocks > 1 else n
        add(name, f"{name}^{k}", params[name], f"({rows_sym}, {blocks})",
            f"split form, params['{prefix}{name}']" + (f", gates {', '.join(layer.gates)}" if layer.gates else ""))
    gates = layer.gates or ("h",)
    W_x = np.split(params["W_x"], len(gates), axis=1)
    W_h = np.split(params["W_h"], len(gates), axis=1)
    biases = {key: np.split(params[key], len(gates)) for key in params if key.startswith("b")}
    if isinstance(layer, GRUCell):
        rows.extend(_gru_entries(t, k, layer, c, W_x, W_h, biases))
        return rows
    add("[x_t, h_{t-1}]", f"[x_t^{k}, h_{{t-1}}^{k}]", xh, f"(s, {m} + {n})",
        "concat, x first (the article's code puts h first)")
    for j, gate in enumerate(gates):
        suffix = "" if gate == "h" else f"_{gate}"
        add(f"w{suffix}", f"w{suffix}^{k}", np.concatenate([W_x[j], W_h[j]], axis=0), f"[{m} + {n}, {n}]",
            f"rows of W_x{',' + gate if suffix else ''} over rows of W_h{',' + gate if suffix else ''}")
        add(f"b{suffix}", f"b{suffix}^{k}", biases["b"][j], f"[{n}]", "bias")
        if gate != "h":
            act = "tanh" if gate == "g" else "sigma"
            extra = " + forget_bias" if gate == "f" and getattr(layer, "forget_bias", 0.0) else ""
            add(f"{gate}_t", f"{gate}_t^{k}", c[gate], f"(s, {n})",
                f"{GATE_WORDS[gate]}: {act}([x, h] w_{gate} + b_{gate}{extra})")
    if isinstance(layer, LSTMCell):
        add("c_t", f"c_t^{k}", c["c"], f"(s, {n})", "f * c_{t-1} + i * g")
        add("tanh(c_t)", f"tanh(c_t^{k})", c["tanh_c"], f"(s, {n})", "tanh of the new cell state")
        add("h_t", f"h_t^{k}", c["h"], f"(s, {n})", "o * tanh(c_t)")
    else:
        add("h_t", f"h_t^{k}", c["h"], f"(s, {n})", f"{layer.activation}([x, h] w + b)")
    return rows


def _gru_entries(t, k, layer, c, W_x, W_h, biases):
    """GRU gates in the split form: the reset sits between h and W_h,n, so no single concat."""
    m, n = f"m_{k}", f"n_{k}"
    rows = []

    def add(name, label, value, symbol, meaning):
        rows.append(TraceEntry(t, k, name, label, tuple(np.shape(value)), symbol, meaning, value))

    for j, gate in enumerate(layer.gates):
        add(f"W_x,{gate}", f"W_x,{gate}^{k}", W_x[j], f"({m}, {n})", f"input weights of the {GATE_WORDS[gate]}")
        add(f"W_h,{gate}", f"W_h,{gate}^{k}", W_h[j], f"({n}, {n})", f"recurrent weights of the {GATE_WORDS[gate]}")
        for key, parts in biases.items():
            label = f"b_{gate}" if key == "b" else f"{key},{gate}"
            add(label, f"{label}^{k}", parts[j], f"[{n}]", "bias")
        if gate == "n" and not layer.reset_after:
            add("r*h_{t-1}", f"r_t^{k} * h_{{t-1}}^{k}", c["rh"], f"(s, {n})", "reset applied before W_h,n")
        if gate == "n":
            where = "tanh(x W_x,n + b_x,n + r * (h W_h,n + b_h,n))" if layer.reset_after \
                else "tanh(x W_x,n + (r * h) W_h,n + b_n)"
        else:
            where = f"sigma(x W_x,{gate} + h W_h,{gate} + b)"
        add(f"{gate}_t", f"{gate}_t^{k}", c[gate], f"(s, {n})", f"{GATE_WORDS[gate]}: {where}")
    add("h_t", f"h_t^{k}", c["h"], f"(s, {n})", "(1 - z) * n + z * h_{t-1}")
    return rows


def format_trace(tr, values=False):
    """The trace as text: a header with the dimensions, then step by step, layer by layer.

    Parameters
    ----------
    tr : Trace
    values : bool, also print each array (NumPy's summarised form, 3 decimals), such as a
        gate of shape (B, H)

    Returns
    -------
    str
    """
    d = tr.dims
    ns = ", ".join(f"n_{k}={n}" for k, n in enumerate(d["n"], start=1))
    lines = [f"{d['kind']} with {len(d['n'])} layer(s): s={d['s']} (batch), m={d['m']} (input), {ns}; "
             f"T={d['T']} step{'s' * (d['T'] != 1)}; m_1 = m, m_k = n_(k-1)"]
    if d["lengths"] is not None:
        lines.append(f"sequence_length {d['lengths'].tolist()}: at and past a row's length its output is zero, "
                     "its state carried (the rows below show what each step computed, before that mask)")
    width = max(len(e.label) for e in tr.entries) + 2
    last = None
    for e in tr.entries:
        if (e.t, e.k) != last:
            if e.t != (last or (None,))[0]:
                lines.append(f"\n=== step t={e.t} ===")
            m_k = d["m"] if e.k == 1 else d["n"][e.k - 2]
            lines.append(f"  --- layer k={e.k}: m_{e.k}={m_k}, n_{e.k}={d['n'][e.k - 1]} ---")
            last = (e.t, e.k)
        shape = str(list(e.shape)) if e.name.startswith(("w", "W", "b")) else str(e.shape)
        lines.append(f"    {e.label:<{width}}{shape:<12}{e.symbol:<18}{e.meaning}")
        if values:
            text = np.array2string(np.asarray(e.value), precision=3, threshold=12, edgeitems=2,
                                   max_line_width=100, suppress_small=True)
            lines.extend("        " + line for line in text.splitlines())
    return "\n".join(lines)
