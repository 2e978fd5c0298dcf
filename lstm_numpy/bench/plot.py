"""The benchmark's bar chart. matplotlib is imported here, inside the function, and nowhere else."""
import numpy as np

COLORS = {"fast": "#1b9e77", "textbook": "#d95f02", "gemm": "#7570b3", "torch": "#e7298a"}
LABELS = {"fast": "lstm_numpy.fast", "textbook": "textbook NumPy", "gemm": "GEMM-only bound",
          "torch": "PyTorch"}
KIND_TITLES = {"gru": "gru (reset after)", "gru-rb": "gru-rb (reset before)"}


def plot_results(results, path, title=""):
    """Forward+backward milliseconds per configuration, one panel per cell kind and dtype.

    Drawn on its own figure (no pyplot state) and written by :func:`lstm_numpy.plot.save`, as
    every figure of the package: the same results give the same bytes.

    Parameters
    ----------
    results : list of dict from :func:`lstm_numpy.bench.run.run_benchmark`
    path : file name to save the figure to (PNG)
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..plot.canvas import RC, save

    kinds = list(dict.fromkeys(r["kind"] for r in results))
    dtypes = list(dict.fromkeys(r["dtype"] for r in results))
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(4.2 * len(kinds), 3.4 * len(dtypes)), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(len(dtypes), len(kinds), squeeze=False)
        for row, dtype in enumerate(dtypes):
            for col, kind in enumerate(kinds):
                ax = axes[row][col]
                rows = [r for r in results if r["kind"] == kind and r["dtype"] == dtype]
                names = [n for n in COLORS if any(n in r["ms"]["forward_backward"] for r in rows)]
                x = np.arange(len(rows))
                width = 0.8 / max(1, len(names))
                for j, name in enumerate(names):
                    ms = [r["ms"]["forward_backward"].get(name, np.nan) for r in rows]
                    ax.bar(x + (j - (len(names) - 1) / 2) * width, ms, width, color=COLORS[name], label=LABELS[name])
                ax.set_yscale("log")
                ax.set_xticks(x, ["B{} T{} D{}\nH{} L{}".format(*r["config"]) for r in rows], fontsize=7)
                ax.set_title(f"{KIND_TITLES.get(kind, kind)} {dtype}, forward+backward", fontsize=9)
                ax.set_ylabel("ms (log)", fontsize=8)
        axes[0][0].legend(fontsize=7)
        fig.suptitle(title, fontsize=9)
    save(fig, path)
    return path
