"""PyTorch's ``nn.LSTM``, ``nn.GRU`` and ``nn.RNN`` with the same weights, for the comparison.

PyTorch is imported only here and only when it is installed; lstm_numpy never depends on it.
Its gate orders are the same as lstm_numpy's (i, f, g, o and r, z, n with the reset after the
product); its weights are the transposes, and its two biases take ``b`` and zeros.
"""
import numpy as np

from ..interop import to_torch
from ..multi import MultiRNNCell


def torch_runners(torch, kind, cells, x, d_outputs, threads):
    """``forward, forward_backward`` functions for PyTorch's layer, and its outputs (B, T, H).

    The layer gets the weights of ``cells`` (a list, bottom first, all of one hidden size).
    """
    torch.set_num_threads(threads)
    dtype = torch.float64 if x.dtype == np.float64 else torch.float32
    layer_class = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind]
    layer = layer_class(cells[0].input_size, cells[0].hidden_size, num_layers=len(cells),
                        batch_first=True, dtype=dtype)
    state_dict = to_torch(MultiRNNCell(cells))                # PyTorch's names and layout, one dict
    layer.load_state_dict({name: torch.from_numpy(np.ascontiguousarray(a)) for name, a in state_dict.items()})
    xt = torch.from_numpy(x).requires_grad_(True)
    dt = torch.from_numpy(np.ascontiguousarray(d_outputs))

    def forward():
        return layer(xt)[0]

    def forward_backward():
        xt.grad = None
        layer.zero_grad(set_to_none=True)
        layer(xt)[0].backward(dt)

    return forward, forward_backward, forward().detach().numpy()
