"""Truncated backpropagation through time: a long stream in consecutive windows, the state
carried from each window to the next and the gradient stopped at each window's start.

Full BPTT over a stream of N characters would keep N steps' caches and make one update per
pass. Truncated BPTT cuts the stream into windows of K steps; each window starts from the
state where the last one ended (min-char-rnn's ``hprev``, Keras's ``stateful=True``), so the
forward pass sees the whole past, but the backward pass stops at the window's start: the
carried state enters as a constant, and dL/d(initial state) is not passed on. The gradient
thus misses every path longer than the window, the price of one update every K steps with
K steps of memory. docs/bidirectional.md, "Truncated BPTT", derives it.
"""
import numpy as np


def stream_windows(ids, batch_size, steps):
    """Consecutive windows of ``batch_size`` streams side by side, forever.

    The ids are cut into B equal streams (row b holds the b-th stretch of the text); window k
    of row b is its characters ``k T`` to ``(k + 1) T - 1``, the targets one character later.
    When the streams run out they start again, and that window says ``fresh``.

    Parameters
    ----------
    ids : ints of shape (N,), the text's character ids
    batch_size : int, B
    steps : int, T, the window

    Yields
    ------
    inputs, targets : ints of shape (B, T)
    fresh : bool, True where the streams start (no state to carry into the window)

    Examples
    --------
    >>> windows = stream_windows(np.arange(20), 2, 3)
    >>> inputs, targets, fresh = next(windows)
    >>> inputs.tolist(), targets[:, -1].tolist(), fresh
    ([[0, 1, 2], [10, 11, 12]], [3, 13], True)
    >>> next(windows)[0].tolist(), next(windows)[2]
    ([[3, 4, 5], [13, 14, 15]], False)
    """
    ids = np.asarray(ids)
    length = len(ids) // batch_size                           # characters per stream
    n = (length - 1) // steps                                 # whole windows per stream (targets need one more)
    if n < 1:
        raise ValueError(f"expected at least B * (T + 1) = {batch_size * (steps + 1)} characters for "
                         f"B={batch_size} streams of windows T={steps}, got {len(ids)}")
    streams = ids[:batch_size * length].reshape(batch_size, length)   # (B, N / B)
    while True:
        for k in range(n):
            window = streams[:, k * steps:(k + 1) * steps + 1]        # (B, T + 1)
            yield window[:, :-1], window[:, 1:], k == 0


class TruncatedBPTT:
    """A model trained on consecutive windows, its state carried from one window to the next.

    ``forward(inputs, targets, fresh)`` runs the model from the state the previous window
    ended in (zeros when ``fresh``) and keeps the new final state; ``backward`` is the model's,
    which treats the initial state as a constant: the gradient stops at the window's start.
    It has the model's ``params``, so an optimiser and :func:`lstm_numpy.train.loop.train`
    take it as they take the model.

    Parameters
    ----------
    model : a model whose ``forward(inputs, targets, initial_state=...)`` returns a cache with
        ``"final_state"`` (such as :class:`lstm_numpy.models.CharLM`), leaves of shape (B, H)

    Attributes
    ----------
    state : None or the state (leaves of shape (B, H)) the last window ended in
    """

    def __init__(self, model):
        self.model = model
        self.state = None

    @property
    def params(self):
        """The model's own ``params``, each array of its shape (such as ``rnn/cell_0/W_x`` (D, 4H))."""
        return self.model.params

    def forward(self, inputs, targets, fresh=False):
        """The model's loss on one window, from the carried state.

        Parameters
        ----------
        inputs, targets : ints of shape (B, T)
        fresh : bool, start from zeros instead of the carried state

        Returns
        -------
        loss : float
        cache : the model's cache, for :meth:`backward`
        """
        initial_state = None if fresh else self.state
        loss, cache = self.model.forward(inputs, targets, initial_state=initial_state)
        self.state = cache["final_state"]                     # the next window starts here, as a constant
        return loss, cache

    def backward(self, cache):
        """The model's gradients, the carried initial state held constant.

        Parameters
        ----------
        cache : from :meth:`forward`

        Returns
        -------
        grads : dict with the keys of ``params``, each ``dp`` of its parameter's shape
        """
        return self.model.backward(cache)
