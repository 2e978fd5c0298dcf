"""One GRU cell's inside, in either of its two forms, labelled with real shapes.

h_{t-1} runs along the top and leaves as h_t = (1 - z) * n + z * h_{t-1}. The gates r and z
are layers on the concat [x_t, h_{t-1}] (their weights in the split form W_x,j, W_h,j). The
candidate n is where the two forms differ: with ``reset_after=True`` (PyTorch, cuDNN, Keras 2+)
the reset gate multiplies ``h W_h,n + b_h,n``; with ``reset_after=False`` (TensorFlow 1.x) it
multiplies h_{t-1} before the product.
"""
from .canvas import CELL, HOP, arrow, box, dot, hop, new_figure, op, shape_text, text
from .unrolled import cell_letters, traced

Y_H, Y_BUS, X_Z, X_R, X_HN, X_XN = 4.6, 1.0, 2.35, 3.8, 5.0, 5.7
X_ZH, X_NZ, Y_Z, Y_X = 6.9, 8.0, 4.05, 0.6
Y_GATE, GATE_W, GATE_H = 1.4, 1.34, 1.05
FONT_BOX = 8


def draw_gru_cell(cell, batch=4, layer=0):
    """Draw the inside of GRU layer ``layer`` (from 0) of ``cell`` for a batch of ``batch``.

    Parameters
    ----------
    cell : GRUCell, or a MultiRNNCell of GRU layers (either ``reset_after``)
    batch : int, s
    layer : int, k (from 0, as ``cell_{k}`` in params)

    Returns
    -------
    matplotlib.figure.Figure
    """
    tr = traced(cell, batch, 1)
    if tr.dims["kind"] != "gru":
        raise ValueError(f"expected a GRU cell, got a {tr.dims['kind']} cell")
    if not 0 <= layer < len(tr.dims["n"]):
        raise ValueError(f"expected layer in [0, {len(tr.dims['n']) - 1}], got {layer}")
    k = layer
    after = cell.cells[k].reset_after

    def shape(name, weights=False):
        return shape_text(tr.shape(name, k), weights)

    def bias(gate):
        if after:
            return f"$b_{{x,{gate}}}^{{{k}}}, b_{{h,{gate}}}^{{{k}}}$ {shape('b_x,' + gate, True)}"
        return f"$b_{gate}^{{{k}}}$ {shape('b_' + gate, True)}"

    fig, ax = new_figure(9.9, 6.1)
    box(ax, 0.95, 0.35, 8.05, 4.75, fc=CELL, ec="#9bb0cc", zorder=0, rounded=0.15)
    # The state line: z * h_{t-1} plus (1 - z) * n is h_t.
    arrow(ax, [(0.2, Y_H), (X_ZH - 0.16, Y_H)], head=False)
    arrow(ax, [(X_ZH + 0.16, Y_H), (X_NZ - 0.16, Y_H)], head=False)
    arrow(ax, [(X_NZ + 0.16, Y_H), (9.7, Y_H)])
    op(ax, X_ZH, Y_H, "×")
    op(ax, X_NZ, Y_H, "+")
    text(ax, 0.2, Y_H + 0.1, f"$h_{{t-1}}^{{{k}}}$ {shape('h_{t-1}')}", ha="left", va="bottom")
    text(ax, 9.7, Y_H + 0.1, f"$h_t^{{{k}}}$ {shape('h_t')}", ha="right", va="bottom")
    # h_{t-1} (copied down) and x_t join into the concat feeding r and z; x_t also goes right.
    dot(ax, 1.2, Y_H)
    arrow(ax, [(1.2, Y_H), (1.2, Y_BUS), (X_R, Y_BUS)], head=False)
    arrow(ax, [(1.6, 0.12), (1.6, Y_BUS)], head=False)
    x_name = "x_t" if k == 0 else f"x_t^{{{k}}} = h_t^{{{k - 1}}}"
    text(ax, 1.7, 0.15, f"${x_name}$ {shape('x_t')}", ha="left", va="bottom")
    dot(ax, 1.6, Y_X)
    arrow(ax, [(1.6, Y_X), (X_XN, Y_X), (X_XN, 0.9)], head=after)
    joined = f"({tr.dims['s']}, {tr.shape('x_t', k)[1] + tr.shape('h_t', k)[1]})"
    text(ax, 1.75, Y_BUS - 0.08, f"$[x_t, h_{{t-1}}]$ {joined}",
         ha="left", va="top", size=8)
    for gate, x in (("z", X_Z), ("r", X_R)):
        arrow(ax, [(x, Y_BUS), (x, Y_GATE)])
        label = (f"$\\sigma$\n$W_{{x,{gate}}}^{{{k}}}$ {shape('W_x,' + gate, True)}\n"
                 f"$W_{{h,{gate}}}^{{{k}}}$ {shape('W_h,' + gate, True)}\n{bias(gate)}")
        box(ax, x - GATE_W / 2, Y_GATE, GATE_W, GATE_H, label, size=FONT_BOX)
    # z: straight to the product with h_{t-1}, and through 1 - z to the product with n.
    arrow(ax, [(X_Z, Y_GATE + GATE_H), (X_Z, Y_Z), (X_ZH, Y_Z), (X_ZH, Y_H - 0.16)])
    text(ax, X_Z + 0.08, 3.25, f"$z_t^{{{k}}}$ {shape('z_t')}", ha="left")
    dot(ax, X_ZH, Y_Z)
    arrow(ax, [(X_ZH, Y_Z), (7.3, Y_Z)])
    op(ax, 7.46, Y_Z, "1−", size=8)
    arrow(ax, [(7.62, Y_Z), (X_NZ - 0.16, Y_Z)])
    op(ax, X_NZ, Y_Z, "×")
    arrow(ax, [(X_NZ, Y_Z + 0.16), (X_NZ, Y_H - 0.16)])
    # The candidate n: the two forms differ only here.
    y_r = 2.85
    arrow(ax, [(X_R, Y_GATE + GATE_H), (X_R, y_r), (X_HN - 0.16, y_r)])
    text(ax, X_R + 0.08, 2.65, f"$r_t^{{{k}}}$ {shape('r_t')}", ha="left")
    op(ax, X_HN, y_r, "×")
    dot(ax, X_HN, Y_H)
    y_sum = 1.7
    if after:
        # h_{t-1} hops over the z line, then runs clear of it into its product (the box's top
        # well below the crossing, so the arrow is not read as coming from z).
        top = Y_Z - 0.4
        arrow(ax, [(X_HN, Y_H), (X_HN, Y_Z + HOP)], head=False)
        hop(ax, X_HN, Y_Z)
        arrow(ax, [(X_HN, Y_Z - HOP), (X_HN, top)])
        box(ax, X_HN - 0.85, top - 0.36, 1.7, 0.36, f"$W_{{h,n}}^{{{k}}}$ {shape('W_h,n', True)}, $b_{{h,n}}^{{{k}}}$",
            fc="white", size=FONT_BOX)
        arrow(ax, [(X_HN, top - 0.36), (X_HN, y_r + 0.16)])
        arrow(ax, [(X_HN, y_r - 0.16), (X_HN, y_sum), (X_XN - 0.16, y_sum)])
        box(ax, X_XN - 0.85, 0.88, 1.7, 0.37, f"$W_{{x,n}}^{{{k}}}$ {shape('W_x,n', True)}, $b_{{x,n}}^{{{k}}}$",
            fc="white", size=FONT_BOX)
        arrow(ax, [(X_XN, 1.25), (X_XN, y_sum - 0.16)])
        op(ax, X_XN, y_sum, "+")
        arrow(ax, [(X_XN + 0.16, y_sum), (6.64, y_sum)])
        op(ax, 6.8, y_sum, "tanh")
        arrow(ax, [(6.96, y_sum), (X_NZ, y_sum), (X_NZ, Y_Z - 0.16)])
        form = r"reset after: $n = \tanh(x W_{x,n} + b_{x,n} + r \odot (h W_{h,n} + b_{h,n}))$"
    else:
        arrow(ax, [(X_HN, Y_H), (X_HN, Y_Z + HOP)], head=False)
        hop(ax, X_HN, Y_Z)
        arrow(ax, [(X_HN, Y_Z - HOP), (X_HN, y_r + 0.16)])
        arrow(ax, [(X_HN, y_r - 0.16), (X_HN, y_sum), (X_XN, y_sum), (X_XN, y_sum - 0.1)], head=False)
        text(ax, X_HN + 0.08, 2.4, f"$r_t \\odot h_{{t-1}}$ {shape('r*h_{t-1}')}", ha="left", size=8)
        arrow(ax, [(X_XN, 0.9), (X_XN, y_sum), (6.2, y_sum)])
        text(ax, X_XN - 0.08, 1.3, f"$[x_t, r_t \\odot h_{{t-1}}]$\n{joined}", ha="right", size=8)
        label = (f"tanh\n$W_{{x,n}}^{{{k}}}$ {shape('W_x,n', True)}\n$W_{{h,n}}^{{{k}}}$ {shape('W_h,n', True)}\n"
                 f"$b_n^{{{k}}}$ {shape('b_n', True)}")
        box(ax, 6.2, y_sum - 0.53, 1.4, 1.05, label, size=FONT_BOX)
        arrow(ax, [(7.6, y_sum), (X_NZ, y_sum), (X_NZ, Y_Z - 0.16)])
        form = r"reset before: $n = \tanh(x W_{x,n} + (r \odot h) W_{h,n} + b_n)$"
    text(ax, X_NZ + 0.08, 2.95, f"$n_t^{{{k}}}$\n{shape('n_t')}", ha="left")
    n = tr.dims["n"][k]
    m_k = tr.dims["m"] if k == 0 else tr.dims["n"][k - 1]
    text(ax, 0.2, 5.9, f"GRU layer k = {k} inside ({'reset_after=True' if after else 'reset_after=False'}): "
         f"{cell_letters(batch, k, m_k, n)}", ha="left", weight="bold")
    text(ax, 0.2, 5.55, form + r",   $h_t = (1 - z) \odot n + z \odot h_{t-1}$", ha="left", size=8.5)
    return fig
