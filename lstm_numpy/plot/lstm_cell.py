"""One LSTM cell's inside, with every weight, bias and vector labelled by its real shape.

The cell-state line runs along the top; h_{t-1} and x_t join into the article's concat
[x_t, h_{t-1}], which feeds the four gate layers; each layer box names its weight w_j^k
[m_k + n_k, n_k] and bias b_j^k [n_k]. One gate can be highlighted in red, as in the
article's gate-by-gate series: "forget", "input", "cell" (the update of c) or "output".

A layer with TensorFlow 1.x LSTMCell's options shows them too: dashed peephole arrows from
c_{t-1} into the i and f layers and from c_t into the o layer, labelled w_j_diag [n_k]; and the
projection, a layer box W_proj [n_k, p_k] between m_t = o_t tanh(c_t) and h_t (s, p_k).
"""
from .canvas import (CELL, CSTATE, HIGHLIGHT, HOP, HSTATE, LAYER, arrow, box, dot, hop, new_figure, op,
                     shape_text, text)
from .unrolled import cell_letters, traced

HIGHLIGHTS = ("forget", "input", "cell", "output")
HIGHLIGHT_NAMES = {"forget": "forget gate", "input": "input gate and candidate",
                   "cell": "cell-state update (f, i, g and c)", "output": "output gate"}
Y_C, Y_BUS, Y_GATE, GATE_H, GATE_W = 3.9, 1.2, 1.55, 0.78, 1.17
X_GATE = {"f": 2.55, "i": 3.8, "g": 5.05, "o": 6.3}
X_ADD, X_OUT, X_UP = 4.4, 7.5, 8.55


def draw_lstm_cell(cell, batch=4, layer=0, highlight=None):
    """Draw the inside of LSTM layer ``layer`` (from 0) of ``cell`` for a batch of ``batch``.

    Parameters
    ----------
    cell : LSTMCell, or a MultiRNNCell of LSTM layers
    batch : int, s
    layer : int, k (from 0, as ``cell_{k}`` in params)
    highlight : None or one of "forget", "input", "cell", "output"

    Returns
    -------
    matplotlib.figure.Figure
    """
    if highlight is not None and highlight not in HIGHLIGHTS:
        raise ValueError(f"expected highlight None or one of {', '.join(HIGHLIGHTS)}, got {highlight!r}")
    tr = traced(cell, batch, 1)
    if tr.dims["kind"] != "lstm":
        raise ValueError(f"expected an LSTM cell, got a {tr.dims['kind']} cell")
    if not 0 <= layer < len(tr.dims["n"]):
        raise ValueError(f"expected layer in [0, {len(tr.dims['n']) - 1}], got {layer}")
    k = layer
    lit = {"forget": {"f", "fc"}, "input": {"i", "g", "ig"}, "cell": {"f", "fc", "i", "g", "ig", "c"},
           "output": {"o", "tanh", "h"}}.get(highlight, set())

    def color(part, base=HSTATE):
        return HIGHLIGHT if part in lit else base

    def width(part):
        return 2.4 if part in lit else 1.3

    def shape(name):
        return shape_text(tr.shape(name, k))

    fig, ax = new_figure(9.9, 5.6)
    options = cell.cells[k].options()
    box(ax, 1.0, 0.75, 8.0, 3.75, fc=CELL, ec="#9bb0cc", zorder=0, rounded=0.15)
    # The cell state: c_{t-1} in, times f, plus i*g, out as c_t; a copy goes down through tanh.
    arrow(ax, [(0.2, Y_C), (X_GATE["f"] - 0.16, Y_C)], color=color("fc", CSTATE), lw=width("fc"), head=False)
    arrow(ax, [(X_GATE["f"] + 0.16, Y_C), (X_ADD - 0.16, Y_C)], color=color("c", CSTATE), lw=width("c"), head=False)
    arrow(ax, [(X_ADD + 0.16, Y_C), (9.7, Y_C)], color=color("c", CSTATE), lw=width("c"))
    op(ax, X_GATE["f"], Y_C, "×")
    op(ax, X_ADD, Y_C, "+")
    text(ax, 0.2, Y_C + 0.12, f"$c_{{t-1}}^{{{k}}}$ {shape('c_{t-1}')}", ha="left", va="bottom", color=CSTATE)
    text(ax, 9.7, Y_C + 0.12, f"$c_t^{{{k}}}$ {shape('c_t')}", ha="right", va="bottom", color=CSTATE)
    # h_{t-1} and x_t join into the concat, the bus that feeds every gate.
    arrow(ax, [(0.2, Y_BUS), (1.6, Y_BUS)], head=False)
    arrow(ax, [(1.6, 0.3), (1.6, Y_BUS)], head=False)
    arrow(ax, [(1.6, Y_BUS), (X_GATE["o"], Y_BUS)], head=False)
    text(ax, 0.2, Y_BUS + 0.1, f"$h_{{t-1}}^{{{k}}}$ {shape('h_{t-1}')}", ha="left", va="bottom")
    x_name = "x_t" if k == 0 else f"x_t^{{{k}}} = h_t^{{{k - 1}}}"
    text(ax, 1.72, 0.3, f"${x_name}$ {shape('x_t')}", ha="left", va="bottom")
    text(ax, 1.75, Y_BUS - 0.1, f"$[x_t^{{{k}}}, h_{{t-1}}^{{{k}}}]$ {shape('[x_t, h_{t-1}]')}",
         ha="left", va="top")
    for gate, x in X_GATE.items():
        act = "tanh" if gate == "g" else r"$\sigma$"
        arrow(ax, [(x, Y_BUS), (x, Y_GATE)], color=color(gate), lw=width(gate))
        label = (f"{act}\n$w_{gate}^{{{k}}}$ {shape_text(tr.shape('w_' + gate, k), True)}\n"
                 f"$b_{gate}^{{{k}}}$ {shape_text(tr.shape('b_' + gate, k), True)}")
        box(ax, x - GATE_W / 2, Y_GATE, GATE_W, GATE_H, label, fc=LAYER, ec=color(gate), lw=width(gate), size=8.5)
    top = Y_GATE + GATE_H
    # f goes straight up into the product with c_{t-1}.
    arrow(ax, [(X_GATE["f"], top), (X_GATE["f"], Y_C - 0.16)], color=color("f"), lw=width("f"))
    text(ax, X_GATE["f"] + 0.08, 3.05, f"$f_t^{{{k}}}$ {shape('f_t')}", ha="left", color=color("f"))
    # i and g meet in a product, which is added to the cell state.
    y_ig = 3.05
    arrow(ax, [(X_GATE["i"], top), (X_GATE["i"], y_ig), (X_ADD - 0.16, y_ig)], color=color("i"), lw=width("i"))
    arrow(ax, [(X_GATE["g"], top), (X_GATE["g"], y_ig), (X_ADD + 0.16, y_ig)], color=color("g"), lw=width("g"))
    op(ax, X_ADD, y_ig, "×")
    arrow(ax, [(X_ADD, y_ig + 0.16), (X_ADD, Y_C - 0.16)], color=color("ig"), lw=width("ig"))
    text(ax, X_GATE["i"] - 0.08, 2.62, f"$i_t^{{{k}}}$ {shape('i_t')}", ha="right", color=color("i"))
    text(ax, X_GATE["g"] + 0.08, 2.62, f"$g_t^{{{k}}}$ {shape('g_t')}", ha="left", color=color("g"))
    # o times tanh(c_t) is h_t.
    y_oh = 2.65
    dot(ax, X_OUT, Y_C, color("c", CSTATE))
    arrow(ax, [(X_OUT, Y_C), (X_OUT, 3.43)], color=color("tanh", CSTATE), lw=width("tanh"))
    op(ax, X_OUT, 3.27, "tanh")
    arrow(ax, [(X_OUT, 3.11), (X_OUT, y_oh + 0.16)], color=color("tanh"), lw=width("tanh"))
    text(ax, X_OUT - 0.22, 3.27, f"tanh($c_t^{{{k}}}$) {shape('tanh(c_t)')}", ha="right", color=color("tanh"))
    arrow(ax, [(X_GATE["o"], top), (X_GATE["o"], y_oh), (X_OUT - 0.16, y_oh)], color=color("o"), lw=width("o"))
    text(ax, X_GATE["o"] + 0.08, 2.45, f"$o_t^{{{k}}}$ {shape('o_t')}", ha="left", color=color("o"))
    op(ax, X_OUT, y_oh, "×")
    if options.get("num_proj"):
        _projection(ax, tr, k, options, color("h"), width("h"), y_oh)
    else:
        arrow(ax, [(X_OUT, y_oh - 0.16), (X_OUT, Y_BUS), (9.7, Y_BUS)], color=color("h"), lw=width("h"))
    if options.get("use_peepholes"):
        _peepholes(ax, tr, k)
    text(ax, 9.7, Y_BUS + 0.1, f"$h_t^{{{k}}}$ {shape('h_t')}", ha="right", va="bottom", color=color("h"))
    # The copy of h_t going up: to layer k+1 at this step, or out as the output.
    dot(ax, X_UP, Y_BUS, color("h"))
    arrow(ax, [(X_UP, Y_BUS), (X_UP, Y_C - HOP)], color=color("h"), lw=width("h"), head=False)
    hop(ax, X_UP, Y_C, color=color("h"), lw=width("h"))      # crosses the c line without joining it
    arrow(ax, [(X_UP, Y_C + HOP), (X_UP, 5.0)], color=color("h"), lw=width("h"))
    up = f"to layer {k + 1}" if k < len(tr.dims["n"]) - 1 else "to outputs[:, t]"
    text(ax, X_UP - 0.1, 4.85, f"$h_t^{{{k}}}$ {up}", ha="right", color=color("h"))
    n = tr.dims["n"][k]
    below = None if k == 0 else tr.dims["p"][k - 1]             # the layer below's projection width, if any
    m_k = tr.dims["m"] if k == 0 else below or tr.dims["n"][k - 1]
    p_k = f", p_{k} = P_{k} = {tr.dims['p'][k]}" if tr.dims["p"][k] is not None else ""
    title = f"LSTM layer k = {k} inside: {cell_letters(batch, k, m_k, n, below_projected=below is not None)}{p_k}"
    if highlight:
        title += f"; {HIGHLIGHT_NAMES[highlight]} in red"
    text(ax, 0.2, 5.4, title, ha="left", weight="bold")
    bias = f" (f adds forget_bias {cell.cells[k].forget_bias:g})" if cell.cells[k].forget_bias else ""
    output = (r"$m_t = o_t \tanh(c_t)$,  $h_t = m_t W_{proj}$" if options.get("num_proj")
              else r"$h_t = o_t \tanh(c_t)$")
    text(ax, 4.4, 0.42, r"$j_t = act([x_t, h_{t-1}]\, w_j + b_j)$" + bias + r",  $c_t = f_t c_{t-1} + i_t g_t$,  "
         + output, size=8, ha="left")
    return fig


Y_PEEP = 1.42     # the peepholes to i and f run between the bus and the gate layers


def _peepholes(ax, tr, k):
    """Dashed peephole arrows: c_{t-1} into the i and f layers (eqs. (8), (9) of docs/lstm.md),
    c_t into the o layer (eq. (11)), each labelled with its weight's shape."""
    style = dict(color=CSTATE, lw=1.0, ls=(0, (3, 2)))
    x_from = 1.85                                             # on c_{t-1}, before the forget product
    dot(ax, x_from, Y_C, CSTATE)
    arrow(ax, [(x_from, Y_C), (x_from, Y_PEEP), (X_GATE["i"] - 0.3, Y_PEEP), (X_GATE["i"] - 0.3, Y_GATE)], **style)
    arrow(ax, [(X_GATE["f"] - 0.3, Y_PEEP), (X_GATE["f"] - 0.3, Y_GATE)], **style)
    text(ax, x_from - 0.06, 3.0, f"$w_{{f,i}}^{{{k}}}$ diag\n{shape_text(tr.shape('w_i_diag', k), True)} each",
         ha="right", size=7, color=CSTATE)
    x_c = X_GATE["o"] - GATE_W / 2 - 0.1                      # on c_t, between the g and o layers
    dot(ax, x_c, Y_C, CSTATE)
    arrow(ax, [(x_c, Y_C), (x_c, Y_GATE + 0.12), (X_GATE["o"] - GATE_W / 2, Y_GATE + 0.12)], **style)
    text(ax, x_c + 0.06, 3.55, f"$w_o^{{{k}}}$ diag {shape_text(tr.shape('w_o_diag', k), True)}",
         ha="left", size=7, color=CSTATE)


def _projection(ax, tr, k, options, color, lw, y_oh):
    """m_t = o_t tanh(c_t) through the projection layer W_proj (eq. (12)), clipped when
    proj_clip is set (eq. (13)), out as h_t of width p_k."""
    y_box, h_box, w_box = Y_BUS + 0.2, 0.62, 0.95
    arrow(ax, [(X_OUT, y_oh - 0.16), (X_OUT, y_box + h_box)], color=color, lw=lw)
    text(ax, X_OUT + 0.08, y_box + h_box + 0.2, f"$m_t^{{{k}}}$ {shape_text(tr.shape('m_t', k))}",
         ha="left", size=7.5, color=color)
    clip = f"\nclip ±{options['proj_clip']:g}" if options.get("proj_clip") else ""
    label = f"$W_{{proj}}^{{{k}}}$\n{shape_text(tr.shape('W_proj', k), True)}{clip}"
    box(ax, X_OUT - w_box / 2, y_box, w_box, h_box, label, fc=LAYER, ec=color, lw=lw, size=7)
    arrow(ax, [(X_OUT, y_box), (X_OUT, Y_BUS), (9.7, Y_BUS)], color=color, lw=lw)
