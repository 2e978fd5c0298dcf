"""``python -m lstm_numpy bench``: time the fast engine against a textbook NumPy implementation,
the GEMM-only bound and PyTorch (when it is installed), then a whole training step of the
character model against the readable engine and PyTorch; print the tables and the goals, write
the results to a JSON file and draw a bar chart.
"""
import os
import subprocess
import sys

from .arguments import check_output_folder, made_folder_note, nonnegative_int, positive_int

CHILD_MARK = "LSTM_NUMPY_BENCH_THREADS"
CELLS = ["lstm", "gru", "gru-rb", "rnn"]


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "bench", help="time the fast engine against a textbook version, the GEMM bound and PyTorch",
        description="Time lstm_numpy.fast (forward, and forward+backward) against a textbook NumPy "
                    "implementation, the matrix products alone (the GEMM-only bound) and PyTorch's "
                    "layers with the same thread count (left out when PyTorch is not installed); then a whole "
                    "training step of the character model (forward, backward, loss, clipping, Adam) against the "
                    "readable engine and the same model in PyTorch. Interleaved runs, median after a warm-up. "
                    "Writes DIR/bench.json and DIR/bench.png (bench_quick.* with --quick, bench_train.* with --train).")
    parser.add_argument("--quick", action="store_true",
                        help="the two small configurations only, and no training step unless --train")
    parser.add_argument("--train", action="store_true",
                        help="the training step only (with --quick: at the demo's size only)")
    parser.add_argument("--cells", nargs="+", choices=CELLS, default=CELLS,
                        help="cell kinds (default all four); gru resets after the recurrent product, as "
                             "PyTorch does, gru-rb before it, as TensorFlow 1.x's GRUCell (no textbook or "
                             "PyTorch column)")
    parser.add_argument("--dtypes", nargs="+", choices=["float64", "float32"], default=["float64", "float32"],
                        help="dtypes (default both)")
    parser.add_argument("--repeats", type=positive_int, default=5, help="timed rounds, median kept (default 5)")
    parser.add_argument("--warmup", type=nonnegative_int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--threads", type=positive_int, default=1, metavar="N",
                        help="BLAS and PyTorch threads (default 1: with more, OpenBLAS threads still "
                             "spinning after a NumPy call slow the PyTorch call timed next to it, which "
                             "biases the comparison); a count other than NumPy's current one runs the "
                             "benchmark in a child process with OPENBLAS_NUM_THREADS=N")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if installed")
    parser.add_argument("--out-dir", default="runs", metavar="DIR",
                        help="where bench.json and bench.png go (default runs, which git ignores; make bench "
                             "writes the committed figures/)")
    parser.add_argument("--no-plot", action="store_true", help="write the JSON file only")
    parser.add_argument("--levers", action="store_true",
                        help="instead of the table: the engine's levers one by one, on the LSTM at (64, 100, 128, 256, 2)")
    parser.set_defaults(func=run)
    return parser


def child_argv(args):
    """The command line of this run, to repeat it in a child process."""
    argv = ["bench", "--cells", *args.cells, "--dtypes", *args.dtypes, "--repeats", str(args.repeats),
            "--warmup", str(args.warmup), "--threads", str(args.threads), "--out-dir", args.out_dir]
    flags = {"--quick": args.quick, "--train": args.train, "--no-torch": args.no_torch, "--no-plot": args.no_plot,
             "--levers": args.levers}
    return argv + [flag for flag, on in flags.items() if on]


def run(args):
    given = [flag for flag, on in (("--quick", args.quick), ("--train", args.train), ("--cells", args.cells != CELLS),
                                   ("--no-plot", args.no_plot), ("--no-torch", args.no_torch),
                                   ("--out-dir", args.out_dir != "runs")) if on]
    if args.levers and given:
        raise ValueError(f"--levers times the LSTM at (64, 100, 128, 256, 2), without PyTorch, and writes nothing; "
                         f"{' '.join(given)} would be ignored: leave {'it' if len(given) == 1 else 'them'} out")
    if not args.levers:
        check_output_folder("--out-dir", args.out_dir)          # now, not after the benchmark
    from ..bench import machine
    threads_now, _ = machine.blas_threads()
    if args.threads != threads_now:
        if os.environ.get(CHILD_MARK):
            raise ValueError(f"expected NumPy's BLAS to use {args.threads} threads in the child process, "
                             f"it uses {threads_now}")
        n = str(args.threads)
        env = dict(os.environ, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n, MKL_NUM_THREADS=n, **{CHILD_MARK: n})
        return subprocess.call([sys.executable, "-m", "lstm_numpy", *child_argv(args)], env=env)
    return run_here(args, threads_now)


def run_here(args, threads):
    from ..bench import CONFIGS, QUICK_CONFIGS, machine, report, run_benchmark
    torch = None if args.no_torch else machine.torch_module()
    if torch is not None:
        torch.set_num_threads(threads)
    info = machine.describe(threads)
    print(f"numpy {info['numpy']}, BLAS {info['blas']} ({info['blas_core']} kernels), {info['blas_threads']} BLAS thread{'s' * (info['blas_threads'] != 1)} "
          f"({info['blas_threads_source']}), {info['cpus']} CPUs, python {info['python']}")
    if torch is None:
        print("PyTorch: " + ("left out (--no-torch)" if args.no_torch else "not installed; its column is left out"))
    else:
        print(f"PyTorch {info['torch']}, {info['torch_threads']} threads (the same as the BLAS), "
              f"oneDNN {'available' if info['torch_mkldnn'] else 'not available'}")
    print(f"median of {args.repeats} interleaved samples after {args.warmup} warm-up round(s), calls under "
          f"50 ms repeated within a sample; ratios are fast / other (below 1: fast is faster)"
          + ("" if args.train else ";\npeak = tracemalloc peak of forward+backward from fresh buffers, act = what "
                                  "BPTT keeps (x, gates, states)"))
    print()
    if args.levers:
        from ..bench.levers import lever_ladder
        config = (64, 100, 128, 256, 2)
        for dtype in args.dtypes:
            print(report.format_levers(dtype, config, *lever_ladder(config, dtype, args.repeats, args.warmup)))
        return 0
    results, training = [], []
    if not args.train:
        print(report.HEADER)
        print("-" * len(report.HEADER))
        results = run_benchmark(QUICK_CONFIGS if args.quick else CONFIGS, args.cells, args.dtypes,
                                repeats=args.repeats, warmup=args.warmup, torch=torch, threads=threads,
                                progress=lambda r: print(report.format_row(r), flush=True))
        print()
    if args.train or not args.quick:
        from ..bench.training import QUICK_TRAINING_CONFIGS, TRAINING_CONFIGS, run_training_benchmark
        print("a training step of the character model (one-hot input, one LSTM layer, a dense head at every step): "
              "forward, loss,\nbackward, clipping by global norm, Adam; fast and readable engines, and PyTorch "
              "(autograd, clip_grad_norm_, torch.optim.Adam)")
        print(report.TRAINING_HEADER)
        print("-" * len(report.TRAINING_HEADER))
        training = run_training_benchmark(QUICK_TRAINING_CONFIGS if args.quick else TRAINING_CONFIGS, args.dtypes,
                                          repeats=args.repeats, warmup=args.warmup, torch=torch, threads=threads,
                                          progress=lambda r: print(report.format_training_row(r), flush=True))
        print()
    found = report.goals(results) + report.training_goals(training)
    print(report.format_goals(found) if found else
          "no goal to judge here: they need PyTorch's column or the two large configurations")
    existed = os.path.isdir(args.out_dir)
    os.makedirs(args.out_dir, exist_ok=True)
    if not existed:
        print(made_folder_note("--out-dir", args.out_dir, existed))
    stem = "bench_train" if args.train else "bench_quick" if args.quick else "bench"   # a partial run leaves bench.* alone
    json_path = os.path.join(args.out_dir, f"{stem}.json")
    report.write_json(json_path, info, results, found, training)
    print(f"\nwrote {json_path}")
    if not args.no_plot:
        try:
            from ..bench.plot import plot_results
            title = f"numpy {info['numpy']} {info['blas']} ({info['blas_core']}), {threads} thread(s)" + (
                f"; PyTorch {info['torch']}" if torch is not None else "")
            print(f"wrote {plot_results(results, os.path.join(args.out_dir, f'{stem}.png'), title, training)}")
        except ImportError:
            print(f"matplotlib is not installed: no chart (pip install matplotlib, or draw it from the JSON file "
                  f"where matplotlib is: python -m lstm_numpy.bench.plot {json_path})")
    return 0
