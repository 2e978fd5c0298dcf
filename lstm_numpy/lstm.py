"""The LSTM layer: one step forward, one step backward, and the cell around them.

Equations, numbered as in docs/lstm.md (row vectors, gates ``i, f, g, o`` along the last axis):

    a = x W_x + h_prev W_h + b                  (1)   (B, 4H)
    i = sigma(a_i)                              (2)   (B, H)  input gate
    f = sigma(a_f + forget_bias)                (3)   (B, H)  forget gate
    g = tanh(a_g)                               (4)   (B, H)  candidate
    o = sigma(a_o)                              (5)   (B, H)  output gate
    c = f * c_prev + i * g                      (6)   (B, H)
    h = o * tanh(c)                             (7)   (B, H)

TensorFlow 1.x's full ``LSTMCell`` adds three options (:func:`lstm_variant_step_forward`); with
them (2), (3) and (5) read the cell state through peepholes, c is clipped, and the output
``m = o * tanh(c)`` of eq. (7) is projected to P columns (H stays the width of c and the gates):

    i = sigma(a_i + w_i_diag * c_prev)          (8)   (B, H)  peephole, use_peepholes
    f = sigma(a_f + forget_bias + w_f_diag * c_prev)   (9)   (B, H)  peephole
    c = clip(c_hat, cell_clip)                  (10)  (B, H)  c_hat is eq. (6)'s sum
    o = sigma(a_o + w_o_diag * c)               (11)  (B, H)  peephole on the new c
    h_hat = m W_proj                            (12)  (B, P)  m is eq. (7)'s o * tanh(c)
    h = clip(h_hat, proj_clip)                  (13)  (B, P)

``clip(v, bound)`` is v limited to [-bound, bound] (v itself when bound is None); its gradient
is 1 where -bound <= v <= bound, the boundary included (TensorFlow's clip_by_value), else 0.
"""
import numbers

import numpy as np

from .activations import sigmoid, sigmoid_grad, tanh_grad
from .cell import Cell
from .checks import check_size
from .initializers import as_rng, init_matrix, is_csv_path
from .state import LSTMState


def lstm_step_forward(x, h_prev, c_prev, W_x, W_h, b, forget_bias=0.0):
    """One LSTM step, eqs. (1)-(7) of docs/lstm.md.

    Parameters
    ----------
    x : ndarray of shape (B, D)
    h_prev, c_prev : ndarrays of shape (B, H)
    W_x : ndarray of shape (D, 4H)
    W_h : ndarray of shape (H, 4H)
    b : ndarray of shape (4H,)
    forget_bias : float added to the forget gate's pre-activation at run time

    Returns
    -------
    h, c : ndarrays of shape (B, H)
    cache : dict with every gate and what the backward step needs

    Examples
    --------
    >>> B, D, H = 2, 3, 4
    >>> h, c, cache = lstm_step_forward(np.ones((B, D)), np.zeros((B, H)), np.zeros((B, H)),
    ...                                 np.ones((D, 4 * H)), np.ones((H, 4 * H)), np.zeros(4 * H))
    >>> h.shape, cache["f"].shape
    ((2, 4), (2, 4))
    """
    a = x @ W_x + h_prev @ W_h + b                            # (B, 4H)  eq. (1)
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)               # 4 x (B, H)
    i = sigmoid(a_i)                                          # (B, H)  eq. (2)
    f = sigmoid(a_f + forget_bias)                            # (B, H)  eq. (3)
    g = np.tanh(a_g)                                          # (B, H)  eq. (4)
    o = sigmoid(a_o)                                          # (B, H)  eq. (5)
    c = f * c_prev + i * g                                    # (B, H)  eq. (6)
    tanh_c = np.tanh(c)                                       # (B, H)  eq. (7)
    h = o * tanh_c                                            # (B, H)  eq. (7)
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "i": i, "f": f, "g": g, "o": o,
             "c": c, "tanh_c": tanh_c, "h": h, "W_x": W_x, "W_h": W_h}
    return h, c, cache


def lstm_step_backward(dh, dc_next, cache):
    """Backward of :func:`lstm_step_forward`, eqs. (7) down to (1); each ``dfoo`` has ``foo``'s shape.

    Parameters
    ----------
    dh : ndarray of shape (B, H), dL/dh (from the output and from step t+1 together)
    dc_next : ndarray of shape (B, H), dL/dc arriving from step t+1
    cache : dict from :func:`lstm_step_forward`

    Returns
    -------
    dx : (B, D), dh_prev : (B, H), dc_prev : (B, H),
    dparams : dict with dW_x (D, 4H), dW_h (H, 4H), db (4H,)
    """
    x, h_prev, c_prev = cache["x"], cache["h_prev"], cache["c_prev"]
    i, f, g, o, tanh_c = cache["i"], cache["f"], cache["g"], cache["o"], cache["tanh_c"]
    W_x, W_h = cache["W_x"], cache["W_h"]
    do = dh * tanh_c                                          # (B, H)  eq. (7)
    dc = dc_next + dh * o * tanh_grad(tanh_c)                 # (B, H)  eq. (7), c fans out to h and c_next
    df = dc * c_prev                                          # (B, H)  eq. (6)
    dc_prev = dc * f                                          # (B, H)  eq. (6)
    di = dc * g                                               # (B, H)  eq. (6)
    dg = dc * i                                               # (B, H)  eq. (6)
    da_o = do * sigmoid_grad(o)                               # (B, H)  eq. (5)
    da_g = dg * tanh_grad(g)                                  # (B, H)  eq. (4)
    da_f = df * sigmoid_grad(f)                               # (B, H)  eq. (3), forget_bias is a constant
    da_i = di * sigmoid_grad(i)                               # (B, H)  eq. (2)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)     # (B, 4H)  eqs. (2)-(5), gates i, f, g, o
    dx = da @ W_x.T                                           # (B, D)   eq. (1)
    dh_prev = da @ W_h.T                                      # (B, H)   eq. (1)
    dW_x = x.T @ da                                           # (D, 4H)  eq. (1)
    dW_h = h_prev.T @ da                                      # (H, 4H)  eq. (1)
    db = da.sum(axis=0)                                       # (4H,)    eq. (1), b fans out over B
    return dx, dh_prev, dc_prev, {"W_x": dW_x, "W_h": dW_h, "b": db}


def clip(v, bound):
    """``v`` limited to ``[-bound, bound]``, eqs. (10) and (13); ``v`` itself when ``bound`` is None.

    Parameters
    ----------
    v : ndarray of any shape, such as c_hat (B, H) or h_hat (B, P)
    bound : None, or a positive float

    Returns
    -------
    ndarray of ``v``'s shape
    """
    return v if bound is None else np.clip(v, -bound, bound)


def clip_grad(dv, v, bound):
    """Backward of :func:`clip`, eqs. (10) and (13): ``dv`` where ``-bound <= v <= bound``, else 0.

    At the boundary itself the gradient passes, as through TensorFlow's ``clip_by_value``
    (a minimum, then a maximum, whose gradients go to their first input on a tie).

    Parameters
    ----------
    dv : ndarray, dL/d(clip(v)), of ``v``'s shape
    v : ndarray of any shape, the value before the clip
    bound : None, or a positive float

    Returns
    -------
    ndarray of ``v``'s shape, dL/dv
    """
    return dv if bound is None else np.where(np.abs(v) <= bound, dv, 0.0).astype(dv.dtype, copy=False)


def lstm_variant_step_forward(x, h_prev, c_prev, W_x, W_h, b, *, w_i_diag=None, w_f_diag=None, w_o_diag=None,
                              W_proj=None, forget_bias=0.0, cell_clip=None, proj_clip=None):
    """One step of TensorFlow 1.x's full LSTMCell, eqs. (1), (4), (6), (7) with (2), (3), (5) or
    their peephole forms (8), (9), (11), and the clips and projection (10), (12), (13).

    Parameters
    ----------
    x : ndarray of shape (B, D)
    h_prev : ndarray of shape (B, P), the previous output (P = H without a projection)
    c_prev : ndarray of shape (B, H)
    W_x : ndarray of shape (D, 4H)
    W_h : ndarray of shape (P, 4H)
    b : ndarray of shape (4H,)
    w_i_diag, w_f_diag, w_o_diag : None (no peepholes), or ndarrays of shape (H,)
    W_proj : None (no projection), or ndarray of shape (H, P)
    forget_bias : float added to the forget gate's pre-activation at run time
    cell_clip, proj_clip : None, or positive floats: c and h are clipped to +-these

    Returns
    -------
    h : ndarray of shape (B, P), the output and the next step's h_prev
    c : ndarray of shape (B, H)
    cache : dict with every quantity and what the backward step needs

    Examples
    --------
    >>> B, D, H, P = 2, 3, 4, 1
    >>> h, c, cache = lstm_variant_step_forward(np.ones((B, D)), np.zeros((B, P)), np.zeros((B, H)),
    ...                                         np.ones((D, 4 * H)), np.ones((P, 4 * H)), np.zeros(4 * H),
    ...                                         W_proj=np.ones((H, P)), cell_clip=0.5)
    >>> h.shape, c.shape, cache["m"].shape, float(c.max())
    ((2, 1), (2, 4), (2, 4), 0.5)
    """
    peepholes = w_i_diag is not None
    a = x @ W_x + h_prev @ W_h + b                            # (B, 4H)  eq. (1), h_prev of width P
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)               # 4 x (B, H)
    if peepholes:
        i = sigmoid(a_i + w_i_diag * c_prev)                  # (B, H)  eq. (8)
        f = sigmoid(a_f + forget_bias + w_f_diag * c_prev)    # (B, H)  eq. (9)
    else:
        i = sigmoid(a_i)                                      # (B, H)  eq. (2)
        f = sigmoid(a_f + forget_bias)                        # (B, H)  eq. (3)
    g = np.tanh(a_g)                                          # (B, H)  eq. (4)
    c_hat = f * c_prev + i * g                                # (B, H)  eq. (6), before the clip
    c = clip(c_hat, cell_clip)                                # (B, H)  eq. (10)
    if peepholes:
        o = sigmoid(a_o + w_o_diag * c)                       # (B, H)  eq. (11), the new c
    else:
        o = sigmoid(a_o)                                      # (B, H)  eq. (5)
    tanh_c = np.tanh(c)                                       # (B, H)  eq. (7)
    m = o * tanh_c                                            # (B, H)  eq. (7), the basic cell's h
    h_hat = m if W_proj is None else m @ W_proj               # (B, P)  eq. (12), before the clip
    h = clip(h_hat, proj_clip)                                # (B, P)  eq. (13)
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "i": i, "f": f, "g": g, "c_hat": c_hat,
             "c": c, "o": o, "tanh_c": tanh_c, "m": m, "h_hat": h_hat, "h": h,
             "W_x": W_x, "W_h": W_h, "w_i_diag": w_i_diag, "w_f_diag": w_f_diag, "w_o_diag": w_o_diag,
             "W_proj": W_proj, "cell_clip": cell_clip, "proj_clip": proj_clip}
    return h, c, cache


def lstm_variant_step_backward(dh, dc_next, cache):
    """Backward of :func:`lstm_variant_step_forward`, eqs. (13) down to (1); each ``dfoo`` has ``foo``'s shape.

    A clipped value passes no gradient where the clip changed it; at the boundary it passes
    (:func:`clip_grad`).

    Parameters
    ----------
    dh : ndarray of shape (B, P), dL/dh (from the output and from step t+1 together)
    dc_next : ndarray of shape (B, H), dL/dc arriving from step t+1
    cache : dict from :func:`lstm_variant_step_forward`

    Returns
    -------
    dx : (B, D), dh_prev : (B, P), dc_prev : (B, H),
    dparams : dict with dW_x (D, 4H), dW_h (P, 4H), db (4H,), and dw_i_diag, dw_f_diag,
        dw_o_diag (H,) with peepholes, dW_proj (H, P) with a projection
    """
    x, h_prev, c_prev = cache["x"], cache["h_prev"], cache["c_prev"]
    i, f, g, o, c, tanh_c, m = cache["i"], cache["f"], cache["g"], cache["o"], cache["c"], cache["tanh_c"], cache["m"]
    W_x, W_h, W_proj = cache["W_x"], cache["W_h"], cache["W_proj"]
    w_i_diag, w_f_diag, w_o_diag = cache["w_i_diag"], cache["w_f_diag"], cache["w_o_diag"]
    h_hat, c_hat, proj_clip, cell_clip = cache["h_hat"], cache["c_hat"], cache["proj_clip"], cache["cell_clip"]
    peepholes = w_i_diag is not None
    dh_hat = clip_grad(dh, h_hat, proj_clip)                  # (B, P)  eq. (13), none where clipped
    if W_proj is None:
        dm = dh_hat                                           # (B, H)  eq. (12), h_hat is m
    else:
        dm = dh_hat @ W_proj.T                                # (B, H)  eq. (12)
        dW_proj = m.T @ dh_hat                                # (H, P)  eq. (12)
    do = dm * tanh_c                                          # (B, H)  eq. (7)
    dc = dc_next + dm * o * tanh_grad(tanh_c)                 # (B, H)  eq. (7), c fans out to m and c_next
    da_o = do * sigmoid_grad(o)                               # (B, H)  eqs. (5), (11)
    if peepholes:
        dc = dc + da_o * w_o_diag                             # (B, H)  eq. (11), c fans out to o too
        dw_o_diag = (da_o * c).sum(axis=0)                    # (H,)     eq. (11), summed over B
    dc_hat = clip_grad(dc, c_hat, cell_clip)                  # (B, H)  eq. (10), none where clipped
    df = dc_hat * c_prev                                      # (B, H)  eq. (6)
    dc_prev = dc_hat * f                                      # (B, H)  eq. (6)
    di = dc_hat * g                                           # (B, H)  eq. (6)
    dg = dc_hat * i                                           # (B, H)  eq. (6)
    da_g = dg * tanh_grad(g)                                  # (B, H)  eq. (4)
    da_f = df * sigmoid_grad(f)                               # (B, H)  eqs. (3), (9)
    da_i = di * sigmoid_grad(i)                               # (B, H)  eqs. (2), (8)
    if peepholes:
        dc_prev = dc_prev + da_f * w_f_diag                   # (B, H)  eq. (9), c_prev fans out to f
        dc_prev = dc_prev + da_i * w_i_diag                   # (B, H)  eq. (8), ... and to i
        dw_f_diag = (da_f * c_prev).sum(axis=0)               # (H,)     eq. (9)
        dw_i_diag = (da_i * c_prev).sum(axis=0)               # (H,)     eq. (8)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)     # (B, 4H)  gates i, f, g, o
    dx = da @ W_x.T                                           # (B, D)   eq. (1)
    dh_prev = da @ W_h.T                                      # (B, P)   eq. (1)
    dW_x = x.T @ da                                           # (D, 4H)  eq. (1)
    dW_h = h_prev.T @ da                                      # (P, 4H)  eq. (1)
    db = da.sum(axis=0)                                       # (4H,)    eq. (1), b fans out over B
    dparams = {"W_x": dW_x, "W_h": dW_h, "b": db}
    if peepholes:
        dparams.update(w_i_diag=dw_i_diag, w_f_diag=dw_f_diag, w_o_diag=dw_o_diag)
    if W_proj is not None:
        dparams["W_proj"] = dW_proj
    return dx, dh_prev, dc_prev, dparams


class LSTMCell(Cell):
    """An LSTM layer, docs/lstm.md eqs. (1)-(7); with TensorFlow 1.x LSTMCell's options, eqs. (8)-(13).

    Parameters
    ----------
    input_size : int, D
    hidden_size : int, H
    forget_bias : float, added to the forget gate at run time (not a parameter). 0.0 by default,
        as in PyTorch; TensorFlow's BasicLSTMCell and LSTMCell use 1.0.
    use_peepholes : bool, the gates i, f read c_prev and o reads c (eqs. (8), (9), (11))
    cell_clip : None, or a positive float: c is clipped to [-cell_clip, cell_clip] (eq. (10))
    num_proj : None, or int P: the output is h = (o * tanh(c)) W_proj, of width P (eq. (12))
    proj_clip : None, or a positive float: with num_proj, h is clipped to +-proj_clip (eq. (13))
    init : str, weight initialiser (see :mod:`lstm_numpy.initializers`); biases and peepholes
        start at zero; W_proj is drawn by ``init`` as one (H, P) matrix
    rng : int seed or numpy.random.Generator
    dtype : float32 or float64

    ``params``: ``W_x (D, 4H)``, ``W_h (H, 4H)``, ``b (4H,)``, gates ``i, f, g, o`` along the last
    axis; with peepholes ``w_i_diag, w_f_diag, w_o_diag`` (H,) each; with ``num_proj=P``,
    ``W_proj (H, P)``, and ``W_h`` is then (P, 4H). State: ``LSTMState(c, h)``, each (B, H), or
    c (B, H) and h (B, P) with a projection; the output is h, of width ``output_size``.

    Examples
    --------
    >>> cell = LSTMCell(3, 5, rng=0)
    >>> {name: p.shape for name, p in cell.params.items()}
    {'W_x': (3, 20), 'W_h': (5, 20), 'b': (20,)}
    >>> cell.zero_state(2).c.shape
    (2, 5)
    >>> cell = LSTMCell(3, 5, use_peepholes=True, num_proj=2, rng=0)
    >>> {name: p.shape for name, p in cell.params.items()}
    {'W_x': (3, 20), 'W_h': (2, 20), 'b': (20,), 'w_i_diag': (5,), 'w_f_diag': (5,), 'w_o_diag': (5,), 'W_proj': (5, 2)}
    >>> cell.output_size, cell.zero_state(4).h.shape
    (2, (4, 2))
    """

    kind = "lstm"
    gates = ("i", "f", "g", "o")
    n_blocks = 4
    state_parts = ("c", "h")
    OPTIONS = {"forget_bias": 0.0, "use_peepholes": False, "cell_clip": None, "num_proj": None,
               "proj_clip": None}

    def __init__(self, input_size, hidden_size, *, forget_bias=0.0, use_peepholes=False, cell_clip=None,
                 num_proj=None, proj_clip=None, init="dl", rng=None, dtype=np.float64):
        if isinstance(forget_bias, bool) or not isinstance(forget_bias, numbers.Real):
            raise TypeError(f"expected forget_bias as a real number, got {type(forget_bias).__name__} {forget_bias!r}")
        if not np.isfinite(forget_bias):
            raise ValueError(f"expected a finite forget_bias, got {forget_bias}")
        if not isinstance(use_peepholes, (bool, np.bool_)):
            raise TypeError(f"expected use_peepholes as True or False, got {type(use_peepholes).__name__} "
                            f"{use_peepholes!r}")
        if num_proj is not None:
            num_proj = check_size("num_proj", num_proj)
        if proj_clip is not None and num_proj is None:
            raise ValueError(f"proj_clip clips the projection: it needs num_proj, got proj_clip={proj_clip!r} "
                             f"with num_proj=None")
        self.forget_bias = float(forget_bias)
        self.use_peepholes = bool(use_peepholes)
        self.cell_clip = _check_clip("cell_clip", cell_clip)
        self.num_proj = num_proj
        self.proj_clip = _check_clip("proj_clip", proj_clip)
        rng = as_rng(rng)
        super().__init__(input_size, hidden_size, init=init, rng=rng, dtype=dtype)
        if abs(self.forget_bias) > float(np.finfo(self.dtype).max):
            raise ValueError(f"expected forget_bias within the range of {self.dtype.name}, got {forget_bias}")
        if num_proj is not None:
            if is_csv_path(init):
                raise ValueError("a CSV init holds the [D + P, 4H] kernel only, not W_proj (H, P): build the "
                                 "cell with a named init, then write W_proj into params['W_proj']")
            self.params["W_proj"][...] = init_matrix(init, (self.hidden_size, num_proj), rng, dtype=self.dtype,
                                                     hidden_size=self.hidden_size)

    @property
    def output_size(self):
        """The width of the output h: P with a projection (``num_proj``), else H."""
        return self.hidden_size if self.num_proj is None else self.num_proj

    @property
    def variant(self):
        """Whether any of TensorFlow 1.x LSTMCell's options is set (peepholes, a clip, a projection):
        the step then runs :func:`lstm_variant_step_forward` instead of :func:`lstm_step_forward`."""
        return self.use_peepholes or self.num_proj is not None or self.cell_clip is not None

    def param_shapes(self):
        """The shape each entry of ``params`` must have: ``W_x (D, 4H)``, ``W_h (P, 4H)``
        (P = H without a projection), ``b (4H,)``, peepholes (H,), ``W_proj (H, P)``."""
        shapes = super().param_shapes()
        H = self.hidden_size
        if self.use_peepholes:
            shapes.update(w_i_diag=(H,), w_f_diag=(H,), w_o_diag=(H,))
        if self.num_proj is not None:
            shapes["W_proj"] = (H, self.num_proj)
        return shapes

    def step_quantities(self):
        """The gates, c and h in the order of eqs. (2)-(7), for the trace: (key, name, meaning) each;
        with the variants, in the order of eqs. (8)-(13), a fourth entry gives a shape that is not
        (B, H) in letters, such as ``"(B, P)"``."""
        shift = " + forget_bias" if self.forget_bias else ""
        if self.variant:
            return self._variant_quantities(shift)
        return [("i", "i_t", "input gate: sigma([x, h] w_i + b_i)"),
                ("f", "f_t", f"forget gate: sigma([x, h] w_f + b_f{shift})"),
                ("g", "g_t", "candidate (the article's C~): tanh([x, h] w_g + b_g)"),
                ("o", "o_t", "output gate: sigma([x, h] w_o + b_o)"),
                ("c", "c_t", "f * c_{t-1} + i * g"),
                ("tanh_c", "tanh(c_t)", "tanh of the new cell state"),
                ("h", "h_t", "o * tanh(c_t)")]

    def _variant_quantities(self, shift):
        """step_quantities with the peepholes, the clips and the projection."""
        peep = self.use_peepholes
        rows = [(name, name, f"peephole weights of gate {name[2]}", "(H,)")
                for name in ("w_i_diag", "w_f_diag", "w_o_diag") if peep]
        rows += [("i", "i_t", "input gate: sigma([x, h] w_i + b_i" + (" + w_i_diag * c_{t-1})" if peep else ")")),
                ("f", "f_t", f"forget gate: sigma([x, h] w_f + b_f{shift}" + (" + w_f_diag * c_{t-1})" if peep else ")")),
                ("g", "g_t", "candidate (the article's C~): tanh([x, h] w_g + b_g)")]
        if self.cell_clip is not None:
            rows += [("c_hat", "c_hat_t", "f * c_{t-1} + i * g, before the clip"),
                     ("c", "c_t", f"clip(c_hat_t, +-cell_clip={self.cell_clip:g})")]
        else:
            rows += [("c", "c_t", "f * c_{t-1} + i * g")]
        rows += [("o", "o_t", "output gate: sigma([x, h] w_o + b_o" + (" + w_o_diag * c_t)" if peep else ")")),
                 ("tanh_c", "tanh(c_t)", "tanh of the new cell state")]
        if self.num_proj is None:
            return rows + [("h", "h_t", "o * tanh(c_t)")]
        rows += [("m", "m_t", "o * tanh(c_t), before the projection"),
                 ("W_proj", "W_proj", "projection weights", "(H, P)")]
        if self.proj_clip is not None:
            rows += [("h_hat", "h_hat_t", "m_t W_proj, the projection", "(B, P)"),
                     ("h", "h_t", f"clip(h_hat_t, +-proj_clip={self.proj_clip:g})", "(B, P)")]
        else:
            rows += [("h", "h_t", "m_t W_proj, the projection", "(B, P)")]
        return rows

    def make_state(self, parts):
        """``LSTMState(c, h)`` from ``{"c": c, "h": h}``, c (B, H), h (B, H) or (B, P)."""
        return LSTMState(parts["c"], parts["h"])

    def state_arrays(self, state):
        """``{"c": state.c, "h": state.h}``, c (B, H), h (B, P): the inverse of :meth:`make_state`."""
        return {"c": state.c, "h": state.h}

    def step(self, x, state):
        """One step, eqs. (1)-(7), or with the variants eqs. (1)-(13).

        Parameters
        ----------
        x : ndarray of shape (B, D)
        state : LSTMState(c_prev, h_prev), c_prev (B, H), h_prev (B, P) (P = H without a projection)

        Returns
        -------
        h : ndarray of shape (B, P), the output
        new_state : LSTMState(c, h), c (B, H); its h is the output array itself
        cache : dict from :func:`lstm_step_forward` (:func:`lstm_variant_step_forward` with the variants)
        """
        if self.variant:
            h, c, cache = lstm_variant_step_forward(x, state.h, state.c, **self.params, forget_bias=self.forget_bias,
                                                    cell_clip=self.cell_clip, proj_clip=self.proj_clip)
        else:
            h, c, cache = lstm_step_forward(x, state.h, state.c, **self.params, forget_bias=self.forget_bias)
        return h, LSTMState(c, h), cache

    def step_backward(self, dh, dstate, cache):
        """Backward of :meth:`step`, eqs. (7) down to (1).

        The output ``h`` and the state's ``h`` are one array, so their gradients add.

        Parameters
        ----------
        dh : ndarray of shape (B, P), dL/d(output) (P = H without a projection)
        dstate : LSTMState(dc, dh), dc (B, H), dh (B, P), dL/d(new state)
        cache : dict from :meth:`step`

        Returns
        -------
        dx : (B, D), dstate_prev : LSTMState(dc_prev (B, H), dh_prev (B, P)),
        dparams : dict with the keys and shapes of ``params``
        """
        backward = lstm_variant_step_backward if self.variant else lstm_step_backward
        dx, dh_prev, dc_prev, dparams = backward(dh + dstate.h, dstate.c, cache)
        return dx, LSTMState(dc_prev, dh_prev), dparams

    def _extra_repr(self):
        extra = "".join(f", {name}={value}" for name, value in self.options().items()
                        if name != "forget_bias" and value != self.OPTIONS[name])
        return f", forget_bias={self.forget_bias}{extra}"


def _check_clip(name, value):
    """None, or ``value`` as a positive finite float; a clear error otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"expected {name} as None or a positive number, got {type(value).__name__} {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"expected {name} as None or a positive finite number, got {value}")
    return float(value)
