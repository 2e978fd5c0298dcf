"""The textbook reference the benchmark measures against: how an RNN is usually first written.

Time is the outer loop and the layers the inner one; each step concatenates ``[h, x]`` and
multiplies it by one ``(H + D, H)`` matrix per gate (four for an LSTM, as in the source
article); the backward pass accumulates every weight gradient step by step. Nothing is
preallocated. It computes the same function as the cells (tests/test_bench.py holds it equal
to :func:`lstm_numpy.dynamic_rnn`), so the ratio to it measures the arrangement alone.
"""
import numpy as np

from ..activations import sigmoid


def gate_weights(cell):
    """Per gate ``(W, b)``: ``W`` (H + D, H) acting on ``[h, x]``, from the cell's params.

    For a GRU (reset after the product, as in PyTorch) the candidate keeps its two parts:
    ``("n", (W_xn, W_hn, b_xn, b_hn))``.
    """
    H, p = cell.hidden_size, cell.params
    names = cell.gates or ("a",)                              # an RNN's one block: "a"
    weights = {}
    for k, name in enumerate(names):
        cols = slice(k * H, (k + 1) * H)
        if cell.kind == "gru":
            if name == "n":
                weights[name] = (p["W_x"][:, cols], p["W_h"][:, cols], p["b_x"][cols], p["b_h"][cols])
                continue
            bias = p["b_x"][cols] + p["b_h"][cols]
        else:
            bias = p["b"][cols]
        weights[name] = (np.concatenate([p["W_h"][:, cols], p["W_x"][:, cols]]), bias)
    return weights


def forward(cells, xs):
    """Run the stack ``cells`` over ``xs`` (B, T, D); returns outputs (B, T, H_top) and the tape."""
    B, T, _ = xs.shape
    weights = [gate_weights(cell) for cell in cells]
    hs = [np.zeros((B, cell.hidden_size), cell.dtype) for cell in cells]
    cs = [np.zeros((B, cell.hidden_size), cell.dtype) for cell in cells]
    outputs, tape = [], []
    for t in range(T):
        x, steps = xs[:, t], []
        for k, cell in enumerate(cells):
            w = weights[k]
            hx = np.concatenate([hs[k], x], axis=1)           # (B, H + D)
            if cell.kind == "lstm":
                i = sigmoid(hx @ w["i"][0] + w["i"][1])
                f = sigmoid(hx @ w["f"][0] + w["f"][1] + cell.forget_bias)
                g = np.tanh(hx @ w["g"][0] + w["g"][1])
                o = sigmoid(hx @ w["o"][0] + w["o"][1])
                c = f * cs[k] + i * g
                step = dict(hx=hx, c_prev=cs[k], i=i, f=f, g=g, o=o, c=c)
                cs[k], hs[k] = c, o * np.tanh(c)
            elif cell.kind == "gru":
                W_xn, W_hn, b_xn, b_hn = w["n"]
                r = sigmoid(hx @ w["r"][0] + w["r"][1])
                z = sigmoid(hx @ w["z"][0] + w["z"][1])
                ah_n = hs[k] @ W_hn + b_hn
                n = np.tanh(x @ W_xn + b_xn + r * ah_n)
                step = dict(hx=hx, x=x, h_prev=hs[k], r=r, z=z, n=n, ah_n=ah_n)
                hs[k] = (1 - z) * n + z * hs[k]
            else:
                a = hx @ w["a"][0] + w["a"][1]
                hs[k] = np.tanh(a) if cell.activation == "tanh" else np.maximum(a, 0)
                step = dict(hx=hx, h=hs[k], relu=cell.activation == "relu")
            steps.append(step)
            x = hs[k]
        outputs.append(x)
        tape.append(steps)
    return np.stack(outputs, axis=1), (cells, weights, tape)


def backward(d_outputs, tape):
    """BPTT through :func:`forward`'s tape; returns dL/d xs (B, T, D) and per-layer gate gradients."""
    cells, weights, steps = tape
    B, T, _ = d_outputs.shape
    grads = [{name: tuple(np.zeros_like(a) for a in w) for name, w in wk.items()} for wk in weights]
    dh_next = [np.zeros((B, cell.hidden_size), cell.dtype) for cell in cells]
    dc_next = [np.zeros((B, cell.hidden_size), cell.dtype) for cell in cells]
    dxs = []
    for t in reversed(range(T)):
        dh_out = d_outputs[:, t]
        for k in reversed(range(len(cells))):
            cell, w, g_k, s = cells[k], weights[k], grads[k], steps[t][k]
            H = cell.hidden_size
            dh = dh_out + dh_next[k]
            if cell.kind == "lstm":
                tanh_c = np.tanh(s["c"])
                dc = dc_next[k] + dh * s["o"] * (1 - tanh_c ** 2)
                da = {"i": dc * s["g"] * s["i"] * (1 - s["i"]), "f": dc * s["c_prev"] * s["f"] * (1 - s["f"]),
                      "g": dc * s["i"] * (1 - s["g"] ** 2), "o": dh * tanh_c * s["o"] * (1 - s["o"])}
                dc_next[k] = dc * s["f"]
                dhx = sum(da[name] @ w[name][0].T for name in "ifgo")
            elif cell.kind == "gru":
                W_xn, W_hn, _, _ = w["n"]
                da_n = dh * (1 - s["z"]) * (1 - s["n"] ** 2)
                da = {"r": da_n * s["ah_n"] * s["r"] * (1 - s["r"]),
                      "z": dh * (s["h_prev"] - s["n"]) * s["z"] * (1 - s["z"])}
                dah_n = da_n * s["r"]
                dhx = da["r"] @ w["r"][0].T + da["z"] @ w["z"][0].T
                dhx[:, :H] += dh * s["z"] + dah_n @ W_hn.T
                dhx[:, H:] += da_n @ W_xn.T
                dW_xn, dW_hn, db_xn, db_hn = g_k["n"]
                g_k["n"] = (dW_xn + s["x"].T @ da_n, dW_hn + s["h_prev"].T @ dah_n,
                            db_xn + da_n.sum(axis=0), db_hn + dah_n.sum(axis=0))
            else:
                da = {"a": dh * ((s["h"] > 0) if s["relu"] else (1 - s["h"] ** 2))}
                dhx = da["a"] @ w["a"][0].T
            for name, d in da.items():
                dW, db = g_k[name]
                g_k[name] = (dW + s["hx"].T @ d, db + d.sum(axis=0))
            dh_next[k], dh_out = dhx[:, :H], dhx[:, H:]
        dxs.append(dh_out)
    return np.stack(dxs[::-1], axis=1), grads


def as_cell_grads(cell, gate_grads):
    """Gate gradients of one layer in the cell's layout: a dict with the keys of ``cell.params``."""
    H = cell.hidden_size
    out = {name: np.zeros_like(p) for name, p in cell.params.items()}
    for k, (name, g) in enumerate(gate_grads.items()):
        cols = slice(k * H, (k + 1) * H)
        if cell.kind == "gru" and name == "n":
            out["W_x"][:, cols], out["W_h"][:, cols], out["b_x"][cols], out["b_h"][cols] = g
            continue
        out["W_h"][:, cols], out["W_x"][:, cols] = g[0][:H], g[0][H:]
        if cell.kind == "gru":
            out["b_x"][cols] = out["b_h"][cols] = g[1]
        else:
            out["b"][cols] = g[1]
    return out
