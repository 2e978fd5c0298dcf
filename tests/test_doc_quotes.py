"""A page that says it shows a function's lines shows them, byte for byte.

The claim has one spelling on every page, a sentence ending right before a fenced block:

    Each line below is a line of `lstm_step_backward` in `lstm_numpy/lstm.py`:

Each non-blank line of the block must then be a line of that function's source (leading
indentation aside), in the function's order. A looser wording ("the lines below", "one line of
`f`") is refused, so that no claim escapes the check. A signature a page gives in prose,
`lstm_step_backward(dh, dc_next, cache)`, or in a text block, ``ln.dynamic_rnn(cell, inputs,
sequence_length=None, ...)``, must name the function's own parameters in order, with its own
defaults; parameters left out must have defaults.
"""
import ast
import contextlib
import io
import importlib
import inspect
import pkgutil
import re

import pytest

import lstm_numpy

from docs_pages import FENCE, pages

MARKER = re.compile(r"Each line below is a line of `([A-Za-z_][\w.]*)` in `lstm_numpy/([\w/]+)\.py`:")
# any other way of saying that a block holds some function's lines
LOOSE = re.compile(r"\blines?\s+(?:below|above)\b|\blines?\s+of\s+`", re.I)
# `name(a, b=1)` in prose; ln.name(...) in a text block
PROSE_CALL = re.compile(r"`((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)\(([^()`]*)\)`")
BLOCK_CALL = re.compile(r"\bln\.([A-Za-z_]\w*)\(([^()]*)\)")
PARAMETER = re.compile(r"^([A-Za-z_]\w*)\s*(?:=\s*(.+))?$")

PAGES = pages()


def page_id(path):
    return path.name


def quotes(text):
    """(line number, dotted name, module, block) for each marker of a page's text; block is
    None when no fenced block follows the marker directly."""
    found = []
    for m in MARKER.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        fence = FENCE.search(text, m.end())
        direct = fence is not None and not text[m.end():fence.start()].strip()
        found.append((line, m.group(1), m.group(2), fence.group(2) if direct else None))
    return found


def function_named(module, dotted):
    """The function or method ``dotted`` (``f`` or ``Class.method``) of ``lstm_numpy/<module>.py``,
    or None."""
    try:
        obj = importlib.import_module("lstm_numpy." + module.replace("/", "."))
    except ImportError:
        return None
    for part in dotted.split("."):
        obj = vars(obj).get(part) if inspect.ismodule(obj) or inspect.isclass(obj) else None
        if obj is None:
            return None
    return obj if inspect.isfunction(obj) else None


def quote_problems(block, func):
    """Lines of ``block`` that are not lines of ``func``'s source, or that come out of its order."""
    source = [line.lstrip() for line in inspect.getsource(func).splitlines()]
    problems, after = [], 0
    for line in block.splitlines():
        quoted = line.lstrip()
        if not quoted:
            continue
        if quoted not in source:
            problems.append(f"not a line of {func.__qualname__}: {quoted!r}")
        elif quoted not in source[after:]:
            problems.append(f"out of {func.__qualname__}'s order: {quoted!r}")
        else:
            after = source.index(quoted, after) + 1
    return problems


def textbook_functions():
    """name -> [functions] for every module-level function and method in the package."""
    index = {}
    for info in pkgutil.walk_packages(lstm_numpy.__path__, "lstm_numpy."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:          # a room whose optional dependency is absent
            continue
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                index.setdefault(name, []).append(obj)
            elif inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member):
                        index.setdefault(f"{name}.{attr}", []).append(member)
    return index


FUNCTIONS = textbook_functions()


def signature_problem(name, arguments, func):
    """Why ``name(arguments)`` is not ``func``'s signature, or None. ``arguments`` is the text
    between the parentheses, each a parameter name with an optional ``=default``."""
    given = []
    for argument in arguments.split(","):
        m = PARAMETER.match(argument.strip())
        if not m:
            return None                  # a call with values, not a signature
        given.append(m.groups())
    params = [p for p in inspect.signature(func).parameters.values()
              if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    real = f"{name}({', '.join(p.name for p in params)})"
    names = [n for n, _ in given]
    if names != [p.name for p in params[:len(names)]]:
        return f"{name}({arguments}) is given, the code has {real}"
    for p in params[len(names):]:
        if p.default is p.empty:
            return f"{name}({arguments}) leaves out {p.name}, which has no default: the code has {real}"
    for (n, default), p in zip(given, params):
        if default is None:
            continue
        try:
            value = ast.literal_eval(default)
        except ValueError:
            return f"{name}: default {n}={default} is no literal"
        if p.default is p.empty or value != p.default or type(value) is not type(p.default):
            shown = "none" if p.default is p.empty else repr(p.default)
            return f"{name}: {n}={default} is given, the code's default is {shown}"
    return None


def signatures(text):
    """(line number, name, arguments, function) for each signature-like text on a page whose
    name is one function of the package: backticked ``f(a, b)`` in prose, ``ln.f(a, b=None)`` in
    text blocks."""
    found = []
    blocks = [(m.start(), m.end()) for m in FENCE.finditer(text)]
    inside = lambda pos: any(start <= pos < end for start, end in blocks)
    for m in PROSE_CALL.finditer(text):
        if inside(m.start()) or not m.group(2).strip():
            continue
        name = m.group(1)
        if name.startswith("ln."):       # a public name: the one the package root gives
            public = getattr(lstm_numpy, name[3:], None)
            candidates = [public] if inspect.isfunction(public) else []
        else:
            candidates = FUNCTIONS.get(name, [])
        if len(candidates) == 1:
            found.append((text.count("\n", 0, m.start()) + 1, name, m.group(2), candidates[0]))
    for fence in FENCE.finditer(text):
        if fence.group(1) != "text":
            continue
        for m in BLOCK_CALL.finditer(fence.group(2)):
            func = getattr(lstm_numpy, m.group(1), None)
            if inspect.isfunction(func):
                line = text.count("\n", 0, fence.start(2) + m.start()) + 1
                found.append((line, m.group(1), " ".join(m.group(2).split()), func))
    return found


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_quoted_lines_are_the_functions_lines(path):
    text = path.read_text(encoding="utf-8")
    problems = []
    for line, dotted, module, block in quotes(text):
        func = function_named(module, dotted)
        if func is None:
            problems.append(f"line {line}: no function {dotted} in lstm_numpy/{module}.py")
        elif block is None:
            problems.append(f"line {line}: the claim to quote {dotted} is not followed by a fenced block")
        else:
            problems += [f"line {line}: {problem}" for problem in quote_problems(block, func)]
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_every_claim_to_quote_uses_the_marker(path):
    text = MARKER.sub("", path.read_text(encoding="utf-8"))
    text = FENCE.sub("", text)
    loose = [m.group(0) for m in LOOSE.finditer(text)]
    assert not loose, (f"{path.name} says it shows lines as {loose}: write 'Each line below is a "
                       f"line of `f` in `lstm_numpy/x.py`:' right before the block, so that it is checked")


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_signatures_are_the_real_ones(path):
    problems = []
    for line, name, arguments, func in signatures(path.read_text(encoding="utf-8")):
        problem = signature_problem(name, arguments, func)
        if problem:
            problems.append(f"line {line}: {problem}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_the_backward_pages_quote_their_step_functions():
    """The three cell pages derive their backward steps from quoted lines, every step function
    quoted at least once and most of its equation lines shown."""
    docs = {path.name: path.read_text(encoding="utf-8") for path in PAGES}
    expected = {"rnn.md": ["rnn_step_backward"], "lstm.md": ["lstm_step_backward"],
                "gru.md": ["gru_step_backward", "gru_reset_before_step_backward"]}
    for page, functions in expected.items():
        quoted = {}
        for _, dotted, _, block in quotes(docs[page]):
            quoted.setdefault(dotted, []).extend(l for l in (block or "").splitlines() if l.strip())
        for name in functions:
            assert len(quoted.get(name, [])) >= 5, f"{page} quotes fewer than 5 lines of {name}"


# The checks can fail: a doctored page is caught.

PAGE = """Intro.

Each line below is a line of `lstm_step_backward` in `lstm_numpy/lstm.py`:

```text
do = dh * tanh_c                                          # (B, H)  eq. (7)
dc = dc_next + dh * o * tanh_grad(tanh_c)                 # (B, H)  eq. (7), c fans out to h and c_next
```

`lstm_step_backward(dh, dc_next, cache)` and `ln.dynamic_rnn(cell, inputs)`.
"""


def problems_of(page):
    found = []
    for _, dotted, module, block in quotes(page):
        func = function_named(module, dotted)
        found += ["missing"] if func is None or block is None else quote_problems(block, func)
    found += [p for _, name, args, func in signatures(page) if (p := signature_problem(name, args, func))]
    return found


def test_a_true_page_passes():
    assert problems_of(PAGE) == []


@pytest.mark.parametrize("old,new,expected", [
    ("dc = dc_next + dh", "dc = dc + dh", "not a line of lstm_step_backward"),           # the old doc's line
    ("tanh_grad(tanh_c)                 #", "tanh_grad(tanh_c)  #", "not a line"),          # spacing counts
    ("(B, H)  eq. (7)\ndc", "(B, H)  eq. (6)\ndc", "not a line"),                          # the comment counts
    ("`lstm_step_backward(dh, dc_next, cache)`", "`lstm_step_backward(dh, dc, cache)`", "the code has"),
    ("`lstm_step_backward(dh, dc_next, cache)`", "`lstm_step_backward(dh, dc_next)`", "the code has"),
    ("`ln.dynamic_rnn(cell, inputs)`", "`ln.dynamic_rnn(cell, inputs, sequence_length=0)`", "default is None"),
    ("`ln.dynamic_rnn(cell, inputs)`", "`ln.dynamic_rnn(cell, inputs, time_major=False)`", "the code has"),
    ("`lstm_numpy/lstm.py`:", "`lstm_numpy/gru.py`:", "missing"),
    (":\n\n```text", ":\n\nSome words.\n\n```text", "missing"),
])
def test_a_doctored_page_is_caught(old, new, expected):
    assert old in PAGE
    problems = problems_of(PAGE.replace(old, new, 1))
    assert any(expected in problem for problem in problems), problems


def test_lines_out_of_order_are_caught():
    lines = PAGE.split("```text\n")[1].split("```")[0].splitlines()
    swapped = PAGE.replace("\n".join(lines), "\n".join(reversed(lines)))
    assert any("out of" in problem for problem in problems_of(swapped))


def test_a_loose_claim_is_caught():
    assert LOOSE.search("Each line below is one line of `lstm_step_backward`:")
    assert LOOSE.search("The lines below are those of the code.")
    assert not LOOSE.search(MARKER.sub("", PAGE))


# A page that shows what a command prints shows lines it really prints.

COMMAND = re.compile(r"`python -m lstm_numpy (trace(?: [^`]*)?)`")


def shown_outputs(text):
    """(command arguments, block) for each backticked ``python -m lstm_numpy trace ...`` in prose
    followed, before any other block, by a ```text block: the output the page shows."""
    found = []
    for m in COMMAND.finditer(text):
        fence = FENCE.search(text, m.end())
        if fence is not None and fence.group(1) == "text" and "```" not in text[m.end():fence.start()]:
            found.append((m.group(1).split(), fence.group(2)))
    return found


def output_problems(block, printed):
    """Lines of ``block`` (``...`` marks a cut) that the command did not print, in its order."""
    lines, problems, after = printed.splitlines(), [], 0
    for line in block.splitlines():
        if line.strip() in ("", "..."):
            continue
        if line not in lines[after:]:
            problems.append(f"not printed (or not in this order): {line!r}")
        else:
            after = lines.index(line, after) + 1
    return problems


def printed_by(argv):
    from lstm_numpy.commands import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return out.getvalue()


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_shown_output_is_printed(path):
    problems = []
    for argv, block in shown_outputs(path.read_text(encoding="utf-8")):
        problems += [f"{' '.join(argv)}: {p}" for p in output_problems(block, printed_by(argv))]
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_diagrams_shows_a_trace_and_a_doctored_one_is_caught():
    shown = shown_outputs((PAGES[0].parent / "diagrams.md").read_text(encoding="utf-8"))
    assert shown, "diagrams.md should show what python -m lstm_numpy trace prints"
    argv, block = shown[0]
    printed = printed_by(argv)
    assert output_problems(block, printed) == []
    assert output_problems(block.replace("k=0", "k=1", 1), printed)          # layers counted from 1
    lines = [line for line in block.splitlines() if line.strip() not in ("", "...")]
    assert output_problems("\n".join(reversed(lines)), printed)              # out of order
