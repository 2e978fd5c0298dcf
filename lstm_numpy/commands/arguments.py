"""Argument types and the cell-configuration flags shared by several subcommands."""
import argparse
import os

from ..checks import MAX_SIZE, check_bytes, write_error


def int_at_least(minimum, what, maximum=MAX_SIZE):
    """An argparse type: an integer in [``minimum``, ``maximum``], named ``what`` in its error.

    Every count a user types is held to the library's one limit on sizes (MAX_SIZE) unless a
    flag says otherwise, so no flag can ask for an allocation that cannot fit.
    """
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected {what} <= {maximum}, got {value}")
        return value
    parse.__name__ = what.replace(" ", "_")      # argparse names the type in some messages
    return parse


positive_int = int_at_least(1, "a positive integer")
nonnegative_int = int_at_least(0, "a non-negative integer")
seed_int = int_at_least(0, "a non-negative integer", maximum=2 ** 63 - 1)


def pass_bytes(kind, sizes, input_size, batch, steps, itemsize=8):
    """The memory one forward and backward pass of this configuration needs, from the sizes alone.

    The weights, and per step and layer the input, the gate blocks, the states and their
    gradients: an estimate within a small factor, enough to refuse what cannot fit.
    """
    from ..kinds import CELL_CLASSES
    blocks = CELL_CLASSES[kind].n_blocks
    widths = [input_size, *sizes]
    weights = sum(blocks * h * (d + h + 2) for d, h in zip(widths, sizes))
    per_step = input_size + sum((2 * blocks + 6) * h for h in sizes)
    return itemsize * (weights + batch * steps * per_step)


MAX_SHOWN_STEPS = 1000     # steps a command prints or draws in full (trace, diagram): seconds, not minutes


def add_cell_arguments(parser, *, sizes=(20, 30), input_size=8, batch=3, steps=4, notes=None,
                       max_steps=MAX_SIZE):
    """``--cell --sizes --input-size --batch --steps --time-major --lengths --reset-before
    --activation --forget-bias --seed``; ``notes`` adds to a default's help text, by option name."""
    notes = notes or {}
    group = parser.add_argument_group("configuration")
    group.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm", help="cell type (default lstm)")
    group.add_argument("--sizes", type=positive_int, nargs="+", default=list(sizes), metavar="H",
                       help=f"hidden size of each layer, bottom first (default {' '.join(map(str, sizes))}"
                            f"{notes.get('sizes', '')})")
    group.add_argument("--input-size", type=positive_int, default=input_size, metavar="D",
                       help=f"input features D (default {input_size})")
    group.add_argument("--batch", type=positive_int, default=batch, metavar="B",
                       help=f"batch size B (default {batch}{notes.get('batch', '')})")
    group.add_argument("--steps", type=int_at_least(1, "a positive integer", maximum=max_steps), default=steps,
                       metavar="T",
                       help=f"time steps T (default {steps}{notes.get('steps', '')})")
    group.add_argument("--time-major", action="store_true", help="inputs laid out (T, B, D)")
    group.add_argument("--lengths", type=nonnegative_int, nargs="+", metavar="LEN",
                       help="sequence_length: one integer in [0, T] per row of the batch")
    group.add_argument("--reset-before", action="store_true",
                       help="GRU with the reset before the recurrent product (TensorFlow 1.x GRUCell)")
    group.add_argument("--activation", choices=["tanh", "relu"], default="tanh", help="RNN activation (default tanh)")
    group.add_argument("--forget-bias", type=float, default=0.0, help="LSTM forget_bias (default 0.0)")
    group.add_argument("--seed", type=seed_int, default=0, help="random seed (default 0)")
    return group


def check_cell_arguments(parser, args):
    """Errors argparse cannot see alone: flags that do not fit the cell, lengths that do not fit B or T."""
    from ..kinds import OptionError, cell_options
    try:
        cell_options(args.cell, **cell_option_values(args))
    except OptionError as e:                                   # the library's rule, in the flags' words
        parser.error(f"{FLAGS[e.option]} applies to --cell {' or '.join(e.applies_to)}, got --cell {args.cell}")
    try:
        check_bytes(f"--cell {args.cell} --sizes {' '.join(map(str, args.sizes))} --input-size {args.input_size} "
                    f"--batch {args.batch} --steps {args.steps}",
                    pass_bytes(args.cell, args.sizes, args.input_size, args.batch, args.steps))
    except ValueError as e:
        parser.error(str(e))
    if args.lengths is not None:
        if len(args.lengths) != args.batch:
            parser.error(f"--lengths needs one value per row: expected B={args.batch} values, "
                         f"got {len(args.lengths)}")
        if max(args.lengths) > args.steps:
            parser.error(f"--lengths values must be in [0, T={args.steps}], got {max(args.lengths)}")


FLAGS = {"activation": "--activation", "reset_after": "--reset-before", "forget_bias": "--forget-bias"}


def cell_option_values(args):
    """The cell options the flags give, by the library's names (``--reset-before`` is ``reset_after=False``)."""
    return {"activation": args.activation, "reset_after": not args.reset_before, "forget_bias": args.forget_bias}


def cell_from_arguments(args, rng):
    """The cell the configuration flags describe."""
    from ..kinds import build_cell
    return build_cell(args.cell, args.sizes, args.input_size, rng=rng, **cell_option_values(args))


def check_output_folder(option, path):
    """A ValueError before any work when ``path``, where a command will write its files, is a file,
    lies below one, or is a folder no file can be made in (nor in the folder it would be made in);
    a missing folder is made when the files are written, and the command says so then.

    Returns
    -------
    bool, whether the folder exists already
    """
    parts = os.fspath(path).split(os.sep)
    for end in range(1, len(parts) + 1):                      # each leading part as typed: "f/../d" passes through f
        leading = os.sep.join(parts[:end]) or os.sep
        if os.path.exists(leading) and not os.path.isdir(leading):
            where = ", a file" if end == len(parts) else f" below the file {leading!r}"
            raise ValueError(f"expected {option} as a folder to write into, got {path!r}{where}")
    existing = os.path.abspath(os.fspath(path))
    while not os.path.isdir(existing):                        # the folder itself, or where it would be made
        existing = os.path.dirname(existing)
    problem = write_error(existing)
    if problem:
        raise ValueError(f"expected {option} as a folder to write into, got {path!r}: no file can be made in "
                         f"{existing!r} ({problem}); name a folder you can write to")
    return os.path.isdir(os.fspath(path))


def made_folder_note(option, path, existed):
    """The line a command prints when it made the folder ``path`` for ``option`` ("" if it existed).

    Parameters
    ----------
    option : str, the flag, such as ``"--figures"``
    path : str, the folder
    existed : bool, what :func:`check_output_folder` returned before the work

    Returns
    -------
    str
    """
    return "" if existed else f"made the folder {path} ({option}), which did not exist"


def check_output_file(option, path):
    """A ValueError before any work when the file ``path`` cannot be written where it is named:
    the path a folder, its folder missing or a file, or no file can be made there. Says what to do."""
    path = os.fspath(path)
    folder = os.path.dirname(path) or os.curdir
    if os.path.isdir(path):
        raise ValueError(f"expected {option} FILE, got {path!r}, a folder: name a file in it")
    parts = folder.split(os.sep)
    for end in range(1, len(parts) + 1):                      # as check_output_folder: "f/../d" passes through f
        leading = os.sep.join(parts[:end]) or os.sep
        if os.path.exists(leading) and not os.path.isdir(leading):
            raise ValueError(f"expected {option} FILE in a folder, got {path!r}: {leading!r} is a file "
                             "(name a path in a folder)")
    if not os.path.isdir(folder):
        raise ValueError(f"expected {option} FILE in an existing folder, got {path!r}: there is no folder "
                         f"{folder!r} (make it first: mkdir -p {folder})")
    problem = write_error(folder)                             # can a file be made there at all?
    if problem:
        raise ValueError(f"expected {option} FILE where a file can be written, got {path!r}: "
                         f"{problem} in {folder!r} (name a file in another folder)")
