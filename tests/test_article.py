"""The article's `h = o * tanh(C~)` against numbers TensorFlow computed.

docs/article.md defines the article's variant (`article_rnn`) and shows that it disagrees with
`ln.dynamic_rnn`. Here the same function meets the TensorFlow fixture of the article's own
network, MultiRNNCell([BasicLSTMCell(20), BasicLSTMCell(30)]) under dynamic_rnn with
forget_bias 1.0 (tests/fixtures/tf_article.npz, written by the golden-test fixtures' script):
TensorFlow's outputs match `ln.dynamic_rnn` and not the article's variant.

The fixture's weights are read here directly, without lstm_numpy.interop, so this test depends
only on the documented TensorFlow layout: one kernel [D + H, 4H] per layer applied to
concat([x, h]) (x's rows first), gate blocks i, j, f, o with j the candidate.
"""
import os
from pathlib import Path

import numpy as np
import pytest

import lstm_numpy as ln

from docs_pages import DOCS, run_page

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tf_article.npz"
SCOPE = "var/rnn/multi_rnn_cell/cell_{k}/basic_lstm_cell/"

# Two exact float64 computations of these few steps differ by rounding, about 1e-15; the
# article's variant differs from the standard LSTM by 1e-1 here (measured 0.7).
SAME = 1e-10
DIFFERENT = 1e-2


def tf_blocks_to_ours(a):
    """TensorFlow's gate blocks i, j, f, o along the last axis, reordered to i, f, g, o."""
    i, j, f, o = np.split(a, 4, axis=-1)
    return np.concatenate([i, f, j, o], axis=-1)


def stack_from_fixture(f):
    cells, k = [], 0
    while SCOPE.format(k=k) + "kernel" in f:
        kernel, bias = f[SCOPE.format(k=k) + "kernel"], f[SCOPE.format(k=k) + "bias"]
        H = bias.shape[0] // 4
        D = kernel.shape[0] - H
        cell = ln.LSTMCell(D, H, forget_bias=float(f["forget_bias"]))
        cell.params["W_x"][...] = tf_blocks_to_ours(kernel[:D])
        cell.params["W_h"][...] = tf_blocks_to_ours(kernel[D:])
        cell.params["b"][...] = tf_blocks_to_ours(bias)
        cells.append(cell)
        k += 1
    return ln.MultiRNNCell(cells)


@pytest.fixture(scope="module")
def article_namespace(tmp_path_factory):
    cwd = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("article"))
    try:
        namespace = run_page(DOCS / "article.md", until="article_rnn")
        assert "article_step_forward" in namespace and "article_rnn" in namespace
        return namespace
    finally:
        os.chdir(cwd)


@pytest.mark.skipif(not FIXTURE.exists(), reason="the TensorFlow fixtures come with the golden tests")
def test_tensorflow_computes_the_standard_lstm_not_the_article_variant(article_namespace):
    with np.load(FIXTURE) as data:
        f = {k: data[k] for k in data.files}
    assert not f["time_major"] and "sequence_length" not in f and "initial_state/0/c" not in f
    stack = stack_from_fixture(f)
    assert [cell.hidden_size for cell in stack.cells] == [20, 30]

    standard, _, _ = ln.dynamic_rnn(stack, f["inputs"])
    article = article_namespace["article_rnn"](stack, f["inputs"], forget_bias=float(f["forget_bias"]))
    tf_outputs = f["outputs"]

    assert np.abs(standard - tf_outputs).max() < SAME
    assert np.abs(article - tf_outputs).max() > DIFFERENT


def test_the_article_variant_is_what_the_page_says(article_namespace):
    """article_step_forward is the standard step except for its last line, h = o * tanh(g)."""
    forward = article_namespace["article_step_forward"]
    rng = np.random.default_rng(5)
    cell = ln.LSTMCell(3, 4, forget_bias=1.0, rng=0)
    x, h_prev, c_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    h, c, cache = ln.lstm.lstm_step_forward(x, h_prev, c_prev, **cell.params, forget_bias=1.0)
    h_art, c_art, _ = forward(x, h_prev, c_prev, **cell.params, forget_bias=1.0)
    np.testing.assert_allclose(c_art, c, rtol=0, atol=1e-15)
    np.testing.assert_allclose(h_art, cache["o"] * np.tanh(cache["g"]), rtol=0, atol=1e-15)
