"""The explorable page's data: a traced forward and backward pass, as plain JSON-ready values.

Everything the page shows comes from one real pass: the forward :class:`~lstm_numpy.trace.Trace`,
its :class:`~lstm_numpy.bptt.BackwardTrace`, the per-step gradient contributions of
:func:`~lstm_numpy.gradient_flow.step_contributions`, and the line of lstm_numpy's source that
computes each forward quantity. Those lines are read the way the backward trace reads its own:
one step of each layer runs under ``sys.settrace`` (the backward trace's recorder), and each
array a step function binds to a local name on a line that names an equation is noted with the
line's module, function, number and text.

Arrays travel as base64 of their float64 bytes (little-endian), so the page's numbers are the
trace's numbers bit for bit; :func:`decode` is the inverse.
"""
import base64
import sys

import numpy as np

from ..bptt import CELL, _formulas, _numbers, _Recorder, backward_trace, equation_of
from ..gradient_flow import step_contributions
from ..time_loop import dynamic_rnn
from ..trace import trace_cache

# Past these sizes the page would be too large to read (or to load): explain refuses them.
LIMITS = {"layers": 4, "steps": 12, "units": 64, "batch": 8, "input": 64}

PARAM_PREFIXES = ("w", "W", "b")                      # trace entries that are weights or biases


def encode(value):
    """An array as ``{"shape": [...], "data": base64 of its float64 little-endian bytes}``.

    Parameters
    ----------
    value : ndarray of any shape, such as a gate of shape (B, H)

    Returns
    -------
    dict, JSON-ready
    """
    array = np.ascontiguousarray(value, dtype="<f8")
    return {"shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode("ascii")}


def decode(encoded):
    """The inverse of :func:`encode`.

    Parameters
    ----------
    encoded : dict with ``shape`` and ``data``, as :func:`encode` makes it

    Returns
    -------
    ndarray of shape ``shape``, float64, such as a gate of shape (B, H)
    """
    raw = base64.b64decode(encoded["data"])
    return np.frombuffer(raw, dtype="<f8").reshape(encoded["shape"]).astype(np.float64)


def check_limits(cell, T, B):
    """A ValueError naming the first size past :data:`LIMITS`.

    Parameters
    ----------
    cell : a cell or MultiRNNCell
    T : int, steps
    B : int, batch rows

    Returns
    -------
    None; the inputs the page would show, of shape (B, T, D), fit when nothing is raised
    """
    layers = cell.cells
    sizes = {"layers": len(layers), "steps": T, "batch": B, "input": layers[0].input_size,
             "units": max(layer.hidden_size for layer in layers)}
    letters = {"layers": "L", "steps": "T", "batch": "B", "input": "D", "units": "H"}
    for what, size in sizes.items():
        if size > LIMITS[what]:
            raise ValueError(f"expected at most {letters[what]}={LIMITS[what]} {what} on the explorable page, "
                             f"got {letters[what]}={size}: past that the page is too large to read; the "
                             f"trace command prints any size")
    kinds = {layer.kind for layer in layers}
    if len(kinds) > 1:
        raise ValueError(f"expected layers of one kind on the explorable page, got {sorted(kinds)}")


def forward_lines(layer, step_cache):
    """Where one layer's step computes each quantity: one step run under the backward trace's recorder.

    Parameters
    ----------
    layer : a cell (one layer)
    step_cache : dict, the layer's cache of one step from :func:`~lstm_numpy.dynamic_rnn`; its
        ``x`` of shape (B, D) and previous state of shape (B, H) are run again

    Returns
    -------
    lines : dict, local name -> (Where, ndarray): each array the step function binds on a line
        naming an equation, such as ``"c"`` -> (the line of eq. (6), c of shape (B, H))
    call : Where, the line of the cell's ``step`` that calls the step function
    """
    module = sys.modules[type(layer).__module__]
    recorder = _Recorder({(module.__file__, None): CELL})
    state = layer.make_state({part: step_cache[f"{part}_prev"] for part in layer.state_parts})
    previous = sys.gettrace()
    sys.settrace(recorder)
    try:
        layer.step(step_cache["x"], state)
    finally:
        sys.settrace(previous)
    lines, call = {}, None
    for _, kind, name, value, where, _, _ in recorder.events:
        if kind != "assignment":
            continue
        if where.function.endswith(".step") and name == "cache":
            call = where
        elif isinstance(value, np.ndarray) and equation_of(where.text) and name not in lines:
            lines[name] = (where, value)
    return lines, call


def _where(where):
    return {"module": where.module, "function": where.function, "line": where.line, "text": where.text}


def _formula(where):
    """The equation a line names and that equation's text from its module's docstring."""
    equation = equation_of(where.text)
    formulas = _formulas(where.module)
    return equation, "; ".join(formulas[n] for n in _numbers(equation) if n in formulas)


def _param_line(name, gate, lines):
    """The equation line where a weight block or bias (or the concat built from them) enters."""
    code = {local: where.text.partition("#")[0] for local, (where, _) in lines.items()}
    recurrent = name.startswith(("W_h", "b_h"))
    wanted = [f"W_h{gate}", "W_h"] if recurrent else ["W_x"]
    for token in wanted:
        for local, text in code.items():
            if token and token in text:
                return lines[local][0]
    return next(iter(lines.values()))[0]


def _gate_of(name):
    """The gate a parameter entry belongs to: ``"w_f"`` -> ``"f"``, ``"W_h,n"`` -> ``"n"``, else ``""``."""
    if "," in name:
        return name.rsplit(",", 1)[1]
    if name.startswith(("w_", "b_")) and len(name) == 3:
        return name[2]
    return ""


def forward_entries(tr, cache):
    """The forward trace's entries as the page shows them, each with its line of source.

    Parameters
    ----------
    tr : Trace of the pass
    cache : dict from :func:`~lstm_numpy.dynamic_rnn`, the same pass

    Returns
    -------
    steps : list of dicts, the entries a step receives or computes, in the trace's order
    params : list (one per layer) of lists of dicts, the weight and bias entries (the same at every step)
    """
    cell = cache["cell"]
    layers = cell.cells
    first = cell.split_layers(cache["steps"][0])
    found = [forward_lines(layer, step_k) for layer, step_k in zip(layers, first)]
    keys = [{name: key for key, name, *_ in layer.step_quantities()} for layer in layers]
    steps, params = [], [[] for _ in layers]
    for e in tr.entries:
        lines, call = found[e.k]
        item = {"t": e.t, "k": e.k, "name": e.name, "label": e.label, "shape": list(e.shape),
                "symbol": e.symbol, "meaning": e.meaning, "value": encode(e.value)}
        if e.name.startswith(PARAM_PREFIXES) or e.name == "[x_t, h_{t-1}]":
            where = _param_line(e.name, _gate_of(e.name), lines)
            item["note"] = ("not a line of lstm_numpy: the code computes x W_x + h W_h, the same product"
                            if e.name.startswith(("w", "[")) else "enters here")
        elif e.name in keys[e.k]:
            where = lines[keys[e.k][e.name]][0]
            item["note"] = ""
        else:                                                  # x_t, h_{t-1}, c_{t-1}: handed in
            where = call
            item["note"] = "handed to the step function here"
        item["where"] = _where(where)
        item["equation"], item["formula"] = _formula(where)
        if e.name.startswith(PARAM_PREFIXES):
            if e.t == 0:
                params[e.k].append(item)
        else:
            steps.append(item)
    return steps, params


def backward_entries(bt):
    """The backward trace's entries as the page shows them.

    Parameters
    ----------
    bt : BackwardTrace

    Returns
    -------
    list of dicts, in the order the backward pass computes them; each value such as dc_prev of
    shape (B, H) encoded by :func:`encode`
    """
    return [{"t": e.t, "k": e.k, "name": e.name, "label": e.label, "shape": list(e.shape),
             "equation": e.equation, "formula": e.formula, "note": e.note, "where": _where(e.where),
             "value": encode(e.value)} for e in bt.entries]


def page_data(cell, inputs, sequence_length=None, time_major=False, seed=0, weight="W_h", options=None):
    """Everything the page shows, from one forward pass, its traced backward pass and the contributions.

    Parameters
    ----------
    cell : a cell or MultiRNNCell, within :data:`LIMITS`
    inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major``
    sequence_length : None or ints of shape (B,)
    time_major : bool, the layout of ``inputs``; the page is the same either way
    seed : int, draws ``d_outputs`` for ``L = sum(outputs * d_outputs)``: standard normal numbers
        in the order of shape (B, T, H_top) (as the trace draws them for batch-major inputs), laid
        out as the inputs are
    weight : str, the weight whose per-step contributions the matrix shows
    options : None or dict of the cell's options to state in the header (the bottom layer's ``options()`` if None)

    Returns
    -------
    dict, JSON-ready: ``config``, ``layers``, ``forward``, ``backward``, ``dead``, ``outputs``,
    ``contributions``; each array encoded by :func:`encode` (a gate of shape (B, H), ...)
    """
    inputs = np.asarray(inputs)
    if inputs.ndim != 3:
        raise ValueError(f"expected inputs of shape (B, T, D) or (T, B, D), got shape {inputs.shape}")
    T, B = (inputs.shape[0], inputs.shape[1]) if time_major else (inputs.shape[1], inputs.shape[0])
    check_limits(cell, T, B)
    outputs, _, cache = dynamic_rnn(cell, inputs, sequence_length, None, time_major)
    tr = trace_cache(cache)
    # d_outputs drawn in the (B, T, H_top) order whatever the layout, so both layouts give one page
    d_outputs = np.random.default_rng(seed).normal(size=(B, T, cell.output_size)).astype(cell.dtype)
    bt = backward_trace(cache, d_outputs.transpose(1, 0, 2) if time_major else d_outputs)
    contributions = step_contributions(cell, inputs, weight, bt.d_outputs, sequence_length, time_major)
    steps, params = forward_entries(tr, cache)
    layers = cell.cells
    outputs_tm = outputs if time_major else outputs.transpose(1, 0, 2)   # (T, B, H_top)
    d_tm = bt.d_outputs if time_major else bt.d_outputs.transpose(1, 0, 2)
    lengths = cache["sequence_length"]
    config = {"kind": layers[0].kind, "options": layers[0].options() if options is None else options,
              "s": B, "m": layers[0].input_size, "T": T, "n": [layer.hidden_size for layer in layers],
              "lengths": None if lengths is None else [int(v) for v in lengths],
              "seed": seed, "state_parts": list(layers[0].state_parts),
              "gates": list(layers[0].gates)}
    return {"config": config,
            "layers": [{"m": layer.input_size, "n": layer.hidden_size, "params": params[k]}
                       for k, layer in enumerate(layers)],
            "forward": steps,
            "backward": backward_entries(bt),
            "dead": {str(t): rows for t, rows in bt.dead.items()},
            "outputs": [encode(outputs_tm[t]) for t in range(T)],
            "d_outputs": [encode(d_tm[t]) for t in range(T)],
            "contributions": {"weight": weight,
                              "weight_norms": encode(contributions.weight_norms),
                              "hidden_norms": encode(contributions.hidden_norms)}}
