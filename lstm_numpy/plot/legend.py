"""The symbol legend the article puts before its pictures: what each mark in a diagram means."""
from .canvas import HSTATE, arrow, box, dot, new_figure, op, text


def draw_legend():
    """The five symbols: layer, pointwise operation, vector transfer, concatenate, copy.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_figure(7.6, 1.9)
    captions = ["layer\n(weights + activation)", "pointwise\noperation", "vector\ntransfer",
                "concatenate", "copy"]
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
            arrow(ax, [(cx - 0.5, 1.55), (cx - 0.1, 1.55), (cx - 0.1, 1.25)], head=False)
            arrow(ax, [(cx - 0.5, 0.95), (cx - 0.1, 0.95), (cx - 0.1, 1.25)], head=False)
            arrow(ax, [(cx - 0.1, 1.25), (cx + 0.5, 1.25)])
        else:
            arrow(ax, [(cx - 0.5, 1.25), (cx + 0.5, 1.25)])
            dot(ax, cx - 0.1, 1.25, HSTATE)
            arrow(ax, [(cx - 0.1, 1.25), (cx - 0.1, 1.55), (cx + 0.5, 1.55)])
    text(ax, 3.8, 1.78, "symbols used in every diagram", size=9, weight="bold")
    return fig
