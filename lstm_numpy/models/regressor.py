"""Whole models: a recurrent stack with an initial state, a dense head and a loss, each part's
backward pass chained into one ``backward``.

Every model has ``params``, one flat dict ``"{part}/{name}" -> ndarray`` of the parts' own
arrays (``rnn/cell_0/W_x``, ``init/WEH_0``, ``head/W``, ...), ``forward(...) -> (loss, cache)``
and ``backward(cache) -> grads`` with the keys and shapes of ``params``. ``config`` holds the
constructor's arguments, which is what a checkpoint stores besides the arrays.

Many-to-one: the head reads each row's output at its *last valid step*,
``outputs[b, sequence_length[b] - 1]``. The article's ``outputs[:, -1, :]`` reads the last step
of the padded array, which ``dynamic_rnn`` has set to zero for every row shorter than T.
"""
import numpy as np

from ..checks import as_float_array, check_sequence_length
from ..kinds import build_cell
from .dense import Dense
from ..time_loop import dynamic_rnn, dynamic_rnn_backward
from .initial_state import EncoderInitialState, LearnedInitialState
from ..initializers import as_rng
from .losses import mean_squared_error

INITIAL_STATES = ("zero", "learned", "encoder")


class Model:
    """Base of the models: ``parts`` maps a prefix to an object with ``params``.

    Parameters
    ----------
    config : dict of the constructor's arguments (sizes, names, floats), for ``repr`` and
        checkpoints

    Attributes
    ----------
    params : dict ``"{prefix}/{name}" -> ndarray``, every part's own arrays with their shapes,
        such as ``rnn/cell_0/W_x`` (D, 4H) and ``head/W`` (H_top, K)
    """

    def __init__(self, config):
        self.config = config
        self.parts = {}

    @property
    def params(self):
        return {f"{prefix}/{name}": arr for prefix, part in self.parts.items()
                for name, arr in part.params.items()}

    def _prefixed(self, prefix, grads):
        return {f"{prefix}/{name}": g for name, g in grads.items()}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"{type(self).__name__}({args})"


def last_valid(outputs, lengths):
    """Each row's output at its last valid step: ``(B, H)`` from ``(B, T, H)`` and lengths ``(B,)``.

    Parameters
    ----------
    outputs : ndarray of shape (B, T, H), batch-major
    lengths : ints of shape (B,), each in [1, T]

    Returns
    -------
    ndarray of shape (B, H), row b's ``outputs[b, lengths[b] - 1]``
    """
    return outputs[np.arange(outputs.shape[0]), lengths - 1]               # (B, H)


class SequenceRegressor(Model):
    """Many-to-one regression: stack, output at each row's last valid step, dense head, MSE.

    Parameters
    ----------
    input_size : int, D
    sizes : sequence of int, the hidden size of each layer (the article's [20, 30])
    output_size : int, K, the values predicted per sequence
    cell : "lstm", "gru" or "rnn"
    initial_state : "zero", "learned" (one vector per layer) or "encoder" (from x_0, the article's)
    time_major : bool, inputs laid out (T, B, D) instead of (B, T, D)
    forget_bias : float, for LSTM layers
    init : str, initialiser of the recurrent weights
    rng : int seed or numpy.random.Generator

    Examples
    --------
    >>> model = SequenceRegressor(1, [20, 30], rng=0)
    >>> x, y = np.ones((4, 7, 1)), np.zeros((4, 1))                  # (B, T, D), (B, K)
    >>> loss, cache = model.forward(x, y, sequence_length=np.array([7, 3, 5, 1]))
    >>> grads = model.backward(cache)
    >>> grads["rnn/cell_1/W_h"].shape, grads["head/W"].shape
    ((30, 120), (30, 1))
    """

    def __init__(self, input_size, sizes=(20, 30), output_size=1, *, cell="lstm", initial_state="zero",
                 time_major=False, forget_bias=0.0, init="dl", rng=None):
        if initial_state not in INITIAL_STATES:
            raise ValueError(f"expected initial_state one of {INITIAL_STATES}, got {initial_state!r}")
        super().__init__(dict(input_size=input_size, sizes=[int(s) for s in sizes], output_size=output_size,
                              cell=cell, initial_state=initial_state, time_major=bool(time_major),
                              forget_bias=float(forget_bias), init=init))
        rng = as_rng(rng)
        self.time_major = bool(time_major)
        self.cell = build_cell(cell, sizes, input_size, forget_bias=forget_bias, init=init, rng=rng)
        self.parts["rnn"] = self.cell
        if initial_state == "encoder":
            self.parts["init"] = EncoderInitialState(self.cell, rng=rng)
        elif initial_state == "learned":
            self.parts["init"] = LearnedInitialState(self.cell)
        self.head = Dense(self.cell.hidden_size, output_size, rng=rng)
        self.parts["head"] = self.head

    def _check_inputs(self, inputs, sequence_length):
        xs = as_float_array("inputs", inputs, self.cell.dtype)
        if xs.ndim != 3:
            raise ValueError(f"expected inputs of rank 3, got shape {xs.shape}")
        T, B = xs.shape[:2] if self.time_major else xs.shape[1::-1]
        lengths = check_sequence_length(sequence_length, B, T)
        lengths = np.full(B, T) if lengths is None else lengths
        if lengths.size and lengths.min() < 1:
            raise ValueError(f"expected every sequence_length >= 1 for a many-to-one model, "
                             f"got 0 for row {int(np.argmin(lengths))}")
        return xs, lengths

    def predict(self, inputs, sequence_length=None):
        """The head's output for each row: ``(B, K)``, plus the cache :meth:`backward` needs.

        Parameters
        ----------
        inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major``
        sequence_length : None (every row has T steps) or ints of shape (B,), each in [1, T]

        Returns
        -------
        pred : ndarray of shape (B, K)
        cache : dict for :meth:`forward` and :meth:`backward`
        """
        xs, lengths = self._check_inputs(inputs, sequence_length)
        init = self.parts.get("init")
        init_cache = initial = None
        if isinstance(init, EncoderInitialState):
            initial, init_cache = init.forward(xs[0] if self.time_major else xs[:, 0])   # x_0: (B, D)
        elif isinstance(init, LearnedInitialState):
            initial, init_cache = init.forward(len(lengths))
        outputs, _, rnn_cache = dynamic_rnn(self.cell, xs, lengths, initial, self.time_major)
        batch_major = outputs.transpose(1, 0, 2) if self.time_major else outputs       # (B, T, H)
        last = last_valid(batch_major, lengths)                                         # (B, H)
        pred, head_cache = self.head.forward(last)                                      # (B, K)
        return pred, {"init": init_cache, "rnn": rnn_cache, "head": head_cache, "lengths": lengths,
                      "outputs_shape": batch_major.shape}

    def forward(self, inputs, targets, sequence_length=None):
        """``(loss, cache)``: mean squared error of :meth:`predict` against ``targets (B, K)``.

        Parameters
        ----------
        inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major``
        targets : ndarray of shape (B, K)
        sequence_length : None or ints of shape (B,), as for :meth:`predict`

        Returns
        -------
        loss : float
        cache : dict for :meth:`backward`
        """
        pred, cache = self.predict(inputs, sequence_length)
        targets = as_float_array("targets", targets, self.cell.dtype)
        loss, dpred = mean_squared_error(pred, targets)
        return loss, dict(cache, dpred=dpred)

    def backward(self, cache, with_inputs=False):
        """dL/d every parameter (the keys of ``params``); with ``with_inputs``, also dL/d inputs.

        Each ``dfoo`` has ``foo``'s shape.

        Parameters
        ----------
        cache : dict from :meth:`forward`
        with_inputs : bool, also return dL/d inputs

        Returns
        -------
        grads : dict with the keys of ``params``, each ``dp`` of its parameter's shape
        dinputs : ndarray of the inputs' shape, (B, T, D) or (T, B, D); only with ``with_inputs``
        """
        lengths = cache["lengths"]
        dlast, dhead = self.head.backward(cache["dpred"], cache["head"])               # (B, H)
        d_outputs = np.zeros(cache["outputs_shape"], dtype=dlast.dtype)               # (B, T, H)
        d_outputs[np.arange(len(lengths)), lengths - 1] = dlast                        # scatter back
        if self.time_major:
            d_outputs = d_outputs.transpose(1, 0, 2)                                   # (T, B, H)
        g = dynamic_rnn_backward(d_outputs, None, cache["rnn"])
        grads = {**self._prefixed("rnn", g.params), **self._prefixed("head", dhead)}
        dinputs = g.inputs
        if "init" in self.parts:
            dx0, dinit = self.parts["init"].backward(g.initial_state, cache["init"])
            grads.update(self._prefixed("init", dinit))
            if dx0 is not None:
                dinputs = dinputs.copy()
                if self.time_major:
                    dinputs[0] += dx0                        # x_0 feeds step 0 and the encoder
                else:
                    dinputs[:, 0] += dx0
        grads = {name: grads[name] for name in self.params}
        return (grads, dinputs) if with_inputs else grads


class ArticleLSTM(SequenceRegressor):
    """The article's hand-written model, done right.

    Widths ``[D, 32, 32, 64]`` (three LSTM layers), time-major input of ``steps`` = 30 steps
    ``(T, B, D)``, each layer's initial h0 and c0 learned from the first frame x_0 (the encoder of
    :mod:`lstm_numpy.initial_state`), and a dense head on each row's last valid output.

    The cell computes ``h = o * tanh(c)`` with the *new* cell state c. The article's listing
    writes ``h = O * tanh(C~)``, with the candidate C~: that is its defect, not the LSTM; the
    standard cell and TensorFlow's own use ``tanh(c)``.

    Parameters
    ----------
    input_size : int, D
    output_size : int, K
    widths : the hidden sizes, (32, 32, 64) as in the article
    steps : int, T, the article's ``time_step`` = 30; inputs must have exactly this many steps
    init, forget_bias, rng : as for :class:`SequenceRegressor`

    Examples
    --------
    >>> model = ArticleLSTM(1, rng=0)
    >>> pred, _ = model.predict(np.zeros((30, 2, 1)))           # (T, B, D)
    >>> pred.shape, sorted(model.parts)
    ((2, 1), ['head', 'init', 'rnn'])
    """

    def __init__(self, input_size, output_size=1, *, widths=(32, 32, 64), steps=30, forget_bias=0.0,
                 init="dl", rng=None):
        super().__init__(input_size, widths, output_size, cell="lstm", initial_state="encoder",
                         time_major=True, forget_bias=forget_bias, init=init, rng=rng)
        self.steps = int(steps)
        self.config = dict(input_size=input_size, output_size=output_size, widths=[int(w) for w in widths],
                           steps=self.steps, forget_bias=float(forget_bias), init=init)

    def _check_inputs(self, inputs, sequence_length):
        shape = np.shape(inputs)
        if len(shape) != 3 or shape[0] != self.steps:
            raise ValueError(f"expected time-major inputs (T={self.steps}, B, D={self.cell.input_size}), "
                             f"got {shape}")
        return super()._check_inputs(inputs, sequence_length)
