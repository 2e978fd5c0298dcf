"""``python -m lstm_numpy explain``: write the explorable page of one traced pass.

The configuration flags are the trace command's, and the same flags draw the same cell and
inputs, so the page shows what ``trace --backward`` prints. With ``--time-major`` the inputs and
``d_outputs`` are drawn in the batch-major order and laid out time-major, so both layouts give
the same page (the trace command draws them in the layout asked for). One HTML file, everything inline.
"""
import numpy as np

from ..explain import LIMITS, explain
from .arguments import add_cell_arguments, cell_from_arguments, check_cell_arguments, check_output_file


def add_parser(subparsers):
    limits = ", ".join(f"{what} {size}" for what, size in LIMITS.items())
    parser = subparsers.add_parser(
        "explain", help="write one HTML page that steps through a real forward and backward pass",
        description="Run dynamic_rnn once on random inputs, trace it forward and backward, and write one "
                    "self-contained HTML file (no network, opens from file://): the network unrolled, "
                    "each cell opened with every quantity's shape, values, equation and source line, "
                    "the gradients of BPTT, stepping with the arrow keys, and the per-step gradient "
                    f"contributions. At most: {limits}.")
    add_cell_arguments(parser, sizes=(20, 30), input_size=8, batch=4, steps=5)
    parser.add_argument("-o", "--output", default="explain.html", metavar="FILE",
                        help="the HTML file to write (default explain.html)")
    parser.set_defaults(func=lambda args: run(parser, args))
    return parser


def run(parser, args):
    check_cell_arguments(parser, args)
    check_output_file("-o", args.output)                      # before any work: a folder, a missing folder
    rng = np.random.default_rng(args.seed)
    cell = cell_from_arguments(args, rng)
    inputs = rng.normal(size=(args.batch, args.steps, args.input_size))  # drawn (B, T, D) in either layout:
    if args.time_major:                                                   # --time-major shows the same page
        inputs = inputs.transpose(1, 0, 2)
    lengths = None if args.lengths is None else np.array(args.lengths)
    page = explain(cell, inputs, lengths, args.time_major, seed=args.seed, path=args.output)
    print(f"wrote {args.output} ({len(page.encode('utf-8')) / 1e6:.2f} MB): open it in a browser")
    return 0
