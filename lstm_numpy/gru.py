"""The GRU layer in both of its forms: steps forward and backward, and the cell around them.

Equations, numbered as in docs/gru.md (row vectors, gates ``r, z, n`` along the last axis).

reset_after=True (PyTorch, cuDNN, tf.keras in TF 2.x, Keras 3), biases b_x and b_h:

    a_x = x W_x + b_x                           (1)   (B, 3H)
    a_h = h_prev W_h + b_h                      (2)   (B, 3H)
    r = sigma(a_x,r + a_h,r)                    (3)   (B, H)  reset gate
    z = sigma(a_x,z + a_h,z)                    (4)   (B, H)  update gate
    n = tanh(a_x,n + r * a_h,n)                 (5)   (B, H)  candidate
    h = (1 - z) * n + z * h_prev                (6)   (B, H)

reset_after=False (TensorFlow 1.x GRUCell), one bias b, the reset applied before the product:

    a_x = x W_x + b                             (7)   (B, 3H)
    r = sigma(a_x,r + h_prev W_h,r)             (8)   (B, H)
    z = sigma(a_x,z + h_prev W_h,z)             (9)   (B, H)
    n = tanh(a_x,n + (r * h_prev) W_h,n)        (10)  (B, H)
    h = (1 - z) * n + z * h_prev                (11)  (B, H)
"""
import numpy as np

from .activations import sigmoid, sigmoid_grad, tanh_grad
from .cell import Cell


def gru_step_forward(x, h_prev, W_x, W_h, b_x, b_h):
    """One GRU step with the reset after the recurrent product, eqs. (1)-(6) of docs/gru.md.

    Parameters
    ----------
    x : ndarray of shape (B, D)
    h_prev : ndarray of shape (B, H)
    W_x : ndarray of shape (D, 3H)
    W_h : ndarray of shape (H, 3H)
    b_x, b_h : ndarrays of shape (3H,)

    Returns
    -------
    h : ndarray of shape (B, H)
    cache : dict with every gate and what the backward step needs
    """
    a_x = x @ W_x + b_x                                       # (B, 3H)  eq. (1)
    a_h = h_prev @ W_h + b_h                                  # (B, 3H)  eq. (2)
    ax_r, ax_z, ax_n = np.split(a_x, 3, axis=1)               # 3 x (B, H)
    ah_r, ah_z, ah_n = np.split(a_h, 3, axis=1)               # 3 x (B, H)
    r = sigmoid(ax_r + ah_r)                                  # (B, H)  eq. (3)
    z = sigmoid(ax_z + ah_z)                                  # (B, H)  eq. (4)
    n = np.tanh(ax_n + r * ah_n)                              # (B, H)  eq. (5)
    h = (1 - z) * n + z * h_prev                              # (B, H)  eq. (6)
    cache = {"x": x, "h_prev": h_prev, "r": r, "z": z, "n": n, "ah_n": ah_n, "h": h,
             "W_x": W_x, "W_h": W_h}
    return h, cache


def gru_step_backward(dh, cache):
    """Backward of :func:`gru_step_forward`, eqs. (6) down to (1); each ``dfoo`` has ``foo``'s shape.

    Parameters
    ----------
    dh : ndarray of shape (B, H), dL/dh (from the output and from step t+1 together)
    cache : dict from :func:`gru_step_forward`

    Returns
    -------
    dx : (B, D), dh_prev : (B, H),
    dparams : dict with dW_x (D, 3H), dW_h (H, 3H), db_x (3H,), db_h (3H,)
    """
    x, h_prev, r, z, n, ah_n = (cache[k] for k in ("x", "h_prev", "r", "z", "n", "ah_n"))
    W_x, W_h = cache["W_x"], cache["W_h"]
    dn = dh * (1 - z)                                         # (B, H)  eq. (6)
    dz = dh * (h_prev - n)                                    # (B, H)  eq. (6)
    dh_prev = dh * z                                          # (B, H)  eq. (6), first of four paths
    da_n = dn * tanh_grad(n)                                  # (B, H)  eq. (5)
    dr = da_n * ah_n                                          # (B, H)  eq. (5)
    dah_n = da_n * r                                          # (B, H)  eq. (5)
    da_z = dz * sigmoid_grad(z)                               # (B, H)  eq. (4)
    da_r = dr * sigmoid_grad(r)                               # (B, H)  eq. (3)
    da_x = np.concatenate([da_r, da_z, da_n], axis=1)         # (B, 3H) eqs. (3)-(5)
    da_h = np.concatenate([da_r, da_z, dah_n], axis=1)        # (B, 3H) eqs. (3)-(5)
    dx = da_x @ W_x.T                                         # (B, D)  eq. (1)
    dh_prev = dh_prev + da_h @ W_h.T                          # (B, H)  eq. (2), the other three paths
    dW_x = x.T @ da_x                                         # (D, 3H) eq. (1)
    dW_h = h_prev.T @ da_h                                    # (H, 3H) eq. (2)
    db_x = da_x.sum(axis=0)                                   # (3H,)   eq. (1)
    db_h = da_h.sum(axis=0)                                   # (3H,)   eq. (2)
    return dx, dh_prev, {"W_x": dW_x, "W_h": dW_h, "b_x": db_x, "b_h": db_h}


def gru_reset_before_step_forward(x, h_prev, W_x, W_h, b):
    """One GRU step with the reset before the recurrent product, eqs. (7)-(11) of docs/gru.md.

    Parameters
    ----------
    x : ndarray of shape (B, D)
    h_prev : ndarray of shape (B, H)
    W_x : ndarray of shape (D, 3H)
    W_h : ndarray of shape (H, 3H)
    b : ndarray of shape (3H,)

    Returns
    -------
    h : ndarray of shape (B, H)
    cache : dict with every gate and what the backward step needs
    """
    W_hr, W_hz, W_hn = np.split(W_h, 3, axis=1)               # 3 x (H, H)
    a_x = x @ W_x + b                                         # (B, 3H)  eq. (7)
    ax_r, ax_z, ax_n = np.split(a_x, 3, axis=1)               # 3 x (B, H)
    r = sigmoid(ax_r + h_prev @ W_hr)                         # (B, H)  eq. (8)
    z = sigmoid(ax_z + h_prev @ W_hz)                         # (B, H)  eq. (9)
    rh = r * h_prev                                           # (B, H)  eq. (10)
    n = np.tanh(ax_n + rh @ W_hn)                             # (B, H)  eq. (10)
    h = (1 - z) * n + z * h_prev                              # (B, H)  eq. (11)
    cache = {"x": x, "h_prev": h_prev, "r": r, "z": z, "rh": rh, "n": n, "h": h,
             "W_x": W_x, "W_h": W_h}
    return h, cache


def gru_reset_before_step_backward(dh, cache):
    """Backward of :func:`gru_reset_before_step_forward`, eqs. (11) down to (7); each ``dfoo`` has
    ``foo``'s shape.

    Parameters
    ----------
    dh : ndarray of shape (B, H), dL/dh (from the output and from step t+1 together)
    cache : dict from :func:`gru_reset_before_step_forward`

    Returns
    -------
    dx : (B, D), dh_prev : (B, H), dparams : dict with dW_x (D, 3H), dW_h (H, 3H), db (3H,)
    """
    x, h_prev, r, z, rh, n = (cache[k] for k in ("x", "h_prev", "r", "z", "rh", "n"))
    W_x, W_h = cache["W_x"], cache["W_h"]
    W_hr, W_hz, W_hn = np.split(W_h, 3, axis=1)               # 3 x (H, H)
    dn = dh * (1 - z)                                         # (B, H)  eq. (11)
    dz = dh * (h_prev - n)                                    # (B, H)  eq. (11)
    dh_prev = dh * z                                          # (B, H)  eq. (11), first of four paths
    da_n = dn * tanh_grad(n)                                  # (B, H)  eq. (10)
    drh = da_n @ W_hn.T                                       # (B, H)  eq. (10)
    dr = drh * h_prev                                         # (B, H)  eq. (10)
    dh_prev = dh_prev + drh * r                               # (B, H)  eq. (10), second path
    dW_hn = rh.T @ da_n                                       # (H, H)  eq. (10)
    da_z = dz * sigmoid_grad(z)                               # (B, H)  eq. (9)
    dh_prev = dh_prev + da_z @ W_hz.T                         # (B, H)  eq. (9), third path
    dW_hz = h_prev.T @ da_z                                   # (H, H)  eq. (9)
    da_r = dr * sigmoid_grad(r)                               # (B, H)  eq. (8)
    dh_prev = dh_prev + da_r @ W_hr.T                         # (B, H)  eq. (8), fourth path
    dW_hr = h_prev.T @ da_r                                   # (H, H)  eq. (8)
    dW_h = np.concatenate([dW_hr, dW_hz, dW_hn], axis=1)      # (H, 3H) eqs. (8)-(10), blocks r, z, n
    da_x = np.concatenate([da_r, da_z, da_n], axis=1)         # (B, 3H) eqs. (8)-(10)
    dx = da_x @ W_x.T                                         # (B, D)  eq. (7)
    dW_x = x.T @ da_x                                         # (D, 3H) eq. (7)
    db = da_x.sum(axis=0)                                     # (3H,)   eq. (7)
    return dx, dh_prev, {"W_x": dW_x, "W_h": dW_h, "b": db}


class GRUCell(Cell):
    """A GRU layer, docs/gru.md: eqs. (1)-(6) with ``reset_after=True``, (7)-(11) without.

    Parameters
    ----------
    input_size : int, D
    hidden_size : int, H
    reset_after : bool. True (default): the reset gate multiplies ``h_prev W_hn + b_hn``, with two
        biases ``b_x`` and ``b_h`` (PyTorch, cuDNN, tf.keras in TF 2.x, Keras 3). False: it multiplies ``h_prev``
        before the product, with one bias ``b`` (TensorFlow 1.x GRUCell).
    init : str, weight initialiser (see :mod:`lstm_numpy.initializers`); biases start at zero
    rng : int seed or numpy.random.Generator
    dtype : float32 or float64

    ``params``: ``W_x (D, 3H)``, ``W_h (H, 3H)``, and ``b_x (3H,)``, ``b_h (3H,)`` or ``b (3H,)``;
    gates ``r, z, n`` along the last axis. State: an ndarray (B, H).

    Examples
    --------
    >>> {name: p.shape for name, p in GRUCell(3, 5, rng=0).params.items()}
    {'W_x': (3, 15), 'W_h': (5, 15), 'b_x': (15,), 'b_h': (15,)}
    >>> sorted(GRUCell(3, 5, reset_after=False, rng=0).params)
    ['W_h', 'W_x', 'b']
    """

    kind = "gru"
    gates = ("r", "z", "n")
    n_blocks = 3
    concat_form = False   # the reset gate sits between h_prev and W_h,n: no one [x, h] per gate
    OPTIONS = {"reset_after": True}

    def __init__(self, input_size, hidden_size, *, reset_after=True, init="dl", rng=None,
                 dtype=np.float64):
        if not isinstance(reset_after, (bool, np.bool_)):
            raise TypeError(f"expected reset_after as a bool, got {type(reset_after).__name__}")
        self.reset_after = bool(reset_after)
        super().__init__(input_size, hidden_size, init=init, rng=rng, dtype=dtype)

    def param_shapes(self):
        """The shape of each entry of ``params``: ``W_x (D, 3H)``, ``W_h (H, 3H)``, the biases (3H,)."""
        shapes = super().param_shapes()
        if self.reset_after:
            bias = shapes.pop("b")
            shapes.update(b_x=bias, b_h=bias)
        return shapes

    def step_quantities(self):
        """The gates and h in the order of eqs. (3)-(6) or (8)-(11), for the trace: (key, name, meaning) each."""
        if self.reset_after:
            reset = [("n", "n_t", "candidate: tanh(x W_x,n + b_x,n + r * (h W_h,n + b_h,n))")]
            bias = "b_x + b_h"
        else:
            reset = [("rh", "r*h_{t-1}", "reset applied before W_h,n"),
                     ("n", "n_t", "candidate: tanh(x W_x,n + (r * h) W_h,n + b_n)")]
            bias = "b"
        return [("r", "r_t", f"reset gate: sigma(x W_x,r + h W_h,r + {bias})"),
                ("z", "z_t", f"update gate: sigma(x W_x,z + h W_h,z + {bias})"),
                *reset,
                ("h", "h_t", "(1 - z) * n + z * h_{t-1}")]

    def step(self, x, state):
        """One step, eqs. (1)-(6) or (7)-(11): for a GRU the new state is ``h`` itself.

        Parameters
        ----------
        x : ndarray of shape (B, D)
        state : ndarray of shape (B, H), h_prev

        Returns
        -------
        h : ndarray of shape (B, H), the output
        new_state : the same array h
        cache : dict from :func:`gru_step_forward` or :func:`gru_reset_before_step_forward`
        """
        forward = gru_step_forward if self.reset_after else gru_reset_before_step_forward
        h, cache = forward(x, state, **self.params)
        return h, h, cache

    def step_backward(self, dh, dstate, cache):
        """Backward of :meth:`step`, eqs. (6) down to (1) or (11) down to (7).

        Output and state are the same h, so their gradients add.

        Parameters
        ----------
        dh : ndarray of shape (B, H), dL/d(output)
        dstate : ndarray of shape (B, H), dL/d(new state)
        cache : dict from :meth:`step`

        Returns
        -------
        dx : (B, D), dstate_prev : (B, H), dparams : dict with the keys and shapes of ``params``
        """
        backward = gru_step_backward if self.reset_after else gru_reset_before_step_backward
        return backward(dh + dstate, cache)

    def _extra_repr(self):
        return f", reset_after={self.reset_after}"
