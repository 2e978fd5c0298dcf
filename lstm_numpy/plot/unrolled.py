"""A stack of layers unrolled in time: the article's "RNN_details" and "lstm_detail_total".

A grid of layers (rows, layer 0 at the bottom) by steps (columns). h goes up to the next layer
at the same step and right to the same layer at the next step; an LSTM's c goes right only.
Each layer has one weight set, named in every column of its row and listed once at the left:
however long the sequence, there are as many weight sets as layers. Every label is the shape
of an array the forward pass computed (see :mod:`lstm_numpy.trace`).

A long sequence or a deep stack keeps its labels at one size: past ``MAX_STEPS`` steps the
middle ones are elided (a column of dots, as the article's own picture does), past
``MAX_LAYERS`` layers the middle layers (a row of dots), and the figure says which.
"""
import numpy as np

from ..trace import Trace, trace
from .canvas import CSTATE, HSTATE, LAYER, MUTED, WEIGHTS, arrow, box, new_figure, shape_text, text

CW, CH = 1.35, 1.0        # a cell box
GX, GY = 1.55, 0.95       # gaps between columns, between rows
DW, DH = 0.45, 0.45       # the column of elided steps, the row of elided layers
WL = 2.35                 # the weight boxes' column at the left
G0 = 1.45                 # room for the initial state's label
YB = 1.05                 # the bottom row's lower edge
MAX_STEPS, MAX_LAYERS = 4, 4   # drawn in full up to these; beyond, the middle is elided
NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}
FONT_BOX = 8


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


def letters(dims):
    """The article's letters with ours and the sizes: ``s = B = 4, m = D = 8, n_0 = H_0 = 20``."""
    ns = ", ".join(f"n_{k} = H_{k} = {n}" for k, n in enumerate(dims["n"]))
    return f"s = B = {dims['s']}, m = D = {dims['m']}, {ns}"


def cell_letters(batch, k, m_k, n_k, below_projected=False):
    """The sizes of layer k in the article's letters and ours: ``s = B = 4, m_1 = n_0 = H_0 = 20, n_1 = H_1 = 30``
    (``m_1 = p_0 = P_0`` when the layer below projects its output)."""
    source = "m = D" if k == 0 else f"p_{k - 1} = P_{k - 1}" if below_projected else f"n_{k - 1} = H_{k - 1}"
    return f"s = B = {batch}, m_{k} = {source} = {m_k}, n_{k} = H_{k} = {n_k}"


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


def shown(n, most):
    """The indices drawn of ``n`` (steps or layers): all up to ``most``, else the first two, None
    for the elided middle, and the last."""
    return list(range(n)) if n <= most else [0, 1, None, n - 1]


def elided_text(tr):
    """What the figure leaves out, said in words; empty when everything is drawn."""
    T, L = tr.dims["T"], len(tr.dims["n"])
    parts = []
    if T > MAX_STEPS:
        parts.append(f"steps 2 to {T - 2} not drawn (⋯): each is a step like the others, same weights")
    if L > MAX_LAYERS:
        parts.append(f"layers 2 to {L - 2} not drawn (⋮): each takes the h of the layer below")
    return "; ".join(parts)


class Grid:
    """Where each drawn step and layer sits, for a trace of ``tr`` with the lanes starting at ``left``.

    ``steps`` and ``layers`` list the drawn indices, None where the middle ones are elided;
    ``x(j)`` is the left edge of the j-th drawn column, ``y(i)`` the lower edge of the i-th drawn row.
    """

    def __init__(self, tr, left, notes=2):
        self.left = left
        self.steps = shown(tr.dims["T"], MAX_STEPS)
        self.layers = shown(len(tr.dims["n"]), MAX_LAYERS)
        self.width = self.x(len(self.steps)) - GX + 1.6
        self.height = self.y(len(self.layers)) - GY + 1.4 + 0.16 * notes   # room for the title and notes

    def x(self, j):
        return self.left + G0 + sum(DW if t is None else CW for t in self.steps[:j]) + j * GX

    def y(self, i):
        return YB + sum(DH if k is None else CH for k in self.layers[:i]) + i * GY

    def wide(self, j):
        return DW if self.steps[j] is None else CW


def col(t, left):
    """The left edge of step t's column when the lanes start at ``left`` and every step is drawn."""
    return left + G0 + t * (CW + GX)


def row(k):
    """The lower edge of layer k's row (k from 0, the bottom layer) when every layer is drawn."""
    return YB + k * (CH + GY)


def grid_size(tr, left):
    """The (width, height) in inches the grid of ``tr``'s drawn layers and steps needs."""
    grid = Grid(tr, left)
    return grid.width, grid.height


def lanes(kind, y):
    """(name, colour, height) of the state lanes of a row whose lower edge is ``y``."""
    if kind == "lstm":
        return [("c", CSTATE, y + CH - 0.22), ("h", HSTATE, y + 0.22)]
    return [("h", HSTATE, y + CH / 2)]


def dots(ax, x, y, vertical=False):
    """The mark of elided steps (⋯) or layers (⋮)."""
    text(ax, x, y, "⋮" if vertical else "⋯", size=14, color=MUTED)


def draw_grid(ax, tr, left, initial, time_major=False, grid=None):
    """The cells, their state lanes, the h going up, inputs and outputs of a traced pass.

    ``initial(name, k, shape)`` gives the (label, color) of layer k's initial ``name`` ("h", "c");
    ``time_major`` says which layout the pass returned its outputs in, for their labels;
    ``grid`` the :class:`Grid` the figure was sized by (by default one with the lanes at ``left``).
    """
    kind, L, T = tr.dims["kind"], len(tr.dims["n"]), tr.dims["T"]
    grid = Grid(tr, left) if grid is None else grid
    last = len(grid.steps) - 1
    for i, k in enumerate(grid.layers):
        y = grid.y(i)
        if k is None:
            for j, t in enumerate(grid.steps):
                if t is not None:
                    dots(ax, grid.x(j) + CW / 2, y + DH / 2, vertical=True)
            continue
        for j, t in enumerate(grid.steps):
            if t is None:
                continue
            inside = [f"{NAMES[kind]} layer {k}", f"[x, h] {shape_text(tr.shape('[x_t, h_{t-1}]', k, t))}"
                      if kind != "gru" else f"x {shape_text(tr.shape('x_t', k, t))}", uses(kind, k)]
            box(ax, grid.x(j), y, CW, CH, "\n".join(inside), fc=LAYER, size=FONT_BOX)
        for name, color, ly in lanes(kind, y):
            above = name == "c" or kind != "lstm"
            dy, va = (0.13, "bottom") if above else (-0.13, "top")
            label, first = initial(name, k, shape_text(tr.shape(f"{name}_t", k, 0)))
            arrow(ax, [(left + 0.15, ly), (grid.x(0), ly)], color=first)
            text(ax, left + 0.15 + (G0 - 0.15) / 2, ly + dy, label, color=first, va=va, size=FONT_BOX)
            for j, t in enumerate(grid.steps):
                x0 = grid.x(j) + grid.wide(j)
                x1 = grid.x(j + 1) if j < last else grid.width - 0.12
                if t is None:
                    dots(ax, grid.x(j) + DW / 2, ly)
                s = grid.steps[j + 1] - 1 if t is None else t     # after the dots: the state leaving them
                arrow(ax, [(x0, ly), (x1, ly)], color=color, head=j == last or grid.steps[j + 1] is not None)
                label = f"{sym(name, s, k)} {shape_text(tr.shape(f'{name}_t', k, s))}"
                text(ax, (x0 + x1) / 2, ly + dy, ("final " if s + 1 == T else "") + label,
                     color=color, va=va, size=8)
    top = grid.y(len(grid.layers) - 1) + CH
    for j, t in enumerate(grid.steps):
        cx = grid.x(j) + grid.wide(j) / 2
        if t is None:
            dots(ax, cx, 0.3)
            dots(ax, cx, top + 0.55)
            continue
        arrow(ax, [(cx, 0.55), (cx, grid.y(0))])
        text(ax, cx, 0.42, f"$x_{{{t}}}$ {shape_text(tr.shape('x_t', 0, t))}", va="top")
        for i in range(len(grid.layers) - 1):
            below, above = grid.layers[i], grid.layers[i + 1]
            y0, y1 = grid.y(i) + (DH if below is None else CH), grid.y(i + 1)
            k = above - 1 if below is None else below         # the layer whose h goes up
            arrow(ax, [(cx, y0), (cx, y1)], head=above is not None)
            text(ax, cx + 0.08, (y0 + y1) / 2, f"{sym('h', t, k)} {shape_text(tr.shape('h_t', k, t))}",
                 ha="left", size=8)
        arrow(ax, [(cx, top), (cx, top + 0.5)])
        text(ax, cx, top + 0.55, f"{output_name(t, time_major)} = {sym('h', t, L - 1)}\n"
             f"{shape_text(tr.shape('h_t', L - 1, t))}", va="bottom", size=8)


def draw_unrolled(cell, batch=4, steps=3, time_major=False):
    """Draw ``cell`` (a layer or a MultiRNNCell) unrolled over ``steps`` steps for a batch.

    Past 4 steps the middle steps are elided, past 4 layers the middle layers, and the figure
    says so: the labels keep their size whatever the configuration.

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
    m = tr.dims["m"]
    layout = f"time-major (T, s, m) = {(steps, batch, m)}" if time_major else f"(s, T, m) = {(batch, steps, m)}"
    notes = [f"{letters(tr.dims)}; inputs {layout}",
             "h goes up and right" + (", c only right" if kind == "lstm" else "")]
    if elided_text(tr):
        notes.append(elided_text(tr))
    grid = Grid(tr, WL, notes=len(notes))
    fig, ax = new_figure(grid.width, grid.height)
    for i, k in enumerate(grid.layers):
        if k is None:
            dots(ax, WL / 2, grid.y(i) + DH / 2, vertical=True)
            continue
        lines = [f"layer {k}: one weight set", "shared by every step t"] + weight_lines(tr, k)
        if kind != "gru":
            lines += split_lines(tr, k)
        box(ax, 0.12, grid.y(i) - 0.15, WL - 0.3, CH + 0.3, "\n".join(lines), fc=WEIGHTS, size=FONT_BOX)
    colors = {"c": CSTATE, "h": HSTATE}
    draw_grid(ax, tr, WL, lambda name, k, shape: (f"initial ${name}^{{{k}}}$ = 0 {shape}", colors[name]),
              time_major, grid)
    n = ", ".join(str(v) for v in tr.dims["n"])
    text(ax, 0.12, grid.height - 0.22, f"{NAMES[kind]}, {L} layer{'s' if L > 1 else ''} [{n}], "
         f"unrolled over T={steps} step{'s' if steps != 1 else ''}", ha="left", weight="bold")
    text(ax, 0.12, grid.height - 0.4, "\n".join(notes), ha="left", va="top", size=8)
    return fig
