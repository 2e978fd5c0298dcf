"""The dense (fully connected) head: ``y = act(x @ W + b)`` over the last axis, forward and backward.

    a = x @ W + b          (D1)   (..., K)
    y = act(a)             (D2)   (..., K), act = identity, tanh, relu or sigmoid
"""
import numpy as np

from ..activations import relu, relu_grad, sigmoid, sigmoid_grad, tanh_grad
from ..checks import check_bytes, check_size
from ..initializers import as_rng, init_bias, init_matrix

ACTIVATIONS = (None, "tanh", "relu", "sigmoid")


class Dense:
    """A fully connected layer applied to the last axis of its input.

    Parameters
    ----------
    input_size : int, the features in (H for a head on an RNN)
    output_size : int, K
    activation : None (linear), "tanh", "relu" or "sigmoid"
    init : str, weight initialiser (see :mod:`lstm_numpy.initializers`)
    bias : "zeros" or the path of a CSV file
    rng : int seed or numpy.random.Generator
    dtype : float32 or float64

    ``params``: ``W (input_size, K)``, ``b (K,)``.

    Examples
    --------
    >>> head = Dense(30, 1, rng=0)
    >>> y, cache = head.forward(np.ones((4, 30)))
    >>> y.shape, head.backward(np.ones_like(y), cache)[1]["W"].shape
    ((4, 1), (30, 1))
    """

    def __init__(self, input_size, output_size, *, activation=None, init="glorot_bengio", bias="zeros",
                 rng=None, dtype=np.float64):
        if activation not in ACTIVATIONS:
            raise ValueError(f"expected activation one of {ACTIVATIONS}, got {activation!r}")
        self.input_size = check_size("input_size", input_size)
        self.output_size = check_size("output_size", output_size)
        check_bytes(f"Dense({self.input_size}, {self.output_size})'s weights",
                    (self.input_size + 1) * self.output_size * np.dtype(dtype).itemsize)
        self.activation = activation
        self.dtype = np.dtype(dtype)
        self.params = {"W": init_matrix(init, (self.input_size, self.output_size), as_rng(rng), dtype=self.dtype),
                       "b": init_bias(bias, (self.output_size,), dtype=self.dtype)}

    def forward(self, x):
        """``y = act(x @ W + b)``, eqs. (D1)-(D2).

        Parameters
        ----------
        x : ndarray of shape (..., D), D = input_size: (B, D) or (B, T, D)

        Returns
        -------
        y : ndarray of shape (..., K), K = output_size
        cache : dict for :meth:`backward`
        """
        if x.shape[-1] != self.input_size:
            raise ValueError(f"expected dense input of shape (..., {self.input_size}), got {x.shape}")
        a = x @ self.params["W"] + self.params["b"]                   # (..., K)  eq. (D1)
        if self.activation == "tanh":
            y = np.tanh(a)                                            # (..., K)  eq. (D2)
        elif self.activation == "relu":
            y = relu(a)
        elif self.activation == "sigmoid":
            y = sigmoid(a)
        else:
            y = a
        return y, {"x": x, "y": y}

    def backward(self, dy, cache):
        """Backward of :meth:`forward`, eqs. (D2) down to (D1); each ``dfoo`` has ``foo``'s shape.

        Parameters
        ----------
        dy : ndarray of shape (..., K), dL/dy
        cache : dict from :meth:`forward`

        Returns
        -------
        dx : ndarray of shape (..., D), D = input_size
        dparams : dict with dW (D, K) and db (K,)
        """
        x, y = cache["x"], cache["y"]
        if self.activation == "tanh":
            da = dy * tanh_grad(y)                                    # (..., K)  eq. (D2)
        elif self.activation == "relu":
            da = dy * relu_grad(y)
        elif self.activation == "sigmoid":
            da = dy * sigmoid_grad(y)
        else:
            da = dy
        x2 = x.reshape(-1, self.input_size)                           # (N, input_size), N = prod(...)
        da2 = da.reshape(-1, self.output_size)                        # (N, K)
        dW = x2.T @ da2                                               # (input_size, K)  eq. (D1)
        db = da2.sum(axis=0)                                          # (K,)  eq. (D1), b fans out
        dx = da @ self.params["W"].T                                  # (..., input_size)  eq. (D1)
        return dx, {"W": dW, "b": db}
