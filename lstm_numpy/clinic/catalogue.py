"""The catalogue: the mistakes people make in a hand-written BPTT, one entry each.

A :class:`Mistake` names the function it lives in and, for each line it changes, the line as
the code has it (``right``) and the line as the mistake writes it (``wrong``): code only, the
comment after ``#`` stays as the code has it. :mod:`lstm_numpy.clinic.planting` finds each
right line in a copy of that function and fails loudly when it is not there exactly once, so an
entry cannot go on describing a line the code no longer has.

``expect`` is the first quantity the planted backward trace computes differently from the true
one (or, for a mistake in a forward step, the first quantity the planted forward pass computes
differently), in the clinic's configuration: the test suite holds the clinic to it.
"""
from collections import namedtuple

Change = namedtuple("Change", ["right", "wrong"])
Change.__doc__ = """One line of a mistake: the code as it stands (``right``) and as the mistake writes it
(``wrong``), each without its comment.

Parameters
----------
right : str, the line's code, stripped, as it stands in the module
wrong : str, the code the mistake puts in its place
"""

Expect = namedtuple("Expect", ["name", "t", "k", "forward", "at_planted_line"])
Expect.__doc__ = """The first quantity a mistake changes in the clinic's configuration.

Parameters
----------
name : str, the trace's name for it (``"dc"``, ``"dh_next"``; ``"h_t"`` in the forward trace)
t : int, the step, from 0
k : int, the layer, from 0
forward : bool, whether it is a forward quantity (the mistake is in a forward step)
at_planted_line : bool, whether the trace entry's line is the planted line itself (False where
    the mistake changes what a function is given or hands on, and the time loop's entry shows it)
"""

Hidden = namedtuple("Hidden", ["batch", "lengths", "why"])
Hidden.__doc__ = """A configuration in which the gradient check cannot see a mistake.

Parameters
----------
batch : int, B of that configuration
lengths : None or list of int, the sequence lengths of that configuration (None: every row full)
why : str, why the check passes there
"""


class Mistake(namedtuple("Mistake", ["name", "title", "kind", "options", "module", "function", "changes",
                                     "breaks", "expect", "hidden"])):
    """One mistake of the catalogue.

    Parameters
    ----------
    name : str, short and unique, such as ``"lstm-dc-assigned"``
    title : str, what the mistake is, in a line
    kind : str, the cell kind the clinic plants it into: ``"lstm"``, ``"gru"`` or ``"rnn"``
    options : dict, the cell's options in the clinic (``{"reset_after": True}``)
    module : str, the module holding the function, such as ``"lstm_numpy.lstm"``
    function : str, the function's qualified name, such as ``"lstm_step_backward"`` or
        ``"LSTMCell.step_backward"``
    changes : tuple of :class:`Change`
    breaks : str, the equation (or rule) it breaks and how
    expect : :class:`Expect`, the first quantity it changes
    hidden : None or :class:`Hidden`, a configuration in which the check cannot see it
    """

    __slots__ = ()

    @property
    def file(self):
        """The module's file, relative to the repository: ``lstm_numpy/lstm.py``."""
        return self.module.replace(".", "/") + ".py"


def _m(name, title, kind, module, function, changes, breaks, expect, hidden=None, **options):
    return Mistake(name, title, kind, options, module, function, tuple(Change(*c) for c in changes),
                   breaks, Expect(*expect), hidden)


FULL_ROWS = Hidden(3, None, "with every row as long as the sequence no step is past a row's length, "
                            "so the mask is all ones and the wrong line computes what the right one does")

MISTAKES = (
    _m("lstm-dc-assigned", "the cell-state gradient assigned where the part from step t+1 must be added",
       "lstm", "lstm_numpy.lstm", "lstm_step_backward",
       [("dc = dc_next + dh * o * tanh_grad(tanh_c)", "dc = dh * o * tanh_grad(tanh_c)")],
       "lstm.md eq. (7) with eq. (6) of step t+1: c_t reaches the loss through h_t and through "
       "c_{t+1} = f_{t+1} * c_t + ..., so dL/dc_t is the sum of both paths",
       ("dc", 3, 1, False, True)),
    _m("lstm-forget-no-sigmoid-grad", "the forget gate's sigmoid derivative left out",
       "lstm", "lstm_numpy.lstm", "lstm_step_backward",
       [("da_f = df * sigmoid_grad(f)", "da_f = df")],
       "lstm.md eq. (3): f = sigma(a_f), so dL/da_f = dL/df * f * (1 - f), not dL/df",
       ("da_f", 3, 1, False, True)),
    _m("lstm-h-from-candidate", "h = o * tanh(g) instead of o * tanh(c): the source article's own defect",
       "lstm", "lstm_numpy.lstm", "lstm_step_forward",
       [("h = o * tanh_c", "h = o * np.tanh(g)")],
       "lstm.md eq. (7): h = o * tanh(c) reads the new cell state; the backward step differentiates "
       "eq. (7), so a forward step that reads the candidate g is another function than the one "
       "differentiated",
       ("h_t", 0, 0, True, True)),
    _m("lstm-state-order", "the step function is right, the cell hands back (dh, dc) where the state is (c, h)",
       "lstm", "lstm_numpy.lstm", "LSTMCell.step_backward",
       [("return dx, LSTMState(dc_prev, dh_prev), dparams", "return dx, LSTMState(dh_prev, dc_prev), dparams")],
       "the state's structure: LSTMState is (c, h), so dL/d(state) is (dc, dh); swapped, step t-1 "
       "receives dh_next as its dc_next and the other way round (every equation of each step still holds)",
       ("dh_prev", 3, 1, False, False)),
    _m("lstm-clip-inside", "the gradient handed to step t-1 clipped inside the backward pass being checked",
       "lstm", "lstm_numpy.lstm", "lstm_step_backward",
       [("dc_prev = dc * f", "dc_prev = np.clip(dc * f, -0.5, 0.5)")],
       "lstm.md eq. (6): dL/dc_prev = dL/dc * f; clipped, it is that only while it stays inside "
       "the bound. Clipping belongs to the optimiser, after the gradient is whole",
       ("dc_prev", 3, 1, False, True)),
    _m("rnn-dh-next-dropped", "the recurrent gradient never carried to the earlier step",
       "rnn", "lstm_numpy.rnn", "RNNCell.step_backward",
       [("return rnn_step_backward(dh + dstate, cache)", "return rnn_step_backward(dh, cache)")],
       "rnn.md eq. (1) of step t+1: h_t is the output of step t and an input of step t+1, so dL/dh_t "
       "is the output's gradient plus dh_next handed back from t+1",
       ("dh", 3, 1, False, True)),
    _m("rnn-bias-mean", "the bias gradient averaged over the batch instead of summed",
       "rnn", "lstm_numpy.rnn", "rnn_step_backward",
       [("db = da.sum(axis=0)", "db = da.mean(axis=0)")],
       "rnn.md eq. (1): b is added to every row of the batch, so dL/db sums dL/da over the rows",
       ("db", 3, 1, False, True),
       Hidden(1, [4], "with one row the mean is the sum")),
    _m("rnn-W_h-untransposed", "the recurrent weight not transposed when the gradient goes back to h_prev",
       "rnn", "lstm_numpy.rnn", "rnn_step_backward",
       [("dh_prev = da @ W_h.T", "dh_prev = da @ W_h")],
       "rnn.md eq. (1): a = ... + h_prev W_h, so dL/dh_prev = dL/da W_h^T; W_h is square (H, H), so "
       "the untransposed product has the right shape and runs",
       ("dh_prev", 3, 1, False, True)),
    _m("rnn-tanh-grad-twice", "the tanh derivative taken of tanh(h), as if h were the pre-activation",
       "rnn", "lstm_numpy.rnn", "rnn_step_backward",
       [("da = dh * act_grad", "da = dh * tanh_grad(np.tanh(h))")],
       "rnn.md eq. (2): h = tanh(a), so dh/da = 1 - tanh(a)^2 = 1 - h^2, a function of h itself; "
       "tanh_grad(np.tanh(h)) applies tanh once more",
       ("da", 3, 1, False, True)),
    _m("rnn-dW_h-from-h", "the recurrent weight's gradient built from h_t instead of h_{t-1}",
       "rnn", "lstm_numpy.rnn", "rnn_step_backward",
       [("dW_h = h_prev.T @ da", "dW_h = h.T @ da")],
       "rnn.md eq. (1): a_t = x_t W_x + h_{t-1} W_h + b multiplies W_h by the previous state, so "
       "dL/dW_h = h_{t-1}^T dL/da_t",
       ("dW_h", 3, 1, False, True)),
    _m("gru-z-swapped", "the GRU's z and 1 - z swapped: the backward of h = z * n + (1 - z) * h_prev",
       "gru", "lstm_numpy.gru", "gru_step_backward",
       [("dn = dh * (1 - z)", "dn = dh * z"),
        ("dz = dh * (h_prev - n)", "dz = dh * (n - h_prev)"),
        ("dh_prev = dh * z", "dh_prev = dh * (1 - z)")],
       "gru.md eq. (6): h = (1 - z) * n + z * h_prev (PyTorch, Keras, TensorFlow); the paper of Cho "
       "et al. writes z where this has 1 - z, and a backward derived from one convention does not "
       "fit a forward written in the other",
       ("dn", 3, 1, False, True), reset_after=True),
    _m("gru-reset-dropped", "the reset gate left out of the recurrent candidate's gradient",
       "gru", "lstm_numpy.gru", "gru_step_backward",
       [("dah_n = da_n * r", "dah_n = da_n")],
       "gru.md eq. (5): n = tanh(a_x,n + r * a_h,n), so dL/da_h,n = dL/da_n * r",
       ("dah_n", 3, 1, False, True), reset_after=True),
    _m("loop-output-leak", "gradient let in through the outputs of steps past a row's length",
       "lstm", "lstm_numpy.time_loop", "dynamic_rnn_backward",
       [("dh = np.where(alive, d_outputs[t], 0)", "dh = d_outputs[t]")],
       "the sequence_length rule: at and past a row's length its output is the constant 0, which "
       "depends on no weight, so no gradient comes in through it",
       ("d_output", 3, 1, False, True), FULL_ROWS),
    _m("loop-state-leak", "the state gradient of rows past their length sent through the step as well as around it",
       "lstm", "lstm_numpy.time_loop", "dynamic_rnn_backward",
       [("dstate_new = map_state(lambda d: np.where(alive, d, 0), dstate)", "dstate_new = dstate")],
       "the sequence_length rule: past a row's length the state is carried, new_state = old state, "
       "so its gradient goes around the step (the carry) and nothing of it into the step's new state",
       ("dh_next", 3, 1, False, True), FULL_ROWS),
)

BY_NAME = {m.name: m for m in MISTAKES}


def get(name):
    """The mistake called ``name``; a ValueError naming the ones there are.

    Parameters
    ----------
    name : str, such as ``"lstm-dc-assigned"``

    Returns
    -------
    Mistake
    """
    if name not in BY_NAME:
        raise ValueError(f"expected a mistake of the catalogue ({', '.join(BY_NAME)}), got {name!r}")
    return BY_NAME[name]
