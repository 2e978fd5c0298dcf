"""``python -m lstm_numpy clinic``: the mistakes people make in BPTT, planted one at a time.

Without a name it lists the catalogue; with a name it plants that mistake into a copy of the
code, runs the clinic's configuration (two layers, sequence lengths with 0 and T) and prints what
a learner would see: the gradient check with the arrays that fail and by how much, the step
functions' own check, and the first quantity where the planted traces part from the true ones.
``--all`` runs every mistake and prints one line each. docs/clinic.md explains them.
"""
import time


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "clinic", help="the common BPTT mistakes, planted one at a time: what the checks and the trace show",
        description="Without NAME, list the catalogue of BPTT mistakes. With NAME, plant that mistake "
                    "into a copy of the code (the library is not touched), run two layers over a batch "
                    "whose sequence lengths include 0 and T, and show the gradient check, the step "
                    "functions' own check and the first quantity that diverges from the true code.")
    parser.add_argument("name", nargs="?", metavar="NAME", help="a mistake of the catalogue (see the list)")
    parser.add_argument("--all", action="store_true", help="run every mistake, one line each")
    parser.set_defaults(func=lambda args: run(parser, args))
    return parser


def listing():
    """The catalogue, one mistake a line: its name, its file and function, and what it is."""
    from ..clinic.catalogue import MISTAKES
    width = max(len(m.name) for m in MISTAKES) + 2
    lines = [f"{len(MISTAKES)} mistakes; `python -m lstm_numpy clinic NAME` plants one, "
             "`python -m lstm_numpy clinic --all` runs them all:"]
    for m in MISTAKES:
        lines.append(f"  {m.name:<{width}}{m.title}")
        lines.append(f"  {'':<{width}}({m.file}, {m.function})")
    return "\n".join(lines)


def run_all():
    """Every mistake examined, one line each: the check's verdict and the first quantity that diverges."""
    from ..clinic.catalogue import MISTAKES
    from ..clinic.examine import examine
    width = max(len(m.name) for m in MISTAKES) + 2
    start = time.perf_counter()
    print(f"{'mistake':<{width}}{'true':<6}{'planted':<9}{'worst':<10}{'step':<6}first quantity that diverges")
    for m in MISTAKES:
        d = examine(m.name)
        v = d.divergence
        where = "none" if v is None else (f"{'forward ' if v.forward else ''}{v.label} at t={v.t}"
                                          + (f", {v.where.module.rsplit('.', 1)[-1]}.py:{v.where.line}" if v.where else ""))
        print(f"{m.name:<{width}}{'pass' if d.true_check.passed else 'FAIL':<6}"
              f"{'pass' if d.planted_check.passed else 'FAIL':<9}{d.planted_check.max_error:<10.1e}"
              f"{'pass' if d.step_check.passed else 'FAIL':<6}{where}", flush=True)
    print(f"{len(MISTAKES)} mistakes in {time.perf_counter() - start:.1f} s")


def run(parser, args):
    if args.all:
        if args.name is not None:
            parser.error("give NAME or --all, not both")
        run_all()
        return 0
    if args.name is None:
        print(listing())
        return 0
    from ..clinic.catalogue import BY_NAME
    from ..clinic.examine import examine
    if args.name not in BY_NAME:
        parser.error(f"expected a mistake of the catalogue ({', '.join(BY_NAME)}), got {args.name!r}")
    print(examine(args.name).format())
    return 0
