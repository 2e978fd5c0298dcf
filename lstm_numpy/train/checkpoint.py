"""Checkpoints: one ``.npz`` file with the model's configuration and every parameter array.

The configuration is stored as JSON text in a string array (``__config__``), so the file loads
with ``allow_pickle=False``: nothing in it can run code. Loading rebuilds the model from the
configuration, then checks that the file holds exactly the arrays that model has, with their
shapes, and says what differs.

Writing goes to a temporary file in the same directory, which replaces the old checkpoint with
``os.replace`` only once it is complete: a crash mid-write leaves the previous file as it was.
"""
import json
import os
import tempfile
import zipfile

import numpy as np

from ..models.charlm import CharLM
from ..initializers import is_csv_path
from ..models.regressor import ArticleLSTM, SequenceRegressor

MODELS = {cls.__name__: cls for cls in (SequenceRegressor, ArticleLSTM, CharLM)}
CONFIG_KEY = "__config__"
FORMAT = 1


def save(model, path, extra=None):
    """Write ``model`` to ``path`` atomically.

    Parameters
    ----------
    model : SequenceRegressor, ArticleLSTM or CharLM
    path : str or os.PathLike, conventionally ending in ``.npz``
    extra : None or dict of JSON-serialisable values stored with the configuration (e.g. the step)

    Returns
    -------
    None; the file holds each of ``model.params`` under ``param/{name}`` with its own shape,
    such as ``param/rnn/cell_0/W_x`` (D, 4H), and the configuration as JSON
    """
    name = type(model).__name__
    if name not in MODELS:
        raise TypeError(f"expected one of {', '.join(MODELS)}, got {name}")
    config = {"format": FORMAT, "model": name, "config": model.config, "extra": extra or {}}
    arrays = {f"param/{key}": arr for key, arr in model.params.items()}
    arrays[CONFIG_KEY] = np.array(json.dumps(config, sort_keys=True))
    path = check_writable(path)
    mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)                   # mkstemp makes the file private; keep the usual mode
        os.replace(tmp, path)                 # atomic on POSIX and Windows: old file or new, never half
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def check_writable(path):
    """``path`` as an absolute str, or a ValueError when its folder is missing or it is a folder.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str, the absolute path
    """
    path = os.path.abspath(os.fspath(path))
    if os.path.isdir(path):
        raise ValueError(f"cannot write checkpoint {path!r}: it is a folder (name a file in it, e.g. model.npz)")
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise ValueError(f"cannot write checkpoint {path!r}: folder {folder!r} does not exist "
                         f"(make it first: mkdir -p {folder})")
    try:                                                      # can a file be made there at all?
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise ValueError(f"cannot write checkpoint {path!r}: {err.strerror or err} (name a file in "
                         "another folder)") from None
    return path


class _NotNpz(Exception):
    """A file that does not start as a zip archive does."""

    def __init__(self, head):
        super().__init__(head)
        self.head = head


def _read(path):
    """The configuration dict and the arrays of a checkpoint file, or a ValueError saying why not."""
    try:
        with open(path, "rb") as f:                  # our own handle: closed even when the zip is bad
            head = f.read(4)
            if head != b"PK\x03\x04":               # a .npz is a zip archive; np.load would take
                raise _NotNpz(head)                   # anything else for a pickle and ask to unpickle it
            f.seek(0)
            data = np.load(f, allow_pickle=False)
            with data:
                arrays = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise ValueError(f"checkpoint {path!r} not found") from None
    except IsADirectoryError:
        raise ValueError(f"checkpoint {path!r} is a folder, not a file") from None
    except _NotNpz as err:
        what = ("an empty file" if not err.head else "a .npy file (a single array)" if err.head == b"\x93NUM"
                else f"a file that starts with {err.head!r}")
        raise ValueError(f"checkpoint {path!r} is not a .npz archive (a zip file): it is {what}; "
                         f"a checkpoint is what lstm_numpy.checkpoint.save writes") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as err:
        raise ValueError(f"checkpoint {path!r} is not a complete .npz file (truncated or corrupted?): "
                         f"{type(err).__name__}: {err}") from None
    if CONFIG_KEY not in arrays:
        raise ValueError(f"checkpoint {path!r} has no {CONFIG_KEY} entry: not an lstm_numpy checkpoint")
    try:
        config = json.loads(str(arrays.pop(CONFIG_KEY)))
    except json.JSONDecodeError as err:
        raise ValueError(f"checkpoint {path!r}: its configuration is not valid JSON: {err}") from None
    if (not isinstance(config, dict) or config.get("format") != FORMAT or config.get("model") not in MODELS
            or not isinstance(config.get("config"), dict)):
        raise ValueError(f"checkpoint {path!r}: expected format {FORMAT} and a model in {sorted(MODELS)}, "
                         f"got format {config.get('format') if isinstance(config, dict) else None!r}, "
                         f"model {config.get('model') if isinstance(config, dict) else None!r}, and a "
                         f"configuration dict")
    return config, arrays


def check_arrays(model, arrays, path):
    """A ValueError listing every missing, unexpected or mis-shaped array of a checkpoint.

    Parameters
    ----------
    model : the model built from the checkpoint's configuration
    arrays : dict ``"param/{name}" -> ndarray``, each of which must have the shape of
        ``model.params[name]``, such as (D, 4H) for ``rnn/cell_0/W_x``, and finite float values
    path : str, the file, for the message

    Returns
    -------
    None, when every array matches
    """
    expected = {f"param/{key}": arr for key, arr in model.params.items()}
    problems = []
    missing = sorted(set(expected) - set(arrays))
    unexpected = sorted(set(arrays) - set(expected))
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected {', '.join(unexpected)}")
    for key in sorted(set(expected) & set(arrays)):
        want, got = expected[key], arrays[key]
        if got.shape != want.shape:
            problems.append(f"{key}: expected shape {want.shape}, found {got.shape}")
        elif got.dtype.kind != "f":
            problems.append(f"{key}: expected floating-point values, found dtype {got.dtype}")
        elif not np.all(np.isfinite(got)):
            problems.append(f"{key}: found NaN or inf")
    if problems:
        raise ValueError(f"checkpoint {path!r} does not match its configuration "
                         f"({type(model).__name__} {model.config}): " + "; ".join(problems))


def load(path):
    """The model stored in ``path``, and the ``extra`` dict saved with it.

    Parameters
    ----------
    path : str or os.PathLike, a file written by :func:`save`

    Returns
    -------
    model : the rebuilt model, every parameter equal to the saved one and of its shape, such as
        ``head/W`` (H_top, K)
    extra : dict

    Examples
    --------
    >>> import os, tempfile
    >>> model = SequenceRegressor(1, [4], rng=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> save(model, path, extra={"step": 10})
    >>> again, extra = load(path)
    >>> extra, bool(np.array_equal(again.params["head/W"], model.params["head/W"]))
    ({'step': 10}, True)
    """
    path = os.fspath(path)
    config, arrays = _read(path)
    options = dict(config["config"])
    if "init" in options and is_csv_path(options["init"]):
        options["init"] = "dl"                 # the saved arrays replace the weights: no file to read
    try:
        model = MODELS[config["model"]](**options)
    except (TypeError, ValueError) as err:
        raise ValueError(f"checkpoint {path!r}: cannot build {config['model']} from its configuration "
                         f"{config['config']}: {err}") from None
    check_arrays(model, arrays, path)
    for key, arr in model.params.items():
        arr[...] = arrays[f"param/{key}"]
    return model, config.get("extra", {})
