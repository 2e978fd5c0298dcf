"""Gradient checks of the model pieces alone and of whole models end to end.

Every array is checked on its own against fourth-order central differences in float64, with
the tolerance gradcheck.TOLERANCE (1e-6): a correct backward pass measures about 1e-8 here, a
missing or transposed term 1e-2 or worse. Parameters are randomized (biases too) so that a
zero bias cannot hide a layout bug.
"""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.models import CharLM
from lstm_numpy.models.dense import Dense
from lstm_numpy.gradcheck import check_gradients
from lstm_numpy.models.initial_state import EncoderInitialState, LearnedInitialState
from lstm_numpy.models.losses import mean_squared_error, softmax_cross_entropy
from lstm_numpy.models import ArticleLSTM, SequenceRegressor
from lstm_numpy.state import state_leaves

from conftest import B, D, H, T, make_cell, randomize


def projection_loss(state, projections):
    """``sum(state * projections)`` leaf by leaf: its gradient is exactly ``projections``."""
    return sum(np.sum(s * p) for s, p in zip(state_leaves(state), state_leaves(projections)))


@pytest.mark.parametrize("kinds", [["lstm"], ["lstm", "lstm", "lstm"], ["gru", "lstm", "rnn_tanh"],
                                   ["rnn_tanh", "gru"]])
def test_encoder_initial_state_alone(kinds, rng):
    widths = [D, H, 6, 3][:len(kinds) + 1]
    layers = [make_cell(k, widths[i], widths[i + 1], rng) for i, k in enumerate(kinds)]
    cell = layers[0] if len(layers) == 1 else ln.MultiRNNCell(layers)
    encoder = EncoderInitialState(cell, rng=rng)
    randomize(encoder, rng, scale=0.8)
    x0 = rng.normal(size=(B, D))
    state, cache = encoder.forward(x0)
    dstate = ln.gradcheck.random_state(cell, B, rng)                      # random upstream gradient
    dx0, dparams = encoder.backward(dstate, cache)
    report = check_gradients(lambda: projection_loss(encoder.forward(x0)[0], dstate),
                             {"x0": x0, **encoder.params}, {"x0": dx0, **dparams})
    assert report.passed, str(report)


def test_learned_initial_state_alone(rng):
    cell = ln.MultiRNNCell([make_cell("lstm", D, H, rng), make_cell("gru", H, 3, rng)])
    init = randomize(LearnedInitialState(cell), rng)
    dstate = ln.gradcheck.random_state(cell, B, rng)
    state, cache = init.forward(B)
    assert state[0].c.shape == (B, H) and state[1].shape == (B, 3)
    _, dparams = init.backward(dstate, cache)
    report = check_gradients(lambda: projection_loss(init.forward(B)[0], dstate), init.params, dparams)
    assert report.passed, str(report)


@pytest.mark.parametrize("activation", [None, "tanh", "relu", "sigmoid"])
def test_dense_alone(activation, rng):
    head = randomize(Dense(H, 3, activation=activation, rng=rng), rng)
    x = rng.normal(size=(B, T, H))                                        # a head at every step
    a = x @ head.params["W"] + head.params["b"]
    # relu has a kink at 0: the stencil (reach 2 eps |x| ~ 1e-2) must not cross it
    x[(np.abs(a) < 0.05).any(axis=-1)] = 0                                # such a row gets a = b instead
    assert np.abs(x @ head.params["W"] + head.params["b"]).min() > 0.05
    y, cache = head.forward(x)
    dy = rng.normal(size=y.shape)
    dx, dparams = head.backward(dy, cache)
    report = check_gradients(lambda: np.sum(head.forward(x)[0] * dy), {"x": x, **head.params}, {"x": dx, **dparams})
    assert report.passed, str(report)


def test_losses_alone(rng):
    pred, target = rng.normal(size=(B, 3)), rng.normal(size=(B, 3))
    _, dpred = mean_squared_error(pred, target)
    assert check_gradients(lambda: mean_squared_error(pred, target)[0], {"pred": pred}, {"pred": dpred}).passed
    logits = rng.normal(size=(B + 1, T, 6)) * 3
    labels = rng.integers(0, 6, size=(B + 1, T))
    mask = np.array([[1, 1, 1], [1, 0, 0], [0, 0, 0]])
    _, dlogits = softmax_cross_entropy(logits, labels, mask)
    report = check_gradients(lambda: softmax_cross_entropy(logits, labels, mask)[0], {"logits": logits},
                             {"logits": dlogits})
    assert report.passed, str(report)
    assert np.all(dlogits[2] == 0) and np.all(dlogits[1, 1:] == 0)       # padding gets no gradient


def check_model(model, loss_fn, grads, extra_arrays=None, extra_grads=None):
    arrays = {**(extra_arrays or {}), **model.params}
    analytic = {**(extra_grads or {}), **grads}
    return check_gradients(loss_fn, arrays, analytic, title=type(model).__name__)


@pytest.mark.parametrize("cell,initial_state,time_major", [
    ("lstm", "encoder", False), ("lstm", "learned", True), ("gru", "zero", False), ("rnn", "encoder", True)])
def test_sequence_regressor_end_to_end(cell, initial_state, time_major, rng):
    model = SequenceRegressor(D, [H, 3], 2, cell=cell, initial_state=initial_state, time_major=time_major, rng=rng)
    randomize(model, rng)
    x = rng.normal(size=(T, B + 1, D) if time_major else (B + 1, T, D))
    y = rng.normal(size=(B + 1, 2))
    lengths = np.array([T, 1, 2])
    loss, cache = model.forward(x, y, lengths)
    grads, dx = model.backward(cache, with_inputs=True)
    report = check_model(model, lambda: model.forward(x, y, lengths)[0], grads, {"inputs": x}, {"inputs": dx})
    assert report.passed, str(report)


def test_article_lstm_end_to_end(rng):
    model = ArticleLSTM(2, 1, widths=(4, 3, 5), steps=4, rng=rng)        # the article's shape, small
    randomize(model, rng)
    x = rng.normal(size=(4, B + 1, 2))                                   # (T, B, D), time-major
    y = rng.normal(size=(B + 1, 1))
    lengths = np.array([4, 2, 1])
    loss, cache = model.forward(x, y, lengths)
    grads, dx = model.backward(cache, with_inputs=True)
    assert {"init/WEH_0", "init/WEC_2", "rnn/cell_2/W_h", "head/W"} <= set(grads)
    report = check_model(model, lambda: model.forward(x, y, lengths)[0], grads, {"inputs": x}, {"inputs": dx})
    assert report.passed, str(report)


@pytest.mark.parametrize("embed_size,cell", [(None, "lstm"), (3, "gru")])
def test_char_lm_end_to_end(embed_size, cell, rng):
    model = CharLM("abcde", [H, 4], embed_size=embed_size, cell=cell, rng=rng)
    randomize(model, rng)
    ids = rng.integers(0, 5, size=(B + 1, T + 1))
    ids[0, :3] = 1                                                        # an embedding row used many times
    lengths = np.array([T, 2, 0])
    loss, cache = model.forward(ids[:, :-1], ids[:, 1:], lengths)
    grads = model.backward(cache)
    report = check_model(model, lambda: model.forward(ids[:, :-1], ids[:, 1:], lengths)[0], grads)
    assert report.passed, str(report)
