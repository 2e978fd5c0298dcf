"""What a learner sees of a planted mistake: the gradient checks, and where the traces part.

:func:`examine` builds the clinic's configuration (two layers, a batch whose sequence lengths
include 0 and T, a random initial state, a loss on every output and on the final state), runs
it once with the library's code and once with the mistake planted into a copy (see
:mod:`lstm_numpy.clinic.planting`), and returns a :class:`Diagnosis` holding

- the gradient check of the whole sequence, true and planted: every array on its own, against
  central differences of the code's own forward pass (planted forward, for a forward mistake);
- the step check: the cell's step functions alone, one step with random gradients arriving
  through every part of the state. It passes where the mistake lies outside the step functions
  (how the cell or the time loop wires them), which is how a right step can hide a wrong sequence;
- the first quantity that diverges: the forward passes compared quantity by quantity, then the
  backward traces (:func:`lstm_numpy.bptt.backward_trace`) entry by entry in the order BPTT
  computes them; the first that differs is named with its step, layer, equation and line;
- for a mistake that some configurations hide, the check in such a configuration (it passes).
"""
import importlib
import inspect
import re
import textwrap
from collections import namedtuple

import numpy as np

from ..bptt import DOC_EQUATION, NUMBER, Where, backward_trace, equation_of
from ..gradcheck import check_gradients, random_state, state_names
from ..kinds import build_cell
from ..state import map_state, state_leaves
from ..time_loop import dynamic_rnn, dynamic_rnn_backward
from .catalogue import get
from .planting import planted

Config = namedtuple("Config", ["sizes", "input_size", "batch", "steps", "lengths", "seed"])
Config.__doc__ = """The clinic's configuration.

Parameters
----------
sizes : tuple of int, H of each layer, bottom first
input_size : int, D
batch : int, B
steps : int, T
lengths : None or tuple of int, the sequence lengths (B of them, in [0, T])
seed : int, for the weights, inputs, initial state and loss projections
"""

# D, H_0, B, T, H_1 pairwise distinct (1, 2, 3, 4, 5); one row full (T), one empty (0), one in between
CONFIG = Config(sizes=(2, 5), input_size=1, batch=3, steps=4, lengths=(4, 0, 2), seed=0)

Divergence = namedtuple("Divergence", ["forward", "name", "label", "t", "k", "shape", "equation", "formula",
                                       "note", "where", "true", "planted", "agreeing", "agreed_before"])
Divergence.__doc__ = """The first quantity the planted code computes differently from the true code.

Parameters
----------
forward : bool, a quantity of the forward pass (else of the backward trace)
name : str, its name in the trace (``"dc"``, ``"h_t"``)
label : str, with the layer (``"dc^1"``)
t, k : int, the step and the layer, from 0
shape : tuple of int, such as (B, H)
equation : str, the equation its line names (``"eq. (7)"``), ``""`` for the time loop's bookkeeping
formula : str, that equation's text from the module's docstring
note : str, what the trace says about it
where : :class:`~lstm_numpy.bptt.Where` or None, the line that computed it in the planted copy
true, planted : ndarrays of shape ``shape``, its value in each run
agreeing : int, how many quantities before it agree
agreed_before : None or :class:`~lstm_numpy.bptt.Where`, the line of an entry of the same name, step
    and layer computed earlier that agrees (the step's own ``dh_prev`` where what the time loop
    hands on differs)
"""


class Diagnosis:
    """Everything the clinic shows of one planted mistake.

    Attributes
    ----------
    mistake : :class:`~lstm_numpy.clinic.catalogue.Mistake`
    config : :class:`Config`
    lines : list of int, the line numbers of the changed lines
    true_check, planted_check : :class:`~lstm_numpy.gradcheck.Report`, the sequence's gradient check
    step_check : Report, the planted step functions alone, one step
    step_functions : tuple of str, the forward and backward step functions of that check
    divergence : None or :class:`Divergence`
    hidden_check : None or Report, the planted check in the configuration that hides the mistake

    Parameters
    ----------
    mistake, config, lines, true_check, planted_check, step_check, step_functions, divergence, hidden_check :
        as the attributes; the divergence's values are ndarrays such as (B, H)
    """

    def __init__(self, mistake, config, lines, true_check, planted_check, step_check, step_functions,
                 divergence, hidden_check):
        self.mistake = mistake
        self.config = config
        self.lines = lines
        self.true_check = true_check
        self.planted_check = planted_check
        self.step_check = step_check
        self.step_functions = step_functions
        self.divergence = divergence
        self.hidden_check = hidden_check

    def format(self):
        """The readable report (see :func:`format_diagnosis`).

        Returns
        -------
        str
        """
        return format_diagnosis(self)

    def __str__(self):
        return self.format()


def problem(mistake, config=CONFIG):
    """The clinic's cell, data and loss for a mistake's kind, drawn from ``config.seed``.

    Parameters
    ----------
    mistake : :class:`~lstm_numpy.clinic.catalogue.Mistake`
    config : :class:`Config`

    Returns
    -------
    dict with ``cell`` (a MultiRNNCell of the library's classes), ``inputs`` (B, T, D),
    ``lengths`` (None or ints (B,)), ``initial_state`` and ``d_final`` (the state structure,
    leaves (B, H_k)), ``d_outputs`` (B, T, H_top)
    """
    rng = np.random.default_rng(config.seed)
    cell = build_cell(mistake.kind, config.sizes, config.input_size, rng=rng, stack=True, **mistake.options)
    B, T = config.batch, config.steps
    inputs = rng.normal(size=(B, T, config.input_size))
    initial_state = random_state(cell, B, rng)
    d_outputs = rng.normal(size=(B, T, cell.output_size))
    d_final = map_state(lambda s: rng.normal(size=s.shape), cell.zero_state(B))
    lengths = None if config.lengths is None else np.array(config.lengths)
    return {"cell": cell, "inputs": inputs, "lengths": lengths, "initial_state": initial_state,
            "d_outputs": d_outputs, "d_final": d_final}


def check_sequence(cell, data, forward=dynamic_rnn, backward=dynamic_rnn_backward, title=""):
    """Gradient check of a whole sequence through ``forward`` and ``backward``, every array on its own.

    As :func:`lstm_numpy.gradcheck.check_dynamic_rnn`, with the time loop's two functions given
    (the clinic's planted copy of them, or the library's).

    Parameters
    ----------
    cell : a cell or MultiRNNCell (float64)
    data : dict from :func:`problem`: inputs (B, T, D), lengths, initial_state, d_outputs
        (B, T, H_top), d_final (leaves (B, H_k))
    forward, backward : functions with the arguments of ``dynamic_rnn`` and ``dynamic_rnn_backward``
    title : str

    Returns
    -------
    :class:`~lstm_numpy.gradcheck.Report`
    """
    inputs = data["inputs"].copy()
    initial_state = map_state(np.copy, data["initial_state"])
    lengths, d_outputs, d_final = data["lengths"], data["d_outputs"], data["d_final"]

    def loss():
        out, final, _ = forward(cell, inputs, lengths, initial_state)
        return np.sum(out * d_outputs) + sum(np.sum(s * d) for s, d in zip(state_leaves(final), state_leaves(d_final)))

    _, _, cache = forward(cell, inputs, lengths, initial_state)
    grads = backward(d_outputs, d_final, cache)
    names = state_names(initial_state, "initial_state")
    arrays = {"inputs": inputs, **dict(zip(names, state_leaves(initial_state))), **cell.params}
    analytic = {"inputs": grads.inputs, **dict(zip(names, state_leaves(grads.initial_state))), **grads.params}
    return check_gradients(loss, arrays, analytic, title=title)


def step_functions(layer):
    """The module and names of a layer's step functions, forward and backward.

    Parameters
    ----------
    layer : one cell (a layer), arrays such as ``W_x`` of shape (D, kH)

    Returns
    -------
    module : str, such as ``"lstm_numpy.lstm"``
    forward, backward : str, such as ``"lstm_step_forward"``, ``"lstm_step_backward"``
    """
    kind = layer.kind
    if kind == "gru" and not layer.options()["reset_after"]:
        return "lstm_numpy.gru", "gru_reset_before_step_forward", "gru_reset_before_step_backward"
    return f"lstm_numpy.{kind}", f"{kind}_step_forward", f"{kind}_step_backward"


def check_step(layer, forward, backward, batch, seed=0):
    """Gradient check of one layer's step functions alone: one step, a gradient arriving through
    every part of the new state.

    Parameters
    ----------
    layer : one cell, whose arrays (``W_x`` of shape (D, kH), ...) and options the step takes
    forward, backward : the step functions, such as ``lstm_step_forward`` and ``lstm_step_backward``
    batch : int, B
    seed : int

    Returns
    -------
    :class:`~lstm_numpy.gradcheck.Report`
    """
    rng = np.random.default_rng(seed)
    parts = sorted(layer.state_parts, key=lambda part: part != "h")   # the step functions take h first
    H = layer.hidden_size
    x = rng.normal(size=(batch, layer.input_size))
    state = {part: rng.uniform(-0.5, 0.5, size=(batch, H)) for part in parts}
    d_new = {part: rng.normal(size=(batch, H)) for part in parts}
    params = {name: p.copy() for name, p in layer.params.items()}
    takes = inspect.signature(forward).parameters
    options = {name: value for name, value in layer.options().items() if name in takes}

    def run():
        return forward(x, *(state[part] for part in parts), **params, **options)

    def loss():
        return sum(np.sum(new * d_new[part]) for new, part in zip(run()[:-1], parts))

    back = backward(d_new["h"], *(d_new[part] for part in parts[1:]), run()[-1])
    dx, d_prev, dparams = back[0], back[1:-1], back[-1]
    arrays = {"x": x, **{f"{part}_prev": state[part] for part in parts}, **params}
    analytic = {"x": dx, **{f"{part}_prev": d for part, d in zip(parts, d_prev)}, **dparams}
    return check_gradients(loss, arrays, analytic)


def _differs(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-10, atol=1e-13)


def first_forward_divergence(cell, true_cache, planted_cache, planting):
    """The first quantity of the forward pass (by step, layer, then the order of the step's
    equations) that the planted run computes differently, or None.

    Parameters
    ----------
    cell : the MultiRNNCell of the true run
    true_cache, planted_cache : dicts from ``dynamic_rnn``, step caches of (B, H) arrays
    planting : :class:`~lstm_numpy.clinic.planting.Planting`, to find the line in the copy

    Returns
    -------
    None or :class:`Divergence`
    """
    agreeing = 0
    for t, (true_step, planted_step) in enumerate(zip(true_cache["steps"], planted_cache["steps"])):
        for k, (layer, a, b) in enumerate(zip(cell.cells, cell.split_layers(true_step),
                                              cell.split_layers(planted_step))):
            for key, name, meaning, *_ in layer.step_quantities():
                if not _differs(a[key], b[key]):
                    agreeing += 1
                    continue
                where, equation, formula = _forward_line(layer, key, planting)
                return Divergence(True, name, f"{name}^{k}", t, k, np.shape(b[key]), equation, formula,
                                  meaning, where, np.asarray(a[key]), np.asarray(b[key]), agreeing, None)
    return None


def _forward_line(layer, key, planting):
    """The last line of the planted copy's forward step that assigns ``key``, its equation and formula."""
    module, forward, _ = step_functions(layer)
    if module != planting.original.__name__:
        return None, "", ""
    source, start = inspect.getsourcelines(planting.function(forward))
    found = [(start + n, line.strip()) for n, line in enumerate(source) if re.match(rf"\s*{key}\s*=", line)]
    if not found:
        return None, "", ""
    line, text = found[-1]
    equation = equation_of(text)
    formulas = {int(n): f for f, n in DOC_EQUATION.findall(planting.module.__doc__ or "")}
    formula = "; ".join(formulas[int(n)] for n in NUMBER.findall(equation) if int(n) in formulas)
    return Where(planting.module.__name__, forward, line, text), equation, formula


def first_backward_divergence(true_trace, planted_trace):
    """The first entry of the planted backward trace, in the order BPTT computes them, whose value
    differs from the same entry of the true trace (same name, step, layer and occurrence), or None.

    Parameters
    ----------
    true_trace, planted_trace : :class:`~lstm_numpy.bptt.BackwardTrace`, entries such as dc of shape (B, H)

    Returns
    -------
    None or :class:`Divergence`
    """
    true_entries = {}
    for e in true_trace.entries:
        true_entries.setdefault((e.t, e.k, e.name), []).append(e)
    seen = {}
    for agreeing, e in enumerate(planted_trace.entries):
        key = (e.t, e.k, e.name)
        n = seen.get(key, 0)
        seen[key] = n + 1
        twins = true_entries.get(key, [])
        # an entry of the time loop (no equation) after the step's own line of that name, which agreed
        before = twins[n - 1].where if n and not e.equation and twins[n - 1].equation else None
        twin = twins[n] if n < len(twins) else None
        if twin is None or _differs(twin.value, e.value):
            true_value = None if twin is None else twin.value
            return Divergence(False, e.name, e.label, e.t, e.k, e.shape, e.equation, e.formula, e.note, e.where,
                              true_value, e.value, agreeing, before)
    return None


_TRUE_CHECKS = {}


def _true_check(mistake, config, data):
    key = (mistake.kind, tuple(sorted(mistake.options.items())), config)
    if key not in _TRUE_CHECKS:
        _TRUE_CHECKS[key] = check_sequence(data["cell"], data)
    return _TRUE_CHECKS[key]


def examine(name, config=CONFIG):
    """Plant one mistake of the catalogue into the clinic's configuration and diagnose it.

    Parameters
    ----------
    name : str, a mistake's name, such as ``"lstm-dc-assigned"``
    config : :class:`Config`

    Returns
    -------
    :class:`Diagnosis`

    Examples
    --------
    >>> d = examine("rnn-bias-mean")
    >>> d.true_check.passed, d.planted_check.passed, d.divergence.label, d.divergence.t
    (True, False, 'db^1', 3)
    """
    mistake = get(name)
    data = problem(mistake, config)
    cell = data["cell"]
    true_check = _true_check(mistake, config, data)
    with planted(mistake) as planting:
        bad_cell = planting.cell(cell)
        loop = planting.module if planting.original.__name__ == dynamic_rnn.__module__ else None
        forward = dynamic_rnn if loop is None else loop.dynamic_rnn
        backward = dynamic_rnn_backward if loop is None else loop.dynamic_rnn_backward
        planted_check = check_sequence(bad_cell, data, forward, backward)
        module, fwd, bwd = step_functions(bad_cell.cells[0])
        source = planting.module if module == planting.original.__name__ else importlib.import_module(module)
        step_check = check_step(bad_cell.cells[0], getattr(source, fwd), getattr(source, bwd), config.batch,
                                config.seed)
        run = (data["inputs"], data["lengths"], data["initial_state"])
        _, _, true_cache = dynamic_rnn(cell, *run)
        _, _, bad_cache = forward(bad_cell, *run)
        divergence = first_forward_divergence(cell, true_cache, bad_cache, planting)
        if divergence is None:
            true_trace = backward_trace(true_cache, data["d_outputs"], data["d_final"])
            bad_trace = backward_trace(bad_cache, data["d_outputs"], data["d_final"], loop=backward)
            divergence = first_backward_divergence(true_trace, bad_trace)
        hidden_check = None
        if mistake.hidden is not None:
            hiding = config._replace(batch=mistake.hidden.batch,
                                     lengths=None if mistake.hidden.lengths is None else tuple(mistake.hidden.lengths))
            hidden_data = problem(mistake, hiding)
            hidden_check = check_sequence(planting.cell(hidden_data["cell"]), hidden_data, forward, backward)
        lines = planting.lines
    return Diagnosis(mistake, config, lines, true_check, planted_check, step_check, (fwd, bwd), divergence,
                     hidden_check)


def describe_config(config, kind):
    """The configuration in a sentence, on two lines.

    Parameters
    ----------
    config : :class:`Config`
    kind : str, the cell kind

    Returns
    -------
    str
    """
    sizes = ", ".join(map(str, config.sizes))
    lengths = "every row full" if config.lengths is None else f"sequence_length {list(config.lengths)}"
    return (f"{len(config.sizes)} {kind} layers (H = {sizes}) on D = {config.input_size} inputs, "
            f"B = {config.batch} rows, T = {config.steps} steps, {lengths},\n"
            f"a random initial state, L = sum(outputs * d_outputs) + sum(final_state * d_final_state)")


def _failing(report):
    bad = sum(not row.passed for row in report.rows)
    return f"{bad} of {len(report.rows)} arrays fail" if bad else "every array passes"


def _summary(report):
    return f"{'all pass' if report.passed else 'FAILED'}: worst {report.max_error:.2e}, tolerance {report.tolerance:.0e}"


def _wrap(text, first, rest):
    return textwrap.wrap(text, 100, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False)


def _indent(text, by="    "):
    return "\n".join(by + line if line else line for line in text.splitlines())


def format_diagnosis(d):
    """The clinic's report of one mistake, as the command prints it.

    Parameters
    ----------
    d : :class:`Diagnosis`

    Returns
    -------
    str
    """
    m = d.mistake
    out = [f"{m.name}: {m.title}",
           f"  planted into a copy of {m.function} ({m.file}); the library's code is not touched"]
    for line, change in zip(d.lines, m.changes):
        out += [f"    line {line}, right:  {change.right}",
                f"    line {line}, wrong:  {change.wrong}"]
    out += [*_wrap(f"breaks: {m.breaks}", "  ", "    "), "",
            *(f"{'' if n == 0 else '  '}{line}" for n, line in
              enumerate(f"configuration: {describe_config(d.config, m.kind)}".splitlines())), "",
            "1. gradient check of the whole sequence (every array against central differences)",
            f"   true code:        {_summary(d.true_check)}",
            f"   with the mistake: {_summary(d.planted_check)}, {_failing(d.planted_check)}",
            _indent(str(d.planted_check))]
    if d.hidden_check is not None:
        h = m.hidden
        lengths = "every row full" if h.lengths is None else f"sequence_length {list(h.lengths)}"
        out += [f"   where the check cannot see it, B = {h.batch}, {lengths}: {_summary(d.hidden_check)}",
                *_wrap(f"({h.why})", "   ", "    ")]
    fwd, bwd = d.step_functions
    verdict = ("passes: the step functions are right, the mistake is in how they are wired"
               if d.step_check.passed else "fails: the mistake is inside the step functions")
    out += ["", *_wrap(f"2. step check of {fwd} and {bwd} alone (one step, a random gradient into every "
                       f"part of the new state): {_summary(d.step_check)}", "", "   "),
            f"   it {verdict}", ""]
    v = d.divergence
    if v is None:
        out.append("3. no quantity diverges: the planted traces equal the true ones")
        return "\n".join(out)
    which = "forward pass" if v.forward else "backward trace (in the order BPTT computes them)"
    out += _wrap(f"3. first quantity that diverges, the planted {which} against the true one:", "", "   ")
    what = f"{v.equation}: {v.formula}" if v.formula else (v.equation or v.note)
    out += _wrap(f"{v.label} at step t={v.t}, layer k={v.k}, shape {v.shape}, {what}", "   ", "     ")
    if v.where is not None:
        code = v.where.text.partition("  #")[0].rstrip()
        out.append(f"   computed at {v.where.module.rsplit('.', 1)[-1]}.py:{v.where.line} "
                   f"{v.where.function}:  {code}")
    if v.note and v.formula:
        out += _wrap(f"({v.name} is {v.note})" if v.forward else f"({v.note})", "   ", "    ")
    if v.true is None:
        out.append("   the true trace has no such entry")
    else:
        gap = np.abs(np.asarray(v.planted, dtype=float) - v.true)
        at = np.unravel_index(int(np.argmax(gap)), gap.shape)
        out.append(f"   largest difference {gap.max():.2e} at {list(map(int, at))}: "
                   f"true {v.true[at]:.4f}, planted {v.planted[at]:.4f}")
    out.append({0: "   it is the first quantity computed", 1: "   the 1 quantity computed before it agrees"}.get(
        v.agreeing, f"   the {v.agreeing} quantities computed before it agree"))
    if v.agreed_before is not None:
        b = v.agreed_before
        out += _wrap(f"among them {v.label} as {b.function} computes it ({b.module.rsplit('.', 1)[-1]}.py:"
                     f"{b.line}): the step is right, what is handed on from it is not", "   ", "   ")
    return "\n".join(out)
