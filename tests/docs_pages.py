"""Reading the Markdown pages: fenced Python blocks, links, headings, equation citations.

Shared by test_docs.py (every page) and test_article.py (the article page's functions
against numbers TensorFlow computed).
"""
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Pages other branches write; a link to one of them may exist before the page does.
EXPECTED_LATER = {"models.md", "conventions.md", "diagrams.md", "performance.md"}

# The page whose equations each cell module numbers in its comments.
EQUATION_PAGES = {"rnn.md": "rnn", "lstm.md": "lstm", "gru.md": "gru"}

FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)


def pages():
    """Every page whose Python blocks must run: docs/*.md and the README."""
    return sorted(DOCS.glob("*.md")) + [ROOT / "README.md"]


def python_blocks(path):
    """The fenced ```python blocks of a page, in order, as (first line number, source)."""
    text = Path(path).read_text(encoding="utf-8")
    blocks = []
    for m in FENCE.finditer(text):
        if m.group(1) == "python":
            line = text.count("\n", 0, m.start(2)) + 1
            blocks.append((line, m.group(2)))
    return blocks


def run_page(path, namespace=None, until=None):
    """Execute a page's Python blocks in order in one namespace and return the namespace.

    With ``until``, stop after the first block that defines that name. The caller sets the
    working directory; an exception names the page and the block's line.
    """
    ns = {"__name__": "__docs__"} if namespace is None else namespace
    for line, source in python_blocks(path):
        code = compile(source, f"{Path(path).name}, block at line {line}", "exec")
        exec(code, ns)
        if until is not None and until in ns:
            break
    return ns


def prose(path):
    """A page's text with its fenced blocks removed (links and citations live in prose)."""
    return FENCE.sub("", Path(path).read_text(encoding="utf-8"))


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    text = FENCE.sub("", Path(path).read_text(encoding="utf-8"))
    return {slug(h) for h in HEADING.findall(text)}


def links(path):
    """(text, target) of every inline link outside code blocks."""
    return LINK.findall(prose(path))


def numbers_in(citation):
    """The equation numbers of ``eq. (6)``, ``eqs. (1)-(7)``, ``eqs. (8), (9)``."""
    found = [int(n) for n in re.findall(r"\((\d+)\)", citation)]
    if re.search(r"\)\s*[-\u2013]\s*\(", citation) and len(found) == 2:
        return list(range(found[0], found[1] + 1))
    return found


CITATION = re.compile(r"eqs?\.\s*\(\d+\)(?:\s*(?:[-\u2013,]|and)\s*\(\d+\))*", re.I)


def citations(text):
    """(position, numbers) of each equation citation in a text."""
    return [(m.start(), numbers_in(m.group(0))) for m in CITATION.finditer(text)]


def cited_in_code(module_path):
    """Every equation number the comments of a module cite (``# ... eq. (6)``)."""
    numbers = set()
    for line in Path(module_path).read_text(encoding="utf-8").splitlines():
        if "#" in line:
            for _, found in citations(line.split("#", 1)[1]):
                numbers.update(found)
    return numbers


def env_for_examples():
    """Environment tweaks for running examples: a non-interactive matplotlib backend."""
    return {"MPLBACKEND": os.environ.get("MPLBACKEND", "Agg")}
