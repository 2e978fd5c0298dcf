"""The trace: names, shapes and the article's concat form, checked against the real step caches.

Also: the core package (cells, dynamic_rnn, the trace, the gradient-flow measurement and the
command line) imports and runs with matplotlib made unimportable.
"""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.activations import sigmoid
from lstm_numpy.commands import main
from lstm_numpy.kinds import build_cell
from lstm_numpy.trace import trace

from conftest import randomize


def article_trace(sizes=(20, 30), D=8, s=4, T=3, kind="lstm", **options):
    cell = build_cell(kind, list(sizes), D, rng=0, **options)
    randomize(cell, np.random.default_rng(1))
    return cell, trace(cell, np.random.default_rng(2).normal(size=(s, T, D)))


@pytest.mark.parametrize("sizes, D", [((20, 30), 8), ((7, 11, 5), 3)])
def test_lstm_shapes_in_the_articles_notation(sizes, D):
    s, T = 4, 3
    _, tr = article_trace(sizes, D, s, T)
    widths = [D, *sizes]
    for t in range(T):
        for k in range(len(sizes)):
            m_k, n_k = widths[k], widths[k + 1]
            assert tr.shape("x_t", k, t) == (s, m_k)
            assert tr.shape("[x_t, h_{t-1}]", k, t) == (s, m_k + n_k)
            for gate in "ifgo":
                assert tr.shape(f"w_{gate}", k, t) == (m_k + n_k, n_k)
                assert tr.shape(f"b_{gate}", k, t) == (n_k,)
                assert tr.shape(f"{gate}_t", k, t) == (s, n_k)
            assert tr.shape("W_x", k, t) == (m_k, 4 * n_k)
            assert tr.shape("W_h", k, t) == (n_k, 4 * n_k)
            assert tr.shape("c_t", k, t) == tr.shape("h_t", k, t) == (s, n_k)
            assert tr.find("w_f", k, t).symbol == f"[m_{k} + n_{k}, n_{k}]"
            assert tr.find("w_f", k, t).label == f"w_f^{k}"
    assert tr.dims == {"kind": "lstm", "s": s, "m": D, "T": T, "n": list(sizes),
                        "p": [None] * len(sizes), "lengths": None}


def test_concat_form_is_the_split_form():
    """sigma([x, h] w_j + b_j) of the trace equals each gate the cell computed (the article's section 5)."""
    cell, tr = article_trace((6, 5), 4, kind="lstm", forget_bias=1.0)
    for t in range(3):
        for k in (0, 1):
            xh = tr.find("[x_t, h_{t-1}]", k, t).value
            for gate in "ifgo":
                a = xh @ tr.find(f"w_{gate}", k, t).value + tr.find(f"b_{gate}", k, t).value
                a = a + (1.0 if gate == "f" else 0.0)
                expected = np.tanh(a) if gate == "g" else sigmoid(a)
                np.testing.assert_allclose(tr.find(f"{gate}_t", k, t).value, expected, rtol=1e-12, atol=1e-14)
            # layer k's input at step t is layer k-1's h at step t
            if k == 1:
                np.testing.assert_array_equal(tr.find("x_t", 1, t).value, tr.find("h_t", 0, t).value)


def test_rnn_and_gru_traces():
    _, tr = article_trace((6,), 4, kind="rnn")
    xh = tr.find("[x_t, h_{t-1}]", 0, 2).value
    np.testing.assert_allclose(tr.find("h_t", 0, 2).value,
                               np.tanh(xh @ tr.find("w", 0, 2).value + tr.find("b", 0, 2).value), rtol=1e-12)
    for reset_after in (True, False):
        _, tr = article_trace((6, 5), 4, kind="gru", reset_after=reset_after)
        x, h = tr.find("x_t", 1, 1).value, tr.find("h_{t-1}", 1, 1).value
        bias = (tr.find("b_x,z", 1, 1).value + tr.find("b_h,z", 1, 1).value) if reset_after else tr.find("b_z", 1, 1).value
        z = sigmoid(x @ tr.find("W_x,z", 1, 1).value + h @ tr.find("W_h,z", 1, 1).value + bias)
        np.testing.assert_allclose(tr.find("z_t", 1, 1).value, z, rtol=1e-12)
        assert tr.shape("W_h,n", 1, 1) == (5, 5) and tr.shape("W_x,n", 1, 1) == (6, 5)
        assert ("r*h_{t-1}" in {e.name for e in tr.entries}) == (not reset_after)


def test_single_cell_names_and_errors():
    tr = trace(ln.LSTMCell(3, 5, rng=0), np.zeros((2, 1, 3)))
    assert "params['W_x']" in tr.find("W_x").meaning
    tr = trace(ln.MultiRNNCell([ln.LSTMCell(3, 5, rng=0)]), np.zeros((2, 1, 3)))
    assert "params['cell_0/W_x']" in tr.find("W_x").meaning
    with pytest.raises(KeyError, match="no 'w_q' for layer k=0 at t=0"):
        tr.find("w_q")


def test_format_and_the_command_line(capsys):
    _, tr = article_trace()
    text = tr.format()
    assert "=== step t=2 ===" in text and "--- layer k=1: m_1=20, n_1=30 ---" in text
    assert "w_f^1" in text and "[50, 30]" in text and "[m_1 + n_1, n_1]" in text
    assert main(["trace", "--cell", "lstm", "--sizes", "20", "30", "--input-size", "8", "--batch", "4",
                 "--steps", "3"]) == 0
    out = capsys.readouterr().out
    assert "s = B = 4 (batch), m = D = 8 (input), n_0 = H_0 = 20, n_1 = H_1 = 30; T = 3" in out
    assert "[x_t^0, h_{t-1}^0]  (4, 28)" in out
    assert main(["trace", "--cell", "gru", "--sizes", "3", "--input-size", "2", "--batch", "1", "--steps", "1",
                 "--values"]) == 0
    out = capsys.readouterr().out
    assert "W_x,r^0" in out and "[[" in out                   # values printed under the rows


def test_core_runs_without_matplotlib():
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "matplotlib" or name.startswith("matplotlib."):
                    raise ImportError("matplotlib is blocked in this test")
        sys.meta_path.insert(0, Block())
        import numpy as np
        import lstm_numpy as ln
        from lstm_numpy.trace import trace
        from lstm_numpy.gradient_flow import hidden_gradient_norms
        from lstm_numpy.commands import main
        cell = ln.MultiRNNCell([ln.LSTMCell(8, 20, rng=0), ln.LSTMCell(20, 30, rng=1)])
        outputs, state, cache = ln.dynamic_rnn(cell, np.ones((4, 3, 8)))
        assert outputs.shape == (4, 3, 30)
        assert trace(cell, np.ones((4, 3, 8))).shape("w_f", 1) == (50, 30)
        assert hidden_gradient_norms(ln.RNNCell(2, 3, rng=0), np.ones((1, 4, 2)))[0].shape == (4,)
        assert main(["trace", "--steps", "1"]) == 0
        import lstm_numpy.plot                      # the room opens; its drawings need matplotlib
        try:
            lstm_numpy.plot.draw_unrolled
        except ImportError:
            pass
        else:
            raise AssertionError("the block did not block")
        assert not any(m.startswith("matplotlib") for m in sys.modules)
        print("core ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "core ok" in result.stdout
