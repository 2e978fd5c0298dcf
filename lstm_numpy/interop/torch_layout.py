"""PyTorch nn.RNN / nn.LSTM / nn.GRU state dicts <-> lstm_numpy cells.

PyTorch stores weight_ih_l{k} as (kH, D) and computes x @ weight_ih.T, so W_x is its
transpose; its gate order (LSTM i, f, g, o; GRU r, z, n) is lstm_numpy's. nn.LSTM(proj_size=P)
adds weight_hr_l{k} (P, H), which is W_proj.T: h = (o * tanh(c)) @ weight_hr.T, and then
weight_hh_l{k} is (4H, P). LSTM and RNN
layers carry two biases that only ever appear as a sum; GRU layers keep both, since the
recurrent one sits inside the reset gate's product (reset_after=True).

A bidirectional module (``bidirectional=True``) holds the backward direction under the same
names with ``_reverse`` appended; layer k > 0 of either direction reads both directions of
layer k-1, so its ``weight_ih_l{k}`` is (kH, 2H).
"""
import re
from collections.abc import Mapping

import numpy as np

from ..multi import MultiRNNCell

from ..checks import check_range
from .layers import GATES, axis_size, check_kind, check_names, check_options, check_shape, fold_forget_bias, kind_of
from .layers import check_stack_params, is_direction_pair, layer_arrays, layers_of, new_layer

NAME = re.compile(r"^(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?$")
REVERSE = "_reverse"


def from_torch(state_dict, kind, *, dtype=np.float64):
    """A MultiRNNCell holding a PyTorch module's weights.

    Parameters
    ----------
    state_dict : mapping of str to ndarray, or list of such mappings
        One module's state_dict (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`,
        `bias_hh_l0`, `weight_ih_l1`, ...), as NumPy arrays. A stack whose layers differ
        in size comes as a list, one state_dict per module, stacked in order. Layer k's
        ``weight_ih_lk`` is (kH, D), ``weight_hh_lk`` (kH, H), each bias (kH,): (4H, D) and
        (4H,) for an LSTM, (3H, D) for a GRU, (H, D) for an RNN. An nn.LSTM with proj_size=P
        has ``weight_hr_lk`` (P, H) too, and its ``weight_hh_lk`` is (4H, P).
    kind : {"lstm", "gru", "rnn_tanh", "rnn_relu"}
        nn.LSTM, nn.GRU, or nn.RNN with nonlinearity "tanh" or "relu".
    dtype : the cells' dtype.

    Returns
    -------
    MultiRNNCell, one layer per PyTorch layer; LSTM layers have forget_bias=0.0 (and
    num_proj=P with a projection) and GRU layers reset_after=True, as PyTorch computes them.
    For a bidirectional module (names ending ``_reverse``), ``(cells_fw, cells_bw)``: two
    lists of one-layer cells, bottom first, for :func:`lstm_numpy.stack_bidirectional_dynamic_rnn`.

    Examples
    --------
    >>> import numpy as np
    >>> import lstm_numpy as ln
    >>> rng = np.random.default_rng(0)
    >>> sd = {"weight_ih_l0": rng.normal(size=(24, 4)), "weight_hh_l0": rng.normal(size=(24, 6)),
    ...       "bias_ih_l0": rng.normal(size=24), "bias_hh_l0": rng.normal(size=24)}
    >>> cell = ln.interop.from_torch(sd, "lstm")           # nn.LSTM(4, 6): D=4, H=6
    >>> cell.params["cell_0/W_x"].shape, cell.params["cell_0/b"].shape
    ((4, 24), (24,))
    """
    check_kind(kind)
    if isinstance(state_dict, Mapping):
        modules = [("state_dict", state_dict)]
    elif isinstance(state_dict, (list, tuple)) and state_dict and all(
            isinstance(m, Mapping) for m in state_dict):
        modules = [(f"state_dict[{j}]", m) for j, m in enumerate(state_dict)]
    else:
        raise TypeError("state_dict must be a mapping of names to arrays, or a non-empty "
                        f"list of such mappings, got {type(state_dict).__name__}")
    for where, module in modules:
        check_names(where, module)
    if any(name.endswith(REVERSE) for _, module in modules for name in module):
        return _directions_from_torch(modules, kind, dtype)
    layers = []
    for where, module in modules:
        for k in range(_count_layers(where, module)):
            input_size = layers[-1].output_size if layers else None
            layers.append(_layer_from_torch(where, module, k, kind, input_size, dtype))
    return MultiRNNCell(layers)


def _directions_from_torch(modules, kind, dtype):
    """(cells_fw, cells_bw) of bidirectional modules: the ``_reverse`` names hold the backward
    direction; layer k > 0 reads both directions of layer k-1 (D = H_fw + H_bw)."""
    cells_fw, cells_bw = [], []
    for where, module in modules:
        forward = {name: v for name, v in module.items() if not name.endswith(REVERSE)}
        backward = {name[:-len(REVERSE)]: v for name, v in module.items() if name.endswith(REVERSE)}
        L = _count_layers(where, forward)
        L_bw = _count_layers(where, backward, REVERSE)
        if L_bw != L:
            raise ValueError(f"{where}: {L} layers forward but {L_bw} with _reverse names")
        for k in range(L):
            input_size = cells_fw[-1].output_size + cells_bw[-1].output_size if cells_fw else None
            cells_fw.append(_layer_from_torch(where, forward, k, kind, input_size, dtype))
            cells_bw.append(_layer_from_torch(where, backward, k, kind, input_size, dtype, suffix=REVERSE))
    return cells_fw, cells_bw


def _count_layers(where, module, suffix=""):
    """Number of layers in one state_dict, after checking that its names make sense; ``suffix``
    (``"_reverse"``) is appended to the names an error gives."""
    unknown = sorted(name for name in module if not NAME.match(name))
    if unknown:
        raise ValueError(
            f"{where}: unexpected names {unknown}; lstm_numpy reads weight_ih_l{{k}}, "
            "weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (and weight_hr_l{k} with proj_size, and "
            "the _reverse twins of a bidirectional module)")
    ks = sorted({int(NAME.match(name).group(2)) for name in module})
    if not ks:
        raise ValueError(f"{where}: no weights in it (expected weight_ih_l0, weight_hh_l0, ...)")
    for k in range(ks[-1] + 1):
        missing = [f"{w}_l{k}{suffix}" for w in ("weight_ih", "weight_hh") if f"{w}_l{k}" not in module]
        if missing:
            raise ValueError(f"{where}: missing {missing}")
        biases = [f"{b}_l{k}" for b in ("bias_ih", "bias_hh")]
        present = [b for b in biases if b in module]
        if len(present) == 1:
            raise ValueError(f"{where}: has {present[0]}{suffix} but not its partner "
                             f"{(set(biases) - set(present)).pop()}{suffix}")
    return ks[-1] + 1


def _layer_from_torch(where, module, k, kind, input_size, dtype, suffix=""):
    gates = GATES[kind]
    gH = f"{gates}H" if gates > 1 else "H"
    weight_hh, weight_ih = module[f"weight_hh_l{k}"], module[f"weight_ih_l{k}"]
    weight_hr = module.get(f"weight_hr_l{k}")                 # (P, H) with proj_size, else absent
    if weight_hr is not None and kind != "lstm":
        raise ValueError(f"{where}: weight_hr_l{k}{suffix} belongs to an nn.LSTM with proj_size, got kind {kind!r}")
    if weight_hr is None:
        H = axis_size(weight_hh, 1, 2)
        P, recurrent = H, "H"
    else:
        H, P = axis_size(weight_hr, 1, 2), axis_size(weight_hr, 0, 2)
        weight_hr = check_shape(f"{where}['weight_hr_l{k}{suffix}']", weight_hr, (P, H), ("P", "H"), cell_dtype=dtype)
        recurrent = "P"
    D = input_size if input_size is not None else axis_size(weight_ih, 1, 2)
    gH_size = None if H is None else gates * H
    weight_hh = check_shape(f"{where}['weight_hh_l{k}{suffix}']", weight_hh, (gH_size, P), (gH, recurrent),
                            cell_dtype=dtype)
    weight_ih = check_shape(f"{where}['weight_ih_l{k}{suffix}']", weight_ih, (gates * H, D), (gH, "D"), cell_dtype=dtype)
    if f"bias_ih_l{k}" in module:
        bias_ih = check_shape(f"{where}['bias_ih_l{k}{suffix}']", module[f"bias_ih_l{k}"],
                              (gates * H,), (gH,), cell_dtype=dtype)
        bias_hh = check_shape(f"{where}['bias_hh_l{k}{suffix}']", module[f"bias_hh_l{k}"],
                              (gates * H,), (gH,), cell_dtype=dtype)
    else:  # a module built with bias=False
        bias_ih = bias_hh = np.zeros(gates * H)

    arrays = {"W_x": weight_ih.T, "W_h": weight_hh.T}  # (D, kH), (H, kH) or (P, 4H)
    options = {}
    if weight_hr is not None:
        arrays["W_proj"] = weight_hr.T                      # (H, P)
        options["num_proj"] = P
    if kind == "gru":
        arrays.update(b_x=bias_ih, b_h=bias_hh)
    else:
        arrays["b"] = np.add(bias_ih, bias_hh, dtype=np.result_type(bias_ih, np.float64))   # no float16 overflow
        check_range(f"{where}['bias_ih_l{k}{suffix}'] + {where}['bias_hh_l{k}{suffix}']", arrays["b"], dtype)   # each fits, the sum may not
    return new_layer(kind, D, H, arrays, dtype=dtype, forget_bias=0.0, reset_after=True, **options)


def to_torch(cell, params=None):
    """A cell's weights (params=None) or gradients (params=grads.params) as state_dicts.

    Returns one dict (`weight_ih_l0`, ...) when every layer has the same hidden size, as
    one PyTorch module would hold them; otherwise a list of one-layer dicts (names `_l0`),
    one per module to stack.

    Weights: LSTM and RNN layers put their one bias in `bias_ih` and zeros in `bias_hh`;
    an LSTM's run-time forget_bias is added to its forget-gate block, since PyTorch has none.
    An LSTM with num_proj=P writes `weight_hr_l{k}` = W_proj.T (P, H); PyTorch has no
    peepholes and no clips, so a layer with those is a ValueError.
    Gradients: both PyTorch biases receive the one bias's gradient (their sum is that bias).

    A pair ``(cells_fw, cells_bw)`` of lists of one-layer cells (as :func:`from_torch` gives for
    a bidirectional module) is written with ``_reverse`` names for the backward direction; its
    gradients are the ``grads.params`` of :func:`lstm_numpy.stack_bidirectional_dynamic_rnn_backward`.

    Parameters
    ----------
    cell : a cell or MultiRNNCell, or a pair (cells_fw, cells_bw) of lists of cells
    params : None (the cell's weights) or a dict with the keys of ``cell.params``, such as
        ``grads.params``, each ``dp`` of its parameter's shape

    Returns
    -------
    state_dict : dict of str to ndarray, or a list of them: ``weight_ih_lk`` of shape (kH, D),
        ``weight_hh_lk`` (kH, H), ``bias_ih_lk`` and ``bias_hh_lk`` (kH,), k gate blocks
        (4H for an LSTM); with a projection ``weight_hh_lk`` (4H, P) and ``weight_hr_lk`` (P, H)

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.GRUCell(4, 6, rng=0), ln.GRUCell(6, 6, rng=1)])
    >>> sd = ln.interop.to_torch(cell)                     # one nn.GRU(4, 6, num_layers=2)
    >>> sorted(sd)[:4], sd["weight_ih_l1"].shape
    (['bias_hh_l0', 'bias_hh_l1', 'bias_ih_l0', 'bias_ih_l1'], (18, 6))
    """
    if is_direction_pair(cell):
        return _directions_to_torch(*cell, params)
    layers = layers_of(cell)
    kinds = [kind_of(layer) for layer in layers]
    if len(set(kinds)) > 1:
        raise ValueError(f"a PyTorch module holds one kind of layer; this stack has {kinds}")
    modules = []
    for k, layer in enumerate(layers):
        check_options(layer, k, "PyTorch's nn.LSTM", supported=("num_proj",))
        arrays = layer_arrays(cell, params, k)
        module = {"weight_ih_l0": arrays["W_x"].T.copy(), "weight_hh_l0": arrays["W_h"].T.copy()}
        if kinds[k] == "gru":
            if not layer.reset_after:
                raise ValueError(f"layer {k} is a GRUCell with reset_after=False; PyTorch's "
                                 "nn.GRU applies the reset gate after the matmul "
                                 "(reset_after=True). Use to_tf for this cell")
            module.update(bias_ih_l0=arrays["b_x"].copy(), bias_hh_l0=arrays["b_h"].copy())
        elif params is not None:
            module.update(bias_ih_l0=arrays["b"].copy(), bias_hh_l0=arrays["b"].copy())
        else:
            b = fold_forget_bias(layer, arrays["b"]) if kinds[k] == "lstm" else arrays["b"].copy()
            module.update(bias_ih_l0=b, bias_hh_l0=np.zeros_like(b))
        if "W_proj" in arrays:
            module["weight_hr_l0"] = arrays["W_proj"].T.copy()   # (P, H)
        modules.append(module)

    if len({(layer.hidden_size, layer.output_size) for layer in layers}) > 1:
        return modules
    return {name[:-1] + str(k): value
            for k, module in enumerate(modules) for name, value in module.items()}


def _directions_to_torch(cells_fw, cells_bw, params):
    """One bidirectional state_dict (``_reverse`` names for cells_bw), or one per layer when
    the layers differ in size; ``params`` keyed ``layer_{k}/fw/<name>`` and ``layer_{k}/bw/<name>``."""
    if not all(isinstance(side, (tuple, list)) for side in (cells_fw, cells_bw)):
        raise TypeError(f"expected a cell, a MultiRNNCell, or (cells_fw, cells_bw) as two lists of one-layer cells, got "
                        f"({type(cells_fw).__name__}, {type(cells_bw).__name__}); a bidirectional module of one "
                        f"layer is ([cell_fw], [cell_bw])")
    check_stack_params(cells_fw, cells_bw, params)
    layers = []
    for k, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
        if cell_fw.hidden_size != cell_bw.hidden_size:
            raise ValueError(f"a bidirectional PyTorch module has one hidden size in both directions; "
                             f"layer {k} has H_fw={cell_fw.hidden_size}, H_bw={cell_bw.hidden_size}")
        module = {}
        for cell, side, suffix in ((cell_fw, "fw", ""), (cell_bw, "bw", REVERSE)):
            own = None if params is None else {name: params[f"layer_{k}/{side}/{name}"] for name in cell.params}
            module.update({name + suffix: value for name, value in to_torch(cell, own).items()})
        layers.append(module)
    if len({cell.hidden_size for cell in cells_fw}) > 1:
        return layers
    return {name.replace("_l0", f"_l{k}"): value for k, module in enumerate(layers) for name, value in module.items()}
