"""The models and the training loop on either engine: the fast one and the readable one give
the same numbers (to 1e-12 in float64), and the inputs are checked once on their way to the
time loop.

The reference of each comparison is the readable engine, which tests/test_model_gradients.py
holds against central differences and tests/test_golden.py against the frameworks.
"""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy import checks, time_loop
from lstm_numpy.models import ArticleLSTM, CharLM, SequenceRegressor
from lstm_numpy.train.loop import train
from lstm_numpy.train.optim import SGD, Adam

from conftest import randomize

TOL = dict(rtol=1e-12, atol=1e-12)


def regressor_case(cell, initial_state, time_major):
    def build(rng):
        model = SequenceRegressor(3, [5, 4], 2, cell=cell, initial_state=initial_state, time_major=time_major,
                                  rng=0)
        x = rng.normal(size=(7, 6, 3) if time_major else (6, 7, 3))            # (T, B, D) or (B, T, D)
        return model, (x, rng.normal(size=(6, 2)), np.array([7, 1, 3, 7, 2, 5]))
    return build


def article_case(rng):
    model = ArticleLSTM(2, 3, widths=(3, 4, 5), steps=4, rng=0)
    return model, (rng.normal(size=(4, 6, 2)), rng.normal(size=(6, 3)), np.array([4, 1, 2, 4, 3, 1]))


def char_case(cell, embed_size):
    def build(rng):
        model = CharLM("abcdefg", [5, 4], embed_size=embed_size, cell=cell, rng=0)
        ids, targets = rng.integers(0, 7, size=(2, 6, 8))                       # (B, T) each
        return model, (ids, targets, np.array([8, 3, 0, 5, 8, 1]))
    return build


CASES = {
    "regressor-lstm-zero": regressor_case("lstm", "zero", False),
    "regressor-gru-learned-time-major": regressor_case("gru", "learned", True),
    "regressor-rnn-encoder": regressor_case("rnn", "encoder", False),
    "regressor-lstm-encoder-time-major": regressor_case("lstm", "encoder", True),
    "article": article_case,
    "chars-lstm-one-hot": char_case("lstm", None),
    "chars-gru-embedded": char_case("gru", 3),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_model_computes_the_same_on_both_engines(case, rng):
    """Loss, predictions and every gradient (and dL/d inputs for the regressors), both engines."""
    model, batch = CASES[case](rng)
    randomize(model, rng)
    results = {}
    for engine in ("readable", "fast"):
        model.engine = engine
        loss, cache = model.forward(*batch)
        if isinstance(model, SequenceRegressor):
            grads, dinputs = model.backward(cache, with_inputs=True)
            grads["inputs"] = dinputs
        else:
            grads = model.backward(cache)
        results[engine] = (loss, grads)
    (loss_r, grads_r), (loss_f, grads_f) = results["readable"], results["fast"]
    assert abs(loss_f - loss_r) <= 1e-12 * max(1.0, abs(loss_r))
    assert sorted(grads_f) == sorted(grads_r)
    for name in grads_r:
        assert grads_f[name].shape == grads_r[name].shape, name
        np.testing.assert_allclose(grads_f[name], grads_r[name], **TOL, err_msg=name)
    assert max(np.abs(g).max() for g in grads_r.values()) > 1e-3        # not all zeros


def test_sampling_and_predictions_on_both_engines(rng):
    model = randomize(CharLM("abcdefg", [6], rng=0), rng)
    text = {}
    for engine in ("readable", "fast"):
        model.engine = engine
        text[engine] = model.sample(12, prime="abc", rng=3)
    assert text["readable"] == text["fast"]
    regressor = randomize(SequenceRegressor(3, [4], 2, initial_state="encoder", rng=0), rng)
    x, lengths = rng.normal(size=(5, 6, 3)), np.array([6, 1, 2, 6, 3])
    preds = {}
    for engine in ("readable", "fast"):
        regressor.engine = engine
        preds[engine] = regressor.predict(x, lengths)[0]
    np.testing.assert_allclose(preds["fast"], preds["readable"], **TOL)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_a_training_run_is_the_same_on_both_engines(optimizer):
    """Ten steps of the training loop from the same weights, clipped (the first steps' norms, about
    0.24, to 0.2), on one batch (so that the loss must fall) and a second one every third step."""
    data = np.random.default_rng(7)
    first, second = [(data.integers(0, 6, size=(3, 9)), data.integers(0, 6, size=(3, 9))) for _ in range(2)]
    batches = [second if step % 3 == 2 else first for step in range(10)]
    runs = {}
    for engine in ("readable", "fast"):
        model = randomize(CharLM("abcdef", [7], rng=0), np.random.default_rng(1))
        opt = Adam(model.params, lr=0.01) if optimizer == "adam" else SGD(model.params, lr=0.3, momentum=0.9)
        history = train(model, opt, lambda step: batches[step - 1], 10, clip=0.2, stream=None, engine=engine)
        assert model.engine == engine
        runs[engine] = (history["loss"], model.params)
    (loss_r, params_r), (loss_f, params_f) = runs["readable"], runs["fast"]
    np.testing.assert_allclose(loss_f, loss_r, **TOL)
    assert loss_r[-1] < loss_r[0]                                # step 10 sees the first batch again
    for name in params_r:
        np.testing.assert_allclose(params_f[name], params_r[name], **TOL, err_msg=name)


def test_models_train_on_the_fast_engine_by_default():
    assert CharLM("ab", [3]).engine == "fast"
    assert SequenceRegressor(1, [3]).engine == "fast"
    assert ArticleLSTM(1).engine == "fast"
    _, cache = SequenceRegressor(1, [3], rng=0).forward(np.ones((2, 4, 1)), np.zeros((2, 1)))
    assert "workspace" in cache["rnn"]                          # the fast engine's cache
    with pytest.raises(ValueError, match=r"expected engine one of \('fast', 'readable'\), got 'quick'"):
        CharLM("ab", [3], engine="quick")


def test_a_cache_of_either_engine_goes_back_through_its_own(rng):
    """The backward pass follows the cache, not the engine set since the forward pass."""
    model = randomize(SequenceRegressor(2, [3], rng=0), rng)
    x, y = rng.normal(size=(4, 5, 2)), rng.normal(size=(4, 1))
    model.engine = "readable"
    _, cache = model.forward(x, y)
    model.engine = "fast"
    expected = model.backward(model.forward(x, y)[1])
    for name, g in model.backward(cache).items():
        np.testing.assert_allclose(g, expected[name], **TOL)


@pytest.mark.parametrize("engine", ["readable", "fast"])
@pytest.mark.parametrize("model_name", ["regressor", "chars"])
def test_inputs_are_checked_once_on_the_way_to_the_time_loop(engine, model_name, monkeypatch, rng):
    """One layout check, one conversion and one lengths check per forward pass, on both engines."""
    calls = {"layout": 0, "lengths": 0, "conversions": 0}

    def counted(key, function):
        def wrapper(*args, **kwargs):
            calls[key] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(time_loop, "inputs_time_major", counted("layout", time_loop.inputs_time_major))
    monkeypatch.setattr(time_loop, "check_sequence_length", counted("lengths", time_loop.check_sequence_length))
    as_float_array = checks.as_float_array
    monkeypatch.setattr(checks, "as_float_array",
                        lambda name, *a: counted("conversions", as_float_array)(name, *a) if name == "inputs"
                        else as_float_array(name, *a))
    if model_name == "regressor":
        model = SequenceRegressor(3, [4, 5], initial_state="encoder", rng=0, engine=engine)
        batch = (rng.normal(size=(2, 6, 3)), rng.normal(size=(2, 1)), np.array([6, 2]))
    else:
        model = CharLM("abcd", [4], rng=0, engine=engine)
        batch = (rng.integers(0, 4, size=(2, 6)), rng.integers(0, 4, size=(2, 6)), np.array([6, 2]))
    model.backward(model.forward(*batch)[1])
    assert calls == {"layout": 1, "lengths": 1, "conversions": 1 if engine == "readable" else 0}


def test_the_time_loop_runs_what_its_check_returned(rng):
    """dynamic_rnn is check_arguments then run_checked, on both engines."""
    cell = randomize(ln.MultiRNNCell([ln.LSTMCell(3, 4), ln.GRUCell(4, 5)]), rng)
    x, lengths = rng.normal(size=(2, 6, 3)), [6, 2]
    checked = time_loop.check_arguments(cell, x, lengths)
    assert checked.xs.shape == (6, 2, 3) and checked.sequence_length.dtype == np.int64
    out, _, _ = time_loop.run_checked(cell, checked)
    np.testing.assert_array_equal(out, ln.dynamic_rnn(cell, x, lengths)[0])
    fast_checked = ln.fast.check_arguments(cell, x, lengths)
    out_fast, _, cache = ln.fast.run_checked(cell, fast_checked)
    np.testing.assert_allclose(out_fast, out, **TOL)
    grads = ln.fast.dynamic_rnn_backward(np.ones_like(out), None, cache, inputs_gradient=False)
    assert grads.inputs is None
    full = ln.fast.dynamic_rnn_backward(np.ones_like(out), None, cache)
    for name, g in full.params.items():
        np.testing.assert_array_equal(grads.params[name], g)        # the same products, bit for bit
    with pytest.raises(ValueError, match=r"sequence_length values in \[0, T=6\]"):
        ln.fast.check_arguments(cell, x, [7, 2])


@pytest.mark.parametrize("kind", ["lstm", "gru_before", "rnn_relu"])
@pytest.mark.parametrize("time_major", [False, True])
def test_one_hot_inputs_as_ids_equal_the_dense_ones(kind, time_major, rng, monkeypatch):
    """The fast engine gathers rows of W_x for OneHot inputs and adds into them backward: the
    outputs, the final state and every gradient are those of the dense one-hot array."""
    from conftest import make_cell
    monkeypatch.setattr(ln.fast.workspace, "CHUNK_ROWS", 12)   # backward in chunks of 2 steps
    cell = ln.MultiRNNCell([make_cell(kind, 7, 5, rng), make_cell(kind, 5, 4, rng)])
    ids = rng.integers(0, 7, size=(9, 6))                       # (T, B) or (B, T)
    ids[0, 0] = ids[1, 0] = ids[2, 1]                          # an id used several times in a chunk
    one_hot = ln.fast.OneHot(ids, 7)
    dense = one_hot.dense()
    # time-major: T = 9 steps of B = 6 rows; batch-major: B = 9 rows of T = 6 steps
    lengths = np.array([9, 0, 3, 9, 1, 6]) if time_major else np.array([6, 0, 2, 6, 1, 5, 6, 3, 4])
    d_out = rng.normal(size=dense.shape[:2] + (4,))
    results = []
    for inputs in (dense, one_hot):
        out, final, cache = ln.fast.dynamic_rnn(cell, inputs, lengths, time_major=time_major)
        results.append((out, final, ln.fast.dynamic_rnn_backward(d_out, None, cache, inputs_gradient=False)))
    (out_d, fin_d, g_d), (out_o, fin_o, g_o) = results
    np.testing.assert_allclose(out_o, out_d, **TOL)
    for a, b in zip(ln.state.state_leaves(fin_o), ln.state.state_leaves(fin_d)):
        np.testing.assert_allclose(a, b, **TOL)
    for name in g_d.params:
        np.testing.assert_allclose(g_o.params[name], g_d.params[name], **TOL, err_msg=name)
    assert np.abs(g_o.params["cell_0/W_x"]).max() > 1e-3


def test_one_hot_inputs_refuse_what_they_cannot_be():
    with pytest.raises(ValueError, match=r"one-hot ids in \[0, D=3\), got \[0, 3\]"):
        ln.fast.OneHot(np.array([[0, 3]]), 3)
    with pytest.raises(ValueError, match="integers of shape"):
        ln.fast.OneHot(np.array([0.0, 1.0]), 3)
    with pytest.raises(ValueError, match=r"D=4\), got \(2, 5, 3\)"):
        ln.fast.dynamic_rnn(ln.LSTMCell(4, 3), ln.fast.OneHot(np.zeros((2, 5), int), 3))
    with pytest.raises(ValueError, match=r"\(1, 0, 2\)"):
        ln.fast.OneHot(np.zeros((2, 5), int), 3).transpose(2, 0, 1)


def test_the_train_command_runs_either_engine_to_the_same_numbers(capsys, tmp_path):
    """``train chars --engine readable`` prints what the default (fast) run prints, line for line."""
    from lstm_numpy.commands import main
    text = tmp_path / "t.txt"
    text.write_text("hello, world. " * 100, encoding="utf-8")
    outputs = {}
    for engine in ("fast", "readable"):
        argv = ["train", "chars", "--text", str(text), "--steps", "6", "--sizes", "8", "--seq-len", "10",
                "--sample", "20", "--no-figures", "--quiet"]
        assert main(argv + (["--engine", engine] if engine == "readable" else [])) == 0
        outputs[engine] = capsys.readouterr().out.splitlines()
    assert outputs["fast"][1].endswith("seed 0, fast engine") and outputs["readable"][1].endswith("readable engine")
    assert outputs["fast"][2:] == outputs["readable"][2:]      # held-out bits at each evaluation, the sample
