"""The gradient checker itself: right on known derivatives, and it catches planted bugs."""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy import gru, lstm, rnn
from lstm_numpy.commands import main
from lstm_numpy.gradcheck import (check_dynamic_rnn, check_gradients, numerical_gradient,
                                  random_state, relative_error)

from conftest import B, D, H, T, make_cell


def test_numerical_gradient_of_known_functions():
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    # The stencil is exact for polynomials up to degree 4, so only rounding remains: about
    # 18 ulp(|L|) / (12 eps), 6e-12 for sum(x**4) = 18; for sin the eps**4 term adds 1e-13.
    np.testing.assert_allclose(numerical_gradient(lambda: np.sum(np.sin(x)), x), np.cos(x), rtol=0, atol=1e-11)
    np.testing.assert_allclose(numerical_gradient(lambda: np.sum(x ** 4), x), 4 * x ** 3, rtol=0, atol=1e-11)
    # a fifth power is where the stencil's own error appears: eps**4 * f^(5) / 30 = 4e-12 per element
    np.testing.assert_allclose(numerical_gradient(lambda: np.sum(x ** 5), x), 5 * x ** 4, rtol=0, atol=5e-11)
    before = x.copy()
    numerical_gradient(lambda: np.sum(x), x)
    np.testing.assert_array_equal(x, before)                    # restored element by element


def test_numerical_gradient_wants_float64():
    with pytest.raises(TypeError, match="expected a float64 ndarray to differentiate.*got float32"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))


def test_relative_error_has_a_floor():
    assert relative_error(np.array(1.0), np.array(1.0 + 1e-6)) == pytest.approx(1e-6 / (2 + 1e-6))
    assert relative_error(np.array(0.0), np.array(1e-12), floor=1e-5) == pytest.approx(1e-7)


def test_a_wrong_gradient_fails_and_the_report_names_it():
    w = np.array([1.0, 2.0, 3.0])
    v = np.array([0.5, -1.0])
    report = check_gradients(lambda: np.sum(w ** 2) + np.sum(v ** 3), {"w": w, "v": v},
                             {"w": 2 * w, "v": 3 * v ** 2 * 1.001})
    assert [r.passed for r in report.rows] == [True, False]
    assert not report.passed
    text = str(report)
    assert "v" in text and "FAIL" in text and "(2,)" in text


PLANTED_BUGS = {
    # module, function, how the bug is planted: a wrong factor on one gradient
    "lstm forget-gate term": (lstm, "lstm_step_backward", lambda out: (out[0], out[1], out[2] * 1.01, out[3])),
    "lstm bias gradient": (lstm, "lstm_step_backward",
                           lambda out: (*out[:3], {**out[3], "b": out[3]["b"] * 0.9})),
    "gru recurrent weights": (gru, "gru_step_backward",
                              lambda out: (out[0], out[1], {**out[2], "W_h": out[2]["W_h"].T.reshape(out[2]["W_h"].shape)})),
    "rnn input gradient": (rnn, "rnn_step_backward", lambda out: (out[0] * 1.001, out[1], out[2])),
    "gru_before state gradient": (gru, "gru_reset_before_step_backward",
                                  lambda out: (out[0], out[1] * 0.999, out[2])),
}


@pytest.mark.parametrize("bug", PLANTED_BUGS)
def test_the_checker_catches_a_planted_bug(bug, monkeypatch, rng):
    module, name, plant = PLANTED_BUGS[bug]
    kind = {"lstm": "lstm", "gru": "gru", "gru_before": "gru_before", "rnn": "rnn_tanh"}[bug.split()[0]]
    cell = make_cell(kind, D, H, rng)
    x = rng.normal(size=(B, T, D))
    state0 = random_state(cell, B, rng)
    assert check_dynamic_rnn(cell, x, initial_state=state0).passed        # correct code passes
    correct = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *args: plant(correct(*args)))
    report = check_dynamic_rnn(cell, x, initial_state=state0)
    assert not report.passed
    assert max(r.max_error for r in report.rows) > 1e-4


def test_cli_default_set_passes(capsys):
    assert main(["gradcheck"]) == 0
    out = capsys.readouterr().out
    assert "gradcheck passed" in out
    for title in ("rnn tanh", "rnn relu", "the article's [20, 30]", "forget_bias 1.0",
                  "gru reset_after=True", "gru reset_after=False"):
        assert title in out
    assert "cell_1/W_h" in out and "(30, 120)" in out and "initial_state[1].c" in out
    assert "FAIL" not in out


def test_cli_one_configuration(capsys):
    assert main(["gradcheck", "--cell", "gru", "--sizes", "3", "2", "--input-size", "4", "--batch", "2",
                 "--steps", "3", "--lengths", "3", "0", "--reset-before", "--time-major"]) == 0
    out = capsys.readouterr().out
    assert "gru reset_after=False, sizes [3, 2], D=4, B=2, T=3, time-major, lengths [3, 0], seed 0" in out
    assert "cell_1/b " in out and "(6,)" in out


def test_cli_exit_status_1_on_failure(monkeypatch, capsys):
    correct = rnn.rnn_step_backward
    monkeypatch.setattr(rnn, "rnn_step_backward", lambda *a: (lambda o: (o[0], o[1] * 1.1, o[2]))(correct(*a)))
    assert main(["gradcheck", "--cell", "rnn", "--sizes", "3", "--input-size", "2", "--batch", "2", "--steps", "3"]) == 1
    assert "gradcheck FAILED" in capsys.readouterr().out


@pytest.mark.parametrize("argv,message", [
    (["--cell", "lstm", "--lengths", "1", "2"], "expected B=3 values, got 2"),
    (["--steps", "2", "--batch", "2", "--lengths", "1", "3"], "values must be in [0, T=2], got 3"),
    (["--cell", "lstm", "--reset-before"], "--reset-before applies to --cell gru"),
    (["--cell", "gru", "--activation", "relu"], "--activation applies to --cell rnn"),
    (["--sizes", "0"], "expected a positive integer, got 0"),
    (["--batch", "two"], "expected a positive integer, got 'two'"),
    (["--cell", "cnn"], "invalid choice: 'cnn'"),
    (["--seed", "-1"], "argument --seed: expected a non-negative integer, got -1"),
])
def test_cli_wrong_arguments(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["gradcheck", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_library_errors_are_one_line(capsys):
    assert main(["gradcheck", "--cell", "lstm", "--forget-bias", "nan"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m lstm_numpy gradcheck: error: expected a finite forget_bias")


def test_cli_without_a_command_prints_help(capsys):
    assert main([]) == 2
    assert "gradcheck" in capsys.readouterr().out


def test_relu_kinks_are_found_and_not_compared(rng):
    """A relu unit whose pre-activation sits within 2 eps of 0: the stencil straddles the kink.

    Without the region test that element's difference is no derivative and fails; with it the
    element is counted as a kink and every other element is still compared.
    """
    cell = make_cell("rnn_relu", D, H, rng)
    x = rng.normal(size=(B, 1, D))
    a = x[:, 0] @ cell.params["W_x"] + cell.params["b"]             # h_prev = 0: a = x W_x + b
    cell.params["b"][0] -= a[0, 0] - 1e-4                            # a[0, 0] = 1e-4, inside the stencil
    report = check_dynamic_rnn(cell, x, final_state_loss=False)
    assert report.passed, str(report)
    assert report.rows[-1].name == "b" and report.rows[-1].kinks == 1
    assert "at a relu kink, not compared" in str(report)
    outputs, _, cache = ln.dynamic_rnn(cell, x)
    d_out = np.random.default_rng(0).normal(size=outputs.shape)
    grads = ln.dynamic_rnn_backward(d_out, None, cache)
    blind = check_gradients(lambda: np.sum(ln.dynamic_rnn(cell, x)[0] * d_out),
                            {"b": cell.params["b"]}, {"b": grads.params["b"]})
    assert not blind.passed


def test_cli_flags_equal_to_the_defaults_still_name_one_configuration(capsys):
    assert main(["gradcheck", "--cell", "rnn", "--sizes", "3", "--input-size", "2", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "rnn tanh, sizes [3], D=2, B=3, T=4, batch-major, seed 0" in out
    assert "1 configuration," in out


def test_cli_relu_passes_on_any_seed(capsys):
    for seed in range(4):
        assert main(["gradcheck", "--cell", "rnn", "--activation", "relu", "--sizes", "5", "4",
                     "--seed", str(seed)]) == 0
