"""The drawing vocabulary every diagram shares, and the deterministic save.

A diagram is drawn on one axes that covers the whole figure, with data units in inches, so a
gap between two boxes and the width of a label are measured in the same unit. The symbols
are the article's (after the widely copied LSTM pictures): a yellow box is a layer (weights
and an activation), a pink circle a pointwise operation, an arrow a vector moving, two lines
joining a concatenation, one line forking a copy (with a dot), a half circle a line that crosses
another without joining it.
"""
import io

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Arc, Circle, FancyArrowPatch, FancyBboxPatch

LAYER = "#fbe38e"      # yellow: a layer, weights and an activation
POINTWISE = "#f4b6c2"  # pink: a pointwise operation
CELL = "#eef3fb"       # pale blue: the inside of one cell
WEIGHTS = "#e3f1df"    # pale green: a weight set
HIGHLIGHT = "#d62728"  # red: the highlighted path, the learned initial state
CSTATE = "#1f5fa8"     # blue: the cell state c
HSTATE = "#222222"     # near black: h and every other vector
MUTED = "#8a8a8a"      # grey: masked or inactive
FONT = 9

RC = {"font.family": "DejaVu Sans", "font.size": FONT, "mathtext.fontset": "dejavusans",
      "svg.fonttype": "none", "svg.hashsalt": "lstm_numpy", "path.simplify": True,
      "axes.unicode_minus": False}


def shape_text(shape, weights=False):
    """``(4, 20)`` for an activation, ``[28, 20]`` for a weight or bias (the article's brackets)."""
    inner = ", ".join(str(int(d)) for d in shape)
    if len(shape) == 1 and not weights:
        inner += ","
    return f"[{inner}]" if weights else f"({inner})"


def new_figure(width, height):
    """A figure ``width`` x ``height`` inches whose one axes uses inches as data units."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height))
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.set_axis_off()
    return fig, ax


def text(ax, x, y, s, *, size=FONT, color=HSTATE, ha="center", va="center", weight="normal",
         backdrop=False, **kw):
    """A label; ``backdrop`` puts it on white so that a line under it does not cross its letters."""
    bbox = dict(boxstyle="square,pad=0.08", fc="white", ec="none") if backdrop else None
    return ax.text(x, y, s, size=size, color=color, ha=ha, va=va, weight=weight, bbox=bbox,
                   family=RC["font.family"], zorder=5, **kw)


def box(ax, x, y, w, h, label=None, *, fc=LAYER, ec=HSTATE, lw=1.0, size=FONT, rounded=0.06,
        ls="-", zorder=2, color=HSTATE):
    """A box with its lower-left corner at (x, y); the label sits at its centre."""
    patch = FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={rounded}",
                           fc=fc, ec=ec, lw=lw, ls=ls, zorder=zorder)
    ax.add_patch(patch)
    if label is not None:
        text(ax, x + w / 2, y + h / 2, label, size=size, color=color)
    return patch


def op(ax, x, y, symbol, *, r=0.16, fc=POINTWISE, size=FONT + 1):
    """A pointwise operation: a pink circle with its symbol (x, +, tanh, 1-)."""
    ax.add_patch(Circle((x, y), r, fc=fc, ec=HSTATE, lw=1.0, zorder=3))
    text(ax, x, y, symbol, size=size if len(symbol) < 3 else FONT - 2)


def arrow(ax, points, *, color=HSTATE, lw=1.3, head=True, ls="-", zorder=1):
    """A vector moving along the polyline ``points``; the head at the last point."""
    for (x0, y0), (x1, y1) in zip(points[:-2], points[1:-1]):
        ax.plot([x0, x1], [y0, y1], color=color, lw=lw, ls=ls, zorder=zorder, solid_capstyle="butt")
    (x0, y0), (x1, y1) = points[-2], points[-1]
    style = "-|>,head_length=5,head_width=2.6" if head else "-"
    ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle=style, mutation_scale=1.6,
                                 color=color, lw=lw, ls=ls, shrinkA=0, shrinkB=0, zorder=zorder))


HOP = 0.09   # the radius of a hop


def hop(ax, x, y, *, r=HOP, color=HSTATE, lw=1.3, zorder=1):
    """A vertical line crossing a horizontal one at (x, y) without joining it: a half circle from
    (x, y - r) to (x, y + r), bulging right. Draw the line up to ``y - r`` and on from ``y + r``."""
    ax.add_patch(Arc((x, y), 2 * r, 2 * r, theta1=-90, theta2=90, color=color, lw=lw, zorder=zorder))


def dot(ax, x, y, color=HSTATE):
    """A copy point: one vector forking into two."""
    ax.add_patch(Circle((x, y), 0.035, fc=color, ec=color, zorder=4))


def continuous_colour(fig):
    """Whether ``fig`` maps values to colours through a colour map (a heatmap, a colour bar, an image)."""
    from matplotlib.cm import ScalarMappable
    return any(isinstance(a, ScalarMappable) and a.get_array() is not None for a in fig.findobj())


def save(fig, path=None, *, dpi=110, colors=128):
    """Save to ``path`` (PNG or SVG by its extension), deterministically; or return PNG bytes.

    The same figure gives the same bytes: no date or software stamp in the metadata, a fixed
    salt for SVG ids, and SVG text kept as text (``svg.fonttype = "none"``). A PNG of a line
    diagram is reduced to a palette of ``colors`` colours (no dithering): it has few colours,
    and the file shrinks about threefold. A PNG with a colour map (heatmaps and their colour
    bars) keeps every colour, so that a cell can be read against its bar.
    """
    fmt = "png" if path is None else str(path).rsplit(".", 1)[-1].lower()
    if fmt not in ("png", "svg"):
        raise ValueError(f"expected a file name ending in .png or .svg, got {path!r}")
    with matplotlib.rc_context(RC):
        if fmt == "svg":
            fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
            return None
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    from PIL import Image
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    if not continuous_colour(fig):
        image = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="png", optimize=True)
    if path is None:
        return out.getvalue()
    with open(path, "wb") as f:
        f.write(out.getvalue())
    return None


def labels(fig):
    """Every label of a figure, one a line: what a reader can read in it."""
    from matplotlib.text import Text
    return "\n".join(t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text())
