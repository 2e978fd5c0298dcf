"""``python -m lstm_numpy train sine|chars``: the two demos that learn.

``train sine``: the article's many-to-one task, the next value of a noisy sine window, scored
against the naive forecast that repeats the last value. ``train chars``: a character language
model, scored in bits per character against the corpus's unigram entropy.

Progress goes to stderr; the results go to stdout: the table of held-out evaluations, the files
written (unless ``--quiet``), and last the headline numbers. Files go to ``runs/`` by default,
which git ignores; ``make figures`` alone redraws the committed figures in ``figures/``.
"""
import argparse
import os
import sys

import numpy as np

from ..models import ArticleLSTM, CharLM, SequenceRegressor
from ..plot import training as plot_training
from ..train import checkpoint
from ..train.data import CharCorpus, naive_forecast, package_texts, read_text, sine_windows
from ..train.loop import train
from ..train.tbptt import TruncatedBPTT, stream_windows
from ..train.optim import OPTIMIZERS
from .arguments import check_output_folder, made_folder_note, nonnegative_int, positive_int, seed_int


def positive_float(text):
    """An argparse type: a float > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not 0 < value < float("inf"):                          # NaN fails both sides
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {value}")
    return value


def add_common(parser, *, steps, batch, lr, clip):
    """The flags both tasks take; ``steps`` and ``lr`` are default texts, the values are set by each task."""
    parser.add_argument("--steps", type=positive_int, help=f"training steps (default {steps})")
    parser.add_argument("--batch", type=positive_int, default=batch, metavar="B", help=f"batch size (default {batch})")
    parser.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam", help="default adam")
    parser.add_argument("--lr", type=positive_float, help=f"learning rate (default {lr})")
    parser.add_argument("--clip", type=positive_float, default=clip,
                        help=f"clip gradients to this global norm (default {clip})")
    parser.add_argument("--seed", type=seed_int, default=0, help="random seed: weights and batches (default 0)")
    parser.add_argument("--evals", type=positive_int, default=5, help="held-out evaluations during training (default 5)")
    parser.add_argument("--figures", default="runs", metavar="DIR",
                        help="where the figures go when matplotlib is installed (default runs, which git ignores)")
    parser.add_argument("--no-figures", action="store_true", help="write no figures")
    parser.add_argument("--save", metavar="PATH", help="write a checkpoint (.npz) here after training")
    parser.add_argument("--quiet", action="store_true", help="no progress line and no list of the files written")
    parser.add_argument("--engine", choices=["fast", "readable"], default="fast",
                        help="fast: lstm_numpy.fast (default); readable: the step functions, to step through "
                             "with a debugger (same numbers, slower)")


def add_parser(subparsers):
    parser = subparsers.add_parser("train", help="train a model on a demo task (sine or chars)",
                                   description="Train a model on one of the two demo tasks.")
    tasks = parser.add_subparsers(dest="task", metavar="TASK", required=True)
    sine = tasks.add_parser("sine", help="next value of noisy sine windows (many-to-one regression)",
                            description="The article's many-to-one task: windows of noisy sine waves of random "
                                        "frequency, phase and length (10 to 30 steps); predict the next value. "
                                        "Scored against the naive forecast that repeats the last value.")
    sine.add_argument("--model", choices=["regressor", "article"], default="regressor",
                      help="regressor: LSTM stack [20, 30] + dense head; article: ArticleLSTM "
                           "(widths [1, 32, 32, 64], time-major, learned initial state from x_0)")
    sine.add_argument("--heldout", type=positive_int, default=1000, metavar="N",
                      help="held-out windows for the evaluation (default 1000)")
    add_common(sine, steps="1500, or 800 with --model article", batch=32, lr="0.01, or 0.005 with --model article",
               clip=1.0)
    sine.set_defaults(func=run_sine)
    chars = tasks.add_parser("chars", help="character language model",
                             description="A character language model. Default corpus: the project's own "
                                         "README, docs and source text; --text takes any UTF-8 file.")
    chars.add_argument("--text", metavar="FILE", help="a UTF-8 text file (default: the project's own text)")
    chars.add_argument("--sizes", type=positive_int, nargs="+", default=[128], metavar="H",
                       help="hidden size of each LSTM layer (default 128)")
    chars.add_argument("--embed", type=positive_int, metavar="E",
                       help="learn an embedding of this width instead of one-hot input (for large alphabets)")
    chars.add_argument("--seq-len", type=positive_int, default=50, metavar="T", help="steps per window (default 50)")
    chars.add_argument("--tbptt", type=positive_int, metavar="K",
                       help="truncated BPTT: train on consecutive windows of K characters of --batch streams, "
                            "the state carried from each window to the next, the gradient stopped at its start "
                            "(default: random windows of --seq-len from zeros)")
    chars.add_argument("--sample", type=nonnegative_int, default=300, metavar="N", help="characters to sample at the end (default 300)")
    chars.add_argument("--temperature", type=positive_float, default=0.7, help="sampling temperature (default 0.7)")
    add_common(chars, steps=800, batch=32, lr=0.005, clip=5.0)
    chars.set_defaults(func=run_chars)
    return parser


def progress_stream(args):
    return None if args.quiet else sys.stderr


def make_optimizer(args, model):
    return OPTIMIZERS[args.optimizer](model.params, lr=args.lr)


def check_figures_folder(args):
    """A ValueError now, not after training, when ``--figures`` names something that is not a folder
    or a folder that cannot be written; remembers whether the folder exists, for :func:`finish`."""
    args.figures_existed = True
    if not args.no_figures:
        args.figures_existed = check_output_folder("--figures", args.figures)


def finish(args, model, history, figures):
    """The checkpoint first (the trained model matters most), then the figures. Returns the lines
    that say where each went, printed after the results table (the files are written before
    anything is printed, which a closed pipe could stop); ``--quiet`` lists no file."""
    said = []
    if args.save:
        checkpoint.save(model, args.save, extra={"steps": args.steps, "seed": args.seed})
        said.append(f"checkpoint: {args.save}")
    if not args.no_figures:
        if plot_training.available():
            said.append(f"figures: {', '.join(figures())}")
            said.append(made_folder_note("--figures", args.figures, args.figures_existed))
        else:
            said.append("figures: skipped (matplotlib is not installed)")
    return [line for line in said if line and (not args.quiet or "skipped" in line or line.startswith("made"))]


def with_defaults(args, steps, lr):
    args.steps = steps if args.steps is None else args.steps
    args.lr = lr if args.lr is None else args.lr
    return args


def run_sine(args):
    if args.save:
        checkpoint.check_writable(args.save)                 # fail now, not after training
    check_figures_folder(args)
    article = args.model == "article"
    with_defaults(args, 800 if article else 1500, 0.005 if article else 0.01)
    rng = np.random.default_rng(args.seed)
    if args.model == "article":
        model = ArticleLSTM(1, rng=rng, engine=args.engine)
    else:
        model = SequenceRegressor(1, [20, 30], rng=rng, engine=args.engine)
    layout = (lambda x: x.transpose(1, 0, 2)) if args.model == "article" else (lambda x: x)
    x_val, len_val, y_val = sine_windows(args.heldout, rng=args.seed + 1000)         # held out: its own stream
    naive = float(np.mean((naive_forecast(x_val, len_val) - y_val) ** 2))

    def next_batch(step):
        x, lengths, y = sine_windows(args.batch, rng)
        return layout(x), y, lengths

    def evaluate(model):
        pred, _ = model.predict(layout(x_val), len_val)
        return float(np.mean((pred - y_val) ** 2))

    print(f"train sine: {type(model).__name__} {model.config.get('sizes') or model.config['widths']}, "
          f"{args.steps} steps of {args.batch} windows, {args.optimizer} lr {args.lr}, clip {args.clip}, "
          f"seed {args.seed}, {args.engine} engine")
    history = train(model, make_optimizer(args, model), next_batch, args.steps, clip=args.clip,
                    evaluate=evaluate, eval_every=max(1, args.steps // args.evals), stream=progress_stream(args),
                    loss_unit="MSE")
    mse = history["eval"][-1][1]

    def figures():
        loss_path = os.path.join(args.figures, "sine_loss.png")
        pred_path = os.path.join(args.figures, "sine_predictions.png")
        plot_training.loss_curve(history, loss_path, title="train sine", ylabel="mean squared error", baseline=naive,
                                 baseline_label="naive forecast (held-out)")
        pred, _ = model.predict(layout(x_val), len_val)
        plot_training.sine_predictions(x_val, len_val, y_val, pred, pred_path)
        return [loss_path, pred_path]

    said = finish(args, model, history, figures)              # the files first: a reader gone loses none
    print(f"{'step':>6}  held-out MSE  (naive forecast {naive:.5f})")
    for step, value in history["eval"]:
        print(f"{step:>6}  {value:.5f}")
    for line in said:                                         # where the files went, after the results
        print(line)
    print(f"held-out MSE {mse:.5f}, naive forecast MSE {naive:.5f}, ratio {mse / naive:.4f}")
    return 0


def run_chars(args):
    with_defaults(args, 800, 0.005)
    if args.save:
        checkpoint.check_writable(args.save)
    check_figures_folder(args)
    if args.text:
        text, source = read_text(args.text), args.text
    else:
        texts = package_texts()
        text, source = "\n".join(t for _, t in texts), f"the project's own text ({len(texts)} files)"
    corpus = CharCorpus(text)
    rng = np.random.default_rng(args.seed)
    model = CharLM(corpus.vocab, args.sizes, embed_size=args.embed, rng=rng, engine=args.engine)
    unigram = corpus.unigram_bits()
    held = corpus.heldout_batches(64, args.seq_len)

    def evaluate(_):                                          # the model itself: no carried state
        nats = sum(model.forward(x, y)[0] * x.size for x, y in held) / sum(x.size for x, _ in held)
        return nats / np.log(2)                                                 # bits per character

    print(f"train chars: {source}: {len(text)} characters, {len(corpus.vocab)} distinct, "
          f"{len(corpus.heldout)} held out; unigram entropy {unigram:.3f} bits/char")
    print(f"model: CharLM lstm {args.sizes}, {args.steps} steps of {args.batch} x {args.seq_len} characters, "
          f"{args.optimizer} lr {args.lr}, clip {args.clip}, seed {args.seed}, {args.engine} engine")
    learner, next_batch = model, lambda step: corpus.batch(args.batch, args.seq_len, rng)
    if args.tbptt:
        windows = stream_windows(corpus.train, args.batch, args.tbptt)
        learner, next_batch = TruncatedBPTT(model), lambda step: next(windows)
        print(f"truncated BPTT: {args.batch} streams of {len(corpus.train) // args.batch} characters in windows of "
              f"{args.tbptt}, the state carried from window to window")
    history = train(learner, make_optimizer(args, model), next_batch,
                    args.steps, clip=args.clip, evaluate=evaluate, eval_every=max(1, args.steps // args.evals),
                    stream=progress_stream(args), loss_unit="nats/char")           # the model's cross-entropy
    bits = history["eval"][-1][1]

    def figures():
        path = os.path.join(args.figures, "chars_loss.png")
        history_bits = {"loss": list(np.asarray(history["loss"]) / np.log(2)), "eval": history["eval"]}
        plot_training.loss_curve(history_bits, path, title="train chars", ylabel="bits per character",
                                 baseline=unigram, baseline_label="unigram entropy")
        return [path]

    said = finish(args, model, history, figures)              # the files first: a reader gone loses none
    print(f"{'step':>6}  held-out bits/char")
    for step, value in history["eval"]:
        print(f"{step:>6}  {value:.3f}")
    if args.sample > 0:
        print(f"sample (temperature {args.temperature}):")
        prime = "\n" if "\n" in corpus.vocab else ""
        print(model.sample(args.sample, prime=prime, temperature=args.temperature, rng=args.seed))
        print("-" * 40)
    for line in said:
        print(line)
    print(f"held-out {bits:.3f} bits/char, unigram {unigram:.3f} bits/char, ratio {bits / unigram:.4f}")
    return 0
