"""Whole models built on the textbook's cells: a recurrent stack, an initial state, a dense head, a loss.

- :mod:`.dense`: the dense (fully connected) head, forward and backward;
- :mod:`.losses`: mean squared error and masked softmax cross-entropy;
- :mod:`.initial_state`: learned initial states (the article's encoder from x_0, per-layer vectors);
- :mod:`.regressor`: :class:`SequenceRegressor` and the article's :class:`ArticleLSTM`;
- :mod:`.charlm`: :class:`CharLM`, a character language model.
"""
from .charlm import CharLM
from .regressor import ArticleLSTM, Model, SequenceRegressor

__all__ = ["Model", "SequenceRegressor", "ArticleLSTM", "CharLM"]
