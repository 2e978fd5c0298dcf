"""Truncated BPTT: consecutive windows, the state carried, the gradient stopped at each window's start."""
import numpy as np
import pytest

from lstm_numpy.commands import main
from lstm_numpy.gradcheck import check_gradients, random_state
from lstm_numpy.models import CharLM
from lstm_numpy.state import state_leaves
from lstm_numpy.train.loop import train
from lstm_numpy.train.optim import SGD
from lstm_numpy.train.tbptt import TruncatedBPTT, stream_windows

VOCAB = "abcdefg"


def test_the_carried_state_is_the_state_of_one_long_forward_pass(rng):
    model = CharLM(VOCAB, [5, 3], rng=0)
    B, K, n = 2, 4, 3
    ids = rng.integers(len(VOCAB), size=B * (n * K + 1))
    learner, windows = TruncatedBPTT(model), stream_windows(ids, B, K)
    losses = [learner.forward(*next(windows))[0] for _ in range(n)]
    streams = ids.reshape(B, n * K + 1)
    logits, final, _ = model.logits(streams[:, :n * K])          # (B, nK, V), one pass over every window
    for a, b in zip(state_leaves(learner.state), state_leaves(final), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)
    last, _ = model.forward(streams[:, (n - 1) * K:n * K], streams[:, (n - 1) * K + 1:n * K + 1])
    assert losses[-1] != pytest.approx(last, rel=1e-6)           # the carried state mattered


def test_the_gradient_stops_at_the_windows_start(rng):
    model = CharLM(VOCAB, [4], rng=1)
    for p in model.params.values():
        p[...] = rng.uniform(-0.5, 0.5, size=p.shape)
    inputs, targets = rng.integers(len(VOCAB), size=(2, 2, 3))
    learner = TruncatedBPTT(model)
    learner.state = random_state(model.cell, 2, rng)           # as a previous window would leave it
    carried = learner.state
    loss, cache = learner.forward(inputs, targets)
    grads = learner.backward(cache)

    def window_loss():                                           # the same window, the state a constant
        return model.forward(inputs, targets, initial_state=carried)[0]

    report = check_gradients(window_loss, dict(model.params), grads)
    assert report.passed, str(report)
    assert learner.state is cache["final_state"]


def test_windows_are_consecutive_and_start_afresh_when_the_streams_end():
    windows = stream_windows(np.arange(23), 2, 3)               # streams of 11: 3 windows each
    seen = [next(windows) for _ in range(4)]
    assert [w[2] for w in seen] == [True, False, False, True]
    np.testing.assert_array_equal(seen[1][0], [[3, 4, 5], [14, 15, 16]])
    np.testing.assert_array_equal(seen[2][1], [[7, 8, 9], [18, 19, 20]])
    np.testing.assert_array_equal(seen[3][0], seen[0][0])
    with pytest.raises(ValueError, match=r"B \* \(T \+ 1\) = 22 characters"):
        next(stream_windows(np.arange(20), 2, 10))


def test_the_training_loop_takes_the_carried_model(rng):
    model = CharLM(VOCAB, [6], rng=2)
    ids = np.tile(np.arange(len(VOCAB)), 40)                    # a text that repeats: easy to learn
    learner, windows = TruncatedBPTT(model), stream_windows(ids, 4, 5)
    history = train(learner, SGD(model.params, lr=0.5), lambda step: next(windows), 60, clip=5.0, stream=None)
    assert history["loss"][-1] < 0.5 * history["loss"][0]


def test_train_chars_with_tbptt(capsys, tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("hello, world. " * 100, encoding="utf-8")
    status = main(["train", "chars", "--text", str(text), "--steps", "5", "--sizes", "8", "--tbptt", "12",
                   "--batch", "4", "--seq-len", "10", "--sample", "0", "--no-figures", "--quiet"])
    out = capsys.readouterr().out
    assert status == 0
    assert "truncated BPTT: 4 streams" in out and "in windows of 12" in out
