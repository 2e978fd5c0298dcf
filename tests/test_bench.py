"""The benchmark code runs (on the tiny configuration, once, no timing asserted), and the
textbook reference it measures against computes the same function as the cells."""
import json

import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.bench import gemm, machine, report, run, textbook, training
from lstm_numpy.commands import main

from conftest import make_cell

TINY = (1, 50, 8, 32, 1)


@pytest.mark.parametrize("kind", ["lstm_fb1", "gru", "rnn_tanh", "rnn_relu"])
def test_textbook_reference_equals_the_readable_path(kind, rng):
    cells = [make_cell(kind, 4, 5, rng), make_cell(kind, 5, 3, rng)]
    x, d_out = rng.normal(size=(2, 6, 4)), rng.normal(size=(2, 6, 3))
    outputs, _, cache = ln.dynamic_rnn(ln.MultiRNNCell(cells), x)
    grads = ln.dynamic_rnn_backward(d_out, None, cache)
    book_outputs, tape = textbook.forward(cells, x)
    book_dx, gate_grads = textbook.backward(d_out, tape)
    np.testing.assert_allclose(book_outputs, outputs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(book_dx, grads.inputs, rtol=1e-12, atol=1e-12)
    for k, cell in enumerate(cells):
        for name, g in textbook.as_cell_grads(cell, gate_grads[k]).items():
            np.testing.assert_allclose(g, grads.params[f"cell_{k}/{name}"], rtol=1e-12, atol=1e-12)


def test_gemm_bound_counts_the_products_of_the_engine():
    """2 (D + H) 4H multiply-adds per row and step forward, twice that backward, for one LSTM layer;
    the input gradient adds one more x part."""
    B, T, D, H = 3, 5, 4, 6
    forward, backward = gemm.products("lstm", B, T, D, H, 1)
    assert gemm.flops(forward) == 2 * T * B * (D + H) * 4 * H
    assert gemm.flops(backward) == 2 * T * B * 4 * H * (H + D + H + D)


@pytest.mark.parametrize("kind, blocks", [("lstm", 4), ("gru", 3), ("gru-rb", 3), ("rnn", 1)])
def test_gemm_bound_has_the_flops_of_every_cell(kind, blocks):
    """Whatever the grouping (the GRU with the reset before the product splits W_h in two), a
    layer multiplies (D + H) by G = blocks H per row and step forward, twice that backward."""
    B, T, D, H, L = 3, 5, 4, 6, 2
    forward, backward = gemm.products(kind, B, T, D, H, L)
    G = blocks * H
    assert gemm.flops(forward) == 2 * T * B * G * ((D + H) + (H + H) * (L - 1))
    assert gemm.flops(backward) == 2 * gemm.flops(forward)     # dW_x, dW_h, da W_h^T and dxs


def test_benchmark_smoke_on_the_tiny_configuration(tmp_path):
    results = run.run_benchmark([TINY], repeats=1, warmup=0, torch=None)
    assert [(r["kind"], r["dtype"]) for r in results] == [(k, d) for k in run.KINDS for d in run.DTYPES]
    for r in results:
        compared = {"fast", "gemm"} | ({"textbook"} if r["kind"] != "gru-rb" else set())   # no textbook reset-before GRU
        assert set(r["ms"]["forward_backward"]) == compared                           # no PyTorch column
        assert all(ms > 0 for mode in r["ms"].values() for ms in mode.values())
        assert r["peak_bytes"] > r["activation_bytes"] > 0
    table = report.format_table(results)
    assert len(table.splitlines()) == 2 + len(results)
    found = report.goals(results)
    assert found == []                          # no PyTorch column and no large configuration: nothing to judge
    path = tmp_path / "bench.json"
    report.write_json(path, machine.describe(1), results, found)
    assert json.loads(path.read_text())["results"][0]["config"] == list(TINY)


def test_bench_command_writes_json_and_chart(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    threads_now, _ = machine.blas_threads()       # the same count: no child process, output captured
    status = main(["bench", "--quick", "--cells", "gru", "--dtypes", "float32", "--repeats", "1",
                   "--warmup", "0", "--no-torch", "--out-dir", str(tmp_path), "--threads", str(threads_now)])
    out = capsys.readouterr().out
    assert status == 0
    assert f"{threads_now} BLAS thread{'s' * (threads_now != 1)} (" in out and "gru    float32  (16, 50, 32, 64, 2)" in out
    assert (tmp_path / "bench_quick.png").stat().st_size > 0      # --quick never replaces bench.*
    assert len(json.loads((tmp_path / "bench_quick.json").read_text())["results"]) == 2
    assert not (tmp_path / "bench.json").exists()


def test_machine_reports_blas_threads():
    threads, how = machine.blas_threads()
    assert threads >= 1 and how


def test_machine_reports_the_blas_kernels():
    core = machine.blas_core()
    assert isinstance(core, str) and core


def test_training_step_benchmark_smoke(tmp_path):
    """A training step of each engine at a tiny size: timed, tabled, written; no goal without PyTorch."""
    results = training.run_training_benchmark([(6, 2, 5)], dtypes=["float32"], repeats=1, warmup=0)
    (r,) = results
    assert r["config"] == [6, 2, 5] and r["dtype"] == "float32" and r["vocab"] > 10
    assert set(r["ms"]) == {"fast", "readable"} and all(ms > 0 for ms in r["ms"].values())
    assert r["torch_loss_diff"] is None
    row = report.format_training_row(r)
    assert row.startswith("CharLM float32  (") and len(row) == len(report.TRAINING_HEADER)
    assert report.training_goals(results) == []
    path = tmp_path / "bench.json"
    report.write_json(path, machine.describe(1), [], [], results)
    assert json.loads(path.read_text())["training"][0]["config"] == [6, 2, 5]


def test_training_step_goals_read_the_torch_column():
    rows = [{"dtype": dtype, "config": [128, 32, 50], "ms": {"fast": fast, "readable": 9.0, "torch": 10.0}}
            for dtype, fast in (("float64", 5.0), ("float32", 14.0))]
    (f64, holds64, text64), (f32, holds32, text32) = report.training_goals(rows)
    assert "float64" in f64 and "0.6x" in f64 and holds64 and text64 == "(128, 32, 50): 0.50"
    assert "float32" in f32 and "1.3x" in f32 and not holds32 and text32 == "(128, 32, 50): 1.40"


def test_bench_train_writes_its_own_files(tmp_path, capsys, monkeypatch):
    """--train times the training step alone and writes bench_train.*, leaving bench.* alone."""
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(training, "QUICK_TRAINING_CONFIGS", [(6, 2, 5)])
    threads_now, _ = machine.blas_threads()
    status = main(["bench", "--train", "--quick", "--dtypes", "float64", "--repeats", "1", "--warmup", "0",
                   "--no-torch", "--out-dir", str(tmp_path), "--threads", str(threads_now)])
    out = capsys.readouterr().out
    assert status == 0 and "CharLM float64  (" in out and "lstm    float64" not in out
    assert json.loads((tmp_path / "bench_train.json").read_text())["results"] == []
    assert (tmp_path / "bench_train.png").stat().st_size > 0
    assert not (tmp_path / "bench.json").exists()
    from lstm_numpy.bench.plot import plot_json
    assert plot_json(str(tmp_path / "bench_train.json"), str(tmp_path / "again.png")).endswith("again.png")
