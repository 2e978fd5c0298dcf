"""Every output path is checked before the work starts: a file where a folder belongs, a folder
that no file can be made in, a missing folder for a file; a folder that gets made is said."""
import tempfile

import pytest

from conftest import run_cli


def refuse_files_in(folder_name, monkeypatch):
    """Make creating a file in any folder named ``folder_name`` fail as a read-only folder does
    (the tests may run as root, for whom a mode of 0o555 does not stop a write)."""
    real = tempfile.TemporaryFile

    def temporary_file(*args, dir=None, **kwargs):
        if dir is not None and str(dir).rstrip("/").endswith(folder_name):
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)
    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)


def test_a_folder_that_cannot_be_written_is_refused_before_training(capsys, monkeypatch, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    refuse_files_in("locked", monkeypatch)
    status, out, err = run_cli(["train", "sine", "--steps", "2", "--figures", str(locked)], capsys)
    assert status == 2 and out == ""                          # nothing trained, nothing printed
    assert "expected --figures as a folder to write into" in err and "Permission denied" in err


def test_a_missing_folder_under_a_locked_one_is_refused_too(capsys, monkeypatch, tmp_path):
    (tmp_path / "locked").mkdir()
    refuse_files_in("locked", monkeypatch)
    status, _, err = run_cli(["bench", "--quick", "--no-torch", "--out-dir", str(tmp_path / "locked" / "new")], capsys)
    assert status == 2 and "no file can be made in" in err


def test_a_folder_that_is_made_is_said(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "new" / "figures"
    status, out, _ = run_cli(["train", "sine", "--steps", "2", "--evals", "1", "--heldout", "5", "--quiet",
                              "--figures", str(target)], capsys)
    assert status == 0 and target.is_dir()
    assert f"made the folder {target} (--figures), which did not exist" in out


@pytest.mark.parametrize("argv", [["explain", "-o", "{tmp}"], ["diagram", "legend", "-o", "{tmp}"],
                                  ["explain", "-o", "{tmp}/no/such/page.html"]])
def test_an_output_file_that_cannot_be_written_is_refused_first(argv, capsys, tmp_path):
    status, out, err = run_cli([a.format(tmp=tmp_path) for a in argv], capsys)
    assert status == 2 and out == "" and "-o" in err
