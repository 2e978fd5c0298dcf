"""Optimisers and gradient clipping. Clipping happens here, in the training step, never inside a
backward pass: the gradient checks see the true gradient.

SGD with momentum (PyTorch's form), for each parameter p with gradient g:

    v = momentum * v + g                       (O1)
    p = p - lr * v                             (O2)

Adam (Kingma and Ba, 2015), step t = 1, 2, ...:

    m = beta1 * m + (1 - beta1) * g            (O3)
    v = beta2 * v + (1 - beta2) * g * g        (O4)
    p = p - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)     (O5)

Eq. (O5) is computed as PyTorch's ``torch.optim.Adam`` computes it, with the same result up to
rounding: ``sqrt(v) / sqrt(1 - beta2**t) + eps`` first, then ``lr / (1 - beta1**t)`` times ``m``
over it. The epsilon sits where the paper's Algorithm 1 and PyTorch put it, beside the corrected
``sqrt(v_hat)``; TensorFlow's Adam (the paper's "more efficient" ordering) adds it to ``sqrt(v)``
before the correction, which moves the result by about ``eps * (1 / sqrt(1 - beta2**t) - 1)``
relative to ``sqrt(v_hat)``.

Clipping by global norm, with ``norm`` the square root of the sum of every squared element:

    scale = min(1, max_norm / (norm + eps))    (O6)
    g = g * scale                              (O7)

``eps = 0`` is TensorFlow's ``clip_by_global_norm``; ``eps = 1e-6`` is PyTorch's
``clip_grad_norm_``, which adds it to the norm before dividing (so a gradient whose norm is
exactly ``max_norm`` is scaled by a little less than 1).
"""
import math

import numpy as np


def global_norm(grads):
    """``sqrt(sum of every squared gradient element)`` over a dict of arrays.

    Parameters
    ----------
    grads : dict name -> ndarray, each of its parameter's shape, such as (D, 4H) or (4H,)

    Returns
    -------
    float
    """
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))   # vdot: no squared copy


def clip_by_global_norm(grads, max_norm, *, eps=0.0, in_place=False):
    """Scale every gradient by ``min(1, max_norm / (norm + eps))``, eqs. (O6)-(O7).

    The direction is kept and the global norm of the result is at most ``max_norm``. With
    ``eps=0`` (the default) this is TensorFlow's ``clip_by_global_norm``; with ``eps=1e-6``,
    PyTorch's ``clip_grad_norm_``.

    Parameters
    ----------
    grads : dict name -> ndarray, each of its parameter's shape (not modified unless ``in_place``)
    max_norm : float > 0
    eps : float >= 0, added to the norm before dividing
    in_place : bool, scale the arrays of ``grads`` themselves (a training step's own gradients)
        instead of returning new ones

    Returns
    -------
    clipped : dict name -> ndarray, each of its gradient's shape: new arrays, or the arrays of
        ``grads`` with ``in_place``
    norm : float, the global norm before clipping

    Examples
    --------
    >>> clipped, norm = clip_by_global_norm({"a": np.array([3.0, 4.0])}, 1.0)
    >>> norm, clipped["a"]
    (5.0, array([0.6, 0.8]))
    """
    if not max_norm > 0:
        raise ValueError(f"expected max_norm > 0, got {max_norm}")
    if not eps >= 0:
        raise ValueError(f"expected eps >= 0, got {eps}")
    norm = global_norm(grads)
    scale = min(1.0, max_norm / (norm + eps)) if norm + eps > 0 else 1.0   # eq. (O6)
    if not in_place:
        return {name: g * scale for name, g in grads.items()}, norm          # eq. (O7)
    if scale < 1.0:
        for g in grads.values():
            g *= scale                                                        # eq. (O7)
    return grads, norm


class Optimizer:
    """Base: updates a dict of parameter arrays in place from a dict of gradients, same keys.

    Parameters
    ----------
    params : dict name -> ndarray, the model's own arrays of any shape (``W_x`` (D, 4H),
        ``b`` (4H,), ...), updated in place
    lr : float > 0, the learning rate
    """

    def __init__(self, params, lr):
        if not lr > 0:
            raise ValueError(f"expected a learning rate lr > 0, got {lr}")
        self.params = params
        self.lr = float(lr)
        self.t = 0

    def step(self, grads):
        """One update of every parameter from ``grads`` (same keys and shapes as ``params``).

        Parameters
        ----------
        grads : dict name -> ndarray, each ``dp`` of its parameter ``p``'s shape
        """
        if set(grads) != set(self.params):
            raise ValueError(f"expected gradients for {sorted(self.params)}, got {sorted(grads)}")
        self.t += 1
        for name, p in self.params.items():
            if grads[name].shape != p.shape:
                raise ValueError(f"expected the gradient of {name} with shape {p.shape}, got {grads[name].shape}")
            self.update(name, p, grads[name])

    def update(self, name, p, g):
        """Update one parameter in place from its gradient; each optimiser says how.

        Parameters
        ----------
        name : str, the parameter's key, for the optimiser's own per-parameter state
        p : ndarray of any shape, the parameter, changed in place
        g : ndarray of ``p``'s shape, dL/dp

        Returns
        -------
        None
        """
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, eqs. (O1)-(O2); momentum=0 is plain SGD.

    Parameters
    ----------
    params : dict name -> ndarray, each of any shape, updated in place
    lr : float > 0, the learning rate
    momentum : float in [0, 1)

    Examples
    --------
    >>> p = {"w": np.array([1.0])}
    >>> opt = SGD(p, lr=0.1, momentum=0.9)
    >>> opt.step({"w": np.array([1.0])}); opt.step({"w": np.array([1.0])})
    >>> p["w"]                       # 1 - 0.1 * 1 - 0.1 * (0.9 + 1)
    array([0.71])
    """

    def __init__(self, params, lr=0.01, momentum=0.9):
        super().__init__(params, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"expected momentum in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        self.velocity = {name: np.zeros_like(p) for name, p in params.items()}

    def update(self, name, p, g):
        """Eqs. (O1)-(O2) for one parameter, in place.

        Parameters
        ----------
        name : str, the parameter's key (its velocity's too)
        p : ndarray of any shape, the parameter, changed in place
        g : ndarray of ``p``'s shape, dL/dp

        Returns
        -------
        None
        """
        v = self.velocity[name]
        v *= self.momentum
        v += g                                                   # eq. (O1)
        p -= self.lr * v                                         # eq. (O2)


class Adam(Optimizer):
    """Adam with bias correction, eqs. (O3)-(O5).

    Parameters
    ----------
    params : dict name -> ndarray, each of any shape, updated in place
    lr : float > 0, the learning rate
    beta1, beta2 : floats in [0, 1), the decay rates of the two moments
    eps : float, added to the denominator
    """

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(params, lr)
        for name, value in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= value < 1:
                raise ValueError(f"expected {name} in [0, 1), got {value}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = {name: np.zeros_like(p) for name, p in params.items()}
        self.v = {name: np.zeros_like(p) for name, p in params.items()}
        self.scratch = {name: np.empty_like(p) for name, p in params.items()}   # room for one temporary

    def update(self, name, p, g):
        """Eqs. (O3)-(O5) for one parameter, in place, in PyTorch's order of operations.

        Parameters
        ----------
        name : str, the parameter's key (its moments' too)
        p : ndarray of any shape, the parameter, changed in place
        g : ndarray of ``p``'s shape, dL/dp

        Returns
        -------
        None
        """
        m, v, work = self.m[name], self.v[name], self.scratch[name]
        m *= self.beta1
        m += np.multiply(g, 1 - self.beta1, out=work)                          # eq. (O3)
        v *= self.beta2
        v += np.multiply(np.square(g, out=work), 1 - self.beta2, out=work)     # eq. (O4)
        denom = np.sqrt(v, out=work)                                           # eq. (O5): sqrt(v_hat) + eps,
        denom /= math.sqrt(1 - self.beta2 ** self.t)                           # ...
        denom += self.eps                                                      # ...
        step = np.divide(m, denom, out=work)                                   # eq. (O5): m over it,
        step *= self.lr / (1 - self.beta1 ** self.t)                           # ... times lr / (1 - beta1^t)
        p -= step                                                              # eq. (O5)


OPTIMIZERS = {"sgd": SGD, "adam": Adam}
