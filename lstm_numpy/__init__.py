"""lstm_numpy: RNN, LSTM and GRU in plain NumPy, forward and hand-derived backward (BPTT).

The modules at this level are the textbook, read in this order: ``activations`` and ``state``,
the cell protocol in ``cell``, one layer each in ``rnn``, ``lstm`` and ``gru``, the stack in
``multi``, the time loop (TensorFlow 1.x ``dynamic_rnn``) in ``time_loop``, both directions in
``bidirectional`` and ``stack_bidirectional``, cells around a cell in ``wrappers`` and
``dropout``, then ``gradcheck`` (every backward pass against central differences), ``trace``
(one pass, quantity by quantity) and ``bptt`` (its backward pass, gradient by gradient).
Everything else lives in rooms named for what it holds: ``models``, ``train``, ``plot``,
``interop``, ``fast``, ``bench``, ``explain`` (the explorable page), ``clinic`` (the common BPTT
mistakes, planted one at a time into a copy of the code) and ``commands``. docs/index.md is the
guide.
"""
import sys

from .gru import GRUCell
from .lstm import LSTMCell
from .multi import MultiRNNCell
from .rnn import RNNCell
from .state import LSTMState
from .time_loop import Grads, dynamic_rnn, dynamic_rnn_backward, gate_history
from .bidirectional import bidirectional_dynamic_rnn, bidirectional_dynamic_rnn_backward, reverse_sequence
from .wrappers import ResidualWrapper
from .dropout import DropoutWrapper
from .stack_bidirectional import stack_bidirectional_dynamic_rnn, stack_bidirectional_dynamic_rnn_backward
from . import fast, gradcheck, interop
from .models import ArticleLSTM, CharLM, SequenceRegressor
from .train import checkpoint

# ``lstm_numpy.checkpoint`` is the name checkpoints have always been loaded by; the module lives in train/.
sys.modules[__name__ + ".checkpoint"] = checkpoint

__version__ = "0.1.0"

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "MultiRNNCell", "LSTMState", "dynamic_rnn",
           "dynamic_rnn_backward", "Grads", "gate_history",
           "bidirectional_dynamic_rnn", "bidirectional_dynamic_rnn_backward", "reverse_sequence",
           "stack_bidirectional_dynamic_rnn", "stack_bidirectional_dynamic_rnn_backward", "ResidualWrapper", "DropoutWrapper", "gradcheck", "interop", "fast",
           "SequenceRegressor", "ArticleLSTM", "CharLM", "checkpoint"]
