"""The package's layout holds: the textbook at the top imports no room, nothing imports the
package root, no import loops, and no module outside the cells' own tests a cell's class.

The second half plants a new cell kind, written only against the cell protocol (lstm_numpy/cell.py),
and runs it through the time loop, its backward pass, the gradient check and the trace: a new kind
needs no change anywhere in the textbook.
"""
import ast
import re
from pathlib import Path

import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.cell import Cell
from lstm_numpy.gradcheck import check_dynamic_rnn
from lstm_numpy.kinds import CELL_CLASSES
from lstm_numpy.trace import trace

PACKAGE = Path(ln.__file__).parent
ROOMS = ("models", "train", "plot", "interop", "fast", "bench", "commands", "explain", "clinic")
CELL_MODULES = {"cell", "rnn", "lstm", "gru", "multi"}    # the protocol and the cells themselves
STATE_MODULES = {"state", "checks"}                       # walk state structures (LSTMState is a state)


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_package(name):
    return MODULES[name].name == "__init__.py"


def imports(name):
    """The package modules ``name`` imports, anywhere in its code, as (module, line number)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    here = name if is_package(name) else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.split(".")[0] == "lstm_numpy"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "lstm_numpy":
                continue
            for alias in node.names:                          # `from . import fast` imports the module fast
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in MODULES else target, node.lineno))
    return found


def test_the_modules_are_found():
    assert {"lstm_numpy", "lstm_numpy.time_loop", "lstm_numpy.lstm", "lstm_numpy.models.regressor",
            "lstm_numpy.train.checkpoint", "lstm_numpy.fast.sequence"} <= set(MODULES)
    assert "lstm_numpy.time_loop" in {m for m, _ in imports("lstm_numpy.gradient_flow")}
    assert "lstm_numpy.fast.gru" in {m for m, _ in imports("lstm_numpy.fast.sequence")}   # from . import gru


def test_nothing_inside_imports_the_package_root():
    offenders = [f"{name}:{line}" for name in MODULES if name != "lstm_numpy"
                 for target, line in imports(name) if target == "lstm_numpy"]
    assert not offenders, f"modules that import the package root (import the module itself instead): {offenders}"


def test_the_textbook_imports_no_room_and_no_matplotlib():
    core = [name for name, path in MODULES.items() if path.parent == PACKAGE and path.stem not in ("__init__", "__main__")]
    assert "lstm_numpy.time_loop" in core and "lstm_numpy.trace" in core
    offenders = []
    for name in core:
        offenders += [f"{name}:{line} imports {target}" for target, line in imports(name)
                      if target.split(".")[1:2] and target.split(".")[1] in ROOMS]
        text = MODULES[name].read_text(encoding="utf-8")
        offenders += [f"{name} imports matplotlib" for _ in re.finditer(r"^\s*(import|from) matplotlib", text, re.M)]
    assert not offenders, "\n".join(offenders)


def find_loops(graph):
    """Every import loop a depth-first walk of ``graph`` (module -> modules it imports) meets."""
    loops, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                loops.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return loops


def test_no_import_loops():
    # The root's face (__init__.py) imports the rooms by design; a module importing it back would
    # be a loop, which test_nothing_inside_imports_the_package_root refuses on its own.
    graph = {name: {target for target, _ in imports(name) if target in MODULES and target not in (name, "lstm_numpy")}
             for name in MODULES if name != "lstm_numpy"}
    loops = find_loops(graph)
    assert not loops, "import loops: " + "; ".join(" -> ".join(loop) for loop in loops)


def test_the_loop_finder_finds_a_loop():
    assert find_loops({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_loops({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


CLASS_TEST = re.compile(r"isinstance\([^)]*?\b(RNNCell|LSTMCell|GRUCell|MultiRNNCell|Cell|LSTMState)\b"
                        r"|type\([^)]*\)\s+is\s+\w*Cell")


def test_no_cell_class_is_tested_outside_its_own_module():
    offenders = []
    for name, path in MODULES.items():
        short = name.rpartition(".")[2]
        if name.count(".") == 1 and short in CELL_MODULES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found = CLASS_TEST.search(line)
            if found and not (short in STATE_MODULES and found.group(1) == "LSTMState"):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, "ask the cell (kind, state_parts, split_layers, ...) instead:\n" + "\n".join(offenders)


def test_the_class_test_pattern_sees_a_ladder():
    assert CLASS_TEST.search("if isinstance(cell, LSTMCell):")
    assert CLASS_TEST.search("multi = isinstance(cell, (ln.GRUCell, ln.MultiRNNCell))")
    assert not CLASS_TEST.search("if cell.kind == 'lstm':")


def test_the_time_loop_module_and_the_function_keep_their_names():
    import importlib
    module = importlib.import_module("lstm_numpy.time_loop")
    assert module.dynamic_rnn is ln.dynamic_rnn and callable(ln.dynamic_rnn)
    import lstm_numpy.checkpoint as checkpoint
    from lstm_numpy.models import SequenceRegressor
    assert checkpoint is ln.checkpoint and SequenceRegressor is ln.SequenceRegressor


@pytest.mark.parametrize("kind", sorted(CELL_CLASSES))
def test_every_kind_answers_the_protocol(kind):
    cell = CELL_CLASSES[kind](3, 5, rng=0)
    assert cell.kind == kind and not cell.stacked and cell.cells == (cell,)
    assert set(cell.param_shapes()) == set(cell.params) and cell.output_size == 5
    state = cell.zero_state(2)
    arrays = cell.state_arrays(state)
    assert tuple(arrays) == cell.state_parts and all(a.shape == (2, 5) for a in arrays.values())
    assert cell.state_arrays(cell.make_state(arrays)).keys() == arrays.keys()
    assert set(cell.options()) == set(cell.OPTIONS)
    _, _, cache = ln.dynamic_rnn(cell, np.ones((2, 3, 3)))
    assert {key for key, _, _ in cell.step_quantities()} <= set(cache["steps"][0])


# A cell kind the package has never seen: a leaky tanh unit with a fixed leak ``a``,
#     h = (1 - a) * h_prev + a * tanh(x W_x + h_prev W_h + b)
# written only against the protocol. The time loop, the stack, the gradient check and the trace
# must run it unchanged.
class LeakyCell(Cell):
    kind = "leaky"
    OPTIONS = {"leak": 0.5}

    def __init__(self, input_size, hidden_size, *, leak=0.5, rng=None):
        self.leak = leak
        super().__init__(input_size, hidden_size, rng=rng)

    def step_quantities(self):
        return [("u", "u_t", "tanh([x, h] w + b)"), ("h", "h_t", "(1 - a) * h_{t-1} + a * u")]

    def step(self, x, state):
        u = np.tanh(x @ self.params["W_x"] + state @ self.params["W_h"] + self.params["b"])
        h = (1 - self.leak) * state + self.leak * u
        return h, h, {"x": x, "h_prev": state, "u": u, "h": h}

    def step_backward(self, dh, dstate, cache):
        dh = dh + dstate
        da = dh * self.leak * (1 - cache["u"] ** 2)
        dx = da @ self.params["W_x"].T
        dh_prev = (1 - self.leak) * dh + da @ self.params["W_h"].T
        return dx, dh_prev, {"W_x": cache["x"].T @ da, "W_h": cache["h_prev"].T @ da, "b": da.sum(axis=0)}


def test_a_new_kind_plugs_into_the_textbook_unchanged():
    stack = ln.MultiRNNCell([ln.LSTMCell(4, 5, rng=0), LeakyCell(5, 3, rng=1)])
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    report = check_dynamic_rnn(stack, x, sequence_length=[3, 1])
    assert report.passed, report
    tr = trace(stack, x)
    assert tr.shape("u_t", k=1, t=2) == (2, 3) and tr.shape("w", k=1) == (8, 3)
    outputs, final, cache = ln.dynamic_rnn(stack, x)
    assert ln.gate_history(cache, "u", layer=1).shape == (3, 2, 3) and final[1].shape == (2, 3)
