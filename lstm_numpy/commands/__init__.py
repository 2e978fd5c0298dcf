"""The command line: one module per subcommand, each with ``add_parser(subparsers)``.

A subcommand's parser sets ``func``, called with the parsed arguments; it returns the exit
status. Errors from the library (ValueError, TypeError) and from files (OSError) are printed as
one line, status 2.
"""
import argparse
import importlib
import sys

COMMANDS = ["gradcheck", "train", "trace", "diagram", "bench", "explain"]


class Parser(argparse.ArgumentParser):
    """The parser of the command line and of each (sub)command, which its subcommands inherit.

    An option is spelled out: an abbreviation is an unknown option, not a guess. The parser
    that parses last sets ``command_parser`` to itself, so errors name the (sub)command typed,
    such as ``python -m lstm_numpy train sine``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)
        self.set_defaults(command_parser=self)


def version():
    """The installed version (setup.cfg reads it from ``lstm_numpy.__version__``)."""
    from importlib.metadata import PackageNotFoundError, version as installed
    try:
        return installed("lstm_numpy")
    except PackageNotFoundError:                # run from a checkout that was never installed
        return "(not installed: pip install -e . to give it one)"


def build_parser():
    parser = Parser(prog="python -m lstm_numpy",
                    description="RNN, LSTM and GRU in plain NumPy: forward, hand-derived backward, checked.")
    parser.add_argument("--version", action="version", version=f"lstm_numpy {version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")   # of the class Parser too
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(subparsers)
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
    except (ValueError, TypeError, OSError, FloatingPointError) as err:   # OSError: a file that cannot be written
        print(f"{args.command_parser.prog}: error: {err}", file=sys.stderr)
        return 2
