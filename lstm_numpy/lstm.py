"""The LSTM layer: one step forward, one step backward, and the cell around them.

Equations, numbered as in docs/lstm.md (row vectors, gates ``i, f, g, o`` along the last axis):

    a = x W_x + h_prev W_h + b                  (1)   (B, 4H)
    i = sigma(a_i)                              (2)   (B, H)  input gate
    f = sigma(a_f + forget_bias)                (3)   (B, H)  forget gate
    g = tanh(a_g)                               (4)   (B, H)  candidate
    o = sigma(a_o)                              (5)   (B, H)  output gate
    c = f * c_prev + i * g                      (6)   (B, H)
    h = o * tanh(c)                             (7)   (B, H)
"""
import numbers

import numpy as np

from .activations import sigmoid, sigmoid_grad, tanh_grad
from .cell import Cell
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


class LSTMCell(Cell):
    """An LSTM layer, docs/lstm.md eqs. (1)-(7).

    Parameters
    ----------
    input_size : int, D
    hidden_size : int, H
    forget_bias : float, added to the forget gate at run time (not a parameter). 0.0 by default,
        as in PyTorch; TensorFlow's BasicLSTMCell uses 1.0.
    init : str, weight initialiser (see :mod:`lstm_numpy.initializers`); biases start at zero
    rng : int seed or numpy.random.Generator
    dtype : float32 or float64

    ``params``: ``W_x (D, 4H)``, ``W_h (H, 4H)``, ``b (4H,)``, gates ``i, f, g, o`` along the last
    axis. State: ``LSTMState(c, h)``, each (B, H).

    Examples
    --------
    >>> cell = LSTMCell(3, 5, rng=0)
    >>> {name: p.shape for name, p in cell.params.items()}
    {'W_x': (3, 20), 'W_h': (5, 20), 'b': (20,)}
    >>> cell.zero_state(2).c.shape
    (2, 5)
    """

    kind = "lstm"
    gates = ("i", "f", "g", "o")
    n_blocks = 4
    state_parts = ("c", "h")
    OPTIONS = {"forget_bias": 0.0}

    def __init__(self, input_size, hidden_size, *, forget_bias=0.0, init="dl", rng=None,
                 dtype=np.float64):
        if isinstance(forget_bias, bool) or not isinstance(forget_bias, numbers.Real):
            raise TypeError(f"expected forget_bias as a real number, got {type(forget_bias).__name__} {forget_bias!r}")
        if not np.isfinite(forget_bias):
            raise ValueError(f"expected a finite forget_bias, got {forget_bias}")
        self.forget_bias = float(forget_bias)
        super().__init__(input_size, hidden_size, init=init, rng=rng, dtype=dtype)
        if abs(self.forget_bias) > float(np.finfo(self.dtype).max):
            raise ValueError(f"expected forget_bias within the range of {self.dtype.name}, got {forget_bias}")

    def step_quantities(self):
        """The gates, c and h in the order of eqs. (2)-(7), for the trace: (key, name, meaning) each."""
        shift = " + forget_bias" if self.forget_bias else ""
        return [("i", "i_t", "input gate: sigma([x, h] w_i + b_i)"),
                ("f", "f_t", f"forget gate: sigma([x, h] w_f + b_f{shift})"),
                ("g", "g_t", "candidate (the article's C~): tanh([x, h] w_g + b_g)"),
                ("o", "o_t", "output gate: sigma([x, h] w_o + b_o)"),
                ("c", "c_t", "f * c_{t-1} + i * g"),
                ("tanh_c", "tanh(c_t)", "tanh of the new cell state"),
                ("h", "h_t", "o * tanh(c_t)")]

    def make_state(self, parts):
        """``LSTMState(c, h)`` from ``{"c": c, "h": h}``, each (B, H)."""
        return LSTMState(parts["c"], parts["h"])

    def state_arrays(self, state):
        """``{"c": state.c, "h": state.h}``, each (B, H): the inverse of :meth:`make_state`."""
        return {"c": state.c, "h": state.h}

    def step(self, x, state):
        """One step, eqs. (1)-(7).

        Parameters
        ----------
        x : ndarray of shape (B, D)
        state : LSTMState(c_prev, h_prev), each (B, H)

        Returns
        -------
        h : ndarray of shape (B, H), the output
        new_state : LSTMState(c, h), each (B, H); its h is the output array itself
        cache : dict from :func:`lstm_step_forward`
        """
        h, c, cache = lstm_step_forward(x, state.h, state.c, **self.params, forget_bias=self.forget_bias)
        return h, LSTMState(c, h), cache

    def step_backward(self, dh, dstate, cache):
        """Backward of :meth:`step`, eqs. (7) down to (1).

        The output ``h`` and the state's ``h`` are one array, so their gradients add.

        Parameters
        ----------
        dh : ndarray of shape (B, H), dL/d(output)
        dstate : LSTMState(dc, dh), each (B, H), dL/d(new state)
        cache : dict from :meth:`step`

        Returns
        -------
        dx : (B, D), dstate_prev : LSTMState(dc_prev, dh_prev), each (B, H),
        dparams : dict with the keys and shapes of ``params``
        """
        dx, dh_prev, dc_prev, dparams = lstm_step_backward(dh + dstate.h, dstate.c, cache)
        return dx, LSTMState(dc_prev, dh_prev), dparams

    def _extra_repr(self):
        return f", forget_bias={self.forget_bias}"
