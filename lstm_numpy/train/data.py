"""Data for the two demos: windows of noisy sine waves, and a character corpus that needs no download."""
import os

import numpy as np

from ..initializers import as_rng


def sine_windows(n, rng, *, min_len=10, max_len=30, noise=0.05, min_freq=0.15, max_freq=0.6):
    """``n`` windows of noisy sine waves of random frequency, phase and length, zero-padded.

    Each row is ``sin(w t + phi) + noise`` for ``t = 0 .. len``; the first ``len`` values are
    the input and the value at ``t = len`` is the target (the next value, noise included).

    Parameters
    ----------
    n : int, B
    rng : int seed or numpy.random.Generator
    min_len, max_len : the window lengths, drawn uniformly in [min_len, max_len]; T = max_len
    noise : float, standard deviation of the Gaussian noise on every value
    min_freq, max_freq : the angular frequency w in radians per step, drawn uniformly

    Returns
    -------
    inputs : ndarray of shape (B, T, 1), zero past each row's length
    lengths : ints of shape (B,)
    targets : ndarray of shape (B, 1)

    Examples
    --------
    >>> inputs, lengths, targets = sine_windows(4, rng=0)
    >>> inputs.shape, lengths.shape, targets.shape
    ((4, 30, 1), (4,), (4, 1))
    """
    rng = as_rng(rng)
    if not 1 <= min_len <= max_len:
        raise ValueError(f"expected 1 <= min_len <= max_len, got {min_len} and {max_len}")
    lengths = rng.integers(min_len, max_len + 1, size=n)                      # (B,)
    freq = rng.uniform(min_freq, max_freq, size=(n, 1))                       # (B, 1)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))                            # (B, 1)
    t = np.arange(max_len + 1)[None, :]                                       # (1, T + 1)
    wave = np.sin(freq * t + phase) + noise * rng.normal(size=(n, max_len + 1))   # (B, T + 1)
    rows = np.arange(n)
    targets = wave[rows, lengths][:, None]                                    # (B, 1)
    inputs = np.where(t[:, :max_len] < lengths[:, None], wave[:, :max_len], 0.0)[..., None]   # (B, T, 1)
    return inputs, lengths, targets


def naive_forecast(inputs, lengths):
    """The forecast that repeats each row's last valid value: ``(B, 1)``.

    Parameters
    ----------
    inputs : ndarray of shape (B, T, 1), as :func:`sine_windows` returns them
    lengths : ints of shape (B,), each in [1, T]

    Returns
    -------
    ndarray of shape (B, 1)
    """
    return inputs[np.arange(len(lengths)), lengths - 1]


def package_texts():
    """The project's own text: README.md and docs/*.md beside the package when they exist (a
    source checkout), then every Python module of the package (docstrings and code).

    Returns
    -------
    list of (path, text), in a fixed order
    """
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # lstm_numpy/, above train/
    root = os.path.dirname(package)
    paths = []
    if os.path.isfile(os.path.join(root, "README.md")):
        paths.append(os.path.join(root, "README.md"))
    docs = os.path.join(root, "docs")
    if os.path.isdir(docs):
        paths += sorted(os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md"))
    for folder, dirs, files in sorted(os.walk(package)):
        dirs.sort()
        paths += [os.path.join(folder, f) for f in sorted(files) if f.endswith(".py")]
    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            texts.append((path, f.read()))
    return texts


def read_text(path):
    """A UTF-8 text file, with a clear error when it is missing, not UTF-8, or too short.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str, at least 1000 characters
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise ValueError(f"text file {path!r} not found") from None
    except UnicodeDecodeError as err:
        raise ValueError(f"expected a UTF-8 text file, {path!r} is not: {err}") from None
    except OSError as err:                                   # a folder, no permission, ...
        raise ValueError(f"cannot read text file {path!r}: {err.strerror or err}") from None
    if len(text) < 1000:
        raise ValueError(f"expected at least 1000 characters of text, {path!r} has {len(text)}")
    return text


class CharCorpus:
    """A text split into training and held-out characters, with its alphabet.

    The text is cut into blocks of ``block`` characters; every ``holdout``-th block is held out,
    so the held-out text is spread over the whole corpus instead of being its last file.

    Parameters
    ----------
    text : str
    block : int, characters per block (fewer for a text shorter than 2 * holdout * block)
    holdout : int, one block in ``holdout`` is held out

    Attributes
    ----------
    vocab : str, the sorted distinct characters
    train, heldout : int arrays of character ids, each of shape (N,) for its N characters
    """

    def __init__(self, text, *, block=1000, holdout=10):
        if len(text) < 4 * holdout:
            raise ValueError(f"expected a text of at least {4 * holdout} characters, got {len(text)}")
        self.vocab = "".join(sorted(set(text)))
        index = {ch: i for i, ch in enumerate(self.vocab)}
        ids = np.array([index[ch] for ch in text], dtype=np.int64)
        block = min(block, len(ids) // (2 * holdout))            # a short text still gets two held-out blocks
        blocks = [ids[i:i + block] for i in range(0, len(ids), block)]
        self.train = np.concatenate([b for k, b in enumerate(blocks) if k % holdout != holdout // 2])
        self.heldout = np.concatenate([b for k, b in enumerate(blocks) if k % holdout == holdout // 2])
        self.counts = np.bincount(ids, minlength=len(self.vocab))

    def unigram_bits(self):
        """The corpus's unigram entropy, ``-sum p log2 p`` over its characters, in bits per char.

        Returns
        -------
        float
        """
        p = self.counts / self.counts.sum()
        p = p[p > 0]
        return float(-(p * np.log2(p)).sum())

    def batch(self, batch_size, steps, rng, split="train"):
        """Random windows: inputs ``(B, T)`` and targets ``(B, T)``, each target the next character.

        Parameters
        ----------
        batch_size : int, B
        steps : int, T
        rng : numpy.random.Generator
        split : "train" or "heldout", the text to draw from

        Returns
        -------
        inputs, targets : ints of shape (B, T), ``targets[b, t]`` the character after
            ``inputs[b, t]``
        """
        ids = self.train if split == "train" else self.heldout
        if len(ids) < steps + 1:
            raise ValueError(f"expected at least T+1={steps + 1} characters in the {split} text, got {len(ids)}")
        starts = rng.integers(0, len(ids) - steps, size=batch_size)          # the last window ends at the last character
        windows = ids[starts[:, None] + np.arange(steps + 1)]                 # (B, T + 1)
        return windows[:, :-1], windows[:, 1:]

    def heldout_batches(self, batch_size, steps):
        """The held-out text in consecutive windows: a list of ``(inputs, targets)``, every character once.

        Parameters
        ----------
        batch_size : int, B, the windows per batch (fewer in the last one)
        steps : int, T

        Returns
        -------
        list of (inputs, targets), each ints of shape (B, T) as in :meth:`batch`
        """
        ids = self.heldout
        n = (len(ids) - 1) // steps
        if n == 0:
            raise ValueError(f"expected a held-out text longer than T={steps} characters, got {len(ids)}: "
                             f"use a shorter --seq-len or a longer text")
        windows = [(ids[k * steps:(k + 1) * steps], ids[k * steps + 1:(k + 1) * steps + 1]) for k in range(n)]
        return [(np.stack([w[0] for w in windows[i:i + batch_size]]),
                 np.stack([w[1] for w in windows[i:i + batch_size]])) for i in range(0, n, batch_size)]
