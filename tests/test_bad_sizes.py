"""Sizes that cannot fit, from a flag or a file, are refused before anything is allocated, naming
the flag or field, the value and the limit (lstm_numpy.checks.MAX_SIZE, MAX_BYTES)."""
import io
import os
import tracemalloc
import zipfile

import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy import checkpoint
from lstm_numpy.checks import MAX_SIZE
from lstm_numpy.models import SequenceRegressor

from conftest import run_cli


# Sizes that cannot fit: refused before anything is allocated, naming the flag or field.


@pytest.mark.parametrize("argv, message", [
    (["gradcheck", "--sizes", "100000"], "--sizes 100000 --input-size 8 --batch 3 --steps 4 would need 298.2 GiB"),
    (["trace", "--batch", "1000000000"], "argument --batch: expected a positive integer <= 1048576, got 1000000000"),
    (["trace", "--batch", "100000", "--steps", "1000"], "more than the limit of 4.0 GiB"),
    (["diagram", "legend", "--dpi", "100000", "-o", "x.png"], "argument --dpi: expected a positive dpi <= 1200"),
    (["train", "sine", "--batch", "1000000000"], "argument --batch: expected a positive integer <= 1048576"),
])


def test_sizes_that_cannot_fit_are_refused_by_flag(argv, message, capsys):
    status, _, err = run_cli(argv, capsys)
    assert status == 2 and message in err and "Traceback" not in err


def test_sizes_that_cannot_fit_are_refused_by_the_library():
    with pytest.raises(ValueError, match=r"LSTMCell\(input_size=100000, hidden_size=100000\)'s weights would need 596.0 GiB"):
        ln.LSTMCell(100000, 100000)
    with pytest.raises(ValueError, match=rf"expected hidden_size <= {MAX_SIZE}"):
        ln.GRUCell(3, 10 ** 7)
    with pytest.raises(ValueError, match=r"cannot build SequenceRegressor from its configuration"):
        crafted_config_load({"input_size": 1, "sizes": [10 ** 6, 10 ** 6]})


def crafted_config_load(config, tmp=None):
    """Load a checkpoint whose configuration was edited to ``config``."""
    import json
    import tempfile
    folder = tmp or tempfile.mkdtemp()
    path = os.path.join(folder, "crafted.npz")
    np.savez(path, __config__=np.array(json.dumps({"format": 1, "model": "SequenceRegressor", "config": config,
                                                    "extra": {}})))
    return checkpoint.load(path)


def test_a_crafted_array_header_allocates_nothing(tmp_path):
    model = SequenceRegressor(1, [4], rng=0)
    path = tmp_path / "model.npz"
    checkpoint.save(model, path)
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10 ** 6, 10 ** 6)})
    name = "param/rnn/W_x.npy"
    members[name] = header.getvalue() + members[name][len(header.getvalue()):]
    with zipfile.ZipFile(tmp_path / "crafted.npz", "w") as z:
        for key, data in members.items():
            z.writestr(key, data)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"damaged or crafted: member 'param/rnn/W_x.npy': its header claims "
                                             r"an array of shape \(1000000, 1000000\) \(7.3 TiB\)"):
            checkpoint.load(tmp_path / "crafted.npz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * os.path.getsize(tmp_path / "crafted.npz") + (1 << 20)
