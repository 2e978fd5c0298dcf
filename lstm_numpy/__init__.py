"""lstm_numpy: RNN, LSTM and GRU in plain NumPy, forward and hand-derived backward (BPTT).

Every backward pass is checked against central differences (:mod:`lstm_numpy.gradcheck`),
and the whole-sequence functions follow TensorFlow 1.x ``dynamic_rnn``.
"""
from .dynamic_rnn import Grads, dynamic_rnn, dynamic_rnn_backward, gate_history
from .gru import GRUCell
from .lstm import LSTMCell
from .multi import MultiRNNCell
from .rnn import RNNCell
from .state import LSTMState
from .models import ArticleLSTM, SequenceRegressor
from .charlm import CharLM
from . import checkpoint, fast, gradcheck, interop

__version__ = "0.1.0"

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "MultiRNNCell", "LSTMState", "dynamic_rnn",
           "dynamic_rnn_backward", "Grads", "gate_history", "gradcheck", "interop", "fast",
           "SequenceRegressor", "ArticleLSTM", "CharLM", "checkpoint"]
