"""``python -m lstm_numpy trace``: step through one forward pass, quantity by quantity
(``--backward``: and through its backward pass, gradient by gradient).

Prints, for every step and layer, each named array in the article's notation with its shape
(and with ``--values`` its values), read from a real ``dynamic_rnn`` run on random inputs.
"""
import numpy as np

from ..trace import trace
from .arguments import MAX_SHOWN_STEPS, add_cell_arguments, cell_from_arguments, check_cell_arguments


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "trace", help="step through one forward pass: every named array with its shape",
        description="Run dynamic_rnn once on random inputs and print, step by step and layer by "
                    "layer, every quantity a step uses or computes (input, previous state, the "
                    "concat [x, h], each weight w_j^k and bias b_j^k, each gate, c and h), named "
                    "in the article's notation with its shape.")
    add_cell_arguments(parser, sizes=(20, 30), input_size=8, batch=4, steps=3, max_steps=MAX_SHOWN_STEPS)
    parser.add_argument("--values", action="store_true", help="also print each array's values (summarised)")
    parser.add_argument("--backward", action="store_true",
                        help="also trace the backward pass (BPTT) of L = sum(outputs * d_outputs), d_outputs "
                             "drawn with --seed: every gradient with its equation and the line computing it")
    parser.set_defaults(func=lambda args: run(parser, args))
    return parser


def run(parser, args):
    check_cell_arguments(parser, args)
    rng = np.random.default_rng(args.seed)
    cell = cell_from_arguments(args, rng)
    shape = (args.steps, args.batch, args.input_size) if args.time_major else (args.batch, args.steps, args.input_size)
    inputs = rng.normal(size=shape)
    lengths = None if args.lengths is None else np.array(args.lengths)
    tr = trace(cell, inputs, sequence_length=lengths, time_major=args.time_major, backward=args.backward,
               seed=args.seed)
    print(tr.format(values=args.values))
    return 0
