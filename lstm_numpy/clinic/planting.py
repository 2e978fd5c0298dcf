"""Planting a mistake into a copy of the code, never into the code.

:func:`planted` reads the source of the module that holds the mistake's function, replaces
each right line of that function by the wrong one (keeping the line's indentation and its
comment, so the line numbers and the equation the comment names stay where they are), compiles
the whole module under a name and a file name of its own, and runs it in a fresh module
object. Nothing of the library is rebound: the copy has its own functions and its own classes
(the copy's ``LSTMCell.step_backward`` calls the copy's ``lstm_step_backward``), and cells built
from those classes carry the mistake wherever the time loop, the gradient check or the trace
take them. While the planting is open, the copy is listed in ``sys.modules`` (the backward
trace reads a module's equations and file through it) and its text in ``linecache`` (so that a
trace entry shows the wrong line as the copy has it); both are removed when it closes.

A right line found anywhere but exactly once in its function is a :class:`PlantingError`: the
code changed, and the catalogue must follow it.
"""
import copy
import importlib
import inspect
import linecache
import sys
import types
from contextlib import contextmanager

PREFIX = "lstm_numpy.clinic.planted"


class PlantingError(LookupError):
    """A right line of a mistake is not in its function exactly once (the code changed).

    Parameters
    ----------
    message : str, which line of which function, and how often it was found
    """

    def __init__(self, message):
        super().__init__(message)


def _code(line):
    """A line's code: stripped, without its comment."""
    return line.partition("#")[0].strip()


def planted_source(mistake):
    """The source of the mistake's module with the mistake written in, and where its lines are.

    Parameters
    ----------
    mistake : :class:`~lstm_numpy.clinic.catalogue.Mistake`

    Returns
    -------
    source : str, the whole module with each right line of the function replaced
    lines : list of int, the line number (from 1) of each changed line, in the order of ``changes``
    """
    module = importlib.import_module(mistake.module)
    target = module
    for part in mistake.function.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise PlantingError(f"{mistake.name}: no {mistake.function} in {mistake.file}: the code changed, "
                                f"the catalogue must follow it")
    text = inspect.getsource(module)
    lines = text.splitlines(keepends=True)
    body, start = inspect.getsourcelines(target)
    first, last = start - 1, start - 1 + len(body)            # 0-based, end excluded
    where = []
    for change in mistake.changes:
        found = [n for n in range(first, last) if _code(lines[n]) == change.right]
        if len(found) != 1:
            raise PlantingError(f"{mistake.name}: expected the line {change.right!r} once in {mistake.function} "
                                f"of {mistake.file}, found it {len(found)} times: the code changed, the "
                                f"catalogue must follow it")
        n = found[0]
        old = lines[n]
        indent = old[:len(old) - len(old.lstrip())]
        code, hash_, comment = old.rstrip("\n").partition("#")
        new = indent + change.wrong
        if hash_:                                              # the comment stays in its column
            new = (new.ljust(len(code)) if len(new) + 2 <= len(code) else new + "  ") + "#" + comment
        lines[n] = new.rstrip() + "\n"
        where.append(n + 1)
    return "".join(lines), where


class Planting:
    """An open planting: the module copy with the mistake, and cells and functions built from it.

    Attributes
    ----------
    mistake : :class:`~lstm_numpy.clinic.catalogue.Mistake`
    module : the module copy (a fresh ``types.ModuleType``) holding the mistake
    original : the library's module it copies
    lines : list of int, the line numbers of the changed lines (the same as in the library's file)
    filename : str, the copy's file name, as its code objects and ``linecache`` know it

    Parameters
    ----------
    mistake, module, original, lines, filename : as the attributes (no arrays: cells built by
        :meth:`cell` hold them, such as ``W_x`` of shape (D, kH))
    """

    def __init__(self, mistake, module, original, lines, filename):
        self.mistake = mistake
        self.module = module
        self.original = original
        self.lines = lines
        self.filename = filename

    def function(self, qualname):
        """The copy's function (or method) ``qualname``, such as ``"lstm_step_backward"``.

        Parameters
        ----------
        qualname : str

        Returns
        -------
        function
        """
        target = self.module
        for part in qualname.split("."):
            target = getattr(target, part)
        return target

    def cell(self, cell):
        """A copy of ``cell`` whose layers of the planted module's kinds run the copy's code.

        Each such layer becomes an instance of the copy's class of the same name, with copies of
        the layer's attributes and arrays; other layers are copied as they are. The arrays are
        copies, so a gradient check perturbing them leaves ``cell`` alone.

        Parameters
        ----------
        cell : a cell or MultiRNNCell, arrays such as ``W_x`` of shape (D, kH)

        Returns
        -------
        a cell or MultiRNNCell of the same sizes and arrays
        """
        layers = []
        for layer in cell.cells:
            twin = copy.deepcopy(layer)
            if type(layer).__module__ == self.original.__name__:
                planted_class = getattr(self.module, type(layer).__qualname__)
                twin = planted_class.__new__(planted_class)
                twin.__dict__.update(copy.deepcopy(layer.__dict__))
            layers.append(twin)
        return type(cell)(layers) if cell.stacked else layers[0]


@contextmanager
def planted(mistake):
    """Plant ``mistake`` into a copy of its module, for the duration of a ``with`` block.

    Parameters
    ----------
    mistake : :class:`~lstm_numpy.clinic.catalogue.Mistake`

    Yields
    ------
    :class:`Planting`

    Examples
    --------
    >>> from lstm_numpy.clinic.catalogue import get
    >>> with planted(get("lstm-dc-assigned")) as p:
    ...     wrong = inspect.getsource(p.function("lstm_step_backward"))
    >>> "    dc = dh * o * tanh_grad(tanh_c)" in wrong
    True
    >>> import lstm_numpy.lstm
    >>> "    dc = dh * o * tanh_grad(tanh_c)" in inspect.getsource(lstm_numpy.lstm.lstm_step_backward)
    False
    """
    original = importlib.import_module(mistake.module)
    source, lines = planted_source(mistake)
    name = f"{PREFIX}.{mistake.module.rsplit('.', 1)[-1]}"
    filename = f"<planted {mistake.name}>/{mistake.file}"
    if name in sys.modules:
        raise RuntimeError(f"a planting of {name} is already open: close it before planting {mistake.name}")
    module = types.ModuleType(name, original.__doc__)
    module.__file__ = filename
    module.__package__ = original.__package__
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    sys.modules[name] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
        yield Planting(mistake, module, original, lines, filename)
    finally:
        sys.modules.pop(name, None)
        linecache.cache.pop(filename, None)
