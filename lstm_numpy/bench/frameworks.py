"""PyTorch's ``nn.LSTM``, ``nn.GRU`` and ``nn.RNN`` with the same weights, for the comparison,
and a training step of the character model in PyTorch.

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


def torch_char_model(torch, model, ids, targets, lr, clip, threads):
    """A function that runs one PyTorch training step of the character model ``model`` (an
    lstm_numpy CharLM of one LSTM layer, one-hot input), from its weights, and returns its loss.

    One step: one-hot characters, ``nn.LSTM``, ``nn.Linear`` at every step, ``F.cross_entropy``
    averaged over every position, autograd, ``clip_grad_norm_`` and ``torch.optim.Adam``. The
    LSTM's ``bias_hh`` stays at zero outside the optimiser: ``bias_ih`` is lstm_numpy's one bias
    (an optimiser stepping both would move their sum twice as far).

    Parameters
    ----------
    torch : the torch module
    model : CharLM, one LSTM layer, no embedding
    ids, targets : ints of shape (B, T), a batch and its next characters
    lr, clip : Adam's learning rate and the global-norm bound
    threads : int, PyTorch's thread count

    Returns
    -------
    callable ``() -> float``
    """
    torch.set_num_threads(threads)
    dtype = torch.float64 if model.cell.dtype == np.float64 else torch.float32
    V = len(model.vocab)
    (layer,) = model.cell.cells
    lstm = torch.nn.LSTM(layer.input_size, layer.hidden_size, batch_first=True, dtype=dtype)
    lstm.load_state_dict({name: torch.from_numpy(np.ascontiguousarray(a)) for name, a in to_torch(model.cell).items()})
    lstm.bias_hh_l0.requires_grad_(False)
    W, b = model.head.params["W"], model.head.params["b"]
    head = torch.nn.Linear(*W.shape, dtype=dtype)
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
        head.bias.copy_(torch.from_numpy(b))
    params = [p for module in (lstm, head) for p in module.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=lr)
    ids, targets = torch.from_numpy(ids), torch.from_numpy(targets).reshape(-1)

    def step():
        optimizer.zero_grad(set_to_none=True)
        x = torch.nn.functional.one_hot(ids, V).to(dtype)                       # (B, T, V)
        logits = head(lstm(x)[0])                                                 # (B, T, V)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, clip)
        optimizer.step()
        return loss.item()
    return step
