"""Input checks for the public entry points.

Step functions stay bare; ``dynamic_rnn`` and friends call these first, so that bad input
gets an error that says, in the shape letters, what was expected and what came.
"""
import numbers
import tempfile

import numpy as np

from .state import LSTMState, describe


KIND_NAMES = {"i": "integer", "u": "unsigned integer", "b": "boolean", "c": "complex", "U": "string",
              "S": "bytes", "O": "object"}


def float_array(name, a):
    """``a`` as an ndarray of floating-point values, not copied; None, integer, boolean, complex
    or other data is a TypeError that names ``name`` and what came."""
    if a is None:
        raise TypeError(f"expected {name} as an array of floating-point values, got None")
    arr = np.asarray(a)
    if arr.dtype.kind != "f":
        kind = KIND_NAMES.get(arr.dtype.kind, arr.dtype.name)
        raise TypeError(f"expected {name} as floating-point values, got {kind} dtype {arr.dtype}")
    return arr


def as_float_array(name, a, dtype):
    """A fresh copy of ``a`` in ``dtype``, after checking it holds finite floating-point values.

    Integer, boolean, complex or other data is a TypeError; NaN, inf, or a value beyond the
    range of ``dtype`` a ValueError that points at it. The copy means a caller who later
    reuses its buffer cannot change what a cache holds.
    """
    arr = float_array(name, a)
    check_finite(name, arr)
    check_range(name, arr, dtype)
    return arr.astype(dtype)


def check_range(name, arr, dtype):
    """A ValueError that points at the first value of ``arr`` beyond the range of ``dtype``."""
    limit = np.finfo(dtype).max
    if arr.size and np.abs(arr).max() > limit:
        where = tuple(int(i) for i in np.argwhere(np.abs(arr) > limit)[0])
        raise ValueError(f"expected {name} within the range of {np.dtype(dtype).name} "
                         f"(|x| <= {limit:.4g}), got {arr[where]} at index {where}")


def check_finite(name, arr):
    """A ValueError that points at the first NaN or inf in ``arr``."""
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"expected finite values in {name}, got {arr[where]} at index {where}")


# The limits every size that comes from a user or a file is held to, before anything is allocated.
# Generous for real use (docs/conventions.md, "Limits"): a layer of a million units, a pass of 4 GiB.
MAX_SIZE = 1 << 20          # any one size: units, features, batch rows, steps, vocabulary
MAX_BYTES = 4 << 30         # the memory one request may need up front: weights, one pass's arrays


def format_bytes(n):
    """``n`` bytes in the largest binary unit that keeps a number >= 1: ``"12.0 GiB"``.

    Parameters
    ----------
    n : int or float, a number of bytes

    Returns
    -------
    str
    """
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024


def check_size(name, value, minimum=1, maximum=MAX_SIZE):
    """A Python or NumPy integer in [``minimum``, ``maximum``]; a TypeError or ValueError naming ``name``.

    Parameters
    ----------
    name : str, what the value is, for the message (``"hidden_size"``, ``"--batch"``)
    value : the value to check
    minimum, maximum : int, the bounds (``maximum`` is :data:`MAX_SIZE` unless given)

    Returns
    -------
    int
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"expected {name} as an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"expected {name} >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"expected {name} <= {maximum} (lstm_numpy.checks.MAX_SIZE), got {value}")
    return int(value)


def check_bytes(what, n_bytes, limit=MAX_BYTES):
    """A ValueError when ``what`` would need more than ``limit`` bytes, saying how much it would need.

    Parameters
    ----------
    what : str, the request in the user's words (``"--batch 1000000 with --steps 4"``)
    n_bytes : int, the memory it would need
    limit : int, :data:`MAX_BYTES` unless given

    Returns
    -------
    int, ``n_bytes``
    """
    if n_bytes > limit:
        raise ValueError(f"{what} would need {format_bytes(n_bytes)}, more than the limit of "
                         f"{format_bytes(limit)} (lstm_numpy.checks.MAX_BYTES)")
    return n_bytes


def check_sequence_length(sequence_length, B, T):
    """Lengths as an int ndarray (B,) with every value in [0, T]; None stays None."""
    if sequence_length is None:
        return None
    lengths = np.asarray(sequence_length)
    if lengths.shape != (B,):
        raise ValueError(f"expected sequence_length of shape (B={B},), got {lengths.shape}")
    if lengths.dtype.kind not in "iu":
        raise TypeError(f"expected sequence_length as integers, got dtype {lengths.dtype}")
    if lengths.size and (lengths.min() < 0 or lengths.max() > T):
        bad = int(np.argmax((lengths < 0) | (lengths > T)))
        raise ValueError(f"expected sequence_length values in [0, T={T}], "
                         f"got {int(lengths[bad])} for row {bad}")
    return lengths.astype(np.int64)


def check_cell(cell):
    """A TypeError unless ``cell`` is a cell or a stack; a ValueError if its params lost their shapes."""
    if isinstance(cell, type):
        raise TypeError(f"expected a cell object such as {cell.__name__}(8, 20), got the class {cell.__name__} itself")
    if not all(hasattr(cell, name) for name in ("step", "step_backward", "check_params", "zero_state")):
        raise TypeError(f"expected an RNNCell, LSTMCell, GRUCell or MultiRNNCell, got {type(cell).__name__}")
    cell.check_params()


def inputs_time_major(inputs, cell, time_major, convert=None):
    """Inputs as a (T, B, D) array of the cell's dtype, after every check: a copy, made by
    :func:`as_float_array`, unless ``convert(name, a, dtype)`` is given to make the array."""
    if not isinstance(time_major, (bool, np.bool_)):
        raise TypeError(f"expected time_major as a bool, got {type(time_major).__name__} {time_major!r}")
    layout = "(T, B, D)" if time_major else "(B, T, D)"
    xs = (as_float_array if convert is None else convert)("inputs", inputs, cell.dtype)
    D = cell.input_size
    if xs.ndim != 3:
        raise ValueError(f"expected inputs of rank 3 {layout} with D={D}, got rank {xs.ndim} with shape {xs.shape}")
    if xs.shape[2] != D:
        hint = ""
        if xs.shape[1] == D:
            swapped = "batch" if time_major else "time"
            hint = f" (are the {swapped} and feature axes swapped?)"
        raise ValueError(f"expected inputs of shape {layout[:-2]}D={D}), got {xs.shape}{hint}")
    if xs.shape[0] == 0 or xs.shape[1] == 0:
        raise ValueError(f"expected inputs with at least one step and one row {layout}, got {xs.shape}")
    return xs if time_major else xs.transpose(1, 0, 2)       # (T, B, D)


def check_outputs_shape(d_outputs, T, B, H, time_major):
    """``d_outputs`` itself, after checking it has the outputs' shape (T, B, H) or (B, T, H)."""
    expected = (T, B, H) if time_major else (B, T, H)
    if d_outputs.shape != expected:
        layout = "(T, B, H)" if time_major else "(B, T, H)"
        raise ValueError(f"expected d_outputs of the outputs' shape {layout}={expected}, got {d_outputs.shape}")
    return d_outputs


def check_state(name, state, template, dtype):
    """``state`` converted to ``dtype``, after checking it has the structure and shapes of ``template``.

    ``template`` is the cell's zero state for the batch at hand.
    """
    def walk(s, t, path, letters="(B, H)"):
        if isinstance(t, LSTMState):
            projected = t.h.shape[1] != t.c.shape[1]          # an LSTM with a projection: h is (B, P)
            shapes = f"c {t.c.shape}, h {t.h.shape}" if projected else f"c, h of shape {t.c.shape}"
            if not isinstance(s, LSTMState):
                # a plain pair is refused: TensorFlow orders it (c, h), PyTorch (h, c)
                raise ValueError(f"expected {path} as LSTMState(c, h) with {shapes}, "
                                 f"got {describe(s)}; build it with ln.LSTMState(c=..., h=...)")
            return LSTMState(walk(s[0], t.c, path + ".c"),
                             walk(s[1], t.h, path + ".h", "(B, P)" if projected else "(B, H)"))
        if isinstance(t, tuple):
            if not isinstance(s, (tuple, list)) or isinstance(s, LSTMState) or len(s) != len(t):
                got = describe(tuple(s)) if isinstance(s, list) else describe(s)
                raise ValueError(f"expected {path} as a tuple of {len(t)} layer states {describe(t)}, got {got}")
            return tuple(walk(sk, tk, f"{path}[{k}]") for k, (sk, tk) in enumerate(zip(s, t)))
        if isinstance(s, tuple):
            raise ValueError(f"expected {path} as one array of shape {letters}={t.shape}, got {describe(s)}")
        arr = as_float_array(path, s, dtype)
        if arr.shape != t.shape:
            raise ValueError(f"expected {path} of shape {letters}={t.shape}, got {arr.shape}")
        return arr

    return walk(state, template, name)


def write_error(folder):
    """Why no file can be made in ``folder``, in the system's words, or None when one can.

    The one probe behind every output path the package checks before its work (a checkpoint, a
    figure, a folder of results): a temporary file is made there and removed at once.

    Parameters
    ----------
    folder : str, an existing folder

    Returns
    -------
    None, or str such as ``"Permission denied"``
    """
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        return err.strerror or str(err)
    return None

