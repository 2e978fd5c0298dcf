"""A stack of layers unrolled in time: the article's "RNN_details" and "lstm_detail_total".

A grid of layers (rows, layer 1 at the bottom) by steps (columns). h goes up to the next layer
at the same step and right to the same layer at the next step; an LSTM's c goes right only.
Each layer has one weight set, named in every column of its row and listed once at the left:
however long the sequence, there are as many weight sets as layers. Every label is the shape
of an array the forward pass computed (see :mod:`lstm_numpy.trace`).
"""
import numpy as np

from ..trace import Trace, trace
from .canvas import CSTATE, HSTATE, LAYER, WEIGHTS, arrow, box, new_figure, shape_text, text

CW, CH = 1.35, 1.0        # a cell box
GX, GY = 1.55, 0.95       # gaps between columns, between rows
WL = 2.35                 # the weight boxes' column at the left
G0 = 1.45                 # room for the initial state's label
YB = 1.05                 # the bottom row's lower edge
NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}


def sym(name, t, k):
    """``h_t^k`` in mathtext, with a numeric step."""
    return f"${name}_{{{t}}}^{{{k}}}$"


def traced(cell, batch, steps, time_major=False):
    """The trace of a real forward pass on zeros of shape (s, T, m), or (T, s, m) with
    ``time_major``; a Trace passes through."""
    if isinstance(cell, Trace):
        return cell
    shape = (steps, batch, cell.input_size) if time_major else (batch, steps, cell.input_size)
    return trace(cell, np.zeros(shape), time_major=time_major)


def output_name(t, time_major):
    """Step t of ``outputs`` in its layout: ``outputs[:, t]`` of (s, T, n), ``outputs[t]`` of (T, s, n)."""
    return f"outputs[{t}]" if time_major else f"outputs[:, {t}]"


def weight_lines(tr, k):
    """The weight set of layer k in the article's concat form, with shapes."""
    kind = tr.dims["kind"]
    if kind == "lstm":
        return [f"$w_f^{{{k}}}, w_i^{{{k}}}, w_g^{{{k}}}, w_o^{{{k}}}$",
                f"each {shape_text(tr.shape('w_f', k), True)}",
                f"$b_j^{{{k}}}$ each {shape_text(tr.shape('b_f', k), True)}"]
    if kind == "gru":
        return [f"$W_{{x,j}}^{{{k}}}$ each {shape_text(tr.shape('W_x,r', k), True)}",
                f"$W_{{h,j}}^{{{k}}}$ each {shape_text(tr.shape('W_h,r', k), True)}",
                "j = r, z, n"]
    return [f"$w^{{{k}}}$ {shape_text(tr.shape('w', k), True)}", f"$b^{{{k}}}$ {shape_text(tr.shape('b', k), True)}"]


def split_lines(tr, k):
    """The same weights as the cell stores them (the split form), with shapes."""
    return [f"split form: $W_x^{{{k}}}$ {shape_text(tr.shape('W_x', k), True)}",
            f"and $W_h^{{{k}}}$ {shape_text(tr.shape('W_h', k), True)}"]


def uses(kind, k):
    """The names of the weights a cell box uses: the same in every column of its row."""
    if kind == "lstm":
        return f"uses $w_j^{{{k}}}, b_j^{{{k}}}$"
    if kind == "gru":
        return f"uses $W_{{x,j}}^{{{k}}}, W_{{h,j}}^{{{k}}}$"
    return f"uses $w^{{{k}}}, b^{{{k}}}$"


def col(t, left):
    """The left edge of step t's column when the lanes start at ``left``."""
    return left + G0 + t * (CW + GX)


def row(k):
    """The lower edge of layer k's row (k from 0, the bottom layer)."""
    return YB + k * (CH + GY)


def grid_size(tr, left):
    """The (width, height) in inches a grid of ``tr``'s layers and steps needs."""
    L, T = len(tr.dims["n"]), tr.dims["T"]
    return left + G0 + T * CW + (T - 1) * GX + 1.6, YB + L * CH + (L - 1) * GY + 1.75


def draw_grid(ax, tr, left, initial, time_major=False):
    """The cells, their state lanes, the h going up, inputs and outputs of a traced pass.

    ``initial(name, k, shape)`` gives the (label, color) of layer k's initial ``name`` ("h", "c");
    ``time_major`` says which layout the pass returned its outputs in, for their labels.
    """
    kind, L, steps = tr.dims["kind"], len(tr.dims["n"]), tr.dims["T"]
    lstm = kind == "lstm"
    width, _ = grid_size(tr, left)
    for k in range(L):
        y = row(k)
        for t in range(steps):
            inside = [f"{NAMES[kind]} layer {k}", f"[x, h] {shape_text(tr.shape('[x_t, h_{t-1}]', k, t))}"
                      if kind != "gru" else f"x {shape_text(tr.shape('x_t', k, t))}", uses(kind, k)]
            box(ax, col(t, left), y, CW, CH, "\n".join(inside), fc=LAYER, size=7.5)
        lanes = [("c", CSTATE, y + CH - 0.22), ("h", HSTATE, y + 0.22)] if lstm else [("h", HSTATE, y + CH / 2)]
        for name, color, ly in lanes:
            above = name == "c" or not lstm
            dy, va = (0.13, "bottom") if above else (-0.13, "top")
            label, first = initial(name, k, shape_text(tr.shape(f"{name}_t", k, 0)))
            arrow(ax, [(left + 0.15, ly), (col(0, left), ly)], color=first)
            text(ax, left + 0.15 + (G0 - 0.15) / 2, ly + dy, label, color=first, va=va, size=7.5)
            for t in range(steps):
                x0 = col(t, left) + CW
                x1 = col(t + 1, left) if t + 1 < steps else width - 0.12
                arrow(ax, [(x0, ly), (x1, ly)], color=color)
                label = f"{sym(name, t, k)} {shape_text(tr.shape(f'{name}_t', k, t))}"
                text(ax, (x0 + x1) / 2, ly + dy, ("final " if t + 1 == steps else "") + label,
                     color=color, va=va, size=8)
    for t in range(steps):
        cx = col(t, left) + CW / 2
        arrow(ax, [(cx, 0.55), (cx, row(0))])
        text(ax, cx, 0.42, f"$x_{{{t}}}$ {shape_text(tr.shape('x_t', 0, t))}", va="top")
        for k in range(L - 1):
            y0, y1 = row(k) + CH, row(k + 1)
            arrow(ax, [(cx, y0), (cx, y1)])
            text(ax, cx + 0.08, (y0 + y1) / 2, f"{sym('h', t, k)} {shape_text(tr.shape('h_t', k, t))}",
                 ha="left", size=8)
        top = row(L - 1) + CH
        arrow(ax, [(cx, top), (cx, top + 0.5)])
        text(ax, cx, top + 0.55, f"{output_name(t, time_major)} = {sym('h', t, L - 1)}\n"
             f"{shape_text(tr.shape('h_t', L - 1, t))}", va="bottom", size=8)


def draw_unrolled(cell, batch=4, steps=3, time_major=False):
    """Draw ``cell`` (a layer or a MultiRNNCell) unrolled over ``steps`` steps for a batch.

    Parameters
    ----------
    cell : RNNCell, LSTMCell, GRUCell or MultiRNNCell; or a :class:`~lstm_numpy.trace.Trace`
        of a pass already made (``batch`` and ``steps`` are then read from it)
    batch : int, s
    steps : int, T (each step one column)
    time_major : bool, inputs and outputs laid out (T, s, ...) instead of (s, T, ...): step t of
        the outputs is then ``outputs[t]``, not ``outputs[:, t]``; for a Trace, the layout of its pass

    Returns
    -------
    matplotlib.figure.Figure
    """
    tr = traced(cell, batch, steps, time_major)
    kind, L = tr.dims["kind"], len(tr.dims["n"])
    batch, steps = tr.dims["s"], tr.dims["T"]
    width, height = grid_size(tr, WL)
    fig, ax = new_figure(width, height)
    for k in range(L):
        lines = [f"layer {k}: one weight set", "shared by every step t"] + weight_lines(tr, k)
        if kind != "gru":
            lines += split_lines(tr, k)
        box(ax, 0.12, row(k) - 0.15, WL - 0.3, CH + 0.3, "\n".join(lines), fc=WEIGHTS, size=7.5)
    colors = {"c": CSTATE, "h": HSTATE}
    draw_grid(ax, tr, WL, lambda name, k, shape: (f"initial ${name}^{{{k}}}$ = 0 {shape}", colors[name]),
              time_major)
    n = ", ".join(str(v) for v in tr.dims["n"])
    text(ax, 0.12, height - 0.22, f"{NAMES[kind]}, {L} layer{'s' if L > 1 else ''} [{n}], "
         f"unrolled over T={steps} step{'s' if steps != 1 else ''}", ha="left", weight="bold")
    m = tr.dims["m"]
    layout = f"time-major (T, s, m) = {(steps, batch, m)}" if time_major else f"(s, T, m) = {(batch, steps, m)}"
    text(ax, 0.12, height - 0.45, f"s={batch} (batch), m={m} (input), inputs {layout}; "
         "h goes up and right" + (", c only right" if kind == "lstm" else ""), ha="left", size=8)
    return fig
