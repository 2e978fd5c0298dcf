"""Dropout around a cell, TensorFlow 1.x ``DropoutWrapper``: eqs. (W1)-(W4) of ``wrappers.py``.

Inverted dropout: a unit is kept with probability ``keep`` and then divided by ``keep``, so
its expected value is unchanged and nothing needs rescaling at test time (all keeps 1.0).
The input, the state's h and the output have a mask each; an LSTM's c is never dropped
(TensorFlow's default). ``variational_recurrent=True`` draws each mask once per sequence and
uses it at every step, as TensorFlow does: a mask of shape (1, size), one for the whole batch.

Masks come only from the wrapper's ``rng``. The masks of the last sequence are in
``wrapper.masks`` (one dict per step) and in each step cache under ``"dropout_masks"``;
``wrapper.use_masks(masks)`` makes every later sequence use them again (None: draw anew), so
that a gradient check, or a framework given the same masks, sees the same function.
"""
import numbers

import numpy as np

from .initializers import as_rng
from .wrappers import Wrapper

PARTS = ("input", "state", "output")


def _keep(name, value):
    """A keep probability in (0, 1], as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value <= 1:
        raise ValueError(f"expected {name} in (0, 1], got {value!r}")
    return float(value)


class DropoutWrapper(Wrapper):
    """The wrapped cell with dropout on its input, state h and output, eqs. (W1)-(W4).

    Parameters
    ----------
    cell : a one-layer cell
    input_keep_prob, output_keep_prob, state_keep_prob : floats in (0, 1]; 1.0 draws no mask
    variational_recurrent : bool, one mask per sequence (shape (1, size)) instead of one per step
        (shape (B, size))
    rng : int seed or numpy.random.Generator, the only source of the masks

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.DropoutWrapper(ln.LSTMCell(3, 4, rng=0), output_keep_prob=0.5, rng=0)
    >>> outputs, _, cache = ln.dynamic_rnn(cell, np.ones((2, 5, 3)))
    >>> len(cell.masks), cell.masks[0]["output"].shape, cell.masks[0]["input"] is None
    (5, (2, 4), True)
    >>> cell.use_masks(cell.masks)                        # the next pass sees the same masks
    >>> again, _, _ = ln.dynamic_rnn(cell, np.ones((2, 5, 3)))
    >>> bool(np.array_equal(again, outputs))
    True
    """

    def __init__(self, cell, *, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, rng=None):
        super().__init__(cell)
        inner = cell
        while inner is not None:                              # down through the wrappers, asking each
            if isinstance(inner, DropoutWrapper):
                raise ValueError("a DropoutWrapper around a DropoutWrapper: give one wrapper the keep "
                                 "probabilities of both (their product)")
            inner = getattr(inner, "wrapped", None)
        self.keep = {"input": _keep("input_keep_prob", input_keep_prob),
                     "state": _keep("state_keep_prob", state_keep_prob),
                     "output": _keep("output_keep_prob", output_keep_prob)}
        self.variational_recurrent = bool(variational_recurrent)
        self.rng = as_rng(rng)
        self.masks = []           # the masks of the last sequence, one dict per step
        self.given = None         # masks to use again, from use_masks
        self._sequence_masks = None

    def use_masks(self, masks):
        """Use ``masks`` at every later sequence instead of drawing; None to draw again.

        Parameters
        ----------
        masks : None, a list with one dict per step (as :attr:`masks` holds), or one dict for
            every step; each dict maps ``"input"``, ``"state"``, ``"output"`` to None or an
            array of zeros and ones of shape (B, size) or (1, size)
        """
        self.given = masks

    def hold_draws(self):
        """Every later sequence uses the masks of the last one (see :meth:`use_masks`).

        Returns
        -------
        the masks that were given back before, for :meth:`release_draws`
        """
        before = self.given
        self.given = list(self.masks)
        return before

    def release_draws(self, held):
        """Undo :meth:`hold_draws`: give back what was given before (None: draw again).

        Parameters
        ----------
        held : what :meth:`hold_draws` returned

        Returns
        -------
        None
        """
        self.given = held

    def start_sequence(self, batch_size):
        """Called by the time loop before step 0 of a (B, T, D) batch: new variational masks."""
        super().start_sequence(batch_size)
        self.masks = []
        self._sequence_masks = None

    def _draw(self, batch_size):
        """One dict of masks: None where the keep is 1, else zeros and ones with P(1) = keep."""
        widths = {"input": self.cell.input_size, "state": self.cell.output_size, "output": self.cell.output_size}
        rows = 1 if self.variational_recurrent else batch_size
        return {part: None if self.keep[part] == 1.0 else
                (self.rng.random((rows, widths[part])) < self.keep[part]).astype(self.cell.dtype)
                for part in PARTS}

    def _next_masks(self, batch_size):
        """This step's masks: given back, drawn once per sequence, or drawn now."""
        t = len(self.masks)
        if self.given is not None:
            if not isinstance(self.given, dict) and t >= len(self.given):
                raise ValueError(f"the masks given back cover {len(self.given)} steps, this sequence has more: "
                                 f"give masks for every step, or use_masks(None) to draw new ones")
            masks = self.given if isinstance(self.given, dict) else self.given[t]
            rows = {m.shape[0] for m in masks.values() if m is not None}
            if not rows <= {1, batch_size}:
                raise ValueError(f"the masks given back have {sorted(rows)} rows, this batch B={batch_size}: "
                                 f"give masks of shape (B, size) or (1, size), or use_masks(None) to draw new ones")
        elif self.variational_recurrent:
            if self._sequence_masks is None:
                self._sequence_masks = self._draw(batch_size)
            masks = self._sequence_masks
        else:
            masks = self._draw(batch_size)
        self.masks.append(masks)
        return masks

    def step(self, x, state):
        """One step with dropout, eqs. (W1)-(W4).

        Parameters
        ----------
        x : ndarray of shape (B, D)
        state : the wrapped cell's state, leaves of shape (B, H)

        Returns
        -------
        out : ndarray of shape (B, H)
        new_state : the wrapped cell's state structure, its h dropped
        cache : the wrapped cell's step cache with ``"dropout_masks"`` added
        """
        masks = self._next_masks(x.shape[0])
        m_in, m_state, m_out = masks["input"], masks["state"], masks["output"]
        k_in, k_state, k_out = self.keep["input"], self.keep["state"], self.keep["output"]
        x_in = x if m_in is None else x / k_in * m_in          # (B, D)  eq. (W1)
        h, new_state, cell_cache = self.cell.step(x_in, state)  # eq. (W2)
        if m_state is not None:
            parts = self.cell.state_arrays(new_state)
            parts["h"] = parts["h"] / k_state * m_state       # (B, H)  eq. (W3)
            new_state = self.cell.make_state(parts)
        out = h if m_out is None else h / k_out * m_out        # (B, H)  eq. (W4)
        return out, new_state, {**cell_cache, "dropout_masks": masks}

    def step_backward(self, dout, dstate, cache):
        """Backward of :meth:`step`, eqs. (W4) down to (W1); each ``dfoo`` has ``foo``'s shape.

        Parameters
        ----------
        dout : ndarray of shape (B, H), dL/d out
        dstate : the state's structure, dL/d new_state
        cache : from :meth:`step`

        Returns
        -------
        dx : (B, D), dstate_prev : the state's structure, dparams : dict with the keys of ``params``
        """
        masks = cache["dropout_masks"]
        m_in, m_state, m_out = masks["input"], masks["state"], masks["output"]
        k_in, k_state, k_out = self.keep["input"], self.keep["state"], self.keep["output"]
        dh = dout if m_out is None else dout / k_out * m_out   # (B, H)  eq. (W4)
        if m_state is not None:
            parts = dict(self.cell.state_arrays(dstate))
            parts["h"] = parts["h"] / k_state * m_state       # (B, H)  eq. (W3)
            dstate = self.cell.make_state(parts)
        dx_in, dstate_prev, dparams = self.cell.step_backward(dh, dstate, cache)   # eq. (W2)
        dx = dx_in if m_in is None else dx_in / k_in * m_in    # (B, D)  eq. (W1)
        return dx, dstate_prev, dparams

    def _extra_repr(self):
        keeps = "".join(f", {part}_keep_prob={k}" for part, k in self.keep.items() if k != 1.0)
        return keeps + (", variational_recurrent=True" if self.variational_recurrent else "")
