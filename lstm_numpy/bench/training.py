"""The benchmark of a whole training step of the character model: forward, loss, backward,
clipping by global norm and an Adam update, as ``train chars`` runs it.

Three implementations of one step, from the same weights, on the same batch:

- **fast**: :class:`~lstm_numpy.models.CharLM` on the fast engine (its default), through
  :func:`~lstm_numpy.train.loop.train_step` with :class:`~lstm_numpy.train.optim.Adam`;
- **readable**: the same on the readable engine (the step functions);
- **torch**: the same model in PyTorch (``nn.LSTM``, ``nn.Linear``, ``F.cross_entropy`` on
  one-hot characters; autograd; ``clip_grad_norm_``; ``torch.optim.Adam``), where installed.

Timed as the layer benchmark times (:func:`~lstm_numpy.bench.run.interleaved_medians`): one
call of each in turn, the median kept. Every call is one more training step, so the weights
move from call to call; the work of a step does not depend on them.
"""
import numpy as np

from ..models import CharLM
from ..train.data import CharCorpus, package_texts
from ..train.loop import train_step
from ..train.optim import Adam
from .frameworks import torch_char_model
from .run import interleaved_medians

# (H, B, T): the demo's size (``train chars``: 128 units, 32 windows of 50 characters) and a large one
TRAINING_CONFIGS = [(128, 32, 50), (512, 64, 100)]
QUICK_TRAINING_CONFIGS = TRAINING_CONFIGS[:1]
LR, CLIP = 0.005, 5.0       # train chars' defaults
CLIP_EPS = 1e-6             # PyTorch's epsilon in clip_grad_norm_, so that the two do the same arithmetic


def corpus():
    """The demo's corpus: the project's own text, as ``train chars`` reads it by default."""
    return CharCorpus("\n".join(text for _, text in package_texts()))


def lstm_numpy_step(model, batch):
    """A function that runs one training step of ``model`` on ``batch`` and returns its loss.

    Parameters
    ----------
    model : CharLM
    batch : (inputs, targets), ints of shape (B, T) each

    Returns
    -------
    callable ``() -> float``
    """
    optimizer = Adam(model.params, lr=LR)

    def step():
        return train_step(model, optimizer, batch, CLIP, clip_eps=CLIP_EPS)[0]
    return step


def implementations(config, dtype, torch, threads, seed=0):
    """``{name: step}`` for one size and dtype, each ``step()`` one training step, and the
    first step's loss difference between lstm_numpy and PyTorch (None without PyTorch).

    Parameters
    ----------
    config : (H, B, T)
    dtype : "float64" or "float32"
    torch : the torch module, or None
    threads : int, PyTorch's thread count
    seed : int, of the weights and the batch

    Returns
    -------
    steps : dict name -> callable, "fast", "readable" and, with PyTorch, "torch"
    loss_diff : float or None, |loss of lstm_numpy's first step - PyTorch's|
    """
    H, B, T = config
    text = corpus()
    ids, targets = text.batch(B, T, np.random.default_rng(seed))          # (B, T) each
    models = {engine: CharLM(text.vocab, [H], rng=seed, dtype=dtype, engine=engine) for engine in ("fast", "readable")}
    steps = {engine: lstm_numpy_step(model, (ids, targets)) for engine, model in models.items()}
    loss_diff = None
    if torch is not None:
        steps["torch"] = torch_char_model(torch, models["fast"], ids, targets, LR, CLIP, threads)
        first = {name: steps[name]() for name in ("fast", "torch")}       # from the same weights
        loss_diff = abs(first["fast"] - first["torch"])
    return steps, loss_diff


def run_training_benchmark(configs=TRAINING_CONFIGS, dtypes=("float64", "float32"), repeats=5, warmup=1,
                           torch=None, threads=1, progress=None):
    """Time a training step at each size and dtype; one result dict each.

    Parameters
    ----------
    configs : sequence of (H, B, T)
    dtypes : "float64" and/or "float32"
    repeats, warmup : timed rounds (the median is kept) and untimed rounds before them
    torch : the torch module, or None to leave PyTorch out
    threads : PyTorch's thread count (set it to NumPy's BLAS threads)
    progress : None or a callable receiving each result as it is done

    Returns
    -------
    list of dict: model ("CharLM"), vocab (V), config (H, B, T), dtype, ms (per implementation),
    torch_loss_diff
    """
    V = len(corpus().vocab)
    results = []
    for config in configs:
        for dtype in dtypes:
            steps, loss_diff = implementations(config, dtype, torch, threads)
            medians = interleaved_medians(steps, repeats, warmup)
            result = {"model": "CharLM", "vocab": V, "config": list(config), "dtype": dtype,
                      "ms": {name: 1e3 * t for name, t in medians.items()}, "torch_loss_diff": loss_diff}
            results.append(result)
            if progress is not None:
                progress(result)
    return results
