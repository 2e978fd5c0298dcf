"""The command line refuses what it would ignore or fail on late: one line naming what was
expected and what came, before any work is done."""
import os
import subprocess
import sys
import textwrap

import pytest

from lstm_numpy.commands import main


@pytest.mark.parametrize("argv, message", [
    (["legend", "--cell", "gru"], "--cell does not apply to legend (its options: none)"),
    (["unrolled", "--time-major", "--lengths", "3", "1", "0", "2"], "--lengths does not apply to unrolled"),
    (["learned-state", "--cell", "gru", "--sizes", "4"], "--cell --sizes do not apply to learned-state (its options: "
                                                          "--widths, --batch, --steps)"),
    (["legend", "--batch", "4"], "--batch does not apply to legend"),                  # typed, though at its default
    (["gates", "--batch", "2"], "--batch does not apply to gates"),                     # the heatmaps draw row 0 only
    (["unrolled", "--seed", "3"], "--seed does not apply to unrolled"),                 # shapes only
    (["legend", "--dpi", "200", "-o", "x.svg"], "--dpi does not apply to legend to an .svg"),
    (["gru-cell", "--cell", "lstm"], "gru-cell draws a GRU cell, got --cell lstm"),
    (["gradients", "--cell", "gru"], "--cell does not apply to gradients"),
    (["unrolled", "--highlight", "forget"], "--highlight does not apply to unrolled"),
    (["gru-cell", "--forget-bias", "1"], "--forget-bias does not apply to gru-cell"),
    (["lstm-cell", "--cell", "gru"], "lstm-cell draws an LSTM cell, got --cell gru"),
])
def test_diagram_refuses_options_its_kind_does_not_draw_from(argv, message, tmp_path, capsys):
    out = tmp_path / ("x.svg" if "x.svg" in argv else "d.png")
    argv = [str(out) if word == "x.svg" else word for word in argv]
    with pytest.raises(SystemExit):
        main(["diagram", *argv] + ([] if "-o" in argv else ["-o", str(out)]))
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_diagram_without_matplotlib_says_so(tmp_path):
    """In a process where importing matplotlib fails, as where it is not installed."""
    script = textwrap.dedent(f"""
        import sys
        class NoMatplotlib:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "matplotlib":
                    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        sys.meta_path.insert(0, NoMatplotlib())
        from lstm_numpy.commands import main
        sys.exit(main(["diagram", "legend", "-o", {str(tmp_path / "l.png")!r}]))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "diagram draws with matplotlib, which is not installed here" in done.stderr
    assert "Traceback" not in done.stderr


def test_train_checks_its_figures_folder_before_training(tmp_path, capsys):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    assert main(["train", "sine", "--steps", "5", "--quiet", "--figures", str(not_a_folder)]) == 2
    out, err = capsys.readouterr()
    assert f"expected --figures as a folder to write into, got {str(not_a_folder)!r}, a file" in err
    assert "train sine:" not in out                                   # nothing was trained


def test_bench_checks_its_arguments_before_timing(tmp_path, capsys):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    assert main(["bench", "--quick", "--no-torch", "--out-dir", str(not_a_folder)]) == 2
    assert "expected --out-dir as a folder to write into" in capsys.readouterr().err
    assert main(["bench", "--levers", "--quick"]) == 2
    assert "--quick would be ignored: leave it out" in capsys.readouterr().err


@pytest.mark.parametrize("argv, prog", [(["gradcheck", "--bogus"], "python -m lstm_numpy gradcheck"),
                                        (["train", "sine", "--bogus", "3"], "python -m lstm_numpy train sine")])
def test_an_unknown_option_is_named_by_its_subcommand(argv, prog, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    err = capsys.readouterr().err
    assert f"{prog}: error: unrecognized arguments: {' '.join(argv[-2 if argv[0] == 'train' else -1:])}" in err
    assert f"usage: {prog}" in err


def test_diagram_unrolled_draws_the_layout_asked_for(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: diagram draws nothing")
    for flags, label, other in (([], "outputs[:, 0]", "outputs[0]"), (["--time-major"], "outputs[0]", "outputs[:, 0]")):
        out = tmp_path / f"u{len(flags)}.svg"
        assert main(["diagram", "unrolled", *flags, "-o", str(out)]) == 0
        assert label in out.read_text() and other not in out.read_text()


def test_an_unknown_option_before_the_subcommand_is_the_top_parsers(capsys):
    with pytest.raises(SystemExit):
        main(["--bogus", "diagram", "legend", "-o", "x.png"])
    err = capsys.readouterr().err
    assert "python -m lstm_numpy: error: unrecognized arguments: --bogus" in err and "diagram:" not in err


@pytest.mark.parametrize("argv", [["diagram", "gru-cell", "-o", "g.svg", "--cel", "lstm"],
                                  ["train", "sine", "--ste", "3"]])
def test_options_are_spelled_out_not_guessed_at(argv, capsys):
    """An abbreviation at its default value would otherwise pass unseen (gru-cell --cel lstm)."""
    with pytest.raises(SystemExit):
        main(argv)
    assert f"unrecognized arguments: {' '.join(argv[-2:])}" in capsys.readouterr().err


@pytest.mark.parametrize("flags, named", [(["--no-torch"], "--no-torch"), (["--out-dir", "elsewhere"], "--out-dir")])
def test_bench_levers_refuses_what_it_would_ignore(flags, named, capsys):
    assert main(["bench", "--levers", *flags]) == 2
    assert f"{named} would be ignored: leave it out" in capsys.readouterr().err


def test_a_folder_reached_through_a_file_is_refused(tmp_path, monkeypatch, capsys):
    """The system does not pass through a file, though "f/../d" reads as "d" once tidied up."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").write_text("")
    (tmp_path / "d").mkdir()
    assert main(["train", "sine", "--steps", "2", "--quiet", "--figures", "./f/../d"]) == 2
    out, err = capsys.readouterr()
    assert "got './f/../d' below the file './f'" in err and "train sine:" not in out


def test_a_reader_that_stops_early_loses_no_file(tmp_path):
    """`train ... --save m.npz | head -1`: the checkpoint and the figures are written before the
    tables are printed, and the closed pipe ends the run quietly."""
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: train writes no figure")
    done = subprocess.Popen([sys.executable, "-m", "lstm_numpy", "train", "sine", "--steps", "20", "--evals", "20",
                             "--heldout", "10", "--quiet", "--save", str(tmp_path / "m.npz"), "--figures", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    done.stdout.readline()                                      # the first line, then the reader goes
    done.stdout.close()
    with done.stderr:
        status, err = done.wait(timeout=120), done.stderr.read()
    assert (status, err) == (0, b"")
    assert (tmp_path / "m.npz").exists() and (tmp_path / "sine_loss.png").exists()


@pytest.mark.parametrize("kind", ["gates", "lstm-cell", "contributions"])
def test_diagram_layer_names_the_flag_for_every_kind(kind, capsys, tmp_path):
    with pytest.raises(SystemExit) as done:
        main(["diagram", kind, "--sizes", "4", "5", "--layer", "2", "-o", str(tmp_path / "x.png")])
    assert done.value.code == 2
    assert "--layer must name one of the 2 layer(s) of --sizes: expected 0 .. 1, got 2" in capsys.readouterr().err
