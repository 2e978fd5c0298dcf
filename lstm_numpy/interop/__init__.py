"""Carry weights and gradients between lstm_numpy and PyTorch, TensorFlow 1.x and Keras.

Plain NumPy arrays in and out: no framework is imported. docs/conventions.md sets the
three layouts side by side.

    from_torch(state_dict, kind, *, dtype)       -> MultiRNNCell
    to_torch(cell, params=None)                  -> dict, or list of dicts
    from_tf(variables, *, forget_bias, dtype, cell_clip, proj_clip) -> cell, or MultiRNNCell
    to_tf(cell, params=None, *, scope="rnn")     -> dict
    from_keras(weights, kind, *, reset_after, dtype) -> cell, or MultiRNNCell
    to_keras(cell, params=None)                  -> list of arrays

Every to_* converts the cell's weights when params is None, and a gradient when given
grads.params from dynamic_rnn_backward. Both directions: from_torch gives (cells_fw, cells_bw)
for a state_dict with ``_reverse`` names, from_tf a pair for the fw/ and bw/ scopes, and
to_torch and to_tf take such pairs back (with the bidirectional backward's grads.params).
"""
from .keras_layout import from_keras, to_keras
from .tf_layout import from_tf, to_tf
from .torch_layout import from_torch, to_torch

__all__ = ["from_torch", "to_torch", "from_tf", "to_tf", "from_keras", "to_keras"]
