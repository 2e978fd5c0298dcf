"""Build a cell from a short description: the command line's ``--cell``, ``--sizes`` and friends."""
from .checks import check_size
from .gru import GRUCell
from .initializers import as_rng
from .lstm import LSTMCell
from .multi import MultiRNNCell
from .rnn import RNNCell

CELL_KINDS = ("lstm", "gru", "rnn")


def build_cell(kind, sizes, input_size, *, activation="tanh", reset_after=True, forget_bias=0.0,
               init="dl", rng=None, dtype="float64", stack=None):
    """One cell per size, chained from ``input_size``; a MultiRNNCell when there are several.

    Parameters
    ----------
    kind : "lstm", "gru" or "rnn"
    sizes : sequence of int, the hidden size of each layer, bottom first (the article's [20, 30])
    input_size : int, D
    activation : "tanh" or "relu" (rnn only)
    reset_after : bool (gru only)
    forget_bias : float (lstm only)
    init, rng, dtype : as for the cells; one generator seeds every layer in turn
    stack : None (a MultiRNNCell when there are several sizes), or a bool to force either form

    Examples
    --------
    >>> build_cell("lstm", [20, 30], 8, rng=0)
    MultiRNNCell([LSTMCell(input_size=8, hidden_size=20, forget_bias=0.0, dtype=float64), LSTMCell(input_size=20, hidden_size=30, forget_bias=0.0, dtype=float64)])
    """
    if kind not in CELL_KINDS:
        raise ValueError(f"expected cell kind one of {', '.join(CELL_KINDS)}, got {kind!r}")
    sizes = [check_size(f"sizes[{k}]", s) for k, s in enumerate(sizes)]
    if not sizes:
        raise ValueError("expected at least one layer size, got none")
    if kind != "rnn" and activation != "tanh":
        raise ValueError(f"activation applies to the rnn cell only, got activation={activation!r} with {kind}")
    rng = as_rng(rng)
    options = {"lstm": {"forget_bias": forget_bias}, "gru": {"reset_after": reset_after},
               "rnn": {"activation": activation}}[kind]
    cls = {"lstm": LSTMCell, "gru": GRUCell, "rnn": RNNCell}[kind]
    widths = [input_size] + sizes
    cells = [cls(widths[k], widths[k + 1], init=init, rng=rng, dtype=dtype, **options)
             for k in range(len(sizes))]
    if stack is None:
        stack = len(cells) > 1
    if not stack and len(cells) > 1:
        raise ValueError(f"stack=False needs one size, got {len(sizes)}")
    return MultiRNNCell(cells) if stack else cells[0]
