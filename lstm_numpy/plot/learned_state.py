"""The article's hand-written model ("LSTM_realize"): a learned initial state from x_0, in red.

Instead of zeros, each layer's initial state is computed from the first input frame and
chained up the stack, layers counted from 0 as in :mod:`lstm_numpy.models.initial_state` (the
article counts from 1): ``h0^0 = tanh(x_0 WEH_0)``, ``h0^(k+1) = tanh(h0^k WEH_(k+1))``, and the
same for c0 with WEC_k; WEH_k and WEC_k are ``[width[k], width[k+1]]``. x_0 then also enters
as the step-0 input. The shapes come from a real pass: the chain is computed here in NumPy
and handed to :func:`~lstm_numpy.dynamic_rnn` as its initial state, time-major as in the article.
"""
import numpy as np

from ..time_loop import dynamic_rnn
from ..initializers import init_matrix
from ..lstm import LSTMCell
from ..multi import MultiRNNCell
from ..state import LSTMState
from ..trace import trace_cache
from .canvas import HIGHLIGHT, HOP, arrow, box, hop, new_figure, shape_text, text
from .unrolled import CH, DH, FONT_BOX, Grid, dots, draw_grid, elided_text, letters

EW = 2.75   # the encoder column at the left


def learned_initial_state(x0, weh, wec):
    """The article's chained initial state: one ``LSTMState(c0, h0)`` per layer.

    Parameters
    ----------
    x0 : ndarray of shape (s, m), the first input frame
    weh, wec : lists of ndarrays, WEH_k and WEC_k of shape (width[k-1], width[k])

    Returns
    -------
    tuple of LSTMState, each (s, width[k])
    """
    h, c, state = x0, x0, []
    for WEH, WEC in zip(weh, wec):
        h = np.tanh(h @ WEH)                                  # (s, width[k])
        c = np.tanh(c @ WEC)                                  # (s, width[k])
        state.append(LSTMState(c, h))
    return tuple(state)


def draw_learned_state(widths=(8, 32, 32, 64), batch=4, steps=3, seed=0):
    """Draw the article's model with widths ``[m, n_1, n_2, ...]``, its learned state in red.

    Parameters
    ----------
    widths : sequence of int, the article's ``width``: input dim then each layer's hidden size
    batch : int, s
    steps : int, T, the steps of the pass (the article runs time_step = 30; past 4 the middle
        ones are elided)
    seed : int, for the weights (only their shapes show)

    Returns
    -------
    matplotlib.figure.Figure
    """
    widths = [int(w) for w in widths]
    if len(widths) < 2 or min(widths) < 1:
        raise ValueError(f"expected widths [m, n_1, ...] of positive ints, at least two, got {widths}")
    rng = np.random.default_rng(seed)
    L = len(widths) - 1
    cell = MultiRNNCell([LSTMCell(widths[k], widths[k + 1], rng=rng) for k in range(L)])
    weh = [init_matrix("dl", (widths[k], widths[k + 1]), rng) for k in range(L)]
    wec = [init_matrix("dl", (widths[k], widths[k + 1]), rng) for k in range(L)]
    xs = rng.normal(size=(steps, batch, widths[0]))           # (T, s, m), time-major
    initial = learned_initial_state(xs[0], weh, wec)
    _, _, cache = dynamic_rnn(cell, xs, initial_state=initial, time_major=True)
    tr = trace_cache(cache)
    notes = ["red: the learned initial state $h_{init}^k, c_{init}^k$ (the article's h0, c0), computed from "
             "$x_0$ and chained up the stack instead of zeros; $x_0$ is also the step-0 input",
             letters(tr.dims)]
    if elided_text(tr):
        notes.append(elided_text(tr))
    grid = Grid(tr, EW, notes=len(notes))
    fig, ax = new_figure(grid.width, grid.height)
    x_h, x_c = 0.75, 2.0
    for i, k in enumerate(grid.layers):
        y = grid.y(i)
        if k is None:                                         # elided layers: the chain goes on
            dots(ax, x_h, y + DH / 2, vertical=True)
            dots(ax, x_c, y + DH / 2, vertical=True)
            continue
        shape = shape_text((widths[k], widths[k + 1]), weights=True)
        box(ax, x_h - 0.6, y + 0.02, 1.2, 0.42, f"tanh(· $WEH_{k}$)\n{shape}", fc="white", ec=HIGHLIGHT,
            color=HIGHLIGHT, size=FONT_BOX)
        box(ax, x_c - 0.6, y + 0.56, 1.2, 0.42, f"tanh(· $WEC_{k}$)\n{shape}", fc="white", ec=HIGHLIGHT,
            color=HIGHLIGHT, size=FONT_BOX)
        h_lane, c_lane = y + 0.22, y + CH - 0.22
        arrow(ax, [(x_h + 0.6, h_lane), (EW + 0.15, h_lane)], color=HIGHLIGHT, head=False)
        arrow(ax, [(x_c + 0.6, c_lane), (EW + 0.15, c_lane)], color=HIGHLIGHT, head=False)
    for i in range(len(grid.layers) - 1):                     # the chain up the stack
        below, above = grid.layers[i], grid.layers[i + 1]
        k = above - 1 if below is None else below             # the layer whose initial state goes up
        y0 = grid.y(i) + (DH if below is None else 0)
        y1 = grid.y(i + 1)
        mid = (grid.y(i) + (DH if below is None else CH) + y1) / 2
        h_from, c_from = (y0, y0) if below is None else (y0 + 0.44, y0 + 0.98)
        h_to, c_to = (y1, y1) if above is None else (y1 + 0.02, y1 + 0.56)
        arrow(ax, [(x_h, h_from), (x_h, h_to)], color=HIGHLIGHT, head=above is not None)
        text(ax, x_h - 0.08, mid, f"$h_{{init}}^{k}$\n{shape_text(initial[k].h.shape)}", ha="right",
             color=HIGHLIGHT, size=FONT_BOX)
        if above is None:
            arrow(ax, [(x_c, c_from), (x_c, c_to)], color=HIGHLIGHT, head=False)
        else:                                                 # hops over the h lane
            arrow(ax, [(x_c, c_from), (x_c, y1 + 0.22 - HOP)], color=HIGHLIGHT, head=False)
            hop(ax, x_c, y1 + 0.22, color=HIGHLIGHT)
            arrow(ax, [(x_c, y1 + 0.22 + HOP), (x_c, c_to)], color=HIGHLIGHT)
        text(ax, x_c + 0.08, mid, f"$c_{{init}}^{k}$ {shape_text(initial[k].c.shape)}",
             ha="left", color=HIGHLIGHT, size=FONT_BOX)
    # x_0 seeds both chains from below (and also enters as the step-0 input).
    arrow(ax, [(x_h, 0.3), (x_h, grid.y(0) + 0.02)], color=HIGHLIGHT)
    arrow(ax, [(x_h, 0.62), (x_c, 0.62), (x_c, grid.y(0) + 0.22 - HOP)], color=HIGHLIGHT, head=False)
    hop(ax, x_c, grid.y(0) + 0.22, color=HIGHLIGHT)
    arrow(ax, [(x_c, grid.y(0) + 0.22 + HOP), (x_c, grid.y(0) + 0.56)], color=HIGHLIGHT)
    text(ax, x_h + 0.1, 0.3, f"$x_0$ {shape_text(xs[0].shape)}", ha="left", va="center", color=HIGHLIGHT)

    def initial_label(name, k, shape):
        return f"${name}_{{init}}^{{{k}}}$ {shape}", HIGHLIGHT

    draw_grid(ax, tr, EW, initial_label, time_major=cache["time_major"], grid=grid)
    text(ax, 0.12, grid.height - 0.22, f"The article's model: widths {widths}, LSTM layers {widths[1:]}, "
         f"time-major (T, s, m) = {xs.shape}", ha="left", weight="bold")
    text(ax, 0.12, grid.height - 0.4, notes[0], ha="left", va="top", size=8, color=HIGHLIGHT)
    text(ax, 0.12, grid.height - 0.56, "\n".join(notes[1:]), ha="left", va="top", size=8)
    return fig
