"""The optimisers against values worked out by hand, and clipping by global norm."""
import numpy as np
import pytest

from lstm_numpy.models import SequenceRegressor
from lstm_numpy.train.optim import SGD, Adam, clip_by_global_norm, global_norm
from lstm_numpy.train.loop import train_step


def test_sgd_with_momentum_by_hand():
    p = {"w": np.array([1.0, -2.0])}
    opt = SGD(p, lr=0.1, momentum=0.9)
    opt.step({"w": np.array([0.5, 1.0])})
    # v = [0.5, 1]; w = [1 - 0.05, -2 - 0.1]
    np.testing.assert_allclose(p["w"], [0.95, -2.1], rtol=0, atol=1e-15)
    opt.step({"w": np.array([-1.0, 2.0])})
    # v = 0.9 [0.5, 1] + [-1, 2] = [-0.55, 2.9]; w = [0.95 + 0.055, -2.1 - 0.29]
    np.testing.assert_allclose(p["w"], [1.005, -2.39], rtol=0, atol=1e-15)


def test_plain_sgd():
    p = {"w": np.array([[1.0, 2.0]])}
    SGD(p, lr=0.5, momentum=0.0).step({"w": np.array([[2.0, -2.0]])})
    np.testing.assert_array_equal(p["w"], [[0.0, 3.0]])


def test_adam_by_hand():
    p = {"w": np.array([1.0])}
    opt = Adam(p, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    opt.step({"w": np.array([2.0])})
    # m = 0.2, v = 0.004; corrected: m_hat = 2, v_hat = 4; w = 1 - 0.1 * 2 / (2 + 1e-8)
    np.testing.assert_allclose(p["w"], [0.9], rtol=0, atol=1e-9)
    opt.step({"w": np.array([-1.0])})
    # m = 0.18 - 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996
    # m_hat = 0.08 / 0.19 = 0.4210526..., v_hat = 0.004996 / 0.001999 = 2.4992496...
    # w = 0.9 - 0.1 * 0.4210526 / 1.5809015 = 0.9 - 0.0266337...
    np.testing.assert_allclose(p["w"], [0.873366], rtol=0, atol=2e-6)


def test_adam_first_step_is_lr_times_sign():
    """With bias correction the first step is lr * g / |g| for every element, whatever |g|."""
    p = {"a": np.zeros(3), "b": np.zeros((2, 2))}
    Adam(p, lr=0.01).step({"a": np.array([1e-3, -5.0, 2.0]), "b": np.array([[3.0, -1.0], [7.0, 0.5]])})
    np.testing.assert_allclose(p["a"], [-0.01, 0.01, -0.01], atol=1e-7)
    np.testing.assert_allclose(p["b"], [[-0.01, 0.01], [-0.01, -0.01]], atol=1e-8)


def test_optimizer_errors():
    p = {"w": np.zeros(2)}
    with pytest.raises(ValueError, match="lr > 0"):
        SGD(p, lr=0)
    with pytest.raises(ValueError, match=r"gradients for \['w'\]"):
        Adam(p).step({"v": np.zeros(2)})
    with pytest.raises(ValueError, match=r"gradient of w with shape \(2,\)"):
        Adam(p).step({"w": np.zeros(3)})


def test_clipping_keeps_direction_and_bounds_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0], [4.0]])}      # global norm 5
    before = {k: v.copy() for k, v in grads.items()}
    clipped, norm = clip_by_global_norm(grads, 2.0)
    assert norm == 5.0
    assert global_norm(clipped) == pytest.approx(2.0, abs=1e-15)
    for name in grads:
        np.testing.assert_allclose(clipped[name], grads[name] * 2.0 / 5.0, atol=1e-15)   # same direction
        np.testing.assert_array_equal(grads[name], before[name])                          # input untouched
    small, norm = clip_by_global_norm(grads, 10.0)
    assert norm == 5.0
    for name in grads:
        np.testing.assert_array_equal(small[name], grads[name])
    with pytest.raises(ValueError, match="max_norm > 0"):
        clip_by_global_norm(grads, 0.0)


def test_training_step_applies_clipping():
    """With plain SGD at lr 1 the update is minus the gradient: its global norm is the clip."""
    model = SequenceRegressor(2, [3], rng=0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4, 5, 2)), 100 * np.ones((4, 1))                 # a large loss, a large gradient
    before = {k: v.copy() for k, v in model.params.items()}
    loss, norm = train_step(model, SGD(model.params, lr=1.0, momentum=0.0), (x, y), clip=0.5)
    assert norm > 0.5
    change = {k: model.params[k] - before[k] for k in before}
    assert global_norm(change) == pytest.approx(0.5, rel=1e-12)


def test_clipping_with_pytorchs_epsilon_and_in_place():
    """eps=1e-6 divides by norm + 1e-6, as clip_grad_norm_; in_place scales the arrays given."""
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0], [4.0]])}      # global norm 5
    clipped, norm = clip_by_global_norm(grads, 2.0, eps=1e-6)
    assert norm == 5.0
    np.testing.assert_allclose(clipped["a"], [3.0 * 2.0 / (5.0 + 1e-6), 0.0], rtol=1e-15)
    assert global_norm(clipped) < 2.0
    exact, _ = clip_by_global_norm(grads, 5.0, eps=1e-6)                     # norm == max_norm: still scaled
    assert exact["b"][1, 0] < 4.0
    a = grads["a"]
    same, _ = clip_by_global_norm(grads, 2.0, in_place=True)
    assert same is grads and same["a"] is a
    np.testing.assert_allclose(a, [1.2, 0.0], rtol=1e-15)
    with pytest.raises(ValueError, match="eps >= 0"):
        clip_by_global_norm(grads, 1.0, eps=-1.0)


def test_adam_keeps_float32_and_matches_the_textbook_order():
    """PyTorch's order of eq. (O5) is the textbook's formula: the same to rounding, in float32 too."""
    rng = np.random.default_rng(0)
    for dtype, tol in ((np.float64, 1e-14), (np.float32, 1e-6)):
        p = {"w": rng.normal(size=(3, 4)).astype(dtype)}
        start = p["w"].copy()
        opt = Adam(p, lr=0.01, eps=1e-8)
        m = v = 0
        expected = start.astype(np.float64)
        for t in range(1, 4):
            g = rng.normal(size=(3, 4)).astype(dtype)
            opt.step({"w": g})
            m = 0.9 * m + 0.1 * g.astype(np.float64)
            v = 0.999 * v + 0.001 * g.astype(np.float64) ** 2
            expected = expected - 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        assert p["w"].dtype == dtype
        np.testing.assert_allclose(p["w"], expected, rtol=0, atol=tol)
