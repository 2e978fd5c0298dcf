"""Weight initialisers: the article's five, plus orthogonal and PyTorch's default, and CSV files.

Each one draws a matrix of shape ``(fan_in, fan_out)`` from an explicit random generator,
so the same seed gives the same weights. A cell calls them once per gate, on the
article's view of a gate's weights: one ``[D + H, H]`` matrix (fan_in = D + H, fan_out = H),
whose first D rows become that gate's block of ``W_x`` and last H rows its block of ``W_h``.

As in the article, any other ``init`` that names a file (a ``.csv`` path, or any existing
path) is read as the matrix itself; biases are zeros or read from a CSV file the same way.
"""
import os

import numpy as np

NAMES = ("tn", "xavier", "dl", "he", "glorot_bengio", "orthogonal", "pytorch")


def as_rng(rng):
    """A ``numpy.random.Generator`` from an int seed, a Generator, or None (fresh entropy).

    Parameters
    ----------
    rng : int, numpy.random.Generator or None; a Generator is returned as it is

    Returns
    -------
    numpy.random.Generator
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    raise TypeError(f"expected rng as an int seed or a numpy.random.Generator, got {type(rng).__name__}")


def truncated_normal(shape, stddev, rng):
    """Normal(0, stddev) redrawn wherever a value falls beyond two standard deviations.

    Parameters
    ----------
    shape : tuple of int, such as (D + H, H)
    stddev : float
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape ``shape``, float64
    """
    w = rng.normal(0.0, stddev, size=shape)
    outside = np.abs(w) > 2 * stddev
    while outside.any():
        w[outside] = rng.normal(0.0, stddev, size=outside.sum())
        outside = np.abs(w) > 2 * stddev
    return w


def orthogonal(shape, rng):
    """A matrix with orthonormal rows or columns (whichever are fewer), from a QR of a Gaussian.

    Parameters
    ----------
    shape : tuple (rows, cols), such as (H, H) for a gate's recurrent block
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape ``shape``, float64
    """
    rows, cols = shape
    a = rng.normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))                      # make the draw uniform over orthogonal matrices
    return q if rows >= cols else q.T


def init_matrix(init, shape, rng, *, dtype=np.float64, scale=0.1, hidden_size=None):
    """Draw one weight matrix.

    Parameters
    ----------
    init : str
        ``"tn"``: truncated normal, stddev ``scale``, cut at two standard deviations.
        ``"xavier"``: uniform +-4 sqrt(6 / (fan_in + fan_out)) (the article's formula).
        ``"dl"``: uniform +-1 / sqrt(fan_in) (Goodfellow et al., Deep Learning, p. 295).
        ``"he"``: normal, std sqrt(2 / fan_in).
        ``"glorot_bengio"``: uniform +-sqrt(6 / (fan_in + fan_out)).
        ``"orthogonal"``: orthonormal rows or columns.
        ``"pytorch"``: uniform +-1 / sqrt(hidden_size), PyTorch's default for recurrent layers.
        A path to a CSV file: the matrix itself (see :func:`load_csv`).
    shape : tuple (fan_in, fan_out), such as (D + H, H) for one gate or (H, K) for a head
    rng : int, numpy.random.Generator or None
    dtype : numpy float dtype of the result
    scale : float, stddev of ``"tn"``
    hidden_size : int, H for ``"pytorch"`` (defaults to fan_out)

    Returns
    -------
    ndarray of shape ``shape``.
    """
    rng = as_rng(rng)
    fan_in, fan_out = shape
    if init == "tn":
        w = truncated_normal(shape, scale, rng)
    elif init == "xavier":
        bound = 4.0 * np.sqrt(6.0 / (fan_in + fan_out))
        w = rng.uniform(-bound, bound, size=shape)
    elif init == "dl":
        bound = 1.0 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, size=shape)
    elif init == "he":
        w = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
    elif init == "glorot_bengio":
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        w = rng.uniform(-bound, bound, size=shape)
    elif init == "orthogonal":
        w = orthogonal(shape, rng)
    elif init == "pytorch":
        bound = 1.0 / np.sqrt(hidden_size or fan_out)
        w = rng.uniform(-bound, bound, size=shape)
    elif is_csv_path(init):
        return load_csv(init, shape, dtype=dtype)
    else:
        raise ValueError(f"unknown initialiser {init!r}: expected one of {', '.join(NAMES)} "
                         f"or the path of a CSV file")
    return w.astype(dtype)


def is_csv_path(init):
    """Whether ``init`` names a file: a path object, a ``.csv`` name, or any existing path.

    Parameters
    ----------
    init : str, os.PathLike or anything else

    Returns
    -------
    bool
    """
    if isinstance(init, os.PathLike):
        return True
    return isinstance(init, str) and (init.lower().endswith(".csv") or os.path.isfile(init))


def load_csv(path, shape, *, dtype=np.float64):
    """A matrix ``(fan_in, fan_out)`` or a bias ``(n,)`` read from a comma-separated file.

    Parameters
    ----------
    path : str or os.PathLike, a text file of comma-separated numbers, one matrix row per line
        (a bias: one line, or one number per line)
    shape : tuple, the shape the caller needs, such as (D + H, 4H) or (4H,)
    dtype : numpy float dtype of the result

    Returns
    -------
    ndarray of shape ``shape``

    Raises
    ------
    ValueError naming the file, the expected and the found shape, or what could not be read.
    """
    path = os.fspath(path)
    shape = tuple(shape)
    if not os.path.isfile(path):
        raise ValueError(f"initialiser file {path!r} not found (expected a CSV file of shape {shape})")
    try:
        values = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=len(shape))
    except ValueError as err:
        raise ValueError(f"initialiser file {path!r}: expected comma-separated numbers of shape "
                         f"{shape}, could not read it: {err}") from None
    if values.shape != shape:
        raise ValueError(f"initialiser file {path!r}: expected shape {shape}, found {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"initialiser file {path!r}: expected finite numbers, found NaN or inf")
    return values.astype(dtype)


def init_bias(init, shape, *, dtype=np.float64):
    """A bias: ``"zeros"`` (the article's default) or the path of a CSV file holding it.

    Parameters
    ----------
    init : "zeros", or a str or os.PathLike naming a CSV file
    shape : tuple, such as (4H,) for an LSTM layer or (K,) for a head
    dtype : numpy float dtype of the result

    Returns
    -------
    ndarray of shape ``shape``

    Examples
    --------
    >>> init_bias("zeros", (3,))
    array([0., 0., 0.])
    """
    if isinstance(init, str) and init == "zeros":
        return np.zeros(shape, dtype=dtype)
    if is_csv_path(init):
        return load_csv(init, shape, dtype=dtype)
    raise ValueError(f"unknown bias initialiser {init!r}: expected 'zeros' or the path of a CSV file")


def init_gate_weights(init, input_size, hidden_size, n_gates, rng, dtype, recurrent_size=None):
    """``W_x (D, kH)`` and ``W_h (H, kH)`` for k gates, each gate drawn as one ``[D + H, H]`` matrix.

    With a projection (an LSTM's ``num_proj=P``) the recurrent input h_prev has P columns:
    ``W_h`` is then (P, kH) and each gate is drawn as one ``[D + P, H]`` matrix.

    ``"orthogonal"`` is the exception: each gate's (H, H) recurrent block is an orthogonal matrix
    of its own and each (D, H) input block has orthonormal rows or columns (docs/models.md).

    A CSV path holds the whole ``[D + H, kH]`` (or ``[D + P, kH]``) kernel instead (rows of x above rows of h, the
    gates side by side in the cell's order), since one file cannot serve every gate.

    Parameters
    ----------
    init : str, an initialiser name of :func:`init_matrix`, or a CSV path
    input_size : int, D
    hidden_size : int, H
    n_gates : int, k: 4 for an LSTM, 3 for a GRU, 1 for an RNN
    rng : int, numpy.random.Generator or None
    dtype : numpy float dtype of the result
    recurrent_size : None (H), or P, the width of h_prev with a projection

    Returns
    -------
    W_x : ndarray of shape (D, kH): (D, 4H) for an LSTM, (D, 3H) for a GRU
    W_h : ndarray of shape (H, kH): (H, 4H) for an LSTM, (H, 3H) for a GRU; (P, kH) with a projection
    """
    rng = as_rng(rng)
    D, H = input_size, hidden_size
    R = H if recurrent_size is None else recurrent_size   # rows of W_h: H, or P with a projection
    if is_csv_path(init):
        kernel = load_csv(init, (D + R, n_gates * H), dtype=dtype)   # (D + H, kH), or (D + P, kH)
        return kernel[:D].copy(), kernel[D:].copy()
    if init == "orthogonal":                 # orthogonal where it matters: each gate's (H, H) recurrent block
        W_x = np.concatenate([orthogonal((D, H), rng) for _ in range(n_gates)], axis=1).astype(dtype)
        W_h = np.concatenate([orthogonal((R, H), rng) for _ in range(n_gates)], axis=1).astype(dtype)
        return W_x, W_h
    blocks = [init_matrix(init, (D + R, H), rng, dtype=dtype, hidden_size=H) for _ in range(n_gates)]
    W_x = np.concatenate([w[:D] for w in blocks], axis=1)   # (D, kH)
    W_h = np.concatenate([w[D:] for w in blocks], axis=1)   # (H, kH)
    return W_x, W_h
