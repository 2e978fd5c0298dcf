"""The levers of the fast engine, measured one rung at a time on one LSTM configuration.

Rungs, each adding to the one before (forward+backward, interleaved medians):

1. textbook: ``[h, x]`` concatenated, four gate products per step, weight gradients per step;
2. readable path (:func:`lstm_numpy.dynamic_rnn`): one fused gate product per step, still
   per-step weight gradients and fresh arrays at every step;
3. fast engine with fresh buffers: input projection before the loop, weight and input
   gradients as large products per chunk of steps, buffers written in place;
4. the same with a :class:`~lstm_numpy.fast.Workspace` reused across calls;

and the chunk of steps the backward pass multiplies out together, at a few sizes.
"""
import numpy as np

from .. import fast
from ..fast import workspace as workspace_module
from ..kinds import build_cell
from ..time_loop import dynamic_rnn, dynamic_rnn_backward
from . import textbook
from .run import interleaved_medians, peak_memory

CHUNKS = (256, 512, 1024, 2048, None)     # rows per backward chunk; None: the whole sequence


def lever_ladder(config, dtype, repeats=3, warmup=1):
    """Milliseconds (forward+backward) of each rung, and of each chunk size with its peak MiB."""
    B, T, D, H, L = config
    rng = np.random.default_rng(0)
    stack = build_cell("lstm", [H] * L, D, rng=rng, dtype=dtype, stack=True)
    x = rng.standard_normal((B, T, D)).astype(dtype)
    d_out = rng.standard_normal((B, T, H)).astype(dtype)
    workspace = fast.Workspace()
    rungs = {
        "1 textbook": lambda: textbook.backward(d_out, textbook.forward(stack.cells, x)[1]),
        "2 readable path": lambda: dynamic_rnn_backward(d_out, None, dynamic_rnn(stack, x)[2]),
        "3 fast, fresh buffers": lambda: fast.dynamic_rnn_backward(d_out, None, fast.dynamic_rnn(stack, x)[2]),
        "4 fast, workspace": lambda: fast.dynamic_rnn_backward(
            d_out, None, fast.dynamic_rnn(stack, x, workspace=workspace)[2]),
    }
    ms = {name: 1e3 * t for name, t in interleaved_medians(rungs, repeats, warmup).items()}

    def with_chunk(rows, run):
        def chunked():
            workspace_module.CHUNK_ROWS = T * B if rows is None else rows
            return run()
        return chunked

    default = workspace_module.CHUNK_ROWS
    try:
        names = {rows: "whole sequence" if rows is None else f"{rows} rows" for rows in CHUNKS}
        timed = interleaved_medians({names[rows]: with_chunk(rows, rungs["4 fast, workspace"]) for rows in CHUNKS},
                                    repeats, warmup)
        fresh = {names[rows]: with_chunk(rows, lambda: fast.dynamic_rnn_backward(
            d_out, None, fast.dynamic_rnn(stack, x, workspace=fast.Workspace())[2])) for rows in CHUNKS}
        chunks = {name: (1e3 * timed[name], peak_memory(run) / 2**20) for name, run in fresh.items()}
    finally:
        workspace_module.CHUNK_ROWS = default
    return ms, chunks
