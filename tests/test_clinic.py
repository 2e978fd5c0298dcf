"""The bug clinic: each planted mistake is seen by the gradient check and named by the trace,
the true code passes, the catalogue's lines are the code's lines, and planting never reaches
the library."""
import hashlib
import inspect
import linecache
import re
import shlex
import sys

import numpy as np
import pytest

import lstm_numpy.gru
import lstm_numpy.lstm
import lstm_numpy.rnn
import lstm_numpy.time_loop
from lstm_numpy.clinic import MISTAKES, PlantingError, examine, get, planted
from lstm_numpy.clinic.catalogue import Change
from lstm_numpy.clinic.examine import CONFIG, check_sequence, problem, step_functions
from lstm_numpy.clinic.planting import PREFIX, planted_source
from lstm_numpy.commands import main
from lstm_numpy.gradcheck import check_dynamic_rnn
from lstm_numpy.kinds import build_cell

from docs_pages import DOCS, FENCE, HEADING, ROOT

MODULES = [lstm_numpy.lstm, lstm_numpy.rnn, lstm_numpy.gru, lstm_numpy.time_loop]


def names(mistake):
    return mistake.name


_DIAGNOSES = {}


def diagnosis(name):
    """examine(name), once per test session (the doc's reports reuse the parametrized runs)."""
    if name not in _DIAGNOSES:
        _DIAGNOSES[name] = examine(name)
    return _DIAGNOSES[name]


def test_the_catalogue():
    assert len(MISTAKES) >= 10
    assert len({m.name for m in MISTAKES}) == len(MISTAKES)
    for m in MISTAKES:
        assert re.fullmatch(r"(lstm|rnn|gru|loop)-[\w-]+", m.name), m.name
        assert m.changes and all(c.right != c.wrong for c in m.changes)
        assert m.title and m.breaks
        assert get(m.name) is m
    with pytest.raises(ValueError, match="expected a mistake of the catalogue"):
        get("no-such-mistake")


@pytest.mark.parametrize("mistake", MISTAKES, ids=names)
def test_each_target_line_stands_in_its_function(mistake):
    """The right lines are the code's, once each in the function; the copy differs from the
    library's file only there, and keeps each line's number and comment."""
    source, lines = planted_source(mistake)
    original = inspect.getsource(sys.modules[mistake.module]).splitlines()
    copy = source.splitlines()
    assert len(copy) == len(original)
    assert [n for n, (a, b) in enumerate(zip(original, copy), 1) if a != b] == sorted(lines)
    for line, change in zip(lines, mistake.changes):
        assert original[line - 1].partition("#")[0].strip() == change.right
        assert copy[line - 1].partition("#")[0].strip() == change.wrong
        assert copy[line - 1].partition("#")[2] == original[line - 1].partition("#")[2]


def test_a_line_the_code_no_longer_has_fails_loudly():
    mistake = get("lstm-dc-assigned")
    gone = mistake._replace(changes=(Change("dc = dh * o * tanh_grad(tanh_c)", "dc = 0"),))
    with pytest.raises(PlantingError, match=r"expected the line 'dc = dh \* o \* tanh_grad\(tanh_c\)' once in "
                                            r"lstm_step_backward of lstm_numpy/lstm.py, found it 0 times"):
        planted_source(gone)
    elsewhere = mistake._replace(function="lstm_step_forward")      # the line is in another function
    with pytest.raises(PlantingError, match="found it 0 times"):
        planted_source(elsewhere)
    with pytest.raises(PlantingError, match="no lstm_step_sideways in lstm_numpy/lstm.py"):
        planted_source(mistake._replace(function="lstm_step_sideways"))
    with pytest.raises(PlantingError):
        with planted(gone):
            pass
    assert not [name for name in sys.modules if name.startswith(PREFIX)]


@pytest.mark.parametrize("mistake", MISTAKES, ids=names)
def test_each_mistake_fails_the_check_and_the_trace_names_what_it_changes(mistake):
    d = diagnosis(mistake.name)
    assert d.true_check.passed, str(d.true_check)
    assert not d.planted_check.passed, str(d.planted_check)
    # the step functions' own check passes exactly where the mistake lies outside them
    module, forward, backward = step_functions(build_cell(mistake.kind, [3], 2, **mistake.options))
    inside = mistake.module == module and mistake.function in (forward, backward)
    assert d.step_check.passed is not inside, str(d.step_check)
    v, expect = d.divergence, mistake.expect
    assert v is not None
    assert (v.name, v.t, v.k, v.forward) == (expect.name, expect.t, expect.k, expect.forward)
    if expect.at_planted_line:
        assert v.where.line in d.lines
        assert v.where.text.partition("#")[0].strip() in {c.wrong for c in mistake.changes}
        assert v.where.function == mistake.function
    else:                       # the step computes it right; what is handed on from it differs
        assert v.where.text.partition("#")[0].strip() not in {c.wrong for c in mistake.changes}
        assert v.agreed_before is not None and v.agreed_before.function in step_functions(
            build_cell(mistake.kind, [3], 2, **mistake.options))
    assert v.true is not None and not np.allclose(v.true, v.planted)
    if mistake.hidden is not None:
        assert d.hidden_check.passed, f"the configuration said to hide {mistake.name} does not:\n{d.hidden_check}"
    else:
        assert d.hidden_check is None


def _library_snapshot():
    snap = {}
    for module in MODULES:
        functions = {}
        for name, obj in vars(module).items():
            if inspect.isfunction(obj):
                functions[name] = obj.__code__
            elif inspect.isclass(obj) and obj.__module__ == module.__name__:
                functions.update({f"{name}.{a}": f.__code__ for a, f in vars(obj).items() if inspect.isfunction(f)})
        with open(module.__file__, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        snap[module.__name__] = (dict(vars(module)), functions, inspect.getsource(module), digest)
    return snap


def test_planting_leaves_the_library_unchanged(rng):
    before = _library_snapshot()
    modules_before = set(sys.modules)
    cell = build_cell("lstm", [3], 2, rng=0)
    original = {k: v.copy() for k, v in cell.params.items()}
    for mistake in MISTAKES:
        with planted(mistake) as p:
            copy = p.function(mistake.function)
            real = sys.modules[mistake.module]
            for part in mistake.function.split("."):
                real = getattr(real, part)
            assert copy is not real and copy.__code__ is not real.__code__
            assert copy.__code__.co_filename == p.filename != real.__code__.co_filename
            twin = p.cell(cell)
            for arr in twin.params.values():
                arr += 1.0                                   # the copy's arrays are its own
    for k, v in cell.params.items():
        np.testing.assert_array_equal(v, original[k])
    with pytest.raises(ZeroDivisionError):                   # closed on an error too
        with planted(get("rnn-bias-mean")):
            1 / 0
    after = _library_snapshot()
    for name, (globals_before, codes, source, digest) in before.items():
        globals_after, codes_after, source_after, digest_after = after[name]
        assert globals_after.keys() == globals_before.keys()
        assert all(globals_after[key] is value for key, value in globals_before.items()), name
        assert all(codes_after[key] is code for key, code in codes.items()), name
        assert source_after == source and digest_after == digest
    assert not [name for name in set(sys.modules) - modules_before if name.startswith(PREFIX)]
    assert not [name for name in linecache.cache if str(name).startswith("<planted ")]
    assert check_dynamic_rnn(build_cell("lstm", [5], 4, rng=rng), rng.normal(size=(2, 3, 4))).passed


def test_the_true_code_passes_the_clinics_own_check_where_the_librarys_does():
    data = problem(get("rnn-bias-mean"), CONFIG)
    ours = check_sequence(data["cell"], data)
    library = check_dynamic_rnn(data["cell"], data["inputs"], sequence_length=data["lengths"],
                                initial_state=data["initial_state"])
    assert ours.passed and library.passed
    assert [row.name for row in ours.rows] == [row.name for row in library.rows]
    assert len(ours.rows) == 1 + 4 * len(CONFIG.sizes)          # inputs; a state and three arrays per layer


def test_command_line_lists_and_refuses(capsys):
    assert main(["clinic"]) == 0
    listed = capsys.readouterr().out
    for m in MISTAKES:
        assert f"  {m.name}  " in listed and m.file in listed
    with pytest.raises(SystemExit):
        main(["clinic", "lstm-dc-assigned", "--all"])
    with pytest.raises(SystemExit):
        main(["clinic", "no-such-mistake"])
    assert "expected a mistake of the catalogue" in capsys.readouterr().err


def _tiny_errors_hidden(lines):
    """Errors below the tolerance vary in their last digits between machines: compare them as <tiny>."""
    return [re.sub(r"\d\.\d\de-(?:0[7-9]|[1-9]\d)", "<tiny>", line.rstrip()) for line in lines]


def test_the_command_prints_the_report(capsys):
    assert main(["clinic", "rnn-dW_h-from-h"]) == 0
    assert capsys.readouterr().out == diagnosis("rnn-dW_h-from-h").format() + "\n"


def test_the_pages_outputs_are_what_the_command_prints():
    """docs/clinic.md: a section per mistake, and each ```text block starting with a clinic
    command is what the command prints today (the command prints ``examine(NAME).format()``,
    as the test above shows)."""
    text = (DOCS / "clinic.md").read_text(encoding="utf-8")
    headings = HEADING.findall(FENCE.sub("", text))
    for m in MISTAKES:
        assert any(f"`{m.name}`" in h for h in headings), f"docs/clinic.md has no section on {m.name}"
    checked = 0
    for block in FENCE.finditer(text):
        lines = block.group(2).splitlines()
        if block.group(1) != "text" or not lines[0].startswith("$ python -m lstm_numpy clinic "):
            continue
        command = shlex.split(lines[0])
        assert command[:4] == ["$", "python", "-m", "lstm_numpy"] and command[4] == "clinic" and len(command) == 6
        printed = diagnosis(command[5]).format().splitlines()
        assert _tiny_errors_hidden(printed) == _tiny_errors_hidden(lines[1:]), \
            f"docs/clinic.md's output of {lines[0]!r} is not what it prints now: regenerate it"
        checked += 1
    assert checked == 2
    assert (ROOT / "docs" / "clinic.md").exists()


def test_command_line_runs_every_mistake_one_line_each(capsys, monkeypatch):
    import lstm_numpy.clinic.catalogue as catalogue
    chosen = (get("rnn-bias-mean"), get("rnn-dh-next-dropped"))
    monkeypatch.setattr(catalogue, "MISTAKES", chosen)           # two quick ones stand for the fourteen
    assert main(["clinic", "--all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["mistake", "true", "planted"] and lines[-1].startswith("2 mistakes in ")
    assert re.match(r"rnn-bias-mean\s+pass\s+FAIL\s+5\.0e-01\s+FAIL\s+db\^1 at t=3, rnn\.py:\d+$", lines[1])
    assert re.match(r"rnn-dh-next-dropped\s+pass\s+FAIL\s+\S+\s+pass\s+dh\^1 at t=3, rnn\.py:\d+$", lines[2])
