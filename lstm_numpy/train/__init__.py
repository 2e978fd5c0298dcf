"""Training the models: optimisers, the loop, the demo data, checkpoints.

- :mod:`.optim`: SGD and Adam, clipping by global norm (never inside a backward pass);
- :mod:`.loop`: mini-batches, one optimiser step each, evaluation, progress;
- :mod:`.tbptt`: truncated BPTT, consecutive windows of a stream with the state carried;
- :mod:`.data`: noisy sine windows and a character corpus;
- :mod:`.checkpoint`: a model's configuration and arrays in one ``.npz`` file.
"""
from . import checkpoint
from .loop import train, train_step
from .optim import OPTIMIZERS, SGD, Adam, clip_by_global_norm, global_norm

__all__ = ["checkpoint", "train", "train_step", "OPTIMIZERS", "SGD", "Adam", "clip_by_global_norm",
           "global_norm"]
