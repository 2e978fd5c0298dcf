"""The plain (Elman) RNN layer: one step forward, one step backward, and the cell around them.

Equations, numbered as in docs/rnn.md (row vectors, ``x @ W``):

    a = x W_x + h_prev W_h + b          (1)   (B, H)
    h = act(a),  act = tanh or relu     (2)   (B, H)
"""
import numpy as np

from .activations import relu, relu_grad, tanh_grad
from .cell import Cell

ACTIVATIONS = ("tanh", "relu")


def rnn_step_forward(x, h_prev, W_x, W_h, b, activation="tanh"):
    """One RNN step, eqs. (1)-(2) of docs/rnn.md.

    Parameters
    ----------
    x : ndarray of shape (B, D)
    h_prev : ndarray of shape (B, H)
    W_x : ndarray of shape (D, H)
    W_h : ndarray of shape (H, H)
    b : ndarray of shape (H,)
    activation : "tanh" or "relu"

    Returns
    -------
    h : ndarray of shape (B, H)
    cache : dict of what the backward step needs

    Examples
    --------
    >>> B, D, H = 2, 3, 4
    >>> h, cache = rnn_step_forward(np.ones((B, D)), np.zeros((B, H)),
    ...                             np.ones((D, H)), np.ones((H, H)), np.zeros(H))
    >>> h.shape
    (2, 4)
    """
    a = x @ W_x + h_prev @ W_h + b                            # (B, H)  eq. (1)
    h = np.tanh(a) if activation == "tanh" else relu(a)       # (B, H)  eq. (2)
    cache = {"x": x, "h_prev": h_prev, "h": h, "W_x": W_x, "W_h": W_h, "activation": activation}
    return h, cache


def rnn_step_backward(dh, cache):
    """Backward of :func:`rnn_step_forward`, eqs. (2) then (1); each ``dfoo`` has ``foo``'s shape.

    Parameters
    ----------
    dh : ndarray of shape (B, H), dL/dh (from the output and from step t+1 together)
    cache : dict from :func:`rnn_step_forward`

    Returns
    -------
    dx : (B, D), dh_prev : (B, H), dparams : dict with dW_x (D, H), dW_h (H, H), db (H,)
    """
    x, h_prev, h, activation = cache["x"], cache["h_prev"], cache["h"], cache["activation"]
    W_x, W_h = cache["W_x"], cache["W_h"]
    act_grad = tanh_grad(h) if activation == "tanh" else relu_grad(h)   # (B, H)  eq. (2)
    da = dh * act_grad                                        # (B, H)  eq. (2)
    dx = da @ W_x.T                                           # (B, D)  eq. (1)
    dh_prev = da @ W_h.T                                      # (B, H)  eq. (1)
    dW_x = x.T @ da                                           # (D, H)  eq. (1)
    dW_h = h_prev.T @ da                                      # (H, H)  eq. (1)
    db = da.sum(axis=0)                                       # (H,)    eq. (1), b fans out over B
    return dx, dh_prev, {"W_x": dW_x, "W_h": dW_h, "b": db}


class RNNCell(Cell):
    """A tanh or relu RNN layer: ``h = act(x W_x + h_prev W_h + b)``, docs/rnn.md eqs. (1)-(2).

    Parameters
    ----------
    input_size : int, D
    hidden_size : int, H
    activation : "tanh" (default) or "relu"
    init : str, weight initialiser (see :mod:`lstm_numpy.initializers`); biases start at zero
    rng : int seed or numpy.random.Generator
    dtype : float32 or float64

    ``params``: ``W_x (D, H)``, ``W_h (H, H)``, ``b (H,)``. State: an ndarray (B, H).

    Examples
    --------
    >>> cell = RNNCell(3, 5, rng=0)
    >>> {name: p.shape for name, p in cell.params.items()}
    {'W_x': (3, 5), 'W_h': (5, 5), 'b': (5,)}
    """

    kind = "rnn"
    OPTIONS = {"activation": "tanh"}

    def __init__(self, input_size, hidden_size, *, activation="tanh", init="dl", rng=None,
                 dtype=np.float64):
        if activation not in ACTIVATIONS:
            raise ValueError(f"expected activation 'tanh' or 'relu', got {activation!r}")
        self.activation = activation
        super().__init__(input_size, hidden_size, init=init, rng=rng, dtype=dtype)

    def step_quantities(self):
        """h, eq. (2), for the trace: [(key, name, meaning)]."""
        return [("h", "h_t", f"{self.activation}([x, h] w + b)")]

    def step(self, x, state):
        """One step, eqs. (1)-(2): for an RNN the new state is ``h`` itself.

        Parameters
        ----------
        x : ndarray of shape (B, D)
        state : ndarray of shape (B, H), h_prev

        Returns
        -------
        h : ndarray of shape (B, H), the output
        new_state : the same array h
        cache : dict from :func:`rnn_step_forward`
        """
        h, cache = rnn_step_forward(x, state, **self.params, activation=self.activation)
        return h, h, cache

    def step_backward(self, dh, dstate, cache):
        """Backward of :meth:`step`, eqs. (2) then (1).

        ``dh`` is dL/d(output) and ``dstate`` dL/d(new state); both are the same h, so they add.

        Parameters
        ----------
        dh : ndarray of shape (B, H), dL/d(output)
        dstate : ndarray of shape (B, H), dL/d(new state)
        cache : dict from :meth:`step`

        Returns
        -------
        dx : (B, D), dstate_prev : (B, H), dparams : dict with the keys and shapes of ``params``
        """
        return rnn_step_backward(dh + dstate, cache)

    def _extra_repr(self):
        return f", activation={self.activation!r}"
