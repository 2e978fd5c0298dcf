"""Nothing a user or a file brings breaks the package: each class of bad input gets a clear error
where it comes in (one shared mechanism: lstm_numpy.checks), and two property tests throw random
input at the command line and at checkpoint files.
"""
import io
import re
import os
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstm_numpy as ln
from lstm_numpy import checkpoint
from lstm_numpy.checks import MAX_BYTES, MAX_SIZE
from lstm_numpy.commands import main
from lstm_numpy.gradcheck import check_gradients
from lstm_numpy.models import ArticleLSTM, CharLM, SequenceRegressor


def run_cli(argv, capsys):
    """(exit status, stdout, stderr) of the command line, whether it returns or exits."""
    try:
        status = main(argv)
    except SystemExit as done:
        status = done.code
    out, err = capsys.readouterr()
    return status, out, err


# 1. Sizes that cannot fit: refused before anything is allocated, naming the flag or field.
@pytest.mark.parametrize("argv, message", [
    (["gradcheck", "--sizes", "100000"], "--sizes 100000 --input-size 8 --batch 3 --steps 4 would need 298.2 GiB"),
    (["trace", "--batch", "1000000000"], "argument --batch: expected a positive integer <= 1048576, got 1000000000"),
    (["trace", "--batch", "100000", "--steps", "1000"], "more than the limit of 4.0 GiB"),
    (["diagram", "legend", "--dpi", "100000", "-o", "x.png"], "argument --dpi: expected a positive dpi <= 1200"),
    (["train", "sine", "--batch", "1000000000"], "argument --batch: expected a positive integer <= 1048576"),
])
def test_sizes_that_cannot_fit_are_refused_by_flag(argv, message, capsys):
    status, _, err = run_cli(argv, capsys)
    assert status == 2 and message in err and "Traceback" not in err


def test_sizes_that_cannot_fit_are_refused_by_the_library():
    with pytest.raises(ValueError, match=r"LSTMCell\(input_size=100000, hidden_size=100000\)'s weights would need 596.0 GiB"):
        ln.LSTMCell(100000, 100000)
    with pytest.raises(ValueError, match=rf"expected hidden_size <= {MAX_SIZE}"):
        ln.GRUCell(3, 10 ** 7)
    with pytest.raises(ValueError, match=r"cannot build SequenceRegressor from its configuration"):
        crafted_config_load({"input_size": 1, "sizes": [10 ** 6, 10 ** 6]})


def crafted_config_load(config, tmp=None):
    """Load a checkpoint whose configuration was edited to ``config``."""
    import json
    import tempfile
    folder = tmp or tempfile.mkdtemp()
    path = os.path.join(folder, "crafted.npz")
    np.savez(path, __config__=np.array(json.dumps({"format": 1, "model": "SequenceRegressor", "config": config,
                                                    "extra": {}})))
    return checkpoint.load(path)


def test_a_crafted_array_header_allocates_nothing(tmp_path):
    model = SequenceRegressor(1, [4], rng=0)
    path = tmp_path / "model.npz"
    checkpoint.save(model, path)
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10 ** 6, 10 ** 6)})
    name = "param/rnn/W_x.npy"
    members[name] = header.getvalue() + members[name][len(header.getvalue()):]
    with zipfile.ZipFile(tmp_path / "crafted.npz", "w") as z:
        for key, data in members.items():
            z.writestr(key, data)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"damaged or crafted: member 'param/rnn/W_x.npy': its header claims "
                                             r"an array of shape \(1000000, 1000000\) \(7.3 TiB\)"):
            checkpoint.load(tmp_path / "crafted.npz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * os.path.getsize(tmp_path / "crafted.npz") + (1 << 20)


# 2. Non-finite numbers where they matter.
@pytest.mark.parametrize("engine", [ln, ln.fast])
def test_weights_with_nan_or_inf_are_refused_by_name(engine):
    cell = ln.MultiRNNCell([ln.LSTMCell(3, 4, rng=0), ln.GRUCell(4, 5, rng=1)])
    cell.cells[1].params["W_h"][2, 7] = np.inf
    with pytest.raises(ValueError, match=r"expected finite values in GRUCell.params\['W_h'\], got inf at index \(2, 7\)"):
        engine.dynamic_rnn(cell, np.ones((2, 3, 3)))


def test_hyperparameters_must_fit_the_dtype(capsys):
    with pytest.raises(ValueError, match=re.escape("expected forget_bias within the range of float32, got 1e+39")):
        ln.LSTMCell(3, 4, forget_bias=1e39, dtype=np.float32)
    for flag in ("--lr", "--clip"):
        status, _, err = run_cli(["train", "sine", flag, "inf"], capsys)
        assert status == 2 and f"argument {flag}: expected a positive finite number, got inf" in err


def test_a_diverging_run_names_the_learning_rate(capsys, tmp_path):
    status, _, err = run_cli(["train", "sine", "--lr", "1e30", "--steps", "20", "--no-figures", "--quiet"], capsys)
    assert status == 2 and "training diverged" in err and "the learning rate (1e+30) is the likely cause" in err


# 3. A file that save writes must load back; what load refuses, save refuses.
def test_save_refuses_what_load_would_refuse(tmp_path):
    model = SequenceRegressor(1, [4], rng=0)
    model.params["head/W"][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"params\['head/W'\] \(a checkpoint holds finite weights only\), got nan"):
        checkpoint.save(model, tmp_path / "m.npz")
    assert not os.listdir(tmp_path)
    with pytest.raises(ValueError, match="not plain JSON"):
        checkpoint.save(SequenceRegressor(1, [4], rng=0), tmp_path / "m.npz", extra={"when": object()})


MODELS = st.one_of(
    st.builds(lambda cell, sizes, seed: SequenceRegressor(2, sizes, cell=cell, rng=seed),
              st.sampled_from(["lstm", "gru", "rnn"]), st.lists(st.integers(1, 4), min_size=1, max_size=2),
              st.integers(0, 9)),
    st.builds(lambda widths, seed: ArticleLSTM(1, widths=widths, rng=seed),
              st.lists(st.integers(1, 4), min_size=1, max_size=3), st.integers(0, 9)),
    st.builds(lambda text, sizes, seed: CharLM("".join(sorted(set(text))), sizes, rng=seed),
              st.text("abcxyz \n", min_size=2, max_size=12).filter(lambda t: len(set(t)) > 1),
              st.lists(st.integers(1, 4), min_size=1, max_size=2), st.integers(0, 9)),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=MODELS)
def test_every_model_round_trips_through_save_and_load(model, tmp_path):
    for p in model.params.values():
        p[...] = np.random.default_rng(p.size).normal(size=p.shape)
    path = tmp_path / "model.npz"
    checkpoint.save(model, path, extra={"step": 3})
    again, extra = checkpoint.load(path)
    assert type(again) is type(model) and extra == {"step": 3} and again.config == model.config
    assert set(again.params) == set(model.params)
    for key, value in model.params.items():
        np.testing.assert_array_equal(again.params[key], value)


# 4. Wrong types at the public helpers: a TypeError or ValueError naming the argument.
@pytest.mark.parametrize("call, error, message", [
    (lambda: check_gradients(lambda: 0.0, {"w": np.ones(2)}, {"w": np.ones(2)}, eps=0), ValueError, "expected eps > 0"),
    (lambda: check_gradients(lambda: 0.0, {"w": [1.0, 2.0]}, {"w": [1.0, 1.0]}), TypeError, "a list cannot be perturbed"),
    (lambda: check_gradients(lambda: 0.0, {"w": np.ones(2)}, {}), ValueError, "analytic lacks ['w']"),
    (lambda: ln.interop.from_tf(None), TypeError, "expected variables as a mapping of names to arrays, got NoneType"),
    (lambda: ln.interop.from_tf({1: np.ones(3)}), TypeError, "expected variables keyed by str names, got the key 1"),
    (lambda: ln.interop.from_torch({0: np.ones(3)}, "lstm"), TypeError, "expected state_dict keyed by str names"),
    (lambda: ln.interop.from_keras(None, "lstm"), TypeError, "expected weights as a list of arrays"),
    (lambda: ln.interop.to_tf(ln.LSTMCell(3, 4), scope=3), TypeError, "expected scope as a str"),
    (lambda: ln.interop.to_torch(ln.LSTMCell(3, 4), params=[1]), TypeError, "expected params as a mapping"),
    (lambda: ln.interop.to_torch(ln.LSTMCell), TypeError, "got the class LSTMCell itself"),
    (lambda: ln.dynamic_rnn(ln.GRUCell, np.ones((1, 2, 3))), TypeError, "got the class GRUCell itself"),
    (lambda: ln.MultiRNNCell([ln.RNNCell]), TypeError, "expected cells[0] as a cell object such as RNNCell(8, 20)"),
])
def test_wrong_types_name_the_argument(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)


# 6. Long work says what it will do before it starts.
def test_a_long_gradcheck_says_what_it_will_do(capsys, monkeypatch):
    from lstm_numpy.commands import gradcheck as command
    monkeypatch.setattr(command, "LARGE", 10)
    status, out, err = run_cli(["gradcheck", "--cell", "rnn", "--sizes", "2", "--input-size", "2", "--batch", "1",
                                "--steps", "2"], capsys)
    numbers = 1 * 2 * 2 + (2 * 2 + 2 * 2 + 2) + 1 * 2           # x (B, T, D), W_x, W_h, b, the initial h (B, H)
    assert status == 0 and "numbers to perturb, four forward passes each" in err
    assert f"all {numbers} numbers checked" in err


# The property test over the command line: random argument vectors, valid and invalid values.
SMALL = st.sampled_from(["1", "2", "3"])
BAD = st.sampled_from(["0", "-1", "x", "1.5", "nan", "inf", "", str(MAX_SIZE + 1), "99999999999999999999"])
FLOAT_BAD = st.sampled_from(["0", "-1", "x", "nan", "inf", "-inf", "1e999"])
VALUES = {
    "--cell": st.sampled_from(["lstm", "gru", "rnn", "LSTM", "cnn"]),
    "--sizes": st.lists(st.one_of(SMALL, BAD), min_size=1, max_size=3),
    "--input-size": st.one_of(SMALL, BAD), "--batch": st.one_of(SMALL, BAD), "--steps": st.one_of(SMALL, BAD),
    "--lengths": st.lists(st.one_of(SMALL, BAD, st.just("0")), min_size=1, max_size=3),
    "--forget-bias": st.one_of(st.just("1.0"), FLOAT_BAD), "--activation": st.sampled_from(["tanh", "relu", "gelu"]),
    "--seed": st.one_of(SMALL, BAD),
}
SWITCHES = ["--time-major", "--reset-before", "--values", "--bogus"]


@st.composite
def argument_vectors(draw):
    command = draw(st.sampled_from(["trace", "gradcheck", "diagram-legend", "train", "nonsense"]))
    argv = {"diagram-legend": ["diagram", "legend"], "train": ["train", draw(st.sampled_from(["sine", "chars", "x"]))],
            "gradcheck": ["gradcheck", "--sizes", "2", "--input-size", "2"],     # small unless a flag below says
            "trace": ["trace", "--sizes", "2", "--input-size", "2"]}.get(command, [command])
    for flag in draw(st.lists(st.sampled_from(sorted(VALUES)), max_size=4, unique=True)):
        value = draw(VALUES[flag])
        argv += [flag, *value] if isinstance(value, list) else [flag, value]
    argv += draw(st.lists(st.sampled_from(SWITCHES), max_size=2, unique=True))
    if argv[0] == "train":
        argv += ["--steps", draw(st.one_of(SMALL, BAD)), "--no-figures", "--quiet", "--evals", "1", "--heldout", "5"]
    return argv


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=argument_vectors())
def test_the_command_line_never_shows_a_traceback(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if argv[:2] == ["diagram", "legend"]:
        argv = argv + ["-o", str(tmp_path / "legend.png")]
    status, _, err = run_cli(argv, capsys)
    assert "Traceback" not in err
    if status == 2:
        lines = err.strip().splitlines()
        assert lines and "error:" in lines[-1] and ("usage:" in err or "error:" in lines[-1]), err
    else:
        assert status in (0, 1), (status, err)


# The property test over checkpoint files: truncations, flipped bytes, crafted headers and configurations.
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("checkpoint") / "model.npz"
    model = SequenceRegressor(2, [3, 2], rng=0)
    checkpoint.save(model, path, extra={"step": 1})
    return model, path.read_bytes()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 10 ** 6), flips=st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(1, 255)), max_size=4))
def test_a_damaged_checkpoint_loads_equal_or_names_the_file(saved, cut, flips, tmp_path):
    model, data = saved
    damaged = bytearray(data[:cut % (len(data) + 1)] if cut % 3 == 0 else data)
    for where, xor in flips:
        if damaged:
            damaged[where % len(damaged)] ^= xor
    path = tmp_path / "damaged.npz"
    path.write_bytes(bytes(damaged))
    tracemalloc.start()
    try:
        try:
            again, _ = checkpoint.load(path)
        except ValueError as err:
            assert str(path) in str(err)
        else:
            assert set(again.params) == set(model.params)
            for key, value in model.params.items():
                assert again.params[key].shape == value.shape
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * len(data) + (4 << 20) and peak < MAX_BYTES
