"""Structural checks of the models: what they compute, written a second way."""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.models import CharLM
from lstm_numpy.models.initial_state import EncoderInitialState
from lstm_numpy.models import ArticleLSTM, SequenceRegressor

from conftest import randomize


@pytest.mark.parametrize("initial_state", ["zero", "learned", "encoder"])
def test_many_to_one_reads_each_rows_last_valid_step(initial_state, rng):
    """A padded row predicts what the same row predicts alone, cut at its length, whatever the padding."""
    model = randomize(SequenceRegressor(2, [5, 4], 3, initial_state=initial_state, rng=rng), rng)
    x = rng.normal(size=(3, 6, 2))
    lengths = np.array([6, 2, 4])
    pred, _ = model.predict(x, lengths)
    garbage = x.copy()
    for b, n in enumerate(lengths):
        garbage[b, n:] = 100.0
        alone, _ = model.predict(x[b:b + 1, :n])
        np.testing.assert_allclose(pred[b], alone[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(model.predict(garbage, lengths)[0], pred)


def test_many_to_one_refuses_empty_rows():
    model = SequenceRegressor(2, [3], rng=0)
    with pytest.raises(ValueError, match="sequence_length >= 1.*row 1"):
        model.predict(np.ones((2, 4, 2)), np.array([4, 0]))


def test_encoder_is_the_articles_chain(rng):
    cell = ln.MultiRNNCell([ln.LSTMCell(3, 4, rng=0), ln.GRUCell(4, 5, rng=1), ln.LSTMCell(5, 2, rng=2)])
    encoder = EncoderInitialState(cell, rng=rng)
    x0 = rng.normal(size=(2, 3))
    state, _ = encoder.forward(x0)
    p = encoder.params
    h0 = np.tanh(x0 @ p["WEH_0"])
    c0 = np.tanh(x0 @ p["WEC_0"])
    h1, c1 = np.tanh(h0 @ p["WEH_1"]), np.tanh(c0 @ p["WEC_1"])   # the GRU layer passes the c chain on
    h2, c2 = np.tanh(h1 @ p["WEH_2"]), np.tanh(c1 @ p["WEC_2"])
    np.testing.assert_array_equal(state[0].h, h0)
    np.testing.assert_array_equal(state[0].c, c0)
    np.testing.assert_array_equal(state[1], h1)
    np.testing.assert_array_equal(state[2].c, c2)
    np.testing.assert_array_equal(state[2].h, h2)


def test_article_lstm_shapes_and_layout():
    model = ArticleLSTM(7, rng=0)
    assert [c.hidden_size for c in model.cell.cells] == [32, 32, 64]
    assert {k: v.shape for k, v in model.params.items() if k.startswith("init/WEH")} == {
        "init/WEH_0": (7, 32), "init/WEH_1": (32, 32), "init/WEH_2": (32, 64)}
    assert model.params["rnn/cell_2/W_h"].shape == (64, 256)
    pred, cache = model.predict(np.zeros((30, 4, 7)))               # time-major (T, B, D)
    assert pred.shape == (4, 1)
    with pytest.raises(ValueError, match=r"expected time-major inputs \(T=30, B, D=7\), got \(4, 30, 7\)"):
        model.predict(np.zeros((4, 30, 7)))


def test_article_lstm_uses_the_new_cell_state(rng):
    """h = o * tanh(c), not the article's o * tanh(g): read back from the gates in the cache."""
    model = randomize(ArticleLSTM(2, widths=(3, 4, 5), steps=4, rng=0, engine="readable"), rng)
    _, cache = model.predict(rng.normal(size=(4, 2, 2)))
    for k in range(3):
        o, c, g, h = (ln.gate_history(cache["rnn"], name, layer=k) for name in ("o", "c", "g", "h"))
        np.testing.assert_allclose(h, o * np.tanh(c), atol=1e-15)
        assert np.abs(h - o * np.tanh(g)).max() > 1e-3


def test_char_lm_mask_and_greedy_sampling(rng):
    model = randomize(CharLM("abcd", [6], rng=0), rng)
    ids = rng.integers(0, 4, size=(2, 5))
    targets = rng.integers(0, 4, size=(2, 5))
    lengths = np.array([5, 3])
    loss, _ = model.forward(ids, targets, lengths)
    changed = targets.copy()
    changed[1, 3:] = (changed[1, 3:] + 1) % 4                       # targets past row 1's length
    assert model.forward(ids, changed, lengths)[0] == loss
    # the mean over the 8 counted positions, written out
    logits, _, _ = model.logits(ids)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    counted = [(0, t) for t in range(5)] + [(1, t) for t in range(3)]
    assert loss == pytest.approx(-np.mean([logp[b, t, targets[b, t]] for b, t in counted]), rel=1e-12)
    # at a tiny temperature sampling is greedy decoding
    text, ids_greedy = model.sample(6, prime="ab", temperature=1e-4, rng=1), list(model.encode("ab"))
    for _ in range(6):
        ids_greedy.append(int(np.argmax(model.logits(np.array([ids_greedy]))[0][0, -1])))
    assert text == model.decode(ids_greedy[2:])
    with pytest.raises(ValueError, match="not in the model's vocabulary: 'z'"):
        model.encode("abz")
