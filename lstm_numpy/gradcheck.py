"""Numerical gradients and the report that compares them with a hand-derived backward pass.

The numerical gradient is a central difference in float64, one element at a time, with the
fourth-order stencil

    dL/dx ~ (-L(x + 2 eps) + 8 L(x + eps) - 8 L(x - eps) + L(x - 2 eps)) / (12 eps)

whose truncation error shrinks as eps**4 instead of eps**2. That lets eps be large (1e-3), so the
rounding error, about 1e-16 |L| / eps, stays near 1e-13: the numerical gradient is good to about
1e-12 absolute, where the two-point formula manages about 1e-11 at its best eps. The comparison is a relative
error with a floor, ``|a - n| / max(floor, |a| + |n|)``: relative where the gradient is large,
absolute (divided by the floor) where both values are tiny. See docs/gradcheck.md.
"""
import numbers
from collections import namedtuple

import numpy as np

from .checks import as_float_array
from .initializers import as_rng
from .state import map_state, state_leaves, state_names
from .time_loop import dynamic_rnn, dynamic_rnn_backward

EPS = 1e-3        # truncation ~eps**4 and rounding ~1e-16 / eps are both near 1e-12 here
FLOOR = 1e-5      # gradients smaller than this are compared absolutely: noise 1e-12 / 1e-5 = 1e-7
TOLERANCE = 1e-6  # correct passes measure 1e-7 at worst (noise on entries below the floor); wrong terms 1e-2


def check_eps(eps):
    """``eps`` as a float, or a TypeError or ValueError: the step must be a finite number > 0.

    Parameters
    ----------
    eps : the finite-difference step

    Returns
    -------
    float
    """
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise TypeError(f"expected eps as a real number, got {type(eps).__name__} {eps!r}")
    if not 0 < eps < np.inf:
        raise ValueError(f"expected eps > 0 and finite, got {eps}")
    return float(eps)


def numerical_gradient(f, x, eps=EPS, region=None, progress=None):
    """dL/dx by fourth-order central differences, one element of ``x`` at a time.

    Parameters
    ----------
    f : callable with no arguments returning the scalar L; it must read ``x``
    x : float64 ndarray of any shape; perturbed in place and restored element by element
    eps : float, the step
    region : None, or a callable with no arguments that names the smooth piece of L the last
        call of ``f`` was on (for relu: which units were active). An element whose stencil
        leaves the piece it starts on straddles a kink, where a difference is no derivative:
        its numerical gradient is NaN.
    progress : None, or a callable told ``progress(1)`` after each element (for a progress line)

    Returns
    -------
    ndarray of ``x``'s shape
    """
    eps = check_eps(eps)
    if not callable(f):
        raise TypeError(f"expected f as a callable with no arguments returning L, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = f"{x.dtype} ndarray" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"expected a float64 ndarray to differentiate (float32 is too coarse; a list cannot "
                        f"be perturbed in place), got {got}")
    if region is not None:
        f()
        piece = region()
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        values, at_kink = [], False
        for step in (2, 1, -1, -2):
            x[idx] = old + step * eps
            values.append(float(f()))
            at_kink = at_kink or (region is not None and region() != piece)
        x[idx] = old
        f_2, f_1, f_m1, f_m2 = values
        grad[idx] = np.nan if at_kink else (-f_2 + 8 * f_1 - 8 * f_m1 + f_m2) / (12 * eps)
        if progress is not None:
            progress(1)
    return grad


def relative_error(analytic, numeric, floor=FLOOR):
    """Elementwise ``|a - n| / max(floor, |a| + |n|)``.

    Parameters
    ----------
    analytic, numeric : ndarrays of one shape, any shape: the two gradients of one array
    floor : float, below which ``|a| + |n|`` counts as ``floor`` (an absolute comparison)

    Returns
    -------
    ndarray of ``analytic``'s shape, the error of each element
    """
    return np.abs(analytic - numeric) / np.maximum(floor, np.abs(analytic) + np.abs(numeric))


Row = namedtuple("Row", ["name", "shape", "max_error", "passed", "kinks"], defaults=[0])
Row.__doc__ = """One array of a gradient check: its name, shape, the largest relative error over
its elements, whether that is below the tolerance, and how many elements straddled a kink
(relu at 0) and so were not compared.

Parameters
----------
name : str, the array's name, such as ``cell_0/W_x`` or ``inputs``
shape : tuple of int, the array's shape, such as (D, 4H) or (B, T, D)
max_error : float, the largest relative error over the compared elements
passed : bool, ``max_error`` below the tolerance
kinks : int, elements not compared
"""


class Report:
    """The result of a gradient check: one :class:`Row` per array (name, shape, max error, pass).

    ``report.passed`` is True when every row passed; ``str(report)`` is a table.

    Parameters
    ----------
    rows : iterable of Row, one per array checked
    tolerance : float, the largest error that passes
    title : str, a line above the table
    """

    def __init__(self, rows, tolerance, title=""):
        self.rows = list(rows)
        self.tolerance = tolerance
        self.title = title

    @property
    def passed(self):
        return all(row.passed for row in self.rows)

    @property
    def max_error(self):
        return max((row.max_error for row in self.rows), default=0.0)

    def __str__(self):
        width = max([len("array")] + [len(r.name) for r in self.rows])
        lines = [self.title] if self.title else []
        lines.append(f"{'array':<{width}}  {'shape':<14}  {'max rel error':>13}  result")
        for r in self.rows:
            kinks = f"  ({r.kinks} at a relu kink, not compared)" if r.kinks else ""
            lines.append(f"{r.name:<{width}}  {str(r.shape):<14}  {r.max_error:13.2e}  "
                         f"{'pass' if r.passed else 'FAIL'}{kinks}")
        lines.append(f"{'all pass' if self.passed else 'FAILED'}: worst {self.max_error:.2e}, "
                     f"tolerance {self.tolerance:.0e}")
        return "\n".join(lines)


def check_gradients(f, arrays, analytic, *, eps=EPS, floor=FLOOR, tolerance=TOLERANCE, title="",
                    region=None, progress=None):
    """Compare hand-derived gradients with central differences, array by array.

    Parameters
    ----------
    f : callable with no arguments returning the scalar L, reading the arrays of ``arrays``
    arrays : dict name -> float64 ndarray, each of any shape: the values L depends on (perturbed
        in place)
    analytic : dict name -> ndarray, the backward pass's dL/d array: the same names, each
        ``d array`` of its array's shape
    eps, floor, tolerance : floats, see the module docstring
    region : None, or a callable naming the smooth piece of L (see :func:`numerical_gradient`);
        elements whose stencil straddles a kink are counted in ``Row.kinks``, not compared
    progress : None, or a callable told ``progress(1)`` after each element differentiated

    Returns
    -------
    Report

    Examples
    --------
    >>> w = np.array([1.0, -2.0, 3.0])
    >>> report = check_gradients(lambda: np.sum(w ** 3), {"w": w}, {"w": 3 * w ** 2})
    >>> report.passed
    True
    """
    for what, value in (("arrays", arrays), ("analytic", analytic)):
        if not isinstance(value, dict):
            raise TypeError(f"expected {what} as a dict of name -> ndarray, got {type(value).__name__}")
    missing = [name for name in arrays if name not in analytic]
    if missing:
        raise ValueError(f"expected an analytic gradient for every array; analytic lacks {missing} "
                         f"(it has {sorted(analytic)})")
    eps = check_eps(eps)
    rows = []
    for name, x in arrays.items():
        a = np.asarray(analytic[name], dtype=np.float64)
        if a.shape != np.shape(x):
            raise ValueError(f"expected the analytic gradient of {name} with shape {np.shape(x)}, got {a.shape}")
        n = numerical_gradient(f, x, eps, region, progress)
        smooth = ~np.isnan(n)
        err = float(relative_error(a[smooth], n[smooth], floor).max()) if smooth.any() else 0.0
        rows.append(Row(name, x.shape, err, err < tolerance, int((~smooth).sum())))
    return Report(rows, tolerance, title)


def random_state(cell, batch_size, rng, scale=0.5):
    """A random state of the cell's structure, values uniform in (-scale, scale).

    Parameters
    ----------
    cell : a cell or MultiRNNCell
    batch_size : int, B
    rng : numpy Generator
    scale : float, the bound of the values

    Returns
    -------
    state : the structure of ``cell.zero_state(B)``: ndarrays of shape (B, H), an LSTMState of
        two, or one per layer of a stack
    """
    def fill(zeros):
        return rng.uniform(-scale, scale, size=zeros.shape).astype(cell.dtype)
    return map_state(fill, cell.zero_state(batch_size))


def check_dynamic_rnn(cell, inputs, *, sequence_length=None, initial_state=None, time_major=False,
                      final_state_loss=True, rng=0, **options):
    """Gradient check of ``dynamic_rnn`` through ``dynamic_rnn_backward``, every array on its own.

    The loss is a random projection, ``L = sum(outputs * d_outputs) + sum(final_state * d_final)``,
    so the backward pass receives exactly ``d_outputs`` and ``d_final``. Checked: the inputs,
    each leaf of the initial state (when given), and every parameter of ``cell``.

    Parameters
    ----------
    cell : a float64 cell or MultiRNNCell
    inputs : float array-like (B, T, D), or (T, B, D) with ``time_major``; checked on a float64 copy
    sequence_length, initial_state, time_major : as for :func:`dynamic_rnn`
    final_state_loss : bool, whether L includes the final state term
    rng : seed or Generator for the projections
    options : eps, floor, tolerance, title for :func:`check_gradients`

    Returns
    -------
    Report
    """
    rng = as_rng(rng)
    inputs = as_float_array("inputs", inputs, np.float64)     # a copy of our own: the check perturbs it
    outputs, final_state, cache = dynamic_rnn(cell, inputs, sequence_length, initial_state, time_major)
    d_outputs = rng.normal(size=outputs.shape)
    d_final = None
    if final_state_loss:
        d_final = map_state(lambda s: rng.normal(size=s.shape), final_state)

    last = {}

    def loss():
        out, final, last["cache"] = dynamic_rnn(cell, inputs, sequence_length, initial_state, time_major)
        total = np.sum(out * d_outputs)
        if d_final is not None:
            total += sum(np.sum(s * d) for s, d in zip(state_leaves(final), state_leaves(d_final)))
        return total

    grads = dynamic_rnn_backward(d_outputs, d_final, cache)
    arrays = {"inputs": inputs}
    analytic = {"inputs": grads.inputs}
    if initial_state is not None:
        names = state_names(initial_state, "initial_state")
        arrays.update(zip(names, state_leaves(initial_state)))
        analytic.update(zip(names, state_leaves(grads.initial_state)))
    arrays.update(cell.params)
    analytic.update(grads.params)
    held = [layer.hold_draws() for layer in cell.cells]      # a dropout layer keeps this pass's masks
    try:
        return check_gradients(loss, arrays, analytic,
                               region=lambda: relu_pattern(last["cache"]) + clip_pattern(last["cache"]), **options)
    finally:
        for layer, draws in zip(cell.cells, held):
            layer.release_draws(draws)


def relu_pattern(cache):
    """Which relu units were active at every step: the smooth piece a relu network is on.

    Empty (one piece, no kinks) when the cell has no relu layer.

    Parameters
    ----------
    cache : dict from :func:`dynamic_rnn`

    Returns
    -------
    bytes, ``h > 0`` of each relu layer's (B, H) output at each of the T steps, packed
    """
    cell = cache["cell"]
    relu_layers = [k for k, layer in enumerate(cell.cells) if layer.options().get("activation") == "relu"]
    if not relu_layers:
        return b""
    layers = [cell.split_layers(step) for step in cache["steps"]]
    return b"".join((step[k]["h"] > 0).tobytes() for step in layers for k in relu_layers)


def clip_pattern(cache):
    """Which values of the clipped LSTM layers were inside their clips at every step: the
    smooth piece a network with ``cell_clip`` or ``proj_clip`` is on (eqs. (10), (13) of docs/lstm.md).

    Empty (one piece, no kinks) when no layer clips.

    Parameters
    ----------
    cache : dict from :func:`dynamic_rnn`

    Returns
    -------
    bytes, ``|c_hat| <= cell_clip`` of each (B, H) and ``|h_hat| <= proj_clip`` of each (B, P)
    clipped value at each of the T steps, packed
    """
    cell = cache["cell"]
    clipped = [(k, value, bound) for k, layer in enumerate(cell.cells)
               for value, bound in (("c_hat", layer.options().get("cell_clip")),
                                    ("h_hat", layer.options().get("proj_clip"))) if bound is not None]
    if not clipped:
        return b""
    layers = [cell.split_layers(step) for step in cache["steps"]]
    return b"".join((np.abs(step[k][value]) <= bound).tobytes() for step in layers for k, value, bound in clipped)
