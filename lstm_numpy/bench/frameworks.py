"""PyTorch's ``nn.LSTM``, ``nn.GRU`` and ``nn.RNN`` with the same weights, for the comparison.

PyTorch is imported only here and only when it is installed; lstm_numpy never depends on it.
Its gate orders are the same as lstm_numpy's (i, f, g, o and r, z, n with the reset after the
product); its weights are the transposes, and its two biases take ``b`` and zeros.
"""
import numpy as np

from ..gru import GRUCell


def torch_runners(torch, kind, cells, x, d_outputs, threads):
    """``forward, forward_backward`` functions for PyTorch's layer, and its outputs (B, T, H).

    The layer gets the weights of ``cells`` (a list, bottom first, all of one hidden size).
    """
    torch.set_num_threads(threads)
    dtype = torch.float64 if x.dtype == np.float64 else torch.float32
    layer_class = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind]
    layer = layer_class(cells[0].input_size, cells[0].hidden_size, num_layers=len(cells),
                        batch_first=True, dtype=dtype)
    with torch.no_grad():
        for k, cell in enumerate(cells):
            p = cell.params
            getattr(layer, f"weight_ih_l{k}").copy_(torch.from_numpy(p["W_x"].T.copy()))
            getattr(layer, f"weight_hh_l{k}").copy_(torch.from_numpy(p["W_h"].T.copy()))
            b_x, b_h = (p["b_x"], p["b_h"]) if isinstance(cell, GRUCell) else (p["b"], np.zeros_like(p["b"]))
            getattr(layer, f"bias_ih_l{k}").copy_(torch.from_numpy(b_x.copy()))
            getattr(layer, f"bias_hh_l{k}").copy_(torch.from_numpy(b_h.copy()))
    xt = torch.from_numpy(x).requires_grad_(True)
    dt = torch.from_numpy(np.ascontiguousarray(d_outputs))

    def forward():
        return layer(xt)[0]

    def forward_backward():
        xt.grad = None
        layer.zero_grad(set_to_none=True)
        layer(xt)[0].backward(dt)

    return forward, forward_backward, forward().detach().numpy()
