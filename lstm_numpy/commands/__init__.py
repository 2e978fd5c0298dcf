"""The command line: one module per subcommand, each with ``add_parser(subparsers)``.

A subcommand's parser sets ``func``, called with the parsed arguments; it returns the exit
status. Errors from the library (ValueError, TypeError) and from files (OSError) are printed as
one line, status 2.
"""
import argparse
import importlib
import sys

COMMANDS = ["gradcheck", "train", "trace", "diagram", "bench"]


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m lstm_numpy", allow_abbrev=False,
        description="RNN, LSTM and GRU in plain NumPy: forward, hand-derived backward, checked.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(subparsers)
        subparsers.choices[name].set_defaults(command_parser=subparsers.choices[name])
        subparsers.choices[name].allow_abbrev = False        # an option is spelled out: none is guessed at
    return parser


def main(argv=None):
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args, unknown = parser.parse_known_args(argv)
    if unknown:                                 # said by the parser they were given to, with its usage line
        position = {word: i for i, word in reversed(list(enumerate(argv)))}   # the first place of each word
        before_command = args.command is None or position.get(unknown[0], 0) < position.get(args.command, 0)
        owner = parser if before_command else args.command_parser
        owner.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.argv = argv                            # what was typed, for commands whose defaults differ
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except BrokenPipeError:                     # the reader (e.g. `| head`) stopped reading
        sys.stderr.close()
        return 0
    except (ValueError, TypeError, OSError) as err:           # OSError: a file that cannot be written
        print(f"{args.command_parser.prog}: error: {err}", file=sys.stderr)
        return 2
