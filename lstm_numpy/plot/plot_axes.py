"""The axes of the plots, made to read at a glance: whole steps, plain numbers, a legend off the lines.

A step axis shows whole numbers only (there is no step 0.25). A log axis whose every value lies
between 1e-4 and 1e5 is labelled 6 and 0.3, not 6×10^0 and 3×10^-1; one that reaches beyond keeps
powers of ten. A legend goes in the first corner of the axes where it covers no line, and below
the axes when every corner covers one (the figures use the constrained layout, which makes room).
"""
from matplotlib.ticker import LogFormatterSciNotation, MaxNLocator

PLAIN = (1e-4, 1e5)       # a log axis inside this range is labelled with plain numbers
PLACES = ("upper right", "upper left", "lower left", "lower right", "center right", "center left",
          "upper center", "lower center")


class PlainLogFormatter(LogFormatterSciNotation):
    """Log-axis labels as plain numbers (``0.3``, ``6``, ``2000``) when the axis lies inside PLAIN.

    The ticks that get a label are matplotlib's choice, as for its own log axes; only the text
    changes, and only when every value on the axis reads as a short plain number.
    """

    def __call__(self, x, pos=None):
        label = super().__call__(x, pos)
        lo, hi = sorted(self.axis.get_view_interval())
        if not label or not PLAIN[0] <= lo <= hi < PLAIN[1]:
            return label
        return f"{x:g}"


def whole_steps(axis):
    """Tick a step axis at whole numbers only."""
    axis.set_major_locator(MaxNLocator(integer=True))


def plain_log(axis):
    """Label a log axis with plain numbers where its range allows (see :class:`PlainLogFormatter`)."""
    axis.set_major_formatter(PlainLogFormatter())
    axis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))


def covered_lines(ax, legend, pad=6):
    """The lines of ``ax`` that ``legend``'s box (grown by ``pad`` pixels) crosses or holds."""
    box = legend.get_window_extent(ax.figure.canvas.get_renderer()).padded(pad)
    return [line for line in ax.get_lines()
            if line.get_transform().transform_path(line.get_path()).intersects_bbox(box, filled=False)]


def legend_off_the_lines(ax, **options):
    """Put ``ax``'s legend where it hides no line: a free place inside the axes, else below them.

    matplotlib's ``loc="best"`` weighs a line crossing the legend against the points under it,
    so it will cover a reference line to spare a noisy curve; here no line may be covered.
    Call it once everything is plotted. Returns the legend.
    """
    fig = ax.figure
    fig.canvas.draw()                                         # the layout settles the axes' place
    for place in PLACES:
        legend = ax.legend(loc=place, **options)
        if not covered_lines(ax, legend):
            return legend
        legend.remove()
    handles, labels = ax.get_legend_handles_labels()
    return fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 2), **options)
