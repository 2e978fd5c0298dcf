"""A step-through trace of one forward pass, in the article's notation.

For every step t and layer k it lists each named quantity a step computes or uses, with its
shape, and its values on request: the layer's input ``x_t^k``, the previous state, the concat
``[x_t^k, h_{t-1}^k]`` of the article's form, each weight and bias, each gate, ``c_t^k`` and
``h_t^k`` (and, for an LSTM with TensorFlow 1.x LSTMCell's options, the peepholes, the values
before each clip, ``m_t^k`` and the projection). The gates and states are read from the cache of a real :func:`~lstm_numpy.dynamic_rnn`
call; the weights from the cell's ``params``. Nothing here imports matplotlib.

Notation: the article's letters, with layers counted from 0 as everywhere in lstm_numpy (layer k
is ``cell_{k}`` in a MultiRNNCell's params): batch ``s = B``, input ``m = D``, hidden
``n_k = H_k`` of layer k, layer input ``m_k`` (``m_0 = m``, ``m_k = n_{k-1}``); the printed
header states this mapping with the sizes. The concat form of gate j of layer k is one matrix
``w_j^k`` of shape ``[m_k + n_k, n_k]``: the rows of ``W_x`` (``m_k`` of them) stacked on the
rows of ``W_h`` (``n_k``), so that ``[x, h] @ w_j = x @ W_x,j + h @ W_h,j``. An LSTM layer with
a projection outputs ``p_k = P`` columns: its h is ``(s, p_k)``, its ``w_j`` is
``[m_k + p_k, n_k]``, and the layer above reads ``m_{k+1} = p_k``. Each cell says what its step
computes (``step_quantities``), so nothing here depends on a cell's kind.
"""
import re
from collections import namedtuple

import numpy as np

from .bptt import backward_trace
from .time_loop import dynamic_rnn

_SYMBOL = re.compile(r"h_\{t-1\}|c_\{t-1\}|\b[a-z]_t\b")   # the symbols a layer's superscript goes on

TraceEntry = namedtuple("TraceEntry", ["t", "k", "name", "label", "shape", "symbol", "meaning", "value"])
TraceEntry.__doc__ = """One named quantity of one step t (from 0) of one layer k (from 0).

name : the key without layer index (``"w_f"``, ``"h_t"``); label : the article's notation
(``"w_f^0"``); shape : tuple; symbol : the shape in letters (``"[m_0 + n_0, n_0]"``);
meaning : how it is computed; value : the ndarray.

Parameters
----------
t : int, the step, from 0
k : int, the layer, from 0
name : str, the key without layer index (``"w_f"``, ``"h_t"``)
label : str, the article's notation (``"w_f^0"``)
shape : tuple of int, the value's shape, such as (B, H) for a gate (the article's ``(s, n_k)``)
symbol : str, the shape in the article's letters (``"[m_0 + n_0, n_0]"``)
meaning : str, how it is computed
value : ndarray of shape ``shape``: (B, H) for a gate or state, (D + H, H) for a concat weight
"""

class Trace:
    """The entries of a traced forward pass, with the dimensions they are named by.

    Attributes
    ----------
    entries : list of TraceEntry, in the order the forward pass computes them
    dims : dict with ``kind`` ("rnn", "lstm", "gru"), ``s``, ``m``, ``T``, ``n`` (list, one per layer),
        ``p`` (list, each layer's projection width P, or None where it has no projection)
    backward : None, or the :class:`~lstm_numpy.bptt.BackwardTrace` of the same pass (``trace(...,
        backward=True)``), its entries' values such as dc_prev of shape (B, H)

    Parameters
    ----------
    entries : list of TraceEntry; each value an ndarray such as a gate of shape (B, H)
    dims : dict, as the attribute
    """

    def __init__(self, entries, dims):
        self.entries = entries
        self.dims = dims
        self.backward = None

    def find(self, name, k=0, t=0):
        """The entry ``name`` of layer k at step t; a KeyError naming what exists otherwise.

        Parameters
        ----------
        name : str, such as ``"w_f"`` or ``"h_t"``
        k : int, the layer, from 0
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

    def shape(self, name, k=0, t=0):
        """The shape of entry ``name`` of layer k at step t.

        Parameters
        ----------
        name : str, such as ``"w_f"`` or ``"h_t"``
        k : int, the layer, from 0
        t : int, the step, from 0

        Returns
        -------
        tuple of int: (B, H) for ``"h_t"``, (D + H, H) for ``"w_f"`` (the article's
        ``[m_k + n_k, n_k]``)
        """
        return self.find(name, k, t).shape

    def format(self, values=False):
        """The readable table, step by step, layer by layer (see :func:`format_trace`), then the
        backward pass if it was traced.

        Parameters
        ----------
        values : bool, also print each array (a gate's of shape (B, H), ...)

        Returns
        -------
        str
        """
        text = format_trace(self, values=values)
        return text if self.backward is None else text + "\n\n" + self.backward.format(values=values)

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
    dims = {"kind": layers[0].kind, "s": s, "m": m, "T": T, "n": [layer.hidden_size for layer in layers],
            "p": [layer.options().get("num_proj") for layer in layers], "lengths": cache["sequence_length"]}
    entries = []
    for t, step in enumerate(cache["steps"]):
        for k, (layer, step_k) in enumerate(zip(layers, cell.split_layers(step))):
            entries.extend(_layer_entries(t, k, layer, step_k, cell))
    return Trace(entries, dims)


def trace(cell, inputs, sequence_length=None, initial_state=None, time_major=False, *, backward=False,
          d_outputs=None, d_final_state=None, seed=0):
    """Run :func:`~lstm_numpy.dynamic_rnn` and trace it; arguments as for ``dynamic_rnn``.

    With ``backward=True`` the trace also records the backward pass of
    ``L = sum(outputs * d_outputs)`` (+ the final state's term when ``d_final_state`` is
    given) in ``.backward``, a :class:`~lstm_numpy.bptt.BackwardTrace`: every gradient the
    backward step functions compute, with the equation it differentiates and the line that
    computes it.

    Parameters
    ----------
    cell : a cell or MultiRNNCell
    inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major`` (the article's
        ``(s, T, m)``)
    sequence_length : None or ints of shape (B,)
    initial_state : None (zeros) or the cell's state structure, leaves of shape (B, H)
    time_major : bool
    backward : bool, also trace the backward pass
    d_outputs : None (standard normal numbers drawn with ``seed``) or ndarray of the outputs'
        shape, (B, T, H_top) or (T, B, H_top): dL/d outputs
    d_final_state : None or the state structure, leaves of shape (B, H): dL/d final_state
    seed : int, for the default ``d_outputs``

    Returns
    -------
    Trace, with ``.backward`` a BackwardTrace when ``backward`` is true (None otherwise)

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.LSTMCell(8, 20, rng=0), ln.LSTMCell(20, 30, rng=1)])
    >>> tr = trace(cell, np.zeros((4, 3, 8)))                        # (s, T, m)
    >>> tr.shape("w_f", k=1), tr.find("w_f", k=1).symbol, tr.shape("h_t", k=1, t=2)
    ((50, 30), '[m_1 + n_1, n_1]', (4, 30))
    """
    _, _, cache = dynamic_rnn(cell, inputs, sequence_length, initial_state, time_major)
    tr = trace_cache(cache)
    if backward:
        tr.backward = backward_trace(cache, d_outputs, d_final_state, seed)
    return tr


def _layer_entries(t, k, layer, step_cache, cell):
    """The entries of layer k at step t, from its step cache and its params, as the layer describes them."""
    m, n = f"m_{k}", f"n_{k}"
    p = f"p_{k}" if layer.options().get("num_proj") else n   # the width of h: P with a projection
    letters = {"B": "s", "D": m, "H": n, "P": p}
    rows = []

    def add(name, value, symbol, meaning):
        label = _SYMBOL.sub(lambda found: f"{found.group(0)}^{k}", name)
        label = label if label != name else f"{name}^{k}"
        rows.append(TraceEntry(t, k, name, label, tuple(np.shape(value)), symbol, meaning, value))

    x_from = "x_t, the input" if k == 0 else f"h_t^{k - 1}, the output of layer {k - 1} at this step"
    add("x_t", step_cache["x"], f"(s, {m})", f"= {x_from}")
    add("h_{t-1}", step_cache["h_prev"], f"(s, {p})", "hidden state from step t-1")
    if "c" in layer.state_parts:
        add("c_{t-1}", step_cache["c_prev"], f"(s, {n})", "cell state from step t-1")
    params = layer.params
    for name in ("W_x", "W_h"):
        rows_sym = m if name == "W_x" else p
        blocks = f"{layer.n_blocks}{n}" if layer.n_blocks > 1 else n
        add(name, params[name], f"({rows_sym}, {blocks})",
            f"split form, params['{cell.param_key(k, name)}']" + (f", gates {', '.join(layer.gates)}" if layer.gates else ""))
    gates = layer.gates or ("",)                               # an RNN's one block has no gate name
    W_x = np.split(params["W_x"], len(gates), axis=1)
    W_h = np.split(params["W_h"], len(gates), axis=1)
    biases = {key: np.split(params[key], len(gates)) for key in params if key.startswith("b")}
    if layer.concat_form:
        add("[x_t, h_{t-1}]", np.concatenate([step_cache["x"], step_cache["h_prev"]], axis=1), f"(s, {m} + {p})",
            "concat, x first (the article's code puts h first)")
        for j, gate in enumerate(gates):
            suffix = f"_{gate}" if gate else ""
            of = f",{gate}" if gate else ""
            add(f"w{suffix}", np.concatenate([W_x[j], W_h[j]], axis=0), f"[{m} + {p}, {n}]",
                f"rows of W_x{of} over rows of W_h{of}")
            add(f"b{suffix}", biases["b"][j], f"[{n}]", "bias")
    else:                                                      # the reset gate sits between h and W_h,n
        for j, gate in enumerate(gates):
            add(f"W_x,{gate}", W_x[j], f"({m}, {n})", f"input weights of gate {gate}")
            add(f"W_h,{gate}", W_h[j], f"({n}, {n})", f"recurrent weights of gate {gate}")
            for key, parts in biases.items():
                add(f"b_{gate}" if key == "b" else f"{key},{gate}", parts[j], f"[{n}]", "bias")
    for key, name, meaning, *shape in layer.step_quantities():
        symbol = re.sub(r"[BDHP]", lambda letter: letters[letter.group(0)], shape[0]) if shape else f"(s, {n})"
        if name.startswith(("w", "W")):                       # a weight: the article's brackets
            symbol = "[" + symbol[1:-1].rstrip(",") + "]"
        add(name, step_cache[key], symbol, meaning)
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
    ns = ", ".join(f"n_{k} = H_{k} = {n}" for k, n in enumerate(d["n"]))
    ps = "".join(f", p_{k} = P_{k} = {p}" for k, p in enumerate(d["p"]) if p is not None)
    below = "p_(k-1) with a projection, else n_(k-1)" if ps else "n_(k-1)"
    lines = [f"{d['kind']} with {len(d['n'])} layer(s), k = 0 .. {len(d['n']) - 1}: s = B = {d['s']} (batch), "
             f"m = D = {d['m']} (input), {ns}{ps}; T = {d['T']} step{'s' * (d['T'] != 1)}; m_0 = m, m_k = {below}"]
    if d["lengths"] is not None:
        lines.append(f"sequence_length {d['lengths'].tolist()}: at and past a row's length its output is zero, "
                     "its state carried (the rows below show what each step computed, before that mask)")
    width = max(len(e.label) for e in tr.entries) + 2
    last = None
    for e in tr.entries:
        if (e.t, e.k) != last:
            if e.t != (last or (None,))[0]:
                lines.append(f"\n=== step t={e.t} ===")
            m_k = d["m"] if e.k == 0 else d["p"][e.k - 1] or d["n"][e.k - 1]
            p_k = f", p_{e.k}={d['p'][e.k]}" if d["p"][e.k] is not None else ""
            lines.append(f"  --- layer k={e.k}: m_{e.k}={m_k}, n_{e.k}={d['n'][e.k]}{p_k} ---")
            last = (e.t, e.k)
        shape = str(list(e.shape)) if e.name.startswith(("w", "W", "b")) else str(e.shape)
        lines.append(f"    {e.label:<{width}}{shape:<12}{e.symbol:<18}{e.meaning}")
        if values:
            text = np.array2string(np.asarray(e.value), precision=3, threshold=12, edgeitems=2,
                                   max_line_width=100, suppress_small=True)
            lines.extend("        " + line for line in text.splitlines())
    return "\n".join(lines)
