"""``python -m lstm_numpy gradcheck``: prove the hand-derived backward passes on a configuration.

With no configuration flags it checks a default set that covers every cell type and variant;
with flags, the one configuration they describe. Exit status 1 if any array fails.
"""
import sys
import time

import numpy as np

from ..gradcheck import TOLERANCE, check_dynamic_rnn, random_state
from ..state import state_leaves
from .arguments import add_cell_arguments, cell_from_arguments, check_cell_arguments

DEFAULT_SET = [
    # (title, build-cell options, B, T, D, sizes, lengths, time_major)
    ("rnn tanh, two layers [5, 4], lengths [4, 2, 0]",
     dict(cell="rnn"), 3, 4, 3, [5, 4], [4, 2, 0], False),
    ("rnn relu, one layer [5], time-major",
     dict(cell="rnn", activation="relu"), 2, 3, 4, [5], None, True),
    ("lstm, the article's [20, 30] with input 8, lengths [4, 1, 0]",
     dict(cell="lstm"), 3, 4, 8, [20, 30], [4, 1, 0], False),
    ("lstm, forget_bias 1.0 (TensorFlow's BasicLSTMCell), one layer [6], time-major",
     dict(cell="lstm", forget_bias=1.0), 2, 3, 4, [6], [3, 2], True),
    ("gru reset_after=True, two layers [6, 5]",
     dict(cell="gru"), 2, 4, 3, [6, 5], [4, 3], False),
    ("gru reset_after=False (TensorFlow 1.x GRUCell), two layers [6, 5]",
     dict(cell="gru", reset_before=True), 2, 4, 3, [6, 5], None, False),
]


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "gradcheck", help="check every backward pass against central differences",
        description="Gradient check of dynamic_rnn_backward against fourth-order central "
                    "differences in float64: every parameter of every layer, the inputs and the "
                    "initial state. With no configuration flags, a default set covering every "
                    "cell type. Exit status 1 if any array fails.")
    add_cell_arguments(parser, sizes=(20, 30), input_size=8, batch=3, steps=4)
    parser.set_defaults(func=lambda args: run(parser, args))
    return parser


def configuration_given(args):
    """Whether any flag was typed after ``gradcheck`` (equal to its default or not)."""
    return any(arg.startswith("-") for arg in args.argv[args.argv.index("gradcheck") + 1:])


def randomize(cell, rng, scale=0.5):
    """Every parameter, biases too, uniform in (-scale, scale): zero biases would hide layout bugs."""
    for p in cell.params.values():
        p[...] = rng.uniform(-scale, scale, size=p.shape)


def check_one(args, title):
    rng = np.random.default_rng(args.seed)
    cell = cell_from_arguments(args, rng)
    randomize(cell, rng)
    shape = (args.steps, args.batch, args.input_size) if args.time_major else (args.batch, args.steps, args.input_size)
    inputs = rng.normal(size=shape)
    lengths = None if args.lengths is None else np.array(args.lengths)
    initial_state = random_state(cell, args.batch, rng)
    numbers = inputs.size + sum(p.size for p in cell.params.values()) + sum(s.size for s in state_leaves(initial_state))
    progress = Counter(numbers, title) if numbers * args.steps > LARGE else None
    report = check_dynamic_rnn(cell, inputs, sequence_length=lengths, initial_state=initial_state,
                               time_major=args.time_major, rng=rng, title=title, progress=progress)
    if progress is not None:
        progress.done()
    return report


LARGE = 20_000           # numbers x steps past which a check takes more than a few seconds


class Counter:
    """Says on stderr what a long check will do before it starts, then how far it is every few seconds."""

    def __init__(self, total, title, every=3.0):
        self.total, self.count, self.every = total, 0, every
        self.last = time.monotonic()
        print(f"gradcheck: {title}: {total} numbers to perturb, four forward passes each; this takes a while",
              file=sys.stderr, flush=True)

    def __call__(self, n):
        self.count += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            print(f"gradcheck: {self.count} of {self.total} numbers ({100 * self.count / self.total:.0f}%)",
                  file=sys.stderr, flush=True)

    def done(self):
        print(f"gradcheck: all {self.total} numbers checked", file=sys.stderr, flush=True)


def describe(args):
    variant = {"lstm": f" forget_bias={args.forget_bias}",
               "gru": f" reset_after={not args.reset_before}",
               "rnn": f" {args.activation}"}[args.cell]
    layout = "time-major" if args.time_major else "batch-major"
    lengths = "" if args.lengths is None else f", lengths {args.lengths}"
    return (f"{args.cell}{variant}, sizes {args.sizes}, D={args.input_size}, B={args.batch}, "
            f"T={args.steps}, {layout}{lengths}, seed {args.seed}")


def run(parser, args):
    if configuration_given(args):
        check_cell_arguments(parser, args)
        reports = [check_one(args, describe(args))]
    else:
        reports = []
        for title, options, B, T, D, sizes, lengths, time_major in DEFAULT_SET:
            one = parser.parse_args([])           # the defaults, then this entry's settings
            one.__dict__.update(options, batch=B, steps=T, input_size=D, sizes=sizes,
                                lengths=lengths, time_major=time_major)
            reports.append(check_one(one, title))
    failed = 0
    for report in reports:
        print(report)
        print()
        failed += not report.passed
    worst = max(r.max_error for r in reports)
    rows = sum(len(r.rows) for r in reports)
    if failed:
        print(f"gradcheck FAILED: {failed} of {len(reports)} configuration{'s' * (len(reports) != 1)} have an array above "
              f"{TOLERANCE:.0e}; worst relative error {worst:.2e}")
        return 1
    print(f"gradcheck passed: {rows} arrays in {len(reports)} configuration{'s' * (len(reports) != 1)}, worst relative "
          f"error {worst:.2e} (tolerance {TOLERANCE:.0e})")
    return 0
