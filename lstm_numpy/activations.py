"""Pointwise activations and the derivatives a backward pass takes from cached outputs.

Every derivative here is written in terms of the activation's *output*, the way the
backward passes use it: ``sigmoid'(a) = s * (1 - s)`` with ``s = sigmoid(a)``,
``tanh'(a) = 1 - t * t`` with ``t = tanh(a)``.
"""
import numpy as np


def sigmoid(a):
    """Logistic sigmoid ``1 / (1 + exp(-a))`` that never overflows.

    ``exp`` only ever sees ``-|a|``, so it stays in (0, 1] for any finite input.

    Parameters
    ----------
    a : ndarray of any shape, float

    Returns
    -------
    ndarray of ``a``'s shape and dtype, values in [0, 1].

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    e = np.exp(-np.abs(a))                           # in (0, 1], no overflow
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(a.dtype, copy=False)


def sigmoid_grad(s):
    """``d sigmoid(a) / da`` from the output ``s = sigmoid(a)``."""
    return s * (1.0 - s)


def tanh_grad(t):
    """``d tanh(a) / da`` from the output ``t = tanh(a)``."""
    return 1.0 - t * t


def relu(a):
    """``max(a, 0)``, elementwise."""
    return np.maximum(a, 0.0).astype(a.dtype, copy=False)


def relu_grad(y):
    """``d relu(a) / da`` from the output ``y = relu(a)``: 1 where ``y > 0``, else 0.

    At ``a = 0`` the derivative is taken as 0, as PyTorch and TensorFlow do.
    """
    return (y > 0).astype(y.dtype)
