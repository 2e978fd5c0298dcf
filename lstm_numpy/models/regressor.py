"""Whole models: a recurrent stack with an initial state, a dense head and a loss, each part's
backward pass chained into one ``backward``.

Every model has ``params``, one flat dict ``"{part}/{name}" -> ndarray`` of the parts' own
arrays (``rnn/cell_0/W_x``, ``init/WEH_0``, ``head/W``, ...), ``forward(...) -> (loss, cache)``
and ``backward(cache) -> grads`` with the keys and shapes of ``params``. ``config`` holds the
constructor's arguments, which is what a checkpoint stores besides the arrays.

Every model runs its recurrent stack on one of two engines, its ``engine`` attribute: ``"fast"``
(:mod:`lstm_numpy.fast`, the default, for training) or ``"readable"`` (:func:`lstm_numpy.dynamic_rnn`,
the step functions a reader steps through). Both compute the same numbers (to 1e-12 in float64);
the inputs are checked and converted once, by the engine's ``check_arguments``, and the time
loop runs on what that returned (``run_checked``).

Many-to-one: the head reads each row's output at its *last valid step*,
``outputs[b, sequence_length[b] - 1]``. The article's ``outputs[:, -1, :]`` reads the last step
of the padded array, which ``dynamic_rnn`` has set to zero for every row shorter than T.
"""
import numpy as np

from .. import fast, time_loop
from ..cell import check_dtype
from ..checks import as_float_array
from ..kinds import build_cell
from .dense import Dense
from .initial_state import EncoderInitialState, LearnedInitialState
from ..initializers import as_rng
from .losses import mean_squared_error

INITIAL_STATES = ("zero", "learned", "encoder")
ENGINES = ("fast", "readable")


class Model:
    """Base of the models: ``parts`` maps a prefix to an object with ``params``.

    Parameters
    ----------
    config : dict of the constructor's arguments (sizes, names, floats), for ``repr`` and
        checkpoints
    engine : "fast" or "readable", the time loop the recurrent stack runs on

    Attributes
    ----------
    params : dict ``"{prefix}/{name}" -> ndarray``, every part's own arrays with their shapes,
        such as ``rnn/cell_0/W_x`` (D, 4H) and ``head/W`` (H_top, K)
    engine : str, "fast" or "readable"; it may be changed at any time, between a forward pass
        and the next
    workspace : lstm_numpy.fast.Workspace, the fast engine's buffers, reused from one forward
        pass to the next: a forward pass's cache is good until the model's next forward pass
    """

    def __init__(self, config, engine="fast"):
        self.config = config
        self.parts = {}
        self.engine = engine
        self.workspace = fast.Workspace()

    @property
    def engine(self):
        return self._engine

    @engine.setter
    def engine(self, name):
        if name not in ENGINES:
            raise ValueError(f"expected engine one of {ENGINES}, got {name!r}")
        self._engine = name

    @property
    def params(self):
        return {f"{prefix}/{name}": arr for prefix, part in self.parts.items()
                for name, arr in part.params.items()}

    def _prefixed(self, prefix, grads):
        return {f"{prefix}/{name}": g for name, g in grads.items()}

    def check_rnn_arguments(self, inputs, sequence_length=None, initial_state=None, time_major=False):
        """The recurrent stack's arguments, checked and converted once by the engine's
        ``check_arguments`` (:func:`lstm_numpy.time_loop.check_arguments`).

        Parameters
        ----------
        inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major``
        sequence_length, initial_state, time_major : as for :func:`lstm_numpy.dynamic_rnn`

        Returns
        -------
        CheckedArguments, ``xs`` of shape (T, B, D), for :meth:`run_rnn`
        """
        check = fast.check_arguments if self.engine == "fast" else time_loop.check_arguments
        return check(self.cell, inputs, sequence_length, initial_state, time_major)

    def run_rnn(self, checked):
        """The recurrent stack over checked arguments, on the model's engine.

        Parameters
        ----------
        checked : CheckedArguments from :meth:`check_rnn_arguments`, ``xs`` of shape (T, B, D)

        Returns
        -------
        outputs : ndarray of shape (B, T, H_top), or (T, B, H_top) when time-major; read-only
            on the fast engine
        final_state : the cell's state structure, leaves of shape (B, H)
        cache : dict for :meth:`rnn_backward`, the engine's own: :func:`lstm_numpy.dynamic_rnn`'s
            (``gate_history`` reads it) or :func:`lstm_numpy.fast.dynamic_rnn`'s
        """
        if self.engine == "fast":
            return fast.run_checked(self.cell, checked, workspace=self.workspace)
        return time_loop.run_checked(self.cell, checked)

    @staticmethod
    def rnn_backward(d_outputs, cache, inputs_gradient=True):
        """Backward of :meth:`run_rnn`, by the engine that made ``cache`` (whatever ``engine`` says now).

        Parameters
        ----------
        d_outputs : ndarray of the outputs' shape, (B, T, H_top) or (T, B, H_top)
        cache : dict from :meth:`run_rnn`
        inputs_gradient : bool; False when no gradient goes to the inputs (the fast engine then
            skips its product; the readable one computes it all the same)

        Returns
        -------
        Grads(inputs, initial_state, params), as from :func:`lstm_numpy.dynamic_rnn_backward`;
        ``inputs`` of the inputs' shape, or None
        """
        if "workspace" in cache:                                  # the fast engine's cache
            return fast.dynamic_rnn_backward(d_outputs, None, cache, inputs_gradient=inputs_gradient)
        return time_loop.dynamic_rnn_backward(d_outputs, None, cache)

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
    dtype : "float64" or "float32", of every array
    engine : "fast" (the default) or "readable", see :class:`Model`

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
                 time_major=False, forget_bias=0.0, init="dl", rng=None, dtype="float64", engine="fast"):
        if initial_state not in INITIAL_STATES:
            raise ValueError(f"expected initial_state one of {INITIAL_STATES}, got {initial_state!r}")
        dtype = check_dtype(dtype)
        super().__init__(dict(input_size=input_size, sizes=[int(s) for s in sizes], output_size=output_size,
                              cell=cell, initial_state=initial_state, time_major=bool(time_major),
                              forget_bias=float(forget_bias), init=init, dtype=dtype.name), engine)
        rng = as_rng(rng)
        self.time_major = bool(time_major)
        self.cell = build_cell(cell, sizes, input_size, forget_bias=forget_bias, init=init, rng=rng, dtype=dtype)
        self.parts["rnn"] = self.cell
        if initial_state == "encoder":
            self.parts["init"] = EncoderInitialState(self.cell, rng=rng)
        elif initial_state == "learned":
            self.parts["init"] = LearnedInitialState(self.cell)
        self.head = Dense(self.cell.output_size, output_size, rng=rng, dtype=dtype)
        self.parts["head"] = self.head

    def _check_inputs(self, inputs, sequence_length):
        """The checked arguments of the stack (inputs time-major), and every row's length (B,)."""
        checked = self.check_rnn_arguments(inputs, sequence_length, time_major=self.time_major)
        T, B, _ = checked.xs.shape
        lengths = np.full(B, T) if checked.sequence_length is None else checked.sequence_length
        if lengths.size and lengths.min() < 1:
            raise ValueError(f"expected every sequence_length >= 1 for a many-to-one model, "
                             f"got 0 for row {int(np.argmin(lengths))}")
        return checked, lengths

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
        checked, lengths = self._check_inputs(inputs, sequence_length)
        init = self.parts.get("init")
        init_cache = None
        if isinstance(init, EncoderInitialState):
            initial, init_cache = init.forward(checked.xs[0])                           # x_0: (B, D)
            checked = checked._replace(initial_state=initial)                           # made here: no check
        elif isinstance(init, LearnedInitialState):
            initial, init_cache = init.forward(len(lengths))
            checked = checked._replace(initial_state=initial)
        outputs, _, rnn_cache = self.run_rnn(checked)
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
        g = self.rnn_backward(d_outputs, cache["rnn"], inputs_gradient=with_inputs)
        grads = {**self._prefixed("rnn", g.params), **self._prefixed("head", dhead)}
        dinputs = g.inputs
        if "init" in self.parts:
            dx0, dinit = self.parts["init"].backward(g.initial_state, cache["init"])
            grads.update(self._prefixed("init", dinit))
            if dx0 is not None and with_inputs:
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
    :mod:`lstm_numpy.models.initial_state`), and a dense head on each row's last valid output.

    The cell computes ``h = o * tanh(c)`` with the *new* cell state c. The article's listing
    writes ``h = O * tanh(C~)``, with the candidate C~: that is its defect, not the LSTM; the
    standard cell and TensorFlow's own use ``tanh(c)``.

    Parameters
    ----------
    input_size : int, D
    output_size : int, K
    widths : the hidden sizes, (32, 32, 64) as in the article
    steps : int, T, the article's ``time_step`` = 30; inputs must have exactly this many steps
    init, forget_bias, rng, dtype, engine : as for :class:`SequenceRegressor`

    Examples
    --------
    >>> model = ArticleLSTM(1, rng=0)
    >>> pred, _ = model.predict(np.zeros((30, 2, 1)))           # (T, B, D)
    >>> pred.shape, sorted(model.parts)
    ((2, 1), ['head', 'init', 'rnn'])
    """

    def __init__(self, input_size, output_size=1, *, widths=(32, 32, 64), steps=30, forget_bias=0.0,
                 init="dl", rng=None, dtype="float64", engine="fast"):
        super().__init__(input_size, widths, output_size, cell="lstm", initial_state="encoder",
                         time_major=True, forget_bias=forget_bias, init=init, rng=rng, dtype=dtype, engine=engine)
        self.steps = int(steps)
        self.config = dict(input_size=input_size, output_size=output_size, widths=[int(w) for w in widths],
                           steps=self.steps, forget_bias=float(forget_bias), init=init,
                           dtype=self.config["dtype"])

    def _check_inputs(self, inputs, sequence_length):
        shape = np.shape(inputs)
        if len(shape) != 3 or shape[0] != self.steps:
            raise ValueError(f"expected time-major inputs (T={self.steps}, B, D={self.cell.input_size}), "
                             f"got {shape}")
        return super()._check_inputs(inputs, sequence_length)
