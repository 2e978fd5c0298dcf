"""The docs cannot drift from the code.

Every fenced ```python block of docs/*.md and README.md runs (one namespace per page, blocks
in order, in a temporary working directory); every link between pages resolves; every
equation number a page cites is one the code's comments cite; the forward equations of the
rnn, lstm and gru pages are those of their module's docstring, and each backward line they
derive is a line of the module citing the same equation; every function, class and module a
page names exists; every public name has a docstring, and every public function, class and
method of the numerical modules a numpydoc one with shapes (the cells' step functions and
classes with their equation numbers too).
"""
import importlib
import importlib.util
import inspect
import re

import pytest

import lstm_numpy as ln

from docs_pages import (DOCS, EQUATION_PAGES, EXPECTED_LATER, FENCE, ROOT, anchors, citations,
                        cited_in_code, env_for_examples, links, pages, prose, python_blocks,
                        run_page)

PAGES = pages()
OWN_PAGES = ["index.md", "notation.md", "rnn.md", "lstm.md", "gru.md", "dynamic_rnn.md",
             "gradcheck.md", "article.md"]


def page_id(path):
    return path.name


def test_own_pages_exist():
    missing = [name for name in OWN_PAGES if not (DOCS / name).exists()]
    assert not missing, f"docs pages missing: {missing}"


DRAWS = re.compile(r"from lstm_numpy import plot|lstm_numpy\.plot|import matplotlib")


@pytest.mark.parametrize("path", [p for p in PAGES if python_blocks(p)], ids=page_id)
def test_examples_run(path, tmp_path, monkeypatch):
    if importlib.util.find_spec("matplotlib") is None and any(DRAWS.search(source) for _, source in python_blocks(path)):
        pytest.skip(f"matplotlib is not installed, and the examples of {path.name} draw figures")
    for name, value in env_for_examples().items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    run_page(path)


def test_the_code_pages_have_examples():
    for name in ["rnn.md", "lstm.md", "gru.md", "dynamic_rnn.md", "gradcheck.md", "article.md"]:
        assert len(python_blocks(DOCS / name)) >= 2, f"{name} should show its points in code"


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_links_resolve(path):
    for text, target in links(path):
        if re.match(r"[a-z]+:", target):          # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            expected_later = dest.parent == DOCS and dest.name in EXPECTED_LATER
            assert expected_later, f"{path.name}: link [{text}]({target}) points at nothing"
            continue
        if anchor and dest.suffix == ".md":
            assert anchor in anchors(dest), f"{path.name}: no heading #{anchor} in {dest.name}"


def test_index_reaches_every_page():
    targets = {target.partition("#")[0] for _, target in links(DOCS / "index.md")}
    for page in DOCS.glob("*.md"):
        if page.name != "index.md":
            assert page.name in targets, f"index.md does not link {page.name}"
    named = {text.strip("`* ").lower(): target for text, target in links(DOCS / "index.md")}
    for text, target in [("models and training", "models.md"),
                         ("conventions across frameworks", "conventions.md"),
                         ("diagrams", "diagrams.md"), ("performance", "performance.md")]:
        assert named.get(text) == target, f"index.md should link [{text}]({target})"


def cited_module(path, text, position):
    """The cell module a citation refers to: the page's own, or the page (or module) named
    earlier on the citation's line."""
    if path.name in EQUATION_PAGES:
        return EQUATION_PAGES[path.name]
    line_start = text.rfind("\n", 0, position) + 1
    before = text[line_start:position]
    named = re.findall(r"\b(rnn|lstm|gru)\.(?:md|py)\b", before)
    return named[-1] if named else None


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_cited_equations_exist_in_the_code(path):
    text = prose(path)
    code_numbers = {name: cited_in_code(ROOT / "lstm_numpy" / f"{name}.py")
                    for name in EQUATION_PAGES.values()}
    for position, numbers in citations(text):
        module = cited_module(path, text, position)
        context = text[max(0, position - 60):position + 20].replace("\n", " ")
        assert module is not None, (f"{path.name}: a citation outside rnn.md, lstm.md, gru.md must "
                                    f"name the page on its line: ...{context}...")
        missing = [n for n in numbers if n not in code_numbers[module]]
        assert not missing, f"{path.name}: eq. {missing} is cited in no comment of {module}.py: ...{context}..."


@pytest.mark.parametrize("page,module", sorted(EQUATION_PAGES.items()))
def test_forward_equations_match_the_module_docstring(page, module):
    """The numbered equations of the module docstring appear, number and all, on the page."""
    doc = importlib.import_module(f"lstm_numpy.{module}").__doc__
    numbered = [line for line in doc.splitlines() if re.search(r"\(\d+\)\s+\(B", line)]
    assert numbered, f"no numbered equations in lstm_numpy/{module}.py's docstring"
    page_text = " ".join((DOCS / page).read_text(encoding="utf-8").split())
    for line in numbered:
        assert " ".join(line.split()) in page_text, f"{page} lacks the equation line {line.strip()!r}"
    every = set(int(n) for line in numbered for n in re.findall(r"\((\d+)\)\s+\(B", line))
    assert cited_in_code(ROOT / "lstm_numpy" / f"{module}.py") == every, \
        f"{module}.py's comments and docstring number different equations"


def resolve(dotted):
    """The object a dotted name ``lstm_numpy.a.b`` names, or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return None
            obj = getattr(obj, attr)
        return obj
    return None


# "`a`, `b` and `c` in `lstm_numpy/x.py`": each name must be defined in that module.
NAMES_IN_MODULE = re.compile(r"((?:`[A-Za-z_][\w.]*`(?:,\s*|\s+and\s+|\s+or\s+)?)+)\s+in\s+`?lstm_numpy/([\w/]+)\.py")


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_named_code_exists(path):
    text = prose(path)
    checked = 0
    for dotted in re.findall(r"`(lstm_numpy(?:\.\w+)+)`", text):
        assert resolve(dotted) is not None, f"{path.name} names {dotted}, which does not exist"
        checked += 1
    for names, module in re.findall(NAMES_IN_MODULE, text):
        for name in re.findall(r"`([A-Za-z_][\w.]*)`", names):
            dotted = f"lstm_numpy.{module.replace('/', '.')}.{name}"
            assert resolve(dotted) is not None, f"{path.name} names {name} in lstm_numpy/{module}.py: not there"
            checked += 1
    for module in re.findall(r"lstm_numpy/([\w/]+)\.py", text):
        assert (ROOT / "lstm_numpy" / f"{module}.py").exists(), f"{path.name} names lstm_numpy/{module}.py"
    for name in re.findall(r"`ln\.(\w+(?:\.\w+)*)", text):
        assert resolve(f"lstm_numpy.{name}") is not None, f"{path.name} names ln.{name}, which does not exist"
    if path.name in {"rnn.md", "lstm.md", "gru.md", "dynamic_rnn.md", "gradcheck.md"}:
        assert checked >= 3, f"{path.name} should point at the functions that hold its steps"


def own_doc(obj):
    """The docstring written for obj itself, not the one namedtuple or a base class supplies."""
    doc = obj.__doc__ or ""
    if inspect.isclass(obj) and "__doc__" not in vars(obj):
        return ""
    if inspect.isclass(obj) and issubclass(obj, tuple) and doc.startswith(obj.__name__ + "("):
        return ""
    return doc.strip()


@pytest.mark.parametrize("name", ln.__all__)
def test_every_public_name_has_a_docstring(name):
    assert own_doc(getattr(ln, name)), f"lstm_numpy.{name} has no docstring of its own"


def public_callables(module):
    """Public functions and classes defined in module, and the public methods of those classes."""
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj):
            yield name, obj
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and inspect.isfunction(member):
                    yield f"{name}.{attr}", member


CELL_MODULES = ["rnn", "lstm", "gru"]


DOCUMENTED_MODULES = CELL_MODULES + [
    "cell", "kinds", "multi", "time_loop", "bidirectional", "stack_bidirectional", "wrappers", "dropout", "gradcheck",
    "state", "trace", "bptt", "gradient_flow", "initializers",
    "models.initial_state", "models.dense", "models.losses", "models.regressor", "models.charlm",
    "train.optim", "train.checkpoint", "train.data", "train.loop", "train.tbptt",
    "fast.sequence", "fast.lstm", "fast.gru", "fast.rnn", "fast.workspace", "fast.trace", "fast.onehot",
    "fast.bidirectional",
    "interop.torch_layout", "interop.tf_layout", "interop.keras_layout", "interop.layers",
    "explain", "explain.data",
    "clinic.catalogue", "clinic.planting", "clinic.examine",
]


# A shape in the shape letters: (B, D), (T, B, H), (4H,), (D, kH), (B, H_k), (..., K), (3,); an
# equation number such as (E1) is none
SHAPE_AXIS = r"(?:\.\.\.|[\dk]*[BTDEHKLNPV](?:_\w+)?|\d+)"
SHAPE = re.compile(rf"\({SHAPE_AXIS}(?:,\s*{SHAPE_AXIS})*,?\)")
# ... or a shape given by reference: "of any shape", "of ``x``'s shape", "of the outputs' shape",
# "of shape ``shape``" (the argument that holds it)
SAME_SHAPE = re.compile(r"\bany shape\b|\w`*'s? shape\b|\bof shape ``\w+``")
SECTION = re.compile(r"^(Parameters|Returns|Yields|Attributes)\n-{3,}\n(.*?)(?=^\S[^\n]*\n-{3,}\n|\Z)",
                     re.M | re.S)


def entries(doc):
    """(section, name, type, description) for each ``name : type`` entry of the numpydoc sections
    Parameters, Returns, Yields and Attributes of doc; a bare ``type`` line has the name ""."""
    found = []
    for section, body in SECTION.findall(inspect.cleandoc(doc)):
        lines = body.splitlines()
        starts = [n for n, line in enumerate(lines) if line and not line[0].isspace()]
        for n, start in enumerate(starts):
            head, colon, kind = lines[start].partition(" : ")
            if not colon:                     # a bare type line, as a Returns entry may be
                head, kind = "", head
            end = starts[n + 1] if n + 1 < len(starts) else len(lines)
            found.append((section, head.strip(), kind.strip(), "\n".join(lines[start + 1:end])))
    return found


def shape_problems(doc, arguments):
    """What a docstring lacks in shapes (see :func:`test_numpydoc_with_shapes`)."""
    problems = []
    documented = entries(doc)
    if arguments and not any(section == "Parameters" for section, *_ in documented):
        if not SHAPE.search(doc):
            problems.append("no shape")
    for section, entry, kind, text in documented:
        if "ndarray" in kind and not (SHAPE.search(kind + "\n" + text)
                                      or SAME_SHAPE.search(kind + "\n" + text)):
            problems.append(f"{section} {entry!r} is an ndarray with no shape")
    return problems


def test_the_shape_rule_catches_a_missing_shape():
    """The rule flags an ndarray entry without a shape, wherever it sits, and nothing else."""
    good = """Step.

    Parameters
    ----------
    x : ndarray of shape (B, D)
    W : ndarray of shape (D, kH)
    lr : float, the learning rate
    region : None, or a callable

    Returns
    -------
    ndarray of ``x``'s shape
    dparams : dict name -> ndarray, each of its parameter's shape
    """
    assert shape_problems(good, ["x", "W", "lr", "region"]) == []
    assert shape_problems("Sizes only.\n\nParameters\n----------\nn : int, B\n", ["n"]) == []
    assert shape_problems("Bare.", ["x"]) == ["no shape"]
    for bad, entry in [(good.replace("(B, D)", "(batch, input)"), "Parameters 'x'"),
                       (good.replace("of ``x``'s shape", "of floats"), "Returns ''"),
                       (good.replace("each of its parameter's shape", "new arrays"), "Returns 'dparams'"),
                       (good.replace("(D, kH)", "(E1)"), "Parameters 'W'")]:
        assert shape_problems(bad, ["x", "W", "lr", "region"]) == [f"{entry} is an ndarray with no shape"]


@pytest.mark.parametrize("module", DOCUMENTED_MODULES)
def test_numpydoc_with_shapes(module):
    """Each public function and method says what it takes and gives, with shapes.

    A function of two or more arguments has numpydoc Parameters and Returns sections. Shapes
    are asked for where there are arrays: each entry of Parameters, Returns, Yields or
    Attributes whose type names an ndarray (``ndarray``, ``ndarrays``, ``dict of ndarray``, ...)
    gives its shape in the shape letters, on its type line or in its description (or by
    reference: "of any shape", "of ``x``'s shape" as a backward's ``dfoo`` does, "of shape
    ``shape``" for the argument that holds it); a callable
    with arguments but no Parameters section (so no types to go by) shows a shape somewhere.
    Arguments that are no arrays (a learning rate, a path, the sizes a constructor takes) need
    no shape, since an entry whose type names no ndarray has none to give.
    """
    mod = importlib.import_module(f"lstm_numpy.{module}")
    problems = []
    for name, obj in public_callables(mod):
        doc = own_doc(obj)
        if not doc:
            problems.append(f"{name}: no docstring")
            continue
        arguments = [p for p in inspect.signature(obj).parameters if p != "self"]
        if inspect.isfunction(obj) and len(arguments) >= 2:
            gives = "Yields\n" if inspect.isgeneratorfunction(obj) else "Returns\n"   # numpydoc: a generator yields
            if "Parameters\n" not in doc or gives not in doc:
                problems.append(f"{name}: no numpydoc Parameters and {gives.strip()} sections")
        problems += [f"{name}: {problem}" for problem in shape_problems(doc, arguments)]
        computes = inspect.isclass(obj) or "step" in name.rsplit(".", 1)[-1]
        if module in CELL_MODULES and computes and not re.search(r"eqs?\.\s*\(\d+\)", doc):
            problems.append(f"{name}: cites no equation of docs/{module}.md")
    assert not problems, "\n".join(problems)


def derivation_lines(page):
    """(name, equation numbers, line) for each ``name = ...  # ... eq. (N)`` line of the page's
    text blocks: the backward steps as the page derives them."""
    found = []
    for lang, body in FENCE.findall((DOCS / page).read_text(encoding="utf-8")):
        if lang != "text":
            continue
        for line in body.splitlines():
            m = re.match(r"\s*(\w+)\s*\+?=[^#]*#(.*)$", line)
            if m and citations(m.group(2)):
                numbers = [n for _, ns in citations(m.group(2)) for n in ns]
                found.append((m.group(1), numbers, line.strip()))
    return found


@pytest.mark.parametrize("page,module", sorted(EQUATION_PAGES.items()))
def test_derivation_lines_are_lines_of_the_code(page, module):
    """Each backward line a page derives assigns a variable that the module assigns on a line
    citing the same equation."""
    code = {}
    for line in (ROOT / "lstm_numpy" / f"{module}.py").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*(\w+)\s*=[^#]*#(.*)$", line)
        if m:
            code.setdefault(m.group(1), set()).update(n for _, ns in citations(m.group(2)) for n in ns)
    lines = derivation_lines(page)
    assert len(lines) >= 5, f"{page} derives no backward lines in text blocks"
    for name, numbers, line in lines:
        assert name in code, f"{page}: {line!r} assigns {name}, which {module}.py never assigns"
        assert set(numbers) <= code[name], \
            f"{page}: {line!r} cites eq. {numbers}; {module}.py assigns {name} citing {sorted(code[name])}"
