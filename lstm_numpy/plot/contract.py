"""The dynamic_rnn contract: layouts in and out, and what sequence lengths do.

Top: inputs, outputs and final state in the batch-major and the time-major layout, with the
shapes two real calls returned. Bottom: a batch with sequence lengths, drawn from a real run:
each output cell is grey where ``dynamic_rnn`` returned zeros, and each row's final state is
linked to the step whose state it equals (a length-0 row keeps its initial state).
"""
import numpy as np

from ..state import map_state
from ..time_loop import dynamic_rnn, gate_history
from .canvas import HSTATE, LAYER, MUTED, WEIGHTS, arrow, box, new_figure, shape_text, text
from .unrolled import dots, shown

MAX_STEPS, MAX_ROWS = 6, 6   # drawn in full up to these; beyond, the middle is elided


def top_h(cell, state):
    """The top layer's h of a state structure of ``cell``."""
    return cell.cells[-1].state_arrays(cell.split_layers(state)[-1])["h"]


def state_text(cell, state):
    """The structure of a state with its shapes, one layer a line: ``LSTMState(c (3, 20), h (3, 20))``."""
    def layer_text(layer, s):
        arrays = layer.state_arrays(s)
        if len(arrays) == 1:
            return f"h {arrays['h'].shape}"
        return f"{type(s).__name__}(" + ", ".join(f"{part} {a.shape}" for part, a in arrays.items()) + ")"
    lines = [layer_text(layer, s) for layer, s in zip(cell.cells, cell.split_layers(state))]
    if len(lines) > 4:                                        # the middle layers elided, as in the diagrams
        lines = lines[:2] + [f"... layers 2 to {len(lines) - 2} ..."] + lines[-1:]
    return "(" + ",\n ".join(lines) + ")" if cell.stacked else lines[0]


def draw_contract(cell, batch=3, steps=4, lengths=(4, 2, 0), seed=0):
    """Draw the dynamic_rnn contract for ``cell`` with a batch of ``batch`` rows and ``steps`` steps.

    Parameters
    ----------
    cell : RNNCell, LSTMCell, GRUCell or MultiRNNCell
    batch, steps : int, B and T
    lengths : sequence of B ints in [0, T], the ``sequence_length`` of the bottom panel
    seed : int, for the random inputs and initial state

    Returns
    -------
    matplotlib.figure.Figure
    """
    rng = np.random.default_rng(seed)
    D = cell.input_size
    lengths = np.asarray(lengths)
    x = rng.normal(size=(batch, steps, D))                    # (B, T, D)
    initial = map_state(lambda s: rng.uniform(-0.5, 0.5, size=s.shape), cell.zero_state(batch))
    outputs, final, cache = dynamic_rnn(cell, x, sequence_length=lengths, initial_state=initial)
    outputs_tm, final_tm, _ = dynamic_rnn(cell, x.transpose(1, 0, 2), time_major=True)
    hs = gate_history(cache, "h", layer=len(cell.cells) - 1)

    # The bottom panel has one row per row of the batch; the figure grows with it, upwards. Past
    # MAX_STEPS steps or MAX_ROWS rows the middle ones are elided, as in the unrolled diagrams.
    cols, rows = shown(steps, MAX_STEPS), shown(batch, MAX_ROWS)
    cw, chh, gap, x0, dw = 1.15, 0.5, 0.25, 2.35, 0.5

    def left(j):                                              # the left edge of the j-th drawn column
        return x0 + sum(dw if t is None else cw for t in cols[:j])

    ytop = 0.45 + len(rows) * (chh + gap)                     # the top of the rows, room below for the last note
    fx = left(len(cols)) + 0.7                                   # the final states' column
    y0 = ytop + 0.95                                          # the lower edge of the top panel's inputs box
    fig, ax = new_figure(max(10.4, fx + 2.5), y0 + 2.45)  # room at the right for the notes "= initial state"
    text(ax, 0.15, y0 + 2.25, f"dynamic_rnn contract, {describe_cell(cell)}", ha="left", weight="bold")
    box(ax, 0.2, y0, 2.9, 1.9, "inputs\n\nbatch-major (default)\n(B, T, D) = "
        f"{shape_text(x.shape)}\n\ntime_major=True\n(T, B, D) = {shape_text(x.transpose(1, 0, 2).shape)}",
        fc=WEIGHTS, size=8)
    box(ax, 3.7, y0 + 0.55, 2.4, 0.8, "dynamic_rnn(cell, inputs,\nsequence_length, initial_state,\ntime_major)",
        fc=LAYER, size=8)
    arrow(ax, [(3.1, y0 + 0.95), (3.7, y0 + 0.95)])
    arrow(ax, [(6.1, y0 + 1.25), (6.7, y0 + 1.25)])
    arrow(ax, [(6.1, y0 + 0.65), (6.7, y0 + 0.65)])
    box(ax, 6.7, y0 + 1.05, 3.5, 0.95, "outputs: the top layer's h at every step\n"
        f"(B, T, H) = {shape_text(outputs.shape)}\ntime-major (T, B, H) = {shape_text(outputs_tm.shape)}",
        fc=WEIGHTS, size=8)
    box(ax, 6.7, y0 - 0.15, 3.5, 1.05, "final_state (same in both layouts)\n" + state_text(cell, final), fc=WEIGHTS, size=8)
    given = "[" + ", ".join("..." if b is None else str(int(lengths[b])) for b in rows) + "]"
    elided = [f"steps 2 to {steps - 2}" if None in cols else "", f"rows 2 to {batch - 2}" if None in rows else ""]
    elided = " and ".join(e for e in elided if e)
    text(ax, 0.15, ytop + 0.45, f"sequence_length = {given}: outputs zero at and past "
         "a row's length, its state carried to the end" + (f" ({elided} not drawn)" if elided else ""),
         ha="left", weight="bold", size=8.5)
    part = ("[-1]" if cell.stacked else "") + (".h" if len(cell.cells[-1].state_parts) > 1 else "")
    text(ax, x0 - 1.0, ytop + 0.05, f"initial_state{part}", size=8, va="bottom")
    text(ax, fx + 0.55, ytop + 0.05, f"final_state{part}", size=8, va="bottom")
    for j, t in enumerate(cols):
        if t is None:
            dots(ax, left(j) + dw / 2, ytop + 0.15)
            continue
        text(ax, left(j) + cw / 2, ytop + 0.05, f"outputs[:, {t}]", size=8, va="bottom")
    for i, b in enumerate(rows):
        y = ytop - (i + 1) * (chh + gap)
        if b is None:
            for xc in [x0 - 1.0, fx + 0.55] + [left(j) + (dw if t is None else cw) / 2 for j, t in enumerate(cols)]:
                dots(ax, xc, y + chh / 2, vertical=True)
            continue
        text(ax, 0.15, y + chh / 2, f"row {b}\nlength {lengths[b]}", ha="left", size=8)
        box(ax, x0 - 1.5, y, 1.0, chh, f"h {shape_text(top_h(cell, initial)[b].shape)}", fc="white", size=8)
        for j, t in enumerate(cols):
            if t is None:
                dots(ax, left(j) + dw / 2, y + chh / 2)
                continue
            zero = bool(np.all(outputs[b, t] == 0))           # what dynamic_rnn returned, not a rule
            label = ("0 " if zero else f"$h_{{{t}}}$ ") + shape_text(outputs[b, t].shape)
            ink = MUTED if zero else HSTATE
            box(ax, left(j) + 0.08, y, cw - 0.16, chh, label, fc="#e6e6e6" if zero else LAYER, ec=ink,
                size=8, color=ink)
        box(ax, fx, y, 1.1, chh, f"h {shape_text(top_h(cell, final)[b].shape)}", fc="white", size=8)
        source = [t for t in range(steps) if np.array_equal(hs[t, b], top_h(cell, final)[b])]
        if source:
            t = source[-1]
            j = cols.index(t) if t in cols else cols.index(None)          # an elided step: from the dots
            start = (left(j) + (cw - 0.08 if t in cols else dw / 2), y + chh / 2 if t in cols else y)
            label = f"= $h_{{{t}}}$ (last valid step)"
        else:
            start = (x0 - 0.5, y + chh / 2)
            label = "= initial state (length 0)"
        arrow(ax, [start, (start[0], y - 0.1), (fx + 0.55, y - 0.1), (fx + 0.55, y)], color=MUTED, lw=1.0)
        text(ax, fx + 0.7, y - 0.1, label, ha="left", size=8, color=MUTED)
    return fig


def describe_cell(cell):
    """A short text of a cell: kind and sizes."""
    layers = cell.cells
    return f"{type(layers[0]).__name__} layers {[c.hidden_size for c in layers]}, D={cell.input_size}"

