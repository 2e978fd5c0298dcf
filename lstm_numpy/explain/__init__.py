"""The explorable page: one self-contained HTML file in which a reader clicks and steps through a
real forward and backward pass.

:func:`explain` runs :func:`~lstm_numpy.dynamic_rnn` once, traces it forward
(:mod:`lstm_numpy.trace`) and backward (:mod:`lstm_numpy.bptt`), measures the per-step gradient
contributions (:func:`~lstm_numpy.gradient_flow.step_contributions`) and writes one HTML file
with that data, its styles and its script inline: nothing is fetched when it opens (its
Content-Security-Policy forbids any request), so it works from ``file://`` with no network.

The page shows the network unrolled (layers by steps, each node a heatmap of h, and c for an
LSTM), one cell opened on click (every quantity with its shape, values, equation and the line
of lstm_numpy that computes it), a switch to the gradients of the backward trace, stepping
through the forward pass and then BPTT with the arrow keys, and the contribution matrices.
docs/explain.md walks through it. This room imports the textbook; the textbook never imports it.
"""
import json
from pathlib import Path

from .data import LIMITS, decode, encode, page_data

__all__ = ["explain", "render", "page_data", "LIMITS", "encode", "decode", "sequence"]

HERE = Path(__file__).parent
NAMES = {"rnn": "an RNN", "lstm": "an LSTM", "gru": "a GRU"}


def render(data, title=None):
    """The page's HTML for ``data`` from :func:`~lstm_numpy.explain.data.page_data`.

    Parameters
    ----------
    data : dict from ``page_data``, its arrays (such as a gate of shape (B, H)) encoded
    title : None or str, the page's title (one is made from the configuration if None)

    Returns
    -------
    str, the whole HTML document
    """
    config = data["config"]
    if title is None:
        layers = len(config["n"])
        title = f"lstm_numpy, explained: {NAMES[config['kind']]}, {layers} layer{'s' * (layers != 1)}, " \
                f"forward and backward over T = {config['T']} step{'s' * (config['T'] != 1)}"
    # "</" could end the script element early: JSON allows "<\/" for it
    text = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    page = (HERE / "page.html").read_text(encoding="utf-8")
    parts = {"__STYLE__": (HERE / "page.css").read_text(encoding="utf-8"),
             "__SCRIPT__": (HERE / "page.js").read_text(encoding="utf-8"),
             "__TITLE__": _escape(title)}
    for marker, value in parts.items():
        page = page.replace(marker, value)
    return page.replace("__DATA__", text)


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def explain(cell, inputs, sequence_length=None, time_major=False, *, seed=0, path=None, title=None):
    """Trace one pass of ``cell`` over ``inputs`` forward and backward and write the explorable page.

    Parameters
    ----------
    cell : a cell or MultiRNNCell, of at most ``LIMITS`` layers, units, input features
    inputs : ndarray of shape (B, T, D), or (T, B, D) with ``time_major`` (the same page either way)
    sequence_length : None or ints of shape (B,)
    time_major : bool, the layout of ``inputs``
    seed : int, draws ``d_outputs`` of the loss ``L = sum(outputs * d_outputs)``
    path : None or a file name: where to write the page
    title : None or str, the page's title

    Returns
    -------
    str, the HTML document (also written to ``path`` when given)

    Examples
    --------
    >>> import numpy as np
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.LSTMCell(8, 20, rng=0), ln.LSTMCell(20, 30, rng=1)])
    >>> page = explain(cell, np.zeros((4, 2, 8)))                      # (s, T, m)
    >>> page.startswith("<!doctype html>"), "://" in page
    (True, False)
    """
    data = page_data(cell, inputs, sequence_length, time_major, seed)
    page = render(data, title)
    if path is not None:
        Path(path).write_text(page, encoding="utf-8")
    return page


def sequence(data):
    """The page's stepping order: its forward entries, then its backward entries.

    Parameters
    ----------
    data : dict from :func:`~lstm_numpy.explain.data.page_data`

    Returns
    -------
    list of (pass, t, k, name) tuples, pass ``"forward"`` or ``"backward"``
    """
    return [("forward", e["t"], e["k"], e["name"]) for e in data["forward"]] + \
           [("backward", e["t"], e["k"], e["name"]) for e in data["backward"]]

