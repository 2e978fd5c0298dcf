"""TensorFlow 1.x BasicRNNCell / BasicLSTMCell / GRUCell variables <-> lstm_numpy cells.

TensorFlow 1.x keeps one kernel per matmul, applied to concat([x, h]) (x first), so its
first D rows are W_x and the last H rows W_h:

    BasicRNNCell   kernel [D+H, H]
    BasicLSTMCell  kernel [D+H, 4H], gates i, j, f, o (j is the candidate, our g);
                   forget_bias is added to f at run time and is not stored
    LSTMCell       as BasicLSTMCell, and with use_peepholes w_f_diag, w_i_diag, w_o_diag [H];
                   with num_proj=P projection/kernel [H, P] (our W_proj) and kernel [D+P, 4H];
                   cell_clip and proj_clip are not stored
    GRUCell        gates/kernel [D+H, 2H], split r, u (u is our z);
                   candidate/kernel [D+H, H] applied to concat([x, r*h]),
                   which is reset_after=False with one bias per block

Names are those of a checkpoint: `<scope>/multi_rnn_cell/cell_<k>/<cell>/<variable>`
for a MultiRNNCell, `<scope>/<cell>/<variable>` for a single cell; dynamic_rnn's scope
is "rnn" unless told otherwise.

Both directions: bidirectional_dynamic_rnn puts its cells under `<scope>/fw/...` and
`<scope>/bw/...` (scope "bidirectional_rnn"), and stack_bidirectional_dynamic_rnn layer k
under `<scope>/cell_<k>/bidirectional_rnn/fw/...` (scope "stack_bidirectional_rnn").
"""
import re

import numpy as np

from ..multi import MultiRNNCell

from .layers import (axis_size, check_names, check_shape, check_stack_params, is_direction_pair, kind_of,
                     layer_arrays, layers_of, new_layer)

CELL_SCOPES = {"basic_lstm_cell": "lstm", "lstm_cell": "lstm", "gru_cell": "gru", "basic_rnn_cell": "rnn_tanh"}
VARIABLES = {"lstm": ("kernel", "bias"), "rnn_tanh": ("kernel", "bias"),
             "gru": ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")}
PEEPHOLES = ("w_i_diag", "w_f_diag", "w_o_diag")              # LSTMCell's, with use_peepholes
ALL_VARIABLES = {"kernel", "bias", "gates/kernel", "gates/bias", "candidate/kernel",
                 "candidate/bias", "projection/kernel", *PEEPHOLES}


def from_tf(variables, *, forget_bias=1.0, dtype=np.float64, activation="tanh", cell_clip=None,
            proj_clip=None):
    """A cell holding one TensorFlow 1.x RNN's variables.

    Parameters
    ----------
    variables : mapping of str to ndarray
        Checkpoint names to values (a trailing ":0" of a graph variable's name is
        accepted). Names that belong to no RNN cell (optimizer slots, other layers) are
        ignored; the cell variables must all belong to one RNN. A BasicLSTMCell's kernel
        is (D + H, 4H) and its bias (4H,); a GRUCell's gates/kernel (D + H, 2H) and
        candidate/kernel (D + H, H); a BasicRNNCell's kernel (D + H, H). An LSTMCell
        (scope ``lstm_cell``) has BasicLSTMCell's two, the peepholes w_f_diag, w_i_diag,
        w_o_diag (H,) with use_peepholes, and projection/kernel (H, P) with num_proj=P, its
        kernel being then (D + P, 4H): peepholes and projection are read from them.
    forget_bias : float
        The BasicLSTMCell's and LSTMCell's forget_bias, which the checkpoint does not hold
        (TensorFlow's default is 1.0).
    dtype : the cells' dtype.
    activation : "tanh" or "relu"
        The activation of BasicRNNCell layers, which the checkpoint does not hold either
        (TensorFlow's default is tanh).
    cell_clip, proj_clip : None, or a positive float, or a list with one entry per layer
        (None for a layer without it): the LSTMCell layers' clips, which the checkpoint does
        not hold either. A value given for the stack applies to every LSTMCell layer
        (proj_clip: to those with a projection).

    Returns
    -------
    MultiRNNCell for names under `multi_rnn_cell/cell_<k>/`, else a single cell.
    GRU layers have reset_after=False; RNN layers have the given activation.
    Names under `.../fw/` and `.../bw/` give the pair (cell_fw, cell_bw) of
    bidirectional_dynamic_rnn; under `.../cell_<k>/bidirectional_rnn/fw/` and `.../bw/`, the
    pair (cells_fw, cells_bw) of lists of stack_bidirectional_dynamic_rnn.

    Examples
    --------
    >>> import numpy as np
    >>> import lstm_numpy as ln
    >>> variables = {"rnn/basic_lstm_cell/kernel": np.zeros((4 + 6, 24)),   # [D+H, 4H]
    ...              "rnn/basic_lstm_cell/bias": np.zeros(24)}
    >>> cell = ln.interop.from_tf(variables)
    >>> type(cell).__name__, cell.input_size, cell.hidden_size, cell.forget_bias
    ('LSTMCell', 4, 6, 1.0)
    """
    if activation not in ("tanh", "relu"):
        raise ValueError(f"expected activation 'tanh' or 'relu', got {activation!r}")
    check_names("variables", variables)
    found = {}  # (scope, k or None) -> {cell_scope: {variable: array}}
    for full_name, value in variables.items():
        parsed = _parse(full_name)
        if parsed is not None:
            scope, k, cell_scope, variable = parsed
            found.setdefault((scope, k), {}).setdefault(cell_scope, {})[variable] = (
                full_name, value)
    if not found:
        raise ValueError(
            "no RNN cell variables among the names given; expected names such as "
            "'rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel' or "
            "'rnn/gru_cell/gates/kernel'")
    roots = sorted({(scope, k is not None) for scope, k in found})
    options = dict(forget_bias=forget_bias, dtype=dtype, activation=activation, cell_clip=cell_clip,
                   proj_clip=proj_clip)
    if len(roots) > 1:
        pairs = _direction_pairs(roots)
        if pairs is None:
            described = [(s + "/multi_rnn_cell" if multi else s) or "(no scope)"
                         for s, multi in roots]
            raise ValueError(f"the variables hold more than one RNN: {described}; "
                             "pass only one of them")
        cells = [tuple(_cell_from(found, *root, **options) for root in pair) for _, pair in pairs]
        if pairs[0][0] is None:                               # bidirectional_dynamic_rnn: one pair of cells
            return cells[0]
        return [fw for fw, _ in cells], [bw for _, bw in cells]
    return _cell_from(found, *roots[0], **options)


def _direction_pairs(roots):
    """[(k or None, (fw root, bw root))] when the roots are the two directions of one
    bidirectional RNN, or of each layer k of a stacked one (in order); else None."""
    sides = {}
    for scope, multi in roots:
        head, _, side = scope.rpartition("/")
        if side not in ("fw", "bw"):
            return None
        sides.setdefault(head, {})[side] = (scope, multi)
    if any(len(pair) != 2 for pair in sides.values()):
        return None
    layers = {head: re.fullmatch(r"(.*/)?cell_(\d+)/[^/]+", head) for head in sides}
    if len(sides) == 1 and next(iter(layers.values())) is None:
        (head, pair), = sides.items()
        return [(None, (pair["fw"], pair["bw"]))]
    if any(m is None for m in layers.values()) or len({m.group(1) for m in layers.values()}) > 1:
        return None
    ks = sorted(int(m.group(2)) for m in layers.values())
    if ks != list(range(len(ks))):
        return None
    by_k = {int(layers[head].group(2)): pair for head, pair in sides.items()}
    return [(k, (by_k[k]["fw"], by_k[k]["bw"])) for k in ks]


def _cell_from(found, scope, multi, *, forget_bias, dtype, activation, cell_clip, proj_clip):
    """The cell of one root scope: a MultiRNNCell when ``multi``, else a single cell."""
    ks = sorted(k for s, k in found if s == scope) if multi else [None]
    if multi and ks != list(range(len(ks))):
        missing = sorted(set(range(ks[-1] + 1)) - set(ks))
        raise ValueError(f"multi_rnn_cell under {scope!r} has no variables for "
                         f"cell_{missing[0]} (found cells {ks})")

    clips = {"cell_clip": _per_layer("cell_clip", cell_clip, len(ks)),
             "proj_clip": _per_layer("proj_clip", proj_clip, len(ks))}
    used = set()
    layers = []
    for n, k in enumerate(ks):
        cells = found[(scope, k)]
        if len(cells) > 1:
            raise ValueError(f"cell_{k} under {scope!r} holds more than one cell type: "
                             f"{sorted(cells)}")
        (cell_scope, vars_), = cells.items()
        kind = CELL_SCOPES[cell_scope]
        missing = [v for v in VARIABLES[kind] if v not in vars_]
        if missing:
            prefix = next(iter(vars_.values()))[0].rsplit(cell_scope, 1)[0] + cell_scope
            raise ValueError("missing " + ", ".join(f"{prefix}/{v}" for v in missing))
        where = f"cell_{k}" if multi else "the cell"
        extra = sorted(set(vars_) & (set(PEEPHOLES) | {"projection/kernel"}))
        if extra and cell_scope != "lstm_cell":
            raise ValueError(f"{where} is a {cell_scope}, which has no {', '.join(extra)}; "
                             "expected those under lstm_cell/")
        layer_clips = {}
        for clip_name, (values, per_layer) in clips.items():
            takes = cell_scope == "lstm_cell" and (clip_name == "cell_clip" or "projection/kernel" in vars_)
            if values[n] is not None and (takes or per_layer):
                if not takes:
                    raise ValueError(f"{clip_name}[{n}] is given for {where}, a {cell_scope}"
                                     f"{' without projection/kernel' if cell_scope == 'lstm_cell' else ''}, "
                                     f"which has no {clip_name}")
                layer_clips[clip_name] = values[n]
                used.add(clip_name)
        input_size = layers[-1].output_size if layers else None
        layers.append(_layer_from_tf(kind, vars_, input_size, forget_bias, dtype, **layer_clips))
        if kind == "rnn_tanh":
            layers[-1].activation = activation
    for clip_name, value in (("cell_clip", cell_clip), ("proj_clip", proj_clip)):
        if value is not None and not isinstance(value, (list, tuple)) and clip_name not in used:
            owners = "LSTMCell layers (lstm_cell/)" + (" with projection/kernel" if clip_name == "proj_clip" else "")
            raise ValueError(f"{clip_name}={value!r} applies to {owners}; these variables have none")
    return MultiRNNCell(layers) if multi else layers[0]


def _per_layer(name, value, n_layers):
    """A clip for each of n layers, and whether it came per layer (a list) or for the stack."""
    if isinstance(value, (list, tuple)):
        if len(value) != n_layers:
            raise ValueError(f"expected {name} as one value or a list of {n_layers} (one a layer), "
                             f"got {len(value)} values")
        return list(value), True
    return [value] * n_layers, False


def _parse(full_name):
    """(scope, k or None, cell scope, variable) of a cell variable's name, else None."""
    parts = full_name.split(":")[0].split("/")
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in CELL_SCOPES and "/".join(parts[i + 1:]) in ALL_VARIABLES:
            outer, variable = parts[:i], "/".join(parts[i + 1:])
            if (len(outer) >= 2 and outer[-2] == "multi_rnn_cell"
                    and outer[-1].startswith("cell_") and outer[-1][5:].isdigit()):
                return "/".join(outer[:-2]), int(outer[-1][5:]), parts[i], variable
            return "/".join(outer), None, parts[i], variable
    return None


def _layer_from_tf(kind, vars_, input_size, forget_bias, dtype, cell_clip=None, proj_clip=None):
    name = {v: vars_[v][0] for v in vars_}
    # H from the bias with one block per gate: bias (4H,) or (H,), GRU candidate/bias (H,).
    bias_name, kernel_name = ("candidate/bias", "candidate/kernel") if kind == "gru" else (
        "bias", "kernel")
    width = 4 if kind == "lstm" else 1
    letters = f"{width}H" if width > 1 else "H"
    bias = check_shape(name[bias_name], vars_[bias_name][1], (None,), (letters,), cell_dtype=dtype)
    if bias.shape[0] % width:
        raise ValueError(f"{name[bias_name]}: length {bias.shape[0]} is not a multiple of "
                         f"{width} ({letters})")
    H = bias.shape[0] // width
    # An LSTMCell's projection: P from its columns; the kernel then reads [x, h] with h of width P.
    options = {}
    P, p_letter = H, "H"
    if "projection/kernel" in vars_:
        P = axis_size(vars_["projection/kernel"][1], 1, 2)
        W_proj = check_shape(name["projection/kernel"], vars_["projection/kernel"][1], (H, P), ("H", "P"),
                             cell_dtype=dtype)
        p_letter = "P"
        options["num_proj"] = P
    # D from the kernel's rows (D + H, or D + P) for the first layer; later layers read the
    # output width of the layer below.
    D = input_size
    if D is None:
        rows = axis_size(vars_[kernel_name][1], 0, 2)
        D = None if rows is None else rows - P
        if D is not None and D < 1:
            raise ValueError(f"{name[kernel_name]}: has {rows} rows, at most {p_letter}={P}; "
                             f"expected D+{p_letter} with D >= 1")

    def kernel(variable, blocks):
        letter = f"{blocks}H" if blocks > 1 else "H"
        rows, label = (None, f"D+{p_letter}") if D is None else (D + P, f"D+{p_letter}={D}+{P}")
        K = check_shape(name[variable], vars_[variable][1], (rows, blocks * H), (label, letter), cell_dtype=dtype)
        return K[:D], K[D:]  # (D, blocks*H), (H or P, blocks*H)

    if kind == "lstm":
        Kx, Kh = kernel("kernel", 4)
        arrays = {"W_x": _ijfo_to_ifgo(Kx), "W_h": _ijfo_to_ifgo(Kh),
                  "b": _ijfo_to_ifgo(bias)}
        present = [v for v in PEEPHOLES if v in vars_]
        if present:
            missing = [v for v in PEEPHOLES if v not in vars_]
            if missing:
                raise ValueError(f"{name[present[0]]}: peepholes come in threes; missing {', '.join(missing)}")
            arrays.update({v: check_shape(name[v], vars_[v][1], (H,), ("H",), cell_dtype=dtype) for v in PEEPHOLES})
            options["use_peepholes"] = True
        if "projection/kernel" in vars_:
            arrays["W_proj"] = W_proj
        if cell_clip is not None:
            options["cell_clip"] = cell_clip
        if proj_clip is not None:
            options["proj_clip"] = proj_clip
    elif kind == "gru":
        gates_x, gates_h = kernel("gates/kernel", 2)  # r, u
        cand_x, cand_h = kernel("candidate/kernel", 1)
        gates_b = check_shape(name["gates/bias"], vars_["gates/bias"][1], (2 * H,), ("2H",), cell_dtype=dtype)
        arrays = {"W_x": np.concatenate([gates_x, cand_x], axis=1),  # (D, 3H): r, z, n
                  "W_h": np.concatenate([gates_h, cand_h], axis=1),  # (H, 3H)
                  "b": np.concatenate([gates_b, bias])}
    else:
        Kx, Kh = kernel("kernel", 1)
        arrays = {"W_x": Kx, "W_h": Kh, "b": bias}
    return new_layer(kind, D, H, arrays, dtype=dtype, forget_bias=forget_bias,
                     reset_after=False, **options)


def _ijfo_to_ifgo(w):
    i, j, f, o = np.split(w, 4, axis=-1)
    return np.concatenate([i, f, j, o], axis=-1)


def _ifgo_to_ijfo(w):
    i, f, g, o = np.split(w, 4, axis=-1)
    return np.concatenate([i, g, f, o], axis=-1)


def to_tf(cell, params=None, *, scope="rnn"):
    """A cell's weights (params=None) or gradients (params=grads.params) as TF 1.x variables.

    Returns a dict of checkpoint names to arrays. An LSTM's forget_bias is not written
    (TensorFlow does not store it): build the BasicLSTMCell with forget_bias equal to the
    cell's. An LSTM layer with any of LSTMCell's options (peepholes, cell_clip, num_proj) is
    written as an LSTMCell (scope ``lstm_cell``, with w_i_diag, w_f_diag, w_o_diag and
    projection/kernel as it has them; its clips are not stored), any other as a BasicLSTMCell. GRU layers must have reset_after=False, the only form of TF 1.x's GRUCell.
    RNN layers with activation "relu" need BasicRNNCell(activation=tf.nn.relu).

    A pair ``(cell_fw, cell_bw)`` is written as bidirectional_dynamic_rnn names it (``params``
    keyed ``fw/<name>``, ``bw/<name>``); a pair ``(cells_fw, cells_bw)`` of lists as
    stack_bidirectional_dynamic_rnn does (``params`` keyed ``layer_{k}/fw/<name>``, ...).

    Parameters
    ----------
    cell : a cell or MultiRNNCell, or a pair (cell_fw, cell_bw), or a pair of lists of cells
    params : None (the cell's weights) or a dict with the keys of ``cell.params``, such as
        ``grads.params``, each ``dp`` of its parameter's shape
    scope : str, the variable scope of the RNN, "rnn" by default (dynamic_rnn's). For a pair the
        default stands for TensorFlow's own default scope of that form, "bidirectional_rnn" for a
        pair of cells and "stack_bidirectional_rnn" for a pair of lists; None means the same

    Returns
    -------
    variables : dict of str to ndarray: an LSTM layer's kernel of shape (D + H, 4H) (or
        (D + P, 4H) with a projection) and bias (4H,), peepholes (H,), projection/kernel (H, P);
        a GRU layer's gates/kernel (D + H, 2H), gates/bias (2H,), candidate/kernel
        (D + H, H), candidate/bias (H,); an RNN layer's kernel (D + H, H) and bias (H,)

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.LSTMCell(4, 20, rng=0),
    ...                         ln.GRUCell(20, 30, reset_after=False, rng=1)])
    >>> {name: v.shape for name, v in ln.interop.to_tf(cell).items()}
    {'rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel': (24, 80),
     'rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias': (80,),
     'rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel': (50, 60),
     'rnn/multi_rnn_cell/cell_1/gru_cell/gates/bias': (60,),
     'rnn/multi_rnn_cell/cell_1/gru_cell/candidate/kernel': (50, 30),
     'rnn/multi_rnn_cell/cell_1/gru_cell/candidate/bias': (30,)}
    """
    if scope is not None and not isinstance(scope, str):
        raise TypeError(f"expected scope as a str such as 'rnn' (or '' for none), got {type(scope).__name__} {scope!r}")
    if is_direction_pair(cell):
        return _directions_to_tf(*cell, params, None if scope == "rnn" else scope)
    scope = "rnn" if scope is None else scope
    layers = layers_of(cell)
    multi = cell.stacked
    out = {}
    for k, layer in enumerate(layers):
        kind = kind_of(layer)
        arrays = layer_arrays(cell, params, k)
        cell_scope = {"lstm": "basic_lstm_cell", "gru": "gru_cell"}.get(kind, "basic_rnn_cell")
        if kind == "lstm" and layer.variant:                  # TF 1.x's LSTMCell has the options
            cell_scope = "lstm_cell"
        prefix = "/".join(p for p in (scope, f"multi_rnn_cell/cell_{k}" if multi else "",
                                      cell_scope) if p) + "/"
        W_x, W_h = arrays["W_x"], arrays["W_h"]
        if kind == "lstm":
            out[prefix + "kernel"] = _ifgo_to_ijfo(np.concatenate([W_x, W_h]))  # (D+H, 4H) or (D+P, 4H)
            out[prefix + "bias"] = _ifgo_to_ijfo(arrays["b"])
            for name in PEEPHOLES:
                if name in arrays:
                    out[prefix + name] = arrays[name].copy()                  # (H,)
            if "W_proj" in arrays:
                out[prefix + "projection/kernel"] = arrays["W_proj"].copy()   # (H, P)
        elif kind == "gru":
            if layer.reset_after:
                raise ValueError(
                    f"layer {k} is a GRUCell with reset_after=True; TensorFlow 1.x's GRUCell "
                    "applies the reset gate before the matmul (reset_after=False). "
                    "Use to_keras or to_torch for this cell")
            H = layer.hidden_size
            K = np.concatenate([W_x, W_h])  # (D+H, 3H): r, z, n
            out[prefix + "gates/kernel"] = K[:, :2 * H].copy()
            out[prefix + "gates/bias"] = arrays["b"][:2 * H].copy()
            out[prefix + "candidate/kernel"] = K[:, 2 * H:].copy()
            out[prefix + "candidate/bias"] = arrays["b"][2 * H:].copy()
        else:
            out[prefix + "kernel"] = np.concatenate([W_x, W_h])  # (D+H, H)
            out[prefix + "bias"] = arrays["b"].copy()
    return out


def _directions_to_tf(fw, bw, params, scope):
    """The variables of bidirectional_dynamic_rnn (fw, bw cells) or of
    stack_bidirectional_dynamic_rnn (fw, bw lists of cells)."""
    if isinstance(fw, (tuple, list)):
        check_stack_params(fw, bw, params)
        scope = "stack_bidirectional_rnn" if scope is None else scope
        out = {}
        for k, pair in enumerate(zip(fw, bw)):
            own = None if params is None else {key.split("/", 1)[1]: g for key, g in params.items()
                                               if key.startswith(f"layer_{k}/")}
            out.update(_directions_to_tf(*pair, own, f"{scope}/cell_{k}/bidirectional_rnn"))
        return out
    scope = "bidirectional_rnn" if scope is None else scope
    if params is not None and not all(key[:3] in ("fw/", "bw/") for key in params):
        raise ValueError(f"expected params keyed 'fw/<name>' and 'bw/<name>', got {sorted(params)}")
    out = {}
    for side, cell in (("fw", fw), ("bw", bw)):
        own = None if params is None else {key[3:]: g for key, g in params.items() if key.startswith(side + "/")}
        out.update(to_tf(cell, own, scope=f"{scope}/{side}"))
    return out
