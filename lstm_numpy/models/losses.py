"""Losses with their gradients: mean squared error and masked softmax cross-entropy.

Each function returns ``(loss, dinput)``: the scalar and its gradient with respect to the
predictions (or logits), of the same shape. The gradient is exact for the returned scalar, so a
gradient check of a model runs straight through the loss.
"""
import numpy as np


def mean_squared_error(pred, target):
    """``L = mean((pred - target)**2)`` over every element.

    Parameters
    ----------
    pred, target : ndarrays of any shape, the same for both, such as (B, K)

    Returns
    -------
    loss : float
    dpred : ndarray of ``pred``'s shape, ``2 (pred - target) / N``

    Examples
    --------
    >>> mean_squared_error(np.array([1.0, 2.0]), np.array([0.0, 0.0]))[0]
    2.5
    """
    if pred.shape != target.shape:
        raise ValueError(f"expected target of the predictions' shape {pred.shape}, got {target.shape}")
    diff = pred - target
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


def log_softmax(logits):
    """``log softmax`` over the last axis, computed after subtracting the max (never overflows).

    Parameters
    ----------
    logits : ndarray of shape (..., K)

    Returns
    -------
    ndarray of shape (..., K), each row's log-probabilities
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits):
    """Softmax over the last axis, stable for any finite logits.

    Parameters
    ----------
    logits : ndarray of shape (..., K)

    Returns
    -------
    ndarray of shape (..., K), each row's probabilities, summing to 1
    """
    return np.exp(log_softmax(logits))


def softmax_cross_entropy(logits, labels, mask=None):
    """Mean of ``-log softmax(logits)[label]`` over the positions the mask keeps, in nats.

    Parameters
    ----------
    logits : ndarray of shape (..., K)
    labels : ints of shape (...), each in [0, K)
    mask : None (every position counts) or ndarray of shape (...), 1 where a position counts and
        0 where it is padding; padded positions get zero loss and zero gradient

    Returns
    -------
    loss : float, the mean over counted positions (0.0 when none count)
    dlogits : ndarray of ``logits``' shape, ``(softmax - onehot) * mask / count``

    Examples
    --------
    >>> loss, d = softmax_cross_entropy(np.zeros((2, 4)), np.array([1, 3]))
    >>> bool(np.isclose(loss, np.log(4))), d.shape
    (True, (2, 4))
    """
    labels = np.asarray(labels)
    K = logits.shape[-1]
    if labels.shape != logits.shape[:-1]:
        raise ValueError(f"expected labels of shape {logits.shape[:-1]}, got {labels.shape}")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"expected integer labels, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= K):
        raise ValueError(f"expected labels in [0, K={K}), got values in [{labels.min()}, {labels.max()}]")
    weight = np.ones(labels.shape, logits.dtype) if mask is None else np.asarray(mask, dtype=logits.dtype)
    if weight.shape != labels.shape:
        raise ValueError(f"expected mask of shape {labels.shape}, got {weight.shape}")
    count = weight.sum()
    logp = log_softmax(logits)                                              # (..., K)
    picked = np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0]  # (...)
    if count == 0:
        return 0.0, np.zeros_like(logits)
    loss = float(-(picked * weight).sum() / count)
    dlogits = np.exp(logp)                                                  # softmax, (..., K)
    np.put_along_axis(dlogits, labels[..., None], np.take_along_axis(dlogits, labels[..., None], -1) - 1, -1)
    return loss, dlogits * (weight / count)[..., None]
