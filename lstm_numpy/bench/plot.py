"""The benchmark's bar chart. matplotlib is imported here, inside the function, and nowhere else.

``python -m lstm_numpy.bench.plot figures/bench.json`` draws the chart of a JSON file written where
matplotlib was missing (such as an environment set up for PyTorch alone).
"""
import numpy as np

COLORS = {"fast": "#1b9e77", "readable": "#66a61e", "textbook": "#d95f02", "gemm": "#7570b3",
          "torch": "#e7298a"}
LABELS = {"fast": "lstm_numpy.fast", "readable": "readable engine", "textbook": "textbook NumPy",
          "gemm": "GEMM-only bound", "torch": "PyTorch"}
KIND_TITLES = {"gru": "gru (reset after)", "gru-rb": "gru-rb (reset before)"}


def plot_results(results, path, title="", training=()):
    """Forward+backward milliseconds per configuration, one panel per cell kind and dtype; and,
    below, the milliseconds of a training step, one panel per dtype.

    Drawn on its own figure (no pyplot state) and written by :func:`lstm_numpy.plot.save`, as
    every figure of the package: the same results give the same bytes.

    Parameters
    ----------
    results : list of dict from :func:`lstm_numpy.bench.run.run_benchmark` (may be empty)
    path : file name to save the figure to (PNG)
    title : str, above the panels
    training : list of dict from :func:`lstm_numpy.bench.training.run_training_benchmark`

    Returns
    -------
    str, ``path``
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..plot.canvas import RC, save

    kinds = list(dict.fromkeys(r["kind"] for r in results))
    dtypes = list(dict.fromkeys(r["dtype"] for r in results))
    training_dtypes = list(dict.fromkeys(r["dtype"] for r in training))
    n_rows, n_cols = len(dtypes) + bool(training), max(len(kinds), len(training_dtypes), 1)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(4.2 * n_cols, 3.4 * n_rows), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(n_rows, n_cols, squeeze=False)
        for ax in axes.flat:
            ax.set_visible(False)
        for row, dtype in enumerate(dtypes):
            for col, kind in enumerate(kinds):
                rows = [r for r in results if r["kind"] == kind and r["dtype"] == dtype]
                _bars(axes[row][col], [r["ms"]["forward_backward"] for r in rows],
                      ["B{} T{} D{}\nH{} L{}".format(*r["config"]) for r in rows],
                      f"{KIND_TITLES.get(kind, kind)} {dtype}, forward+backward")
        for col, dtype in enumerate(training_dtypes):
            rows = [r for r in training if r["dtype"] == dtype]
            _bars(axes[-1][col], [r["ms"] for r in rows],
                  ["V{} H{}\nB{} T{}".format(r["vocab"], *r["config"]) for r in rows],
                  f"{rows[0]['model']} {dtype}, a training step")
        for ax in axes.flat:
            if ax.get_visible():
                ax.legend(fontsize=7)
                break
        fig.suptitle(title, fontsize=9)
    save(fig, path)
    return path


def _bars(ax, times, labels, title):
    """Grouped bars on a log axis: one group per configuration, one bar per implementation."""
    names = [n for n in COLORS if any(n in ms for ms in times)]
    lowest = min(ms[n] for ms in times for n in names if n in ms)
    x = np.arange(len(times))
    width = 0.8 / max(1, len(names))
    for j, name in enumerate(names):
        ax.bar(x + (j - (len(names) - 1) / 2) * width, [ms.get(name, np.nan) for ms in times], width,
               color=COLORS[name], label=LABELS[name])
    ax.set_yscale("log")
    ax.set_ylim(bottom=lowest / 3)                            # every bar rises from below the shortest
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("ms (log)", fontsize=8)
    ax.set_visible(True)


def plot_json(json_path, path=None):
    """Draw the chart of a benchmark's JSON file, such as one written where matplotlib is missing.

    Parameters
    ----------
    json_path : str, a file ``python -m lstm_numpy bench`` wrote
    path : None (``json_path`` with ``.png`` in place of ``.json``) or the PNG to write

    Returns
    -------
    str, the PNG written
    """
    import json
    import os

    with open(json_path) as f:
        data = json.load(f)
    machine = data["machine"]
    title = (f"numpy {machine['numpy']} {machine['blas']} ({machine['blas_core']}), {machine['threads']} thread(s)"
             + (f"; PyTorch {machine['torch']}" if "torch" in machine else ""))
    return plot_results(data["results"], path or os.path.splitext(json_path)[0] + ".png", title,
                        data.get("training", []))


if __name__ == "__main__":
    import sys
    print(f"wrote {plot_json(*sys.argv[1:3])}")
