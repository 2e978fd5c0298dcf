"""The python blocks of docs/conventions.md run, in order, as one script."""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = os.path.join(HERE, os.pardir, "docs", "conventions.md")


def python_blocks(path):
    with open(path, encoding="utf-8") as f:
        return re.findall(r"^```python\n(.*?)^```", f.read(), flags=re.S | re.M)


def test_conventions_example_runs():
    blocks = python_blocks(PAGE)
    assert blocks, "docs/conventions.md has no python example"
    namespace = {}
    for block in blocks:
        exec(compile(block, PAGE, "exec"), namespace)
