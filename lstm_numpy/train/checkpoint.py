"""Checkpoints: one ``.npz`` file with the model's configuration and every parameter array.

The configuration is stored as JSON text in a string array (``__config__``), so the file loads
with ``allow_pickle=False``: nothing in it can run code. Loading rebuilds the model from the
configuration, then checks that the file holds exactly the arrays that model has, with their
shapes, and says what differs.

Writing goes to a temporary file in the same directory, which replaces the old checkpoint with
``os.replace`` only once it is complete: a crash mid-write leaves the previous file as it was.
"""
import json
import math
import os
import struct
import tempfile
import zipfile
import zlib

import numpy as np

from ..models.charlm import CharLM
from ..checks import check_bytes, check_finite, format_bytes, write_error
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
    for key, arr in model.params.items():                     # what load would refuse is never written
        if not np.isfinite(arr).all():
            check_finite(f"{name}.params[{key!r}] (a checkpoint holds finite weights only)", arr)
    config = {"format": FORMAT, "model": name, "config": model.config, "extra": extra or {}}
    try:
        json.loads(json.dumps(config, sort_keys=True, allow_nan=False))
    except (TypeError, ValueError) as err:
        raise ValueError(f"cannot save {name}: its configuration or extra is not plain JSON: {err}") from None
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
    problem = write_error(folder)                             # can a file be made there at all?
    if problem:
        raise ValueError(f"cannot write checkpoint {path!r}: {problem} (name a file in another folder)")
    return path


class _NotNpz(Exception):
    """A file that does not start as a zip archive does."""

    def __init__(self, head):
        super().__init__(head)
        self.head = head


DEFLATE_RATIO = 1032     # the most that deflate can expand: what a compressed member can justify


class _Crafted(ValueError):
    """A member that claims more data than the file holds: refused before anything is allocated."""


def check_members(f, file_size):
    """A ValueError when a member of the archive ``f`` claims more data than the file can hold.

    np.load allocates each array from the shape its ``.npy`` header claims before it reads a byte,
    so a crafted header (a shape of 10**12 elements) would ask for terabytes. Each header is read
    here first: the array it claims must fit in the member, and the member in what the file's own
    size justifies (its size, or the deflate ratio times it), and under MAX_BYTES.

    Parameters
    ----------
    f : binary file object of the ``.npz`` archive, at its start
    file_size : int, the file's size in bytes

    Returns
    -------
    None
    """
    with zipfile.ZipFile(f) as archive:
        for info in archive.infolist():
            stored = info.compress_type == zipfile.ZIP_STORED
            justified = info.compress_size if stored else DEFLATE_RATIO * info.compress_size
            if info.file_size > min(justified, file_size * (1 if stored else DEFLATE_RATIO)):
                raise _Crafted(f"member {info.filename!r} claims {format_bytes(info.file_size)}, more than "
                                 f"its {format_bytes(info.compress_size)} of data can hold")
            try:
                check_bytes(f"member {info.filename!r}", info.file_size)
            except ValueError as err:
                raise _Crafted(str(err)) from None
            if not info.filename.endswith(".npy"):
                continue
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                          else np.lib.format.read_array_header_2_0)
                shape, _, dtype = reader(member)
                header = member.tell()
            claimed = math.prod(shape) * dtype.itemsize
            if header + claimed > info.file_size:
                raise _Crafted(f"member {info.filename!r}: its header claims an array of shape {shape} "
                                 f"({format_bytes(claimed)}), more than the {format_bytes(info.file_size)} it holds")


def _read(path):
    """The configuration dict and the arrays of a checkpoint file, or a ValueError saying why not."""
    try:
        with open(path, "rb") as f:                  # our own handle: closed even when the zip is bad
            head = f.read(4)
            if head != b"PK\x03\x04":               # a .npz is a zip archive; np.load would take
                raise _NotNpz(head)                   # anything else for a pickle and ask to unpickle it
            f.seek(0)
            check_members(f, os.path.getsize(path))
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
    except _Crafted as err:
        raise ValueError(f"checkpoint {path!r} is damaged or crafted: {err}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, EOFError, OSError, ValueError,
            KeyError, NotImplementedError, RuntimeError, OverflowError, UnicodeDecodeError) as err:
        # whatever a damaged archive makes zipfile or the .npy reader raise
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
