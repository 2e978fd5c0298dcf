"""The training loop: mini-batches, one optimiser step each, clipping, evaluation, progress.

One step is ``loss, cache = model.forward(*batch)``, ``grads = model.backward(cache)``, then
clipping by global norm (here, never inside a backward pass) and ``optimizer.step(grads)``.
The model runs on its own engine, ``model.engine``: the fast one unless set otherwise
(``train(..., engine="readable")`` sets it).
Every random draw comes from the ``next_batch`` function's own generator, so a seed fixes the
whole run.
"""
import sys
import time

import numpy as np

from .optim import clip_by_global_norm


EXPLODED = 1e6        # a loss this many times the first step's (or 1.0, if larger) stops the run


def format_seconds(seconds):
    """``m:ss`` (or ``h:mm:ss``) for a progress line.

    Parameters
    ----------
    seconds : float

    Returns
    -------
    str
    """
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """A progress line: step, loss, steps per second, time left.

    On a terminal it is one line rewritten in place (at most every ``interval`` seconds); in a
    log file or pipe it is a plain line every ``every`` steps, so a log stays readable.

    Parameters
    ----------
    total : int, the number of steps
    stream : a text stream (sys.stderr by default), or None for silence
    every : int, steps between plain lines when ``stream`` is not a terminal
    interval : float, seconds between rewrites on a terminal
    unit : str, the loss's unit, shown after it (such as "nats/char"), or "" for none
    """

    def __init__(self, total, stream=None, *, every=100, interval=0.2, unit=""):
        self.total, self.stream, self.every, self.interval = total, stream, every, interval
        self.unit = f" {unit}" if unit else ""
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.last_draw = 0.0

    def line(self, step, loss):
        """The progress text at ``step``, with no line ending.

        Parameters
        ----------
        step : int, steps done
        loss : float, the latest loss

        Returns
        -------
        str
        """
        elapsed = time.perf_counter() - self.start
        rate = step / elapsed if elapsed > 0 else 0.0
        left = (self.total - step) / rate if rate > 0 else 0.0
        return (f"step {step}/{self.total}  loss {loss:.4g}{self.unit}  {rate:.1f} steps/s  "
                f"time left {format_seconds(left)}")

    def update(self, step, loss):
        """Show the progress after ``step`` when it is time to (see the class).

        Parameters
        ----------
        step : int, steps done
        loss : float, the latest loss

        Returns
        -------
        None
        """
        if self.stream is None:
            return
        now = time.perf_counter()
        if self.tty:
            if now - self.last_draw >= self.interval or step == self.total:
                self.stream.write("\r" + self.line(step, loss).ljust(70))
                self.stream.flush()
                self.last_draw = now
        elif step % self.every == 0 or step == self.total:
            self.stream.write(self.line(step, loss) + "\n")
            self.stream.flush()

    def done(self):
        """End the line rewritten in place on a terminal."""
        if self.stream is not None and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def train_step(model, optimizer, batch, clip=None, *, clip_eps=0.0):
    """One step on one batch: forward, backward, clip by global norm, update.

    Parameters
    ----------
    model : a model with ``forward(*batch) -> (loss, cache)`` and ``backward(cache) -> grads``
    optimizer : an :mod:`lstm_numpy.train.optim` optimiser built on ``model.params``
    batch : tuple of ``model.forward``'s arguments, such as inputs (B, T, D) and targets (B, K)
    clip : None or float, the global-norm bound
    clip_eps : float, added to the norm before dividing (0: TensorFlow's clipping; 1e-6:
        PyTorch's ``clip_grad_norm_``), see :func:`~lstm_numpy.train.optim.clip_by_global_norm`

    Returns
    -------
    loss : float, the batch's loss before the update
    norm : float, the global gradient norm before clipping (None without ``clip``)
    """
    loss, cache = model.forward(*batch)
    grads = model.backward(cache)
    if clip is not None:
        grads, norm = clip_by_global_norm(grads, clip, eps=clip_eps, in_place=True)   # the step's own arrays
    else:
        norm = None
    optimizer.step(grads)
    if not np.isfinite(loss) or not all(np.isfinite(p).all() for p in model.params.values()):
        rate = getattr(optimizer, "lr", None)
        raise FloatingPointError(
            f"training diverged: the loss was {loss} and the update left non-finite weights; the learning "
            f"rate{f' ({rate:g})' if rate is not None else ''} is the likely cause: try a smaller one"
            + ("" if clip is not None else ", or clip the gradients by global norm"))
    return loss, norm


def train(model, optimizer, next_batch, steps, *, clip=None, clip_eps=0.0, evaluate=None, eval_every=None,
          stream=sys.stderr, log_every=100, loss_unit="", engine=None):
    """Train ``model`` for ``steps`` mini-batches.

    Parameters
    ----------
    model : a model with ``forward(*batch) -> (loss, cache)`` and ``backward(cache) -> grads``
    optimizer : an :mod:`lstm_numpy.train.optim` optimiser built on ``model.params``
    next_batch : callable ``step -> batch``, a tuple of ``model.forward``'s arguments
    steps : int
    clip : None or float, the global-norm bound applied to every step's gradients
    clip_eps : float, as for :func:`train_step`
    evaluate : None or callable ``model -> float``, e.g. the held-out loss
    eval_every : None or int; ``evaluate`` runs every ``eval_every`` steps and after the last
    stream : where the progress line goes (None for silence)
    log_every : steps between plain progress lines in a log
    loss_unit : str, the training loss's unit for the progress line (such as "nats/char")
    engine : None (the model's own, ``model.engine``), or "fast" or "readable": set as
        ``model.engine`` before the first step, so the run (evaluations included) and what
        follows use it

    Returns
    -------
    history : dict with ``"loss"`` (every step's training loss) and ``"eval"`` (a list of
        ``(step, value)``, starting with step 0 when ``evaluate`` is given)
    """
    if engine is not None:
        model.engine = engine                                 # the model's engine from now on
    history = {"loss": [], "eval": []}
    if evaluate is not None:
        history["eval"].append((0, float(evaluate(model))))
    progress = Progress(steps, stream, every=log_every, unit=loss_unit)
    for step in range(1, steps + 1):
        loss, _ = train_step(model, optimizer, next_batch(step), clip, clip_eps=clip_eps)
        if loss > EXPLODED * max(history["loss"][0] if history["loss"] else loss, 1.0):
            rate = getattr(optimizer, "lr", None)
            raise FloatingPointError(
                f"training diverged at step {step}: the loss grew to {loss:.4g}, more than {EXPLODED:g} times the "
                f"first step's; the learning rate{f' ({rate:g})' if rate is not None else ''} is the likely cause: "
                "try a smaller one" + ("" if clip is not None else ", or clip the gradients by global norm"))
        history["loss"].append(loss)
        progress.update(step, loss)
        if evaluate is not None and ((eval_every and step % eval_every == 0) or step == steps):
            if not history["eval"] or history["eval"][-1][0] != step:
                history["eval"].append((step, float(evaluate(model))))
    progress.done()
    return history
