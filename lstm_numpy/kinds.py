"""The cell kinds by name, and a cell built from a short description (kind, sizes, options).

This is the one place that maps a kind's name to its class and says which options apply to
which kind: the command line, the models and the converters all ask it, so a rule holds
everywhere at once. A new cell kind adds one line to :data:`CELL_CLASSES`.
"""
from .checks import check_size
from .gru import GRUCell
from .initializers import as_rng
from .lstm import LSTMCell
from .multi import MultiRNNCell
from .rnn import RNNCell

CELL_CLASSES = {cls.kind: cls for cls in (LSTMCell, GRUCell, RNNCell)}
CELL_KINDS = tuple(CELL_CLASSES)


class OptionError(ValueError):
    """An option set away from its default for a kind it does not apply to.

    Attributes
    ----------
    option : str, the option's name (``"forget_bias"``)
    value : its value
    kind : str, the kind it was given with
    applies_to : tuple of str, the kinds that take it

    Parameters
    ----------
    option, value, kind, applies_to : as the attributes
    """

    def __init__(self, option, value, kind, applies_to):
        self.option, self.value, self.kind, self.applies_to = option, value, kind, applies_to
        super().__init__(f"{option} applies to the {' and '.join(applies_to)} cell only, "
                         f"got {option}={value!r} with {kind}")


def check_kind(kind):
    """``kind`` itself, or a ValueError naming the kinds there are.

    Parameters
    ----------
    kind : str, "lstm", "gru" or "rnn"

    Returns
    -------
    str
    """
    if kind not in CELL_CLASSES:
        raise ValueError(f"expected cell kind one of {', '.join(CELL_KINDS)}, got {kind!r}")
    return kind


def cell_options(kind, **given):
    """The options of a ``kind`` cell among ``given``; an :class:`OptionError` for any other
    option set away from its default (an option at its default is left out quietly).

    Parameters
    ----------
    kind : str, "lstm", "gru" or "rnn"
    given : options by name, such as ``forget_bias=1.0``, ``reset_after=False``, ``activation="relu"``

    Returns
    -------
    dict, the options that apply to ``kind``

    Examples
    --------
    >>> cell_options("gru", reset_after=False, forget_bias=0.0)
    {'reset_after': False}
    >>> cell_options("gru", forget_bias=1.0)
    Traceback (most recent call last):
    ...
    lstm_numpy.kinds.OptionError: forget_bias applies to the lstm cell only, got forget_bias=1.0 with gru
    """
    own = CELL_CLASSES[check_kind(kind)].OPTIONS
    for name, value in given.items():
        owners = tuple(k for k, cls in CELL_CLASSES.items() if name in cls.OPTIONS)
        if not owners:
            raise TypeError(f"unknown cell option {name!r}; the cells take "
                            f"{sorted({o for cls in CELL_CLASSES.values() for o in cls.OPTIONS})}")
        if name not in own and value != CELL_CLASSES[owners[0]].OPTIONS[name]:
            raise OptionError(name, value, kind, owners)
    return {name: value for name, value in given.items() if name in own}


def build_cell(kind, sizes, input_size, *, init="dl", rng=None, dtype="float64", stack=None, **options):
    """One cell per size, chained from ``input_size``; a MultiRNNCell when there are several.

    Parameters
    ----------
    kind : "lstm", "gru" or "rnn"
    sizes : sequence of int, the hidden size of each layer, bottom first (the article's [20, 30])
    input_size : int, D
    init, rng, dtype : as for the cells; one generator seeds every layer in turn
    stack : None (a MultiRNNCell when there are several sizes), or a bool to force either form
    options : the kind's options (``forget_bias``, ``use_peepholes``, ``cell_clip``,
        ``num_proj``, ``proj_clip`` for lstm, ``reset_after`` for gru, ``activation`` for rnn), by
        :func:`cell_options`' rule: another kind's option away from its default is an error; with
        ``num_proj`` each layer above the first reads the P columns of the one below

    Returns
    -------
    cell : RNNCell, LSTMCell or GRUCell, or a MultiRNNCell of them

    Examples
    --------
    >>> build_cell("lstm", [20, 30], 8, rng=0)
    MultiRNNCell([LSTMCell(input_size=8, hidden_size=20, forget_bias=0.0, dtype=float64), LSTMCell(input_size=20, hidden_size=30, forget_bias=0.0, dtype=float64)])
    """
    options = cell_options(kind, **options)
    sizes = [check_size(f"sizes[{k}]", s) for k, s in enumerate(sizes)]
    if not sizes:
        raise ValueError("expected at least one layer size, got none")
    if stack is None:
        stack = len(sizes) > 1
    if not stack and len(sizes) > 1:
        raise ValueError(f"stack=False needs one size, got {len(sizes)}")
    rng = as_rng(rng)
    cells = []
    for size in sizes:                                        # each layer reads the output of the one below
        width = cells[-1].output_size if cells else input_size   # (H, or P with a projection)
        cells.append(CELL_CLASSES[kind](width, size, init=init, rng=rng, dtype=dtype, **options))
    return MultiRNNCell(cells) if stack else cells[0]
