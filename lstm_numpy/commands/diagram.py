"""``python -m lstm_numpy diagram KIND -o FILE``: draw one diagram or plot for a configuration.

The file's extension picks the format (.png or .svg). matplotlib is imported only when a
diagram is drawn, so the rest of the command line works without it.
"""
import argparse

import numpy as np

from .arguments import (MAX_SHOWN_STEPS, add_cell_arguments, cell_from_arguments, cell_option_values,
                        check_cell_arguments, check_output_file, int_at_least, nonnegative_int, positive_int)

MAX_DPI = 1200              # a print-quality PNG; the pixels are checked as well
MAX_PIXELS = 40 * 10 ** 6   # below PIL's decompression-bomb warning, readable in any viewer

KINDS = {
    "legend": "the symbols used in every diagram",
    "unrolled": "layers by steps, h up and right, c right (the article's RNN_details, lstm_detail_total)",
    "lstm-cell": "one LSTM cell's inside; --highlight forget|input|cell|output; --peepholes, --num-proj P "
                 "for TensorFlow 1.x LSTMCell's peephole and projection",
    "gru-cell": "one GRU cell's inside; --reset-before for TensorFlow 1.x's form",
    "learned-state": "the article's model with its learned initial state (LSTM_realize); --widths",
    "contract": "dynamic_rnn's layouts and sequence lengths; --lengths",
    "gates": "heatmaps of every gate of one layer over time (T=30 unless --steps)",
    "gradients": "||dL/dh_t|| over t, RNN against LSTM (--sizes 32 --steps 40 --batch 8 unless given)",
    "contributions": "each step's share of dL_t/dW_h and ||dL_t/dh_t'||, RNN vs LSTM vs GRU; --layer",
}
# Where a kind's lesson needs other defaults than the shapes of the article's stack: a gradient
# that fades over 3 steps shows nothing, and a heatmap of 3 steps little.
KIND_DEFAULTS = {"gradients": {"sizes": [32], "steps": 40, "batch": 8}, "gates": {"steps": 30}}


SHAPES = ("cell", "sizes", "input_size", "batch")        # what a diagram of shapes is drawn from
VALUES = ("seed", "reset_before", "activation", "forget_bias")   # what changes only the numbers
OPTIONS = SHAPES + VALUES + ("steps", "time_major", "lengths", "layer", "highlight", "widths", "dpi",
                             "peepholes", "num_proj", "bidirectional")
USES = {                      # the options that change each kind's figure; any other is an error
    "legend": (),
    "unrolled": SHAPES + ("steps", "time_major", "bidirectional"),
    "lstm-cell": SHAPES + ("layer", "highlight", "forget_bias", "peepholes", "num_proj"),
    "gru-cell": SHAPES + ("layer", "reset_before"),
    "learned-state": ("widths", "batch", "steps"),
    "contract": SHAPES + ("steps", "lengths"),
    "gates": ("cell", "sizes", "input_size", "steps", "layer") + VALUES,   # row 0 of the batch only
    "gradients": ("sizes", "input_size", "batch", "steps", "seed"),
    "contributions": ("sizes", "input_size", "batch", "steps", "seed", "time_major", "lengths", "layer",
                      "forget_bias"),
}


def add_parser(subparsers):
    width = max(map(len, KINDS)) + 2
    parser = subparsers.add_parser(
        "diagram", help="draw a diagram or plot from a real forward pass (PNG or SVG)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Draw one figure for a configuration; every shape in it comes from a real forward pass.\n"
                    "Long sequences and deep stacks are drawn with their middle steps and layers elided.\n\n"
                    "kinds:\n" + "\n".join(f"  {k:<{width}}{v}" for k, v in KINDS.items()))
    parser.add_argument("kind", choices=list(KINDS), metavar="KIND", help="one of " + ", ".join(KINDS))
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="output file, .png or .svg")
    add_cell_arguments(parser, sizes=(20, 30), input_size=8, batch=4, steps=3, max_steps=MAX_SHOWN_STEPS,
                       notes={"sizes": "; gradients: 32", "batch": "; gradients: 8", "steps": "; gates: 30, gradients: 40"})
    parser.add_argument("--layer", type=nonnegative_int, default=0, metavar="K",
                        help="which layer a cell diagram or the gate heatmaps show, from 0 as cell_K in params (default 0)")
    parser.add_argument("--highlight", choices=["forget", "input", "cell", "output"],
                        help="lstm-cell: draw one gate's path in red")
    parser.add_argument("--widths", type=positive_int, nargs="+", default=[8, 32, 32, 64], metavar="W",
                        help="learned-state: the article's widths [m, n_1, ...] (default 8 32 32 64)")
    parser.add_argument("--peepholes", action="store_true",
                        help="lstm-cell: every layer with peepholes (TensorFlow 1.x LSTMCell's use_peepholes)")
    parser.add_argument("--num-proj", type=positive_int, metavar="P",
                        help="lstm-cell: every layer projects its output to P columns (LSTMCell's num_proj)")
    parser.add_argument("--bidirectional", action="store_true",
                        help="unrolled: both directions of each layer (fw and bw cells of --sizes each), "
                             "as stack_bidirectional_dynamic_rnn runs them")
    parser.add_argument("--dpi", type=int_at_least(1, "a positive dpi", maximum=MAX_DPI), default=110,
                        help=f"PNG resolution (default 110, at most {MAX_DPI})")
    parser.set_defaults(func=lambda args: run(parser, args))
    return parser


def typed(parser, args, dest):
    """Whether option ``dest`` was given: typed on the command line (spelled out: the parser takes
    no abbreviation), or holding another value than its default."""
    flag = "--" + dest.replace("_", "-")
    return (getattr(args, dest) != parser.get_default(dest)
            or any(word == flag or word.startswith(flag + "=") for word in getattr(args, "argv", ())))


def unused_options(parser, args):
    """The options given that do not change ``args.kind``'s figure, as they are spelled on the
    command line (``--dpi`` changes only a PNG)."""
    uses = USES[args.kind] + (("dpi",) if args.output.lower().endswith(".png") else ())
    return ["--" + dest.replace("_", "-") for dest in OPTIONS if dest not in uses and typed(parser, args, dest)]


def kind_defaults(parser, args):
    """Set the options the kind has its own defaults for, where they were not given."""
    for dest, value in KIND_DEFAULTS.get(args.kind, {}).items():
        if not typed(parser, args, dest):
            setattr(args, dest, value)


def run(parser, args):
    if not args.output.lower().endswith((".png", ".svg")):
        parser.error(f"expected -o FILE ending in .png or .svg, got {args.output!r}")
    check_output_file("-o", args.output)                      # before anything is drawn
    unused = unused_options(parser, args)
    if unused:
        uses = ", ".join("--" + dest.replace("_", "-") for dest in USES[args.kind]) or "none"
        where = " to an .svg" if unused == ["--dpi"] else ""
        parser.error(f"{' '.join(unused)} {'does' if len(unused) == 1 else 'do'} not apply to {args.kind}{where} "
                     f"(its options: {uses})")
    kind_defaults(parser, args)
    if "layer" in USES[args.kind] and args.layer >= len(args.sizes):   # one rule for every kind that shows a layer
        parser.error(f"--layer must name one of the {len(args.sizes)} layer(s) of --sizes: expected 0 .. "
                     f"{len(args.sizes) - 1}, got {args.layer}")
    if args.kind == "gru-cell" and not typed(parser, args, "cell"):
        args.cell = "gru"
    if args.kind in ("lstm-cell", "gru-cell") and args.cell != args.kind[:-5]:
        parser.error(f"{args.kind} draws {'an LSTM' if args.kind == 'lstm-cell' else 'a GRU'} cell, got --cell {args.cell}")
    check_cell_arguments(parser, args)
    try:
        from .. import plot
        fig = draw(plot, args)
        width, height = fig.get_size_inches() * args.dpi
        if width * height > MAX_PIXELS:
            parser.error(f"this figure at --dpi {args.dpi} would be {width:.0f} x {height:.0f} pixels, more than "
                         f"{MAX_PIXELS // 10 ** 6} megapixels: lower --dpi, or draw fewer steps or layers")
        plot.save(fig, args.output, dpi=args.dpi)
    except ImportError as err:
        missing = (err.name or "").split(".")[0]
        if missing not in ("matplotlib", "PIL"):
            raise
        package = {"matplotlib": "matplotlib", "PIL": "Pillow"}[missing]
        raise ValueError(f"diagram draws with {package}, which is not installed here ({err}): pip install "
                         f"{package}, or run it with the .venv/bin/python that make sets up") from None
    print(f"wrote {args.output}")
    return 0


def bidirectional_cells(args, rng):
    """(cells_fw, cells_bw) for the flags: one cell of each --sizes value per direction, layer k
    reading [fw, bw] of layer k-1 (twice its size)."""
    from ..kinds import build_cell
    widths = [args.input_size] + [2 * size for size in args.sizes[:-1]]
    return tuple([build_cell(args.cell, [size], width, rng=rng, **cell_option_values(args))
                  for width, size in zip(widths, args.sizes)] for _ in ("fw", "bw"))


def draw(plot, args):
    """The figure ``args`` describe."""
    rng = np.random.default_rng(args.seed)
    if args.kind == "legend":
        return plot.draw_legend()
    if args.kind == "learned-state":
        return plot.draw_learned_state(args.widths, args.batch, args.steps, seed=args.seed)
    if args.kind == "gradients":
        return plot.plot_gradient_norms(plot.gradient_flow_curves(args.sizes, args.input_size, args.steps,
                                                                  args.batch, args.seed))
    if args.kind == "contributions":
        runs = plot.contribution_runs(args.sizes, args.input_size, args.steps, args.batch, args.seed,
                                      args.lengths, args.time_major, forget_bias=args.forget_bias)
        names = {"lstm": f"LSTM (forget_bias={args.forget_bias:g})"} if args.forget_bias else None
        return plot.plot_contributions(runs, layer=args.layer, names=names)
    if args.kind == "lstm-cell":
        from ..kinds import build_cell
        cell = build_cell("lstm", args.sizes, args.input_size, rng=rng, forget_bias=args.forget_bias,
                          use_peepholes=args.peepholes, num_proj=args.num_proj)
        return plot.draw_lstm_cell(cell, args.batch, args.layer, args.highlight)
    cell = cell_from_arguments(args, rng)
    if args.kind == "unrolled" and args.bidirectional:
        return plot.draw_bidirectional(*bidirectional_cells(args, rng), args.batch, args.steps, time_major=args.time_major)
    if args.kind == "unrolled":
        return plot.draw_unrolled(cell, args.batch, args.steps, time_major=args.time_major)
    if args.kind == "gru-cell":
        return plot.draw_gru_cell(cell, args.batch, args.layer)
    if args.kind == "contract":
        lengths = args.lengths                                # default: from T down to 0 across the rows
        if lengths is None:
            lengths = [args.steps * (args.batch - 1 - b) // max(1, args.batch - 1) for b in range(args.batch)]
        return plot.draw_contract(cell, args.batch, args.steps, lengths, seed=args.seed)
    return plot.plot_gates(plot.run_for_gates(cell, steps=args.steps, batch=args.batch, seed=args.seed),
                           layer=args.layer)
