"""A character language model: one-hot (or embedded) characters, a recurrent stack, a dense head
at every step, masked softmax cross-entropy, and sampling with a temperature.

    x_t = onehot(id_t)  or  E[id_t]          (C1)   (B, T, V) or (B, T, E)
    outputs = dynamic_rnn(cell, x)           (C2)   (B, T, H)
    logits = outputs @ W + b                 (C3)   (B, T, V)
    L = mean over valid t of -log softmax(logits_t)[id_{t+1}]     (C4)
"""
import numpy as np

from ..cell import check_dtype
from ..checks import check_bytes, check_size
from ..fast import OneHot
from ..kinds import build_cell
from .dense import Dense
from ..initializers import as_rng, init_matrix
from .losses import log_softmax, softmax_cross_entropy
from .regressor import Model


class Embedding:
    """A table ``E (V, E)``: row ``id`` is the input vector of character ``id``, eq. (C1).

    Parameters
    ----------
    vocab_size : int, V
    embed_size : int, E
    rng : numpy.random.Generator
    dtype : numpy.dtype, float32 or float64

    Attributes
    ----------
    params : dict with ``E``, an ndarray of shape (V, E)
    """

    def __init__(self, vocab_size, embed_size, rng, dtype=np.float64):
        V, E = check_size("vocab_size", vocab_size), check_size("embed_size", embed_size)
        check_bytes(f"an embedding of {V} characters by {E}", V * E * np.dtype(dtype).itemsize)
        self.params = {"E": init_matrix("tn", (V, E), rng, scale=0.1, dtype=dtype)}


class CharLM(Model):
    """Predict each next character of a text.

    Parameters
    ----------
    vocab : str, the alphabet; character ``vocab[i]`` has id ``i``
    sizes : sequence of int, the hidden size of each layer
    embed_size : None (one-hot input of width V) or int E (a learned embedding table)
    cell : "lstm", "gru" or "rnn"
    forget_bias, init : as for the cells
    rng : int seed or numpy.random.Generator
    dtype : "float64" or "float32", of every array
    engine : "fast" (the default) or "readable", the time loop of the stack (see
        :class:`~lstm_numpy.models.regressor.Model`)

    Examples
    --------
    >>> model = CharLM("ab c", [8], rng=0)
    >>> ids = model.encode("ab ca")
    >>> loss, cache = model.forward(ids[None, :-1], ids[None, 1:])   # (B, T) ids and next ids
    >>> sorted(model.backward(cache)) == sorted(model.params)
    True
    >>> len(model.sample(5, rng=0))
    5
    """

    def __init__(self, vocab, sizes=(128,), *, embed_size=None, cell="lstm", forget_bias=0.0, init="dl", rng=None,
                 dtype="float64", engine="fast"):
        if not isinstance(vocab, str) or len(set(vocab)) != len(vocab) or len(vocab) < 2:
            raise ValueError(f"expected vocab as a string of at least 2 distinct characters, got {vocab!r}")
        dtype = check_dtype(dtype)
        super().__init__(dict(vocab=vocab, sizes=[int(s) for s in sizes], embed_size=embed_size, cell=cell,
                              forget_bias=float(forget_bias), init=init, dtype=dtype.name), engine)
        rng = as_rng(rng)
        self.vocab = vocab
        self.index = {ch: i for i, ch in enumerate(vocab)}
        V = len(vocab)
        if embed_size is not None:
            self.parts["embed"] = Embedding(V, embed_size, rng, dtype)
        self.cell = build_cell(cell, sizes, embed_size or V, forget_bias=forget_bias, init=init, rng=rng, dtype=dtype)
        self.parts["rnn"] = self.cell
        self.head = Dense(self.cell.output_size, V, rng=rng, dtype=dtype)
        self.parts["head"] = self.head

    def encode(self, text):
        """Character ids of ``text``, an int array; a ValueError names a character not in the vocab.

        Parameters
        ----------
        text : str, of characters in the vocabulary

        Returns
        -------
        ids : ndarray of int64 of shape (T,), T = len(text)
        """
        missing = sorted(set(text) - set(self.index))
        if missing:
            raise ValueError(f"characters not in the model's vocabulary: {''.join(missing)!r}")
        return np.array([self.index[ch] for ch in text], dtype=np.int64)

    def decode(self, ids):
        """The text of character ids, the inverse of :meth:`encode`.

        Parameters
        ----------
        ids : ints of shape (T,), each in [0, V)

        Returns
        -------
        str of T characters
        """
        return "".join(self.vocab[i] for i in ids)

    def _embed(self, ids):
        if "embed" in self.parts:
            return self.parts["embed"].params["E"][ids]                   # (B, T, E)  eq. (C1)
        return np.eye(len(self.vocab), dtype=self.cell.dtype)[ids]        # (B, T, V)  eq. (C1)

    def logits(self, ids, sequence_length=None, initial_state=None):
        """Logits ``(B, T, V)`` for ids ``(B, T)``, plus the final state and the cache, eqs. (C1)-(C3).

        Parameters
        ----------
        ids : ints of shape (B, T), each in [0, V)
        sequence_length : None or ints of shape (B,), as for :func:`dynamic_rnn`
        initial_state : None (zeros) or the cell's state structure, leaves of shape (B, H)

        Returns
        -------
        logits : ndarray of shape (B, T, V)
        final_state : the cell's state structure, leaves of shape (B, H)
        cache : dict for :meth:`backward`
        """
        ids = np.asarray(ids)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise ValueError(f"expected character ids as integers of shape (B, T), got {ids.dtype} {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.vocab)):
            raise ValueError(f"expected ids in [0, V={len(self.vocab)}), got [{ids.min()}, {ids.max()}]")
        if "embed" not in self.parts and self.engine == "fast":
            x = OneHot(ids, len(self.vocab), check=False)                 # (B, T, V) as ids, checked above
        else:
            x = self._embed(ids)                                          # (B, T, V) or (B, T, E)
        checked = self.check_rnn_arguments(x, sequence_length, initial_state)
        outputs, final, rnn_cache = self.run_rnn(checked)                 # (B, T, H)  eq. (C2)
        logits, head_cache = self.head.forward(outputs)                   # (B, T, V)  eq. (C3)
        return logits, final, {"ids": ids, "rnn": rnn_cache, "head": head_cache,
                               "sequence_length": checked.sequence_length}

    def forward(self, inputs, targets, sequence_length=None, initial_state=None):
        """``(loss, cache)``: mean cross-entropy in nats per character, eq. (C4).

        Parameters
        ----------
        inputs, targets : ints of shape (B, T), targets[b, t] the character after inputs[b, t]
        sequence_length : None or ints (B,); steps at and past a row's length count for nothing
        initial_state : None (zeros) or the cell's state, leaves of shape (B, H): a constant,
            whose gradient :meth:`backward` does not compute (truncated BPTT carries it)

        Returns
        -------
        loss : float, nats per counted character
        cache : dict for :meth:`backward`; ``cache["final_state"]`` is the state after the last step
        """
        logits, final_state, cache = self.logits(inputs, sequence_length, initial_state)
        cache["final_state"] = final_state
        B, T = cache["ids"].shape
        lengths = cache["sequence_length"]                                # checked by logits
        mask = None if lengths is None else (np.arange(T)[None, :] < lengths[:, None])   # (B, T)
        loss, dlogits = softmax_cross_entropy(logits, np.asarray(targets), mask)
        return loss, dict(cache, dlogits=dlogits)

    def backward(self, cache):
        """dL/d every parameter, the keys and shapes of ``params``: eqs. (C3), (C2), (C1) backward.

        Parameters
        ----------
        cache : dict from :meth:`forward`

        Returns
        -------
        grads : dict with the keys of ``params``, each ``dp`` of its parameter's shape: ``head/W``
            (H, V), ``embed/E`` (V, E), ``rnn/cell_0/W_x`` (D, 4H) for an LSTM, ...
        """
        doutputs, dhead = self.head.backward(cache["dlogits"], cache["head"])     # (B, T, H)  eq. (C3)
        g = self.rnn_backward(doutputs, cache["rnn"], inputs_gradient="embed" in self.parts)   # eq. (C2)
        grads = {**self._prefixed("rnn", g.params), **self._prefixed("head", dhead)}
        if "embed" in self.parts:
            E = self.parts["embed"].params["E"]
            dE = np.zeros_like(E)
            np.add.at(dE, cache["ids"], g.inputs)             # rows used several times add up, eq. (C1)
            grads["embed/E"] = dE
        return {name: grads[name] for name in self.params}

    def sample(self, n, *, prime="", temperature=1.0, rng=None):
        """``n`` characters drawn one at a time from ``softmax(logits / temperature)``.

        ``prime`` is fed first (its last character conditions the first draw); with no prime
        the first input is a character drawn uniformly. Lower temperatures give likelier text.

        Parameters
        ----------
        n : int, the characters to draw
        prime : str, the text fed first
        temperature : float > 0, dividing the logits of shape (V,) before the softmax
        rng : int seed or numpy.random.Generator

        Returns
        -------
        str of n characters
        """
        if not temperature > 0:
            raise ValueError(f"expected temperature > 0, got {temperature}")
        rng = as_rng(rng)
        ids = list(self.encode(prime)) if prime else [int(rng.integers(len(self.vocab)))]
        logits, state, _ = self.logits(np.array([ids]))
        out = []
        for _ in range(n):
            logp = log_softmax(logits[0, -1] / temperature)                      # (V,)
            nxt = int(rng.choice(len(self.vocab), p=np.exp(logp) / np.exp(logp).sum()))
            out.append(nxt)
            logits, state, _ = self.logits(np.array([[nxt]]), initial_state=state)
        return self.decode(out)
