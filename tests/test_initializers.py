"""The initialisers: each one's distribution (bounds, mean, spread), seeding, and CSV files.

Each matrix has n = 200 x 300 = 60000 draws, so a sample mean is within 5 standard errors
(5 std / sqrt(n) ~ 0.02 std) and a sample standard deviation within 5 / sqrt(2n) ~ 1.5% of
the true one, except with probability about 1e-6.
"""
import numpy as np
import pytest

from lstm_numpy.initializers import init_bias, init_gate_weights, init_matrix, load_csv

SHAPE = (200, 300)
N = SHAPE[0] * SHAPE[1]
FAN_IN, FAN_OUT = SHAPE


def check_moments(w, std):
    assert abs(w.mean()) < 5 * std / np.sqrt(N)
    assert abs(w.std() / std - 1) < 5 / np.sqrt(2 * N)


@pytest.mark.parametrize("init,bound", [
    ("xavier", 4 * np.sqrt(6 / (FAN_IN + FAN_OUT))),         # the article's formula, with its factor 4
    ("dl", 1 / np.sqrt(FAN_IN)),
    ("glorot_bengio", np.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("pytorch", 1 / np.sqrt(FAN_OUT)),                        # hidden_size defaults to fan_out
])
def test_uniform_initialisers(init, bound):
    w = init_matrix(init, SHAPE, np.random.default_rng(0))
    assert w.shape == SHAPE and w.dtype == np.float64
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound                     # fills the interval, not a narrower one
    check_moments(w, bound / np.sqrt(3))                      # uniform(-a, a) has std a / sqrt(3)


def test_pytorch_uses_hidden_size():
    w = init_matrix("pytorch", SHAPE, 0, hidden_size=25)
    assert 0.19 < np.abs(w).max() <= 0.2


def test_truncated_normal():
    w = init_matrix("tn", SHAPE, 0, scale=0.3)
    assert np.abs(w).max() <= 2 * 0.3
    # a normal cut at +-2 std keeps std * sqrt(1 - 2 * 2 phi(2) / (Phi(2) - Phi(-2)))
    phi2 = np.exp(-2) / np.sqrt(2 * np.pi)
    mass = 0.9544997361036416                                 # Phi(2) - Phi(-2)
    check_moments(w, 0.3 * np.sqrt(1 - 4 * phi2 / mass))


def test_he():
    w = init_matrix("he", SHAPE, 0)
    check_moments(w, np.sqrt(2 / FAN_IN))


@pytest.mark.parametrize("shape", [(7, 4), (4, 7), (5, 5)])
def test_orthogonal(shape):
    w = init_matrix("orthogonal", shape, 0)
    small = min(shape)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


@pytest.mark.parametrize("init", ["tn", "xavier", "dl", "he", "glorot_bengio", "orthogonal", "pytorch"])
def test_same_seed_same_weights(init):
    a = init_matrix(init, (6, 5), np.random.default_rng(3))
    b = init_matrix(init, (6, 5), 3)
    c = init_matrix(init, (6, 5), 4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_unknown_name():
    with pytest.raises(ValueError, match="unknown initialiser 'kaiming'"):
        init_matrix("kaiming", (2, 3), 0)


def test_csv_matrix_and_bias(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("1,2,3\n4,5,6\n")
    np.testing.assert_array_equal(init_matrix(str(path), (2, 3), 0), [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(init_matrix(path, (2, 3), 0, dtype=np.float32), [[1, 2, 3], [4, 5, 6]])
    bias = tmp_path / "b.csv"
    bias.write_text("0.5,-1\n")
    np.testing.assert_array_equal(init_bias(str(bias), (2,)), [0.5, -1])
    column = tmp_path / "c.csv"
    column.write_text("0.5\n-1\n")
    np.testing.assert_array_equal(init_bias(str(column), (2,)), [0.5, -1])
    np.testing.assert_array_equal(init_bias("zeros", (2,)), [0, 0])


def test_csv_wrong_shape_names_file_and_shapes(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(ValueError, match=r"w\.csv.*expected shape \(3, 2\), found \(2, 3\)"):
        init_matrix(str(path), (3, 2), 0)
    with pytest.raises(ValueError, match=r"w\.csv.*expected shape \(6,\), found \(2, 3\)"):
        load_csv(path, (6,))


def test_csv_errors(tmp_path):
    with pytest.raises(ValueError, match=r"missing\.csv.*not found.*\(2, 3\)"):
        init_matrix(str(tmp_path / "missing.csv"), (2, 3), 0)
    bad = tmp_path / "bad.csv"
    bad.write_text("1,x\n")
    with pytest.raises(ValueError, match=r"bad\.csv.*could not read"):
        load_csv(bad, (1, 2))
    with pytest.raises(ValueError, match="unknown bias initialiser"):
        init_bias("ones", (2,))


def test_gate_weights_from_the_article_view():
    """Each gate is one [D + H, H] matrix: its first D rows go to W_x, the last H rows to W_h."""
    D, H = 3, 5
    W_x, W_h = init_gate_weights("dl", D, H, 4, np.random.default_rng(0), np.float64)
    rng = np.random.default_rng(0)
    blocks = [init_matrix("dl", (D + H, H), rng) for _ in range(4)]
    np.testing.assert_array_equal(W_x, np.concatenate([b[:D] for b in blocks], axis=1))
    np.testing.assert_array_equal(W_h, np.concatenate([b[D:] for b in blocks], axis=1))
