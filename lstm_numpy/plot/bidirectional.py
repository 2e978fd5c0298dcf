"""Stacked bidirectional layers unrolled in time (``diagram unrolled --bidirectional``).

Each layer has two rows: the forward cell (bottom, its state moving right) and the backward
cell (above, its state moving left, over the steps reversed). Both read the same input at
each step; their outputs at that step meet in the concatenation ``[fw, bw]``, which is the
next layer's input (or the outputs). Every label is the shape of an array that a real
:func:`lstm_numpy.stack_bidirectional_dynamic_rnn` pass computed.
"""
import numpy as np

from ..stack_bidirectional import stack_bidirectional_dynamic_rnn
from .canvas import CSTATE, HSTATE, LAYER, POINTWISE, WEIGHTS, arrow, box, dot, new_figure, shape_text, text

CW, CH = 1.45, 0.78       # a cell box
GX = 1.75                 # the gap between columns, where the state lanes are labelled
GI, GC = 0.7, 1.5         # the gap between a layer's two rows, and above its backward row
WL = 2.3                  # the weight boxes' column at the left
G0 = 1.7                  # room for the lanes' labels left of step 0
YB = 1.0                  # the bottom layer's lower edge
NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}
ARROWS = {"fw": r"\overrightarrow", "bw": r"\overleftarrow"}


def sym(name, side, t, k):
    """``h_t^k`` with an arrow naming its direction, in mathtext."""
    return f"${ARROWS[side]}{{{name}}}_{{{t}}}^{{{k}}}$"


def col(t):
    """The left edge of step t's column."""
    return WL + G0 + t * (CW + GX)


def rows(k):
    """The lower edges of layer k's forward row, its backward row, and its concatenation's centre."""
    base = YB + k * (2 * CH + GI + GC)
    return base, base + CH + GI, base + 2 * CH + GI + GC / 2


def draw_lanes(ax, k, side, y, states, kind, steps, width):
    """The state lanes of one row: rightwards for ``fw``, leftwards for ``bw``, labelled with shapes.

    ``states[t]`` is the row's state (a dict of (s, H) arrays) after it read step t.
    """
    lanes = [("c", CSTATE, y + CH - 0.2), ("h", HSTATE, y + 0.2)] if kind == "lstm" else [("h", HSTATE, y + CH / 2)]
    for name, color, ly in lanes:
        above = name == "c" or kind != "lstm"
        dy, va = (0.12, "bottom") if above else (-0.12, "top")
        for t in range(-1, steps):                            # the lane between column t and t + 1
            x0 = col(t) + CW if t >= 0 else WL + 0.12
            x1 = col(t + 1) if t + 1 < steps else width - 0.12
            if side == "fw":
                start, end = (x0, x1)
                step = t                                      # the state after reading step t
            else:
                start, end = (x1, x0)
                step = t + 1                                  # read step t + 1, going left
            arrow(ax, [(start, ly), (end, ly)], color=color)
            if (side == "fw" and t == -1) or (side == "bw" and t + 1 == steps):
                label = f"initial ${ARROWS[side]}{{{name}}}^{{{k}}}$ = 0 {shape_text(states[0][name].shape)}"
            else:
                final = (side == "fw" and t + 1 == steps) or (side == "bw" and t == -1)
                label = ("final " if final else "") + \
                    f"{sym(name, side, step, k)} {shape_text(states[step][name].shape)}"
            text(ax, (x0 + x1) / 2, ly + dy, label, color=color, va=va, size=7.5)


def draw_bidirectional(cells_fw, cells_bw, batch=4, steps=3, time_major=False):
    """Draw stacked bidirectional layers unrolled over ``steps`` steps, from a real pass on zeros.

    Parameters
    ----------
    cells_fw, cells_bw : lists of one-layer cells, bottom first, as for
        :func:`lstm_numpy.stack_bidirectional_dynamic_rnn`
    batch : int, s
    steps : int, T (each step one column)
    time_major : bool, the layout of the pass: step t of the outputs is ``outputs[t]`` of
        (T, s, n), not ``outputs[:, t]`` of (s, T, n)

    Returns
    -------
    matplotlib.figure.Figure
    """
    m = cells_fw[0].input_size
    shape = (steps, batch, m) if time_major else (batch, steps, m)
    outputs, _, _, cache = stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, np.zeros(shape), time_major=time_major)
    L, kind = len(cells_fw), cells_fw[0].kind
    width = col(steps - 1) + CW + 1.7
    height = rows(L - 1)[2] + 1.5
    fig, ax = new_figure(width, height)
    for k in range(L):
        y_fw, y_bw, y_cat = rows(k)
        for side, y, cells in (("fw", y_fw, cells_fw), ("bw", y_bw, cells_bw)):
            params = cells[k].params
            lines = [f"layer {k} {side}: one weight set", f"$W_x$ {shape_text(params['W_x'].shape, True)}, "
                     f"$W_h$ {shape_text(params['W_h'].shape, True)}"]
            box(ax, 0.12, y - 0.06, WL - 0.3, CH + 0.12, "\n".join(lines), fc=WEIGHTS, size=7)
            steps_k = cache["layers"][k][side]["steps"]       # the backward cache runs in reversed time
            states = [steps_k[t if side == "fw" else steps - 1 - t] for t in range(steps)]
            draw_lanes(ax, k, side, y, states, cells[k].kind, steps, width)
            for t in range(steps):
                x = states[t]["x"]
                inside = f"{NAMES[cells[k].kind]} {side} layer {k}\nx {shape_text(x.shape)}"
                box(ax, col(t), y, CW, CH, inside, fc=LAYER, size=7.5)
        for t in range(steps):
            cx = col(t) + CW / 2
            y_in = (0.55 if k == 0 else rows(k - 1)[2] + 0.14)
            fork = y_fw - 0.28
            arrow(ax, [(cx, y_in), (cx, fork), (cx - 0.3, fork), (cx - 0.3, y_fw)])
            arrow(ax, [(cx, fork), (col(t) + CW + 0.15, fork), (col(t) + CW + 0.15, y_bw - 0.25),
                       (cx + 0.3, y_bw - 0.25), (cx + 0.3, y_bw)])
            dot(ax, cx, fork)
            arrow(ax, [(cx - 0.3, y_fw + CH), (cx - 0.3, y_fw + CH + GI / 2), (col(t) - 0.15, y_fw + CH + GI / 2),
                       (col(t) - 0.15, y_cat), (cx - 0.4, y_cat)])
            arrow(ax, [(cx + 0.3, y_bw + CH), (cx + 0.3, y_cat - 0.14)])
            box(ax, cx - 0.4, y_cat - 0.14, 0.8, 0.28, "[fw, bw]", fc=POINTWISE, size=7)
            concat = cache["layers"][k + 1]["fw"]["steps"][t]["x"] if k + 1 < L else \
                (outputs[t] if time_major else outputs[:, t])
            if k + 1 == L:
                arrow(ax, [(cx, y_cat + 0.14), (cx, y_cat + 0.55)])
                out = f"outputs[{t}]" if time_major else f"outputs[:, {t}]"
                text(ax, cx, y_cat + 0.6, f"{out} {shape_text(concat.shape)}", va="bottom", size=8)
            else:
                text(ax, cx + 0.08, (y_cat + 0.14 + rows(k + 1)[0] - 0.28) / 2, shape_text(concat.shape),
                     ha="left", size=7.5)
        if k == 0:
            for t in range(steps):
                cx = col(t) + CW / 2
                text(ax, cx, 0.42, f"$x_{{{t}}}$ {shape_text(cache['layers'][0]['fw']['steps'][t]['x'].shape)}",
                     va="top")
    sizes = ", ".join(f"{f.output_size}+{b.output_size}" for f, b in zip(cells_fw, cells_bw))
    text(ax, 0.12, height - 0.22, f"bidirectional {NAMES[kind]}, {L} layer{'s' if L > 1 else ''} "
         f"[{sizes}] (fw+bw), unrolled over T={steps} step{'s' if steps != 1 else ''}", ha="left", weight="bold")
    layout = f"time-major (T, s, m) = {(steps, batch, m)}" if time_major else f"(s, T, m) = {(batch, steps, m)}"
    text(ax, 0.12, height - 0.45, f"inputs {layout}; fw reads steps left to right, bw right to left; "
         "each layer reads [fw, bw] of the one below", ha="left", size=8)
    return fig
