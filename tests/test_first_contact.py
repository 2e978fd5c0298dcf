"""What a newcomer meets first: the README's promises, the package metadata, the make targets'
outputs, the command line's help and its errors about paths."""
import configparser
import re
import sys

import pytest

import lstm_numpy as ln
from lstm_numpy.commands import main
from conftest import ROOT


def setup_cfg():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    return config


def first_paragraph(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    return text.split("\n\n")[1]                              # after the title


def recipe(target):
    """The command lines of a Makefile target, in order."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    body = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        body.append(line.strip())
    return body


def test_one_python_version_in_the_readme_and_setup_cfg():
    readme = re.search(r"Python (\d+)\.(\d+) or newer", (ROOT / "README.md").read_text(encoding="utf-8"))
    required = re.fullmatch(r">=(\d+)\.(\d+)", setup_cfg()["options"]["python_requires"].strip())
    assert readme and required and readme.groups() == required.groups()
    assert sys.version_info[:2] >= tuple(map(int, required.groups()))     # and this run keeps the promise


def test_the_license_file_and_its_metadata():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    metadata = setup_cfg()["metadata"]
    assert metadata["license_expression"].strip() == "MIT" and metadata["license_files"].strip() == "LICENSE"
    assert "license" not in metadata                          # the old free-text field
    assert "License ::" not in metadata["classifiers"]        # deprecated by setuptools 77 in favour of the expression
    assert 'setuptools>=77' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert metadata["version"].strip() == "attr: lstm_numpy.__version__"     # one version, the package's


def test_version(capsys):
    from importlib.metadata import PackageNotFoundError, version
    try:
        version("lstm_numpy")
    except PackageNotFoundError:
        pytest.skip("lstm_numpy is not installed (imported from a checkout): it has no version metadata")
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"lstm_numpy {ln.__version__}"


def test_the_readme_names_the_article_in_its_first_paragraph():
    first = first_paragraph("README.md")
    for fact in ("LSTM详解及TensorFlow实现", "LSTM explained, with a TensorFlow implementation", "2020", "XYQ",
                 "MultiRNNCell", "dynamic_rnn", "docs/article.md"):
        assert fact in first, fact


def test_make_demo_ends_with_three_lines_and_writes_outside_the_tracked_files():
    demo = recipe("demo")
    assert [line.split('"')[1].split(":")[0] for line in demo[-3:]] == ["shown", "figures", "next"]
    assert all(line.startswith("@echo") for line in demo[-3:])
    assert "no figures" not in "\n".join(demo)                # the demo's environment always has matplotlib
    assert "--figures runs --quiet" in demo[1]                # --quiet: the figures are announced once, at the end
    for target in ("demo", "train-sine", "train-chars"):
        assert not any("--figures figures" in line for line in recipe(target)), target
    figures = recipe("figures")
    assert "lstm_numpy.plot.gallery figures" in figures[0]
    assert all("--figures figures" in line for line in figures[1:]) and len(figures) == 3


def test_diagram_help_gives_each_kind_a_line(capsys):
    from lstm_numpy.commands.diagram import KINDS
    with pytest.raises(SystemExit):
        main(["diagram", "--help"])
    lines = capsys.readouterr().out.splitlines()
    for kind, what in KINDS.items():
        assert any(re.fullmatch(rf"  {re.escape(kind)} +{re.escape(what)}", line) for line in lines), kind


@pytest.mark.parametrize("where, message", [
    ("missing/x.png", "there is no folder '{tmp}/missing' (make it first: mkdir -p {tmp}/missing)"),
    ("afile/x.png", "'{tmp}/afile' is a file (name a path in a folder)"),
    ("adir.png", "a folder: name a file in it"),
])
def test_a_path_error_comes_first_and_says_what_to_do(where, message, tmp_path, capsys, monkeypatch):
    (tmp_path / "afile").write_text("")
    (tmp_path / "adir.png").mkdir()
    from lstm_numpy.commands import diagram
    monkeypatch.setattr(diagram, "draw", lambda *args: pytest.fail("drew before checking the path"))
    assert main(["diagram", "legend", "-o", str(tmp_path / where)]) == 2
    assert message.format(tmp=tmp_path) in capsys.readouterr().err


def test_train_refuses_a_checkpoint_path_before_training_and_says_what_to_do(tmp_path, capsys):
    assert main(["train", "sine", "--steps", "100000", "--save", str(tmp_path / "no" / "m.npz")]) == 2
    assert f"(make it first: mkdir -p {tmp_path / 'no'})" in capsys.readouterr().err
