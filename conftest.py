"""Collection rules for the whole checkout (the tests' own helpers are in tests/conftest.py).

The package's doctests run as tests (``--doctest-modules``). The drawing modules import
matplotlib, the ``plot`` extra; where it is not installed, each of them is reported as skipped,
with the reason, instead of failing to import.
"""
import importlib
import importlib.util
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent / "lstm_numpy"
DRAWING = PACKAGE / "plot"          # the only room that imports matplotlib
MISSING = importlib.util.find_spec("matplotlib") is None


class NeedsMatplotlib(pytest.File):
    """A module whose doctests cannot be collected without matplotlib: one skip with the reason."""

    def collect(self):
        raise pytest.skip.Exception(f"matplotlib is not installed, and lstm_numpy/plot/{self.path.name} imports "
                                    "it (pip install -e '.[plot]')", allow_module_level=True)


def imports_matplotlib(path):
    """Whether importing the drawing module at ``path`` fails for want of matplotlib."""
    dotted = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    try:
        importlib.import_module(dotted)
    except ModuleNotFoundError as err:
        return (err.name or "").split(".")[0] == "matplotlib"
    return False


@pytest.hookimpl(hookwrapper=True)
def pytest_collect_file(file_path, parent):
    outcome = yield
    if MISSING and file_path.suffix == ".py" and DRAWING in file_path.parents and imports_matplotlib(file_path):
        outcome.force_result([NeedsMatplotlib.from_parent(parent, path=file_path)])
