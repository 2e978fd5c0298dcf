"""Training: a short seeded run learns, runs are deterministic, the progress line, the demo data
and the train command."""
import io
import re

import numpy as np
import pytest

from lstm_numpy.models import CharLM
from lstm_numpy.commands import main
from lstm_numpy.train.data import CharCorpus, naive_forecast, sine_windows
from lstm_numpy.models import SequenceRegressor
from lstm_numpy.train.optim import Adam
from lstm_numpy.train.loop import Progress, train


def sine_run(seed, steps=150):
    rng = np.random.default_rng(seed)
    model = SequenceRegressor(1, [8], rng=rng)
    x_val, len_val, y_val = sine_windows(200, rng=99)

    def evaluate(m):
        return float(np.mean((m.predict(x_val, len_val)[0] - y_val) ** 2))

    def next_batch(step):
        x, lengths, y = sine_windows(16, rng, max_len=15)
        return x, y, lengths
    history = train(model, Adam(model.params, lr=0.02), next_batch, steps, clip=1.0, evaluate=evaluate,
                    eval_every=50, stream=None)
    return model, history


def test_short_seeded_run_learns_and_repeats():
    model, history = sine_run(0)
    first, last = history["eval"][0][1], history["eval"][-1][1]
    # an untrained head predicts about 0, MSE ~0.5; 150 steps bring it below a fifth of that
    assert last < first / 5, history["eval"]
    assert [s for s, _ in history["eval"]] == [0, 50, 100, 150]
    again, history2 = sine_run(0)
    assert history2["loss"] == history["loss"]                        # same seed, same run, bit for bit
    for name, arr in model.params.items():
        assert np.array_equal(again.params[name], arr)
    _, other = sine_run(1, steps=5)
    assert other["loss"] != history["loss"][:5]


def test_char_model_learns_a_repeated_text():
    corpus = CharCorpus("the cat sat on the mat. " * 200, block=200)
    rng = np.random.default_rng(0)
    model = CharLM(corpus.vocab, [16], rng=rng)
    held = corpus.heldout_batches(8, 12)

    def evaluate(m):
        return sum(m.forward(x, y)[0] * x.size for x, y in held) / sum(x.size for x, _ in held)
    history = train(model, Adam(model.params, lr=0.02), lambda s: corpus.batch(8, 12, rng), 120, clip=5.0,
                    evaluate=evaluate, stream=None)
    assert history["eval"][-1][1] < 0.5 * np.log(2) * corpus.unigram_bits(), history["eval"]
    assert set(model.sample(30, rng=0, temperature=0.5)) <= set(corpus.vocab)


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_in_a_log_and_on_a_terminal():
    log = io.StringIO()
    progress = Progress(250, log, every=100)
    for step in range(1, 251):
        progress.update(step, 0.5)
    progress.done()
    lines = log.getvalue().splitlines()
    assert [line.split()[1] for line in lines] == ["100/250", "200/250", "250/250"]
    assert re.fullmatch(r"step 250/250  loss 0\.5  [\d.]+ steps/s  time left 0:00", lines[-1])
    term = FakeTerminal()
    progress = Progress(3, term, interval=0.0)
    for step in range(1, 4):
        progress.update(step, 1.0)
    progress.done()
    assert term.getvalue().count("\r") == 3 and term.getvalue().count("\n") == 1


def test_sine_windows_and_naive_forecast():
    x, lengths, y = sine_windows(50, rng=0, min_len=5, max_len=12, noise=0.0)
    assert x.shape == (50, 12, 1) and y.shape == (50, 1)
    assert lengths.min() >= 5 and lengths.max() <= 12
    for b in range(50):
        assert np.all(x[b, lengths[b]:] == 0)
        assert naive_forecast(x, lengths)[b, 0] == x[b, lengths[b] - 1, 0]
    assert np.all(np.abs(x) <= 1) and np.all(np.abs(y) <= 1)        # noise 0: a pure sine


def test_corpus_split_and_unigram_entropy():
    corpus = CharCorpus("ab" * 5000, block=100, holdout=10)
    assert corpus.vocab == "ab"
    assert corpus.unigram_bits() == pytest.approx(1.0)               # two equally frequent characters
    assert len(corpus.heldout) == 1000 and len(corpus.train) == 9000
    x, y = corpus.batch(4, 7, np.random.default_rng(0))
    assert x.shape == (4, 7) and np.array_equal(x[:, 1:], y[:, :-1])


def test_train_sine_command(capsys, tmp_path):
    status = main(["train", "sine", "--steps", "20", "--heldout", "50", "--evals", "2", "--no-figures", "--quiet", "--save", str(tmp_path / "m.npz")])
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    match = re.fullmatch(r"held-out MSE (\S+), naive forecast MSE (\S+), ratio (\S+)", out[-1])
    assert match
    mse, naive, ratio = map(float, match.groups())
    assert ratio == pytest.approx(mse / naive, rel=1e-3)
    assert (tmp_path / "m.npz").is_file() and not any(line.startswith("checkpoint:") for line in out)   # --quiet


def test_train_lists_its_files_after_the_results(capsys, tmp_path):
    """The table, then where each file went, then the headline: nothing announced before the results."""
    status = main(["train", "sine", "--steps", "4", "--heldout", "20", "--evals", "2", "--no-figures",
                   "--save", str(tmp_path / "m.npz")])
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    table = out.index(next(line for line in out if "held-out MSE  (naive forecast" in line))
    assert out[-2] == f"checkpoint: {tmp_path / 'm.npz'}" and table < len(out) - 2
    assert out[-1].startswith("held-out MSE ")


def test_the_commands_write_into_runs_by_default():
    """Outside the tracked files: runs/ is ignored by git; only make figures writes figures/."""
    from lstm_numpy.commands import build_parser
    from conftest import ROOT
    for task in ("sine", "chars"):
        assert build_parser().parse_args(["train", task]).figures == "runs"
    assert "runs/" in (ROOT / ".gitignore").read_text().splitlines()


def test_train_chars_command(capsys, tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("hello, world. " * 100, encoding="utf-8")
    status = main(["train", "chars", "--text", str(text), "--steps", "5", "--sizes", "8", "--seq-len", "10",
                   "--sample", "20", "--no-figures", "--quiet"])
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert re.fullmatch(r"held-out \S+ bits/char, unigram \S+ bits/char, ratio \S+", out[-1])


def test_train_command_errors(capsys, tmp_path):
    assert main(["train", "chars", "--text", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt' not found" in capsys.readouterr().err
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9 ".encode("latin-1") * 400)
    assert main(["train", "chars", "--text", str(latin)]) == 2
    assert "expected a UTF-8 text file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "sine", "--steps", "0"])


def test_figures_when_matplotlib_is_there(capsys, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: no figure to check")
    args = ["train", "sine", "--steps", "4", "--heldout", "20", "--evals", "2", "--quiet", "--figures", str(tmp_path)]
    assert main(args) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sine_loss.png", "sine_predictions.png"]
    assert all(p.stat().st_size > 1000 for p in tmp_path.iterdir())
    from lstm_numpy.plot import training as plot_training
    monkeypatch.setattr(plot_training, "available", lambda: False)
    assert main(args) == 0
    assert "figures: skipped (matplotlib is not installed)" in capsys.readouterr().out


def test_bad_save_path_fails_before_training(capsys, tmp_path):
    assert main(["train", "sine", "--steps", "100000", "--save", str(tmp_path / "no" / "m.npz")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_train_command_edge_cases(capsys, tmp_path):
    text = tmp_path / "ab.txt"
    text.write_text("ab" * 600)
    assert main(["train", "chars", "--text", str(text), "--seq-len", "200", "--steps", "2"]) == 2
    assert "expected a held-out text longer than T=200 characters" in capsys.readouterr().err
    assert main(["train", "chars", "--text", str(tmp_path)]) == 2
    assert "cannot read text file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "sine", "--seed", "-1"])
    assert "argument --seed: expected a non-negative integer, got -1" in capsys.readouterr().err
    blocker = tmp_path / "afile"
    blocker.write_text("")
    assert main(["train", "sine", "--steps", "3", "--heldout", "10", "--evals", "1", "--quiet",
                 "--figures", str(blocker / "sub"), "--save", str(tmp_path / "refused.npz")]) == 2
    assert f"below the file {str(blocker)!r}" in capsys.readouterr().err
    assert not (tmp_path / "refused.npz").exists()     # refused before training


def test_the_checkpoint_is_written_before_the_figures(tmp_path, monkeypatch):
    """A figure that fails to be written (a full disk, say) loses no trained model."""
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("lstm_numpy.plot.training.loss_curve", full_disk)
    monkeypatch.setattr("lstm_numpy.plot.training.available", lambda: True)   # matplotlib or not
    assert main(["train", "sine", "--steps", "3", "--heldout", "10", "--evals", "1", "--quiet",
                 "--figures", str(tmp_path), "--save", str(tmp_path / "kept.npz")]) == 2
    assert (tmp_path / "kept.npz").exists()


def test_corpus_batches_reach_the_last_character():
    corpus = CharCorpus("".join(chr(97 + k % 26) for k in range(3000)))
    rng = np.random.default_rng(0)
    last = corpus.train[-1]
    ends = {int(corpus.batch(64, 5, rng)[1][i, -1]) for _ in range(200) for i in range(64)}
    starts = [corpus.batch(1, len(corpus.train) - 1, rng) for _ in range(3)]
    assert all(np.array_equal(y[0], corpus.train[1:]) for _, y in starts)   # the one window that fits
    assert last in ends
