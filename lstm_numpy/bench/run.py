"""The benchmark: the fast engine against the textbook reference, the GEMM-only bound and PyTorch.

Every implementation of one configuration is timed in one process, interleaved (one run of
each in turn, repeated), after a warm-up, and the median is kept: on a shared machine the
load changes from second to second, and interleaving spreads it evenly, so the ratios hold
better than the milliseconds.
"""
import time
import tracemalloc

import numpy as np

from .. import fast
from ..kinds import build_cell
from . import gemm, textbook
from .frameworks import torch_runners

CONFIGS = [(1, 50, 8, 32, 1), (16, 50, 32, 64, 2), (64, 100, 128, 256, 2), (32, 200, 256, 512, 1)]
QUICK_CONFIGS = CONFIGS[:2]
KINDS = ("lstm", "gru", "gru-rb", "rnn")   # gru: the reset after the product (PyTorch); gru-rb: before it (TensorFlow 1.x)
DTYPES = ("float64", "float32")
TEXTBOOK_KINDS = ("lstm", "gru", "rnn")   # the textbook GRU, as PyTorch's, resets after the product
TORCH_KINDS = ("lstm", "gru", "rnn")
IMPLEMENTATIONS = ("fast", "textbook", "gemm", "torch")


def activation_bytes(kind, B, T, D, H, L, itemsize):
    """Bytes of what BPTT must keep: each layer's inputs over T steps, its gates per step (LSTM
    i, f, g, o; GRU r, z, n and h_prev W_hn + b_hn, or r * h_prev with the reset before the
    product), and its states over T + 1 steps (h; and c
    for an LSTM). A layer's inputs are the products ``dW_x = sum_t x_t^T da_t`` need: for layer
    0 the sequence x, for the layers above the h of the layer below, counted once, with its states.

    Examples
    --------
    >>> activation_bytes("rnn", B=2, T=3, D=5, H=4, L=1, itemsize=8) == 8 * (3 * 2 * 5 + 4 * 2 * 4)
    True
    """
    gates = {"lstm": 4, "gru": 4, "gru-rb": 4, "rnn": 0}[kind]   # (B, H) arrays per step
    states = {"lstm": 2, "gru": 1, "gru-rb": 1, "rnn": 1}[kind]  # (B, H) arrays per step and one before step 0
    inputs = T * B * D                                 # layer 0's x; above, the h below, counted in states
    return itemsize * (inputs + L * B * H * (gates * T + states * (T + 1)))


def peak_memory(function):
    """Peak bytes NumPy (and Python) allocate while ``function()`` runs, by tracemalloc."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        function()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        if started:
            tracemalloc.stop()


def interleaved_medians(functions, repeats, warmup, min_seconds=0.05):
    """Median seconds per call of each function, timed in turn ``repeats`` times.

    After ``warmup`` untimed rounds, a function faster than ``min_seconds`` is called several
    times per timed sample (as ``timeit`` does), so that one context switch on a busy machine
    cannot dominate a sample of a sub-millisecond call.
    """
    loops = {name: 1 for name in functions}
    for round_ in range(warmup):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            elapsed = time.perf_counter() - start
            loops[name] = max(1, min(1000, int(min_seconds / max(elapsed, 1e-6))))
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            for _ in range(loops[name]):
                function()
            times[name].append((time.perf_counter() - start) / loops[name])
    return {name: float(np.median(t)) for name, t in times.items()}


def implementations(kind, config, dtype, torch, threads, seed=0):
    """``{name: (forward, forward_backward)}`` for one configuration, and the fast outputs' error
    against PyTorch where it is there."""
    B, T, D, H, L = config
    rng = np.random.default_rng(seed)
    cell_kind, reset_after = ("gru", False) if kind == "gru-rb" else (kind, True)
    stack = build_cell(cell_kind, [H] * L, D, reset_after=reset_after, rng=rng, dtype=dtype, stack=True)
    x = rng.standard_normal((B, T, D)).astype(dtype)
    d_out = rng.standard_normal((B, T, H)).astype(dtype)
    workspace = fast.Workspace()

    def fast_forward():
        return fast.dynamic_rnn(stack, x, workspace=workspace)

    impls = {"fast": (fast_forward, lambda: fast.dynamic_rnn_backward(d_out, None, fast_forward()[2]))}
    if kind in TEXTBOOK_KINDS:
        impls["textbook"] = (lambda: textbook.forward(stack.cells, x),
                             lambda: textbook.backward(d_out, textbook.forward(stack.cells, x)[1]))
    forward_shapes, backward_shapes = gemm.products(kind, B, T, D, H, L)
    gemm_fwd = gemm.product_runner(forward_shapes, dtype, rng)
    gemm_bwd = gemm.product_runner(backward_shapes, dtype, rng)
    impls["gemm"] = (gemm_fwd, lambda: (gemm_fwd(), gemm_bwd()))
    torch_error = None
    if torch is not None and kind in TORCH_KINDS:
        t_fwd, t_fwd_bwd, t_out = torch_runners(torch, kind, stack.cells, x, d_out, threads)
        impls["torch"] = (t_fwd, t_fwd_bwd)
        torch_error = float(np.max(np.abs(fast_forward()[0] - t_out)))

    def fresh_forward_backward():                             # as a caller would: outputs held, gradients kept
        outputs, _, cache = fast.dynamic_rnn(stack, x, workspace=fast.Workspace())
        return outputs, fast.dynamic_rnn_backward(d_out, None, cache)

    memory = peak_memory(fresh_forward_backward)
    flops = gemm.flops(forward_shapes + backward_shapes)
    return impls, torch_error, memory, flops


def run_benchmark(configs=CONFIGS, kinds=KINDS, dtypes=DTYPES, repeats=5, warmup=1, torch=None,
                  threads=1, progress=None):
    """Time every configuration; one result dict per (configuration, cell kind, dtype).

    Parameters
    ----------
    configs : sequence of (B, T, D, H, L)
    kinds : cell kinds among "lstm", "gru" (reset after, as in PyTorch), "gru-rb" (reset before,
        as in TensorFlow 1.x; no textbook or PyTorch version to compare with), "rnn" (tanh)
    dtypes : "float64" and/or "float32"
    repeats, warmup : timed rounds (the median is kept) and untimed rounds before them
    torch : the torch module, or None to leave PyTorch out
    threads : PyTorch's thread count (set it to NumPy's BLAS threads)
    progress : None or a callable receiving each result as it is done

    Returns
    -------
    list of dict: kind, dtype, config, ms (forward and forward_backward per implementation),
    peak_bytes, activation_bytes, gflop, torch_max_abs_diff
    """
    results = []
    for config in configs:
        for kind in kinds:
            for dtype in dtypes:
                impls, torch_error, memory, flops = implementations(kind, config, dtype, torch, threads)
                functions = {f"{name}/{mode}": f for name, pair in impls.items()
                             for mode, f in zip(("forward", "forward_backward"), pair)}
                medians = interleaved_medians(functions, repeats, warmup)
                ms = {mode: {name: 1e3 * medians[f"{name}/{mode}"] for name in impls}
                      for mode in ("forward", "forward_backward")}
                result = {"kind": kind, "dtype": dtype, "config": list(config), "ms": ms,
                          "peak_bytes": memory, "gflop": flops / 1e9, "torch_max_abs_diff": torch_error,
                          "activation_bytes": activation_bytes(kind, *config, np.dtype(dtype).itemsize)}
                results.append(result)
                if progress is not None:
                    progress(result)
    return results
