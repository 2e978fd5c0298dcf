"""The symbol legend the article puts before its pictures: what each mark in a diagram means."""
from .canvas import HOP, HSTATE, arrow, box, dot, hop, new_figure, op, text


def draw_legend():
    """The six symbols: layer, pointwise operation, vector transfer, concatenate, copy, crossing.

    Each is drawn as the diagrams draw it: the concatenation is where x_t comes up into the line
    of h_{t-1} in the cell diagrams, [x_t, h_{t-1}] leaving to the right.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_figure(9.1, 1.9)
    captions = ["layer\n(weights + activation)", "pointwise\noperation", "vector\ntransfer",
                "concatenate:\nx joins h into [x, h]", "copy", "crossing,\nnot joined"]
    for j, caption in enumerate(captions):
        cx = 0.8 + 1.5 * j
        text(ax, cx, 0.42, caption, va="center")
        if j == 0:
            box(ax, cx - 0.42, 1.05, 0.84, 0.4, r"$\sigma$ / tanh")
        elif j == 1:
            op(ax, cx, 1.25, "×")
        elif j == 2:
            arrow(ax, [(cx - 0.5, 1.25), (cx + 0.5, 1.25)])
        elif j == 3:
            arrow(ax, [(cx - 0.5, 1.25), (cx - 0.1, 1.25)], head=False)
            arrow(ax, [(cx - 0.1, 0.8), (cx - 0.1, 1.25)], head=False)
            arrow(ax, [(cx - 0.1, 1.25), (cx + 0.5, 1.25)])
            text(ax, cx - 0.45, 1.33, "h", va="bottom", size=8)
            text(ax, cx - 0.02, 0.86, "x", ha="left", size=8)
        elif j == 4:
            arrow(ax, [(cx - 0.5, 1.25), (cx + 0.5, 1.25)])
            dot(ax, cx - 0.1, 1.25, HSTATE)
            arrow(ax, [(cx - 0.1, 1.25), (cx - 0.1, 1.55), (cx + 0.5, 1.55)])
        else:
            arrow(ax, [(cx - 0.5, 1.25), (cx + 0.5, 1.25)])
            arrow(ax, [(cx, 0.8), (cx, 1.25 - HOP)], head=False)
            hop(ax, cx, 1.25)
            arrow(ax, [(cx, 1.25 + HOP), (cx, 1.65)])
    text(ax, 4.55, 1.78, "symbols used in every diagram", size=9, weight="bold")
    return fig
