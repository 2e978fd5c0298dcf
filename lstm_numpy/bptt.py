"""Backpropagation through time, made visible: a trace of one backward pass, line by line.

:func:`backward_trace` runs the real :func:`~lstm_numpy.dynamic_rnn_backward` once and records
what it computes, in the order it computes it: from the last step down to the first and, in
each step, from the top layer down. Nothing is computed twice and nothing is re-derived here:
the pass runs under ``sys.settrace``, and each time a line of a backward step function (one
whose comment names an equation, ``# (B, H)  eq. (6)``) has bound a new array to a local
name, that array is copied into an entry together with the line's number and text. So an
entry cannot disagree with the code: it is the code's own local variable, read as the line
that made it has run.

Three places are read:

- the time loop (``dynamic_rnn_backward``): the gradient arriving from the step's output
  (zero past a row's ``sequence_length``), the gradient arriving from step t+1 (``dh_next``,
  ``dc_next``), and for rows past their length the carry that goes around the step;
- a stack's step (``MultiRNNCell.step_backward``): layer k+1's ``dx`` becoming layer k's
  output gradient;
- each cell's step backward: the sum ``dh`` it receives and every line that names an
  equation (gate gradients, pre-activation gradients, ``dx``, ``dh_prev``, ``dc_prev`` and
  this step's contribution to each weight and bias gradient).

The loss is ``L = sum(outputs * d_outputs)`` (plus ``sum(final_state * d_final_state)``
when a final-state gradient is given), so ``d_outputs`` is dL/d outputs. Nothing here imports
matplotlib.
"""
import linecache
import re
import sys
from collections import namedtuple

import numpy as np

from .state import map_state
from .time_loop import dynamic_rnn, dynamic_rnn_backward

Where = namedtuple("Where", ["module", "function", "line", "text"])
Where.__doc__ = """Where the code computes an entry.

Parameters
----------
module : str, such as ``"lstm_numpy.lstm"``
function : str, its qualified name, such as ``"lstm_step_backward"`` or ``"LSTMCell.step_backward"``
line : int, the line number in the module's file
text : str, the line, stripped
"""

GradEntry = namedtuple("GradEntry", ["t", "k", "name", "label", "shape", "equation", "formula", "note",
                                     "where", "code_name", "value"])
GradEntry.__doc__ = """One gradient of one step t (from 0) of one layer k (from 0).

name : the name in the docs' notation (``"dc_prev"``, ``"dW_x"``); label : with the layer
(``"dc_prev^1"``); shape : tuple; equation : the equation it differentiates (``"eq. (6)"``,
``""`` for the time loop's bookkeeping); formula : that equation's text from the module's
docstring (``"c = f * c_prev + i * g"``); note : what the line's comment or the time loop
says about it; where : :class:`Where`; code_name : the variable's name in that line (the time
loop calls the output gradient ``dh``); value : the ndarray, a copy taken right after the
line ran, of shape ``shape`` ((B, H) for a gate's gradient, (D, 4H) for an LSTM's dW_x)."""

EQUATION = re.compile(r"\beqs?\.\s*\(\d+\)(?:\s*(?:-|,|and)\s*\(\d+\))*")
NUMBER = re.compile(r"\((\d+)\)")
DOC_EQUATION = re.compile(r"^\s{2,}(\S.*?\S)\s{2,}\((\d+)\)", re.M)   # "    c = f * c_prev + i * g    (6)"

LOOP, STACK, CELL = "loop", "stack", "cell"
_UNBOUND = object()


def _where(frame, line):
    """:class:`Where` of ``line`` in ``frame``'s function."""
    code = frame.f_code
    text = linecache.getline(code.co_filename, line).strip()
    return Where(frame.f_globals.get("__name__", "?"), getattr(code, "co_qualname", code.co_name), line, text)


class _Recorder:
    """A ``sys.settrace`` function that notes each array a watched function binds to a local name.

    ``roles`` maps (file name, function name or None for any) to the role of that code: the time
    loop, a stack's step, or a cell's module. ``by_value`` maps a role to names whose arrays are
    also compared by contents (code that writes into its arrays in place). Events are
    ``(role, kind, name, value, where, t, cache)``, the last two the frame's locals of those names.
    """

    def __init__(self, roles, by_value=None):
        self.roles = roles
        self.by_value = by_value or {}                        # role -> names whose contents are watched too
        self.events = []
        self.frames = {}

    def role(self, code):
        if code.co_name.startswith("<"):                      # lambdas, comprehensions, generator expressions
            return None
        return self.roles.get((code.co_filename, code.co_name), self.roles.get((code.co_filename, None)))

    def __call__(self, frame, event, arg):
        role = self.role(frame.f_code)
        if event != "call" or role is None:
            return None
        caller = frame.f_back
        if (role == CELL and caller is not None and self.role(caller.f_code) == CELL
                and caller.f_code.co_name == "step_backward"):
            # a step function called by its cell's method: its arrays in are this step's inputs
            where = _where(caller, caller.f_lineno)
            for name, value in frame.f_locals.items():
                if isinstance(value, np.ndarray):
                    self.events.append((role, "argument", name, value.copy(), where, None, None))
        self.frames[frame] = (None, self.snapshot(role, frame.f_locals))
        return self.local

    def snapshot(self, role, names):
        """The locals by identity, with a copy of each array whose contents are watched (written in place)."""
        watched = self.by_value.get(role, ())
        return {name: (value, value.copy() if name in watched and isinstance(value, np.ndarray) else None)
                for name, value in names.items()}

    @staticmethod
    def changed(old, value):
        """Whether a local is another object, or a watched array with other contents, than before."""
        if old is _UNBOUND:
            return True
        before, contents = old
        if before is not value:
            return True
        return contents is not None and not np.array_equal(contents, value, equal_nan=True)

    def local(self, frame, event, arg):
        if event in ("line", "return"):
            line, before = self.frames[frame]
            now = frame.f_locals
            if line is not None:
                role = self.role(frame.f_code)
                for name, value in now.items():
                    if self.changed(before.get(name, _UNBOUND), value):
                        self.events.append((role, "assignment", name, _copy(value), _where(frame, line),
                                            now.get("t"), now.get("cache")))
            if event == "return":
                del self.frames[frame]
            else:
                self.frames[frame] = (frame.f_lineno, self.snapshot(self.role(frame.f_code), now))
        return self.local


def _copy(value):
    """A copy of an array (or of every array of a state); anything else as it is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple) and value and all(isinstance(v, np.ndarray) or isinstance(v, tuple) for v in value):
        return map_state(np.copy, value)
    return value


def equation_of(text):
    """The equation a line's comment names, such as ``"eq. (6)"`` or ``"eqs. (2)-(5)"``, else ``""``.

    Parameters
    ----------
    text : str, a line of code

    Returns
    -------
    str
    """
    _, _, comment = text.partition("#")
    found = EQUATION.search(comment)
    return found.group(0) if found else ""


def _numbers(equation):
    """The equation numbers an ``eq.`` citation covers: ``"eqs. (2)-(5)"`` is 2, 3, 4, 5."""
    numbers = [int(n) for n in NUMBER.findall(equation)]
    if "-" in equation and len(numbers) == 2:
        return list(range(numbers[0], numbers[1] + 1))
    return numbers


def _formulas(module_name):
    """Equation number -> its text, read from the module docstring's list of equations."""
    doc = getattr(sys.modules.get(module_name), "__doc__", None) or ""
    return {int(number): text for text, number in DOC_EQUATION.findall(doc)}


class BackwardTrace:
    """The entries of a traced backward pass, in the order the backward pass computes them.

    Attributes
    ----------
    entries : list of GradEntry, from the last step to the first, each step from the top layer down
    dims : dict with ``kind``, ``s`` (B), ``m`` (D), ``n`` (H_k per layer), ``T``, ``lengths``
    dead : dict t -> list of the rows past their length at step t (only where there are some)
    grads : Grads from :func:`~lstm_numpy.dynamic_rnn_backward`, the pass traced
    d_outputs : ndarray of shape (B, T, H_top) or (T, B, H_top), the outputs' layout: dL/d outputs
    d_final_state : None or the state structure, leaves of shape (B, H)
    """

    def __init__(self, entries, dims, dead, grads, d_outputs, d_final_state):
        self.entries = entries
        self.dims = dims
        self.dead = dead
        self.grads = grads
        self.d_outputs = d_outputs
        self.d_final_state = d_final_state

    def all(self, name, k=0, t=0):
        """Every entry named ``name`` of layer k at step t, in order (GRU's ``dh_prev`` is summed in two lines).

        Parameters
        ----------
        name : str, such as ``"dc_prev"``
        k : int, the layer, from 0
        t : int, the step, from 0

        Returns
        -------
        list of GradEntry
        """
        return [e for e in self.entries if e.name == name and e.k == k and e.t == t]

    def find(self, name, k=0, t=0):
        """The last entry named ``name`` of layer k at step t: the value the step hands on.

        Parameters
        ----------
        name : str, such as ``"dc_prev"`` or ``"dW_x"``
        k : int, the layer, from 0
        t : int, the step, from 0

        Returns
        -------
        GradEntry, its value an ndarray of its ``shape``, such as (B, H) for ``"dc_prev"``
        """
        found = self.all(name, k, t)
        if not found:
            names = list(dict.fromkeys(e.name for e in self.entries if e.k == k and e.t == t))
            raise KeyError(f"no {name!r} for layer k={k} at t={t}; there are {names}")
        return found[-1]

    def format(self, values=False):
        """The readable listing, step by step from the last, layer by layer from the top.

        Parameters
        ----------
        values : bool, also print each array (NumPy's summarised form), such as a (B, H) gradient

        Returns
        -------
        str
        """
        return format_backward(self, values=values)

    def __str__(self):
        return self.format()


def backward_trace(cache, d_outputs=None, d_final_state=None, seed=0, loop=None):
    """Run :func:`~lstm_numpy.dynamic_rnn_backward` on ``cache`` and record every gradient it computes.

    Parameters
    ----------
    cache : dict from :func:`~lstm_numpy.dynamic_rnn`, of a pass over inputs of shape (B, T, D)
        or (T, B, D)
    d_outputs : None (standard normal numbers drawn with ``seed``) or ndarray of the outputs'
        shape, (B, T, H_top) or (T, B, H_top): dL/d outputs for ``L = sum(outputs * d_outputs)``
    d_final_state : None or the state structure (leaves of shape (B, H)), dL/d final_state
    seed : int, for the default ``d_outputs``
    loop : None (:func:`~lstm_numpy.dynamic_rnn_backward`), or another function of the same
        arguments and local names to run and read as the time loop (the clinic's planted copy)

    Returns
    -------
    BackwardTrace

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.LSTMCell(8, 20, rng=0), ln.LSTMCell(20, 30, rng=1)])
    >>> _, _, cache = ln.dynamic_rnn(cell, np.ones((4, 3, 8)))
    >>> bt = backward_trace(cache)
    >>> e = bt.find("dc_prev", k=1, t=2)
    >>> e.shape, e.equation, e.where.function, e.where.text[:18]
    ((4, 30), 'eq. (6)', 'lstm_step_backward', 'dc_prev = dc * f  ')
    """
    cell = cache["cell"]
    T, B, D = cache["inputs_shape"]
    if d_outputs is None:
        shape = (T, B, cell.output_size) if cache["time_major"] else (B, T, cell.output_size)
        d_outputs = np.random.default_rng(seed).normal(size=shape).astype(cell.dtype)
    loop = dynamic_rnn_backward if loop is None else loop
    roles = {(loop.__code__.co_filename, loop.__code__.co_name): LOOP}
    if cell.stacked:
        roles[(type(cell).step_backward.__code__.co_filename, "step_backward")] = STACK
    for layer in cell.cells:
        roles[(sys.modules[type(layer).__module__].__file__, None)] = CELL
    recorder = _Recorder(roles)
    previous = sys.gettrace()
    sys.settrace(recorder)
    try:
        grads = loop(d_outputs, d_final_state, cache)
    finally:
        sys.settrace(previous)
    entries, dead = _entries(recorder.events, cell, cache)
    dims = {"kind": cell.cells[0].kind, "s": B, "m": D, "T": T, "n": [layer.hidden_size for layer in cell.cells],
            "lengths": cache["sequence_length"]}
    return BackwardTrace(entries, dims, dead, grads, d_outputs, d_final_state)


LOOP_NOTES = {
    "d_output": "dL/d(output at t): d_outputs[t]",
    "dh_next": "dL/dh_t arriving from step t+1",
    "dc_next": "dL/dc_t arriving from step t+1",
    "dh_carry": "rows past their length carry their state: dh_next goes straight to step t-1",
    "dc_carry": "rows past their length carry their state: dc_next goes straight to step t-1",
    "dh_prev": "the step's dh_prev plus the carry: what step t-1 receives as dh_next",
    "dc_prev": "the step's dc_prev plus the carry: what step t-1 receives as dc_next",
}


MASKED = {"d_output": ", zero in rows past their length",
          "dh_next": " (zero in rows past their length: it goes around the step)",
          "dc_next": " (zero in rows past their length: it goes around the step)"}


def _entries(events, cell, cache):
    """Turn the recorder's events into GradEntries, ordered step by step, top layer down."""
    notes = dict(LOOP_NOTES)
    if cache["sequence_length"] is not None:
        notes.update({name: notes[name] + more for name, more in MASKED.items()})
    layers = cell.cells
    top = len(layers) - 1
    buckets = {}                                              # (t, k) -> list of entries
    dead = {}
    t, k, carried, last_state = None, top, False, None
    formulas = {}

    def add(k_, name, value, where, code_name, equation="", note="", formula=""):
        value = np.asarray(value)
        buckets.setdefault((t, k_), []).append(GradEntry(t, k_, name, f"{name}^{k_}", value.shape, equation,
                                                         formula, note, where, code_name, value))

    def per_layer(state, prefix, where, code_name):
        for k_, (layer, part) in enumerate(zip(layers, cell.split_layers(state))):
            for name, value in sorted(layer.state_arrays(part).items(), key=lambda item: item[0] != "h"):
                add(k_, f"d{name}_{prefix}", value, where, code_name, note=notes[f"d{name}_{prefix}"])

    def close_step():
        if carried and last_state is not None:
            value, where, code_name = last_state
            per_layer(value, "prev", where, code_name)

    for role, kind, name, value, where, _, _ in events:
        if role == LOOP:
            if name == "t":
                close_step()
                t, k, carried, last_state = value, top, False, None
            elif name == "alive":
                rows = np.flatnonzero(~np.asarray(value)[:, 0]).tolist()
                if rows:
                    dead[t] = rows
            elif name == "dh":
                add(top, "d_output", value, where, name, note=notes["d_output"])
            elif name == "dstate_new":
                per_layer(value, "next", where, name)
            elif name == "dcarry" and value is not None:
                per_layer(value, "carry", where, name)
                carried = True
            elif name == "dstate":
                last_state = (value, where, name)
        elif role == STACK:
            if name == "k":
                k = value
            elif name == "dh" and k > 0:
                add(k - 1, "d_output", value, where, name,
                    note=f"= dx of layer {k} at this step: layer {k - 1}'s output is layer {k}'s input")
        elif kind == "argument":
            if not any(e.name == name for e in buckets.get((t, k), [])):
                add(k, name, value, where, name, note="d_output + dh_next: h goes to the output and to step t+1")
        elif isinstance(value, np.ndarray):
            equation = equation_of(where.text)
            if not equation:
                continue                                      # unpacking the cache, splitting weights
            if where.module not in formulas:
                formulas[where.module] = _formulas(where.module)
            formula = "; ".join(formulas[where.module].get(n, "") for n in _numbers(equation) if n in formulas[where.module])
            comment = where.text.partition("#")[2]
            note = comment[comment.find(equation) + len(equation):].strip(" ,;") if equation in comment else ""
            if name == "dx" and not note:
                note = (f"= layer {k - 1}'s d_output at this step" if k else
                        "dL/dx_t: grads.inputs at step t")
            add(k, name, value, where, name, equation, note, formula)
    close_step()
    first = {"d_output": 0, "dh_next": 1, "dc_next": 1}      # what arrives at a step, then what it computes
    ordered = [e for t_ in sorted({t_ for t_, _ in buckets}, reverse=True)
               for k_ in reversed(range(len(layers)))
               for e in sorted(buckets.get((t_, k_), []), key=lambda e: first.get(e.name, 2))]
    return ordered, dead


def trace_backward(cell, inputs, sequence_length=None, initial_state=None, time_major=False,
                   d_outputs=None, d_final_state=None, seed=0):
    """Run :func:`~lstm_numpy.dynamic_rnn` and trace its backward pass; see :func:`backward_trace`.

    Parameters
    ----------
    cell : a cell or MultiRNNCell
    inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major``
    sequence_length : None or ints of shape (B,)
    initial_state : None (zeros) or the cell's state structure, leaves of shape (B, H)
    time_major : bool
    d_outputs : None or ndarray of the outputs' shape, (B, T, H_top) or (T, B, H_top)
    d_final_state : None or the state structure, leaves of shape (B, H)
    seed : int, for the default ``d_outputs``

    Returns
    -------
    BackwardTrace
    """
    _, _, cache = dynamic_rnn(cell, inputs, sequence_length, initial_state, time_major)
    return backward_trace(cache, d_outputs, d_final_state, seed)


def format_backward(bt, values=False):
    """The backward trace as text: each entry's name, shape, equation, and the line that made it.

    Parameters
    ----------
    bt : BackwardTrace
    values : bool, also print each array (3 decimals, summarised), such as a (B, H) gradient

    Returns
    -------
    str
    """
    d = bt.dims
    final = "" if bt.d_final_state is None else " + sum(final_state * d_final_state)"
    lines = [f"backward pass (BPTT) of L = sum(outputs * d_outputs){final}: from step t={d['T'] - 1} down to 0, "
             f"each step from the top layer k={len(d['n']) - 1} down to 0; each dfoo is dL/dfoo, of foo's shape"]
    width = max([len(e.label) for e in bt.entries] + [8]) + 2
    last = None
    for e in bt.entries:
        if (e.t, e.k) != last:
            if e.t != (last or (None,))[0]:
                rows = bt.dead.get(e.t)
                past = f"  (rows {rows} are past their length: their state is carried)" if rows else ""
                lines.append(f"\n=== backward, step t={e.t} ==={past}")
            lines.append(f"  --- layer k={e.k}: n_{e.k}={d['n'][e.k]} ---")
            last = (e.t, e.k)
        what = f"{e.equation}: {e.formula}" if e.formula else (e.equation or "")
        lines.append(f"    {e.label:<{width}}{str(e.shape):<11}{what or e.note}")
        code = e.where.text.partition("  #")[0].rstrip() if e.equation else e.where.text
        lines.append(f"    {'':<{width}}{e.where.module.rsplit('.', 1)[-1]}.py:{e.where.line} "
                     f"{e.where.function}:  {code}")
        if e.formula and e.note:
            lines.append(f"    {'':<{width}}({e.note})")
        if values:
            text = np.array2string(e.value, precision=3, threshold=12, edgeitems=2, max_line_width=100,
                                   suppress_small=True)
            lines.extend("        " + line for line in text.splitlines())
    return "\n".join(lines)
