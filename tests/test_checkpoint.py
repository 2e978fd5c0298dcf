"""Checkpoints: exact round trips, clear errors for damaged or mismatched files, atomic writes."""
import os
import zipfile

import numpy as np
import pytest

from lstm_numpy import checkpoint
from lstm_numpy.models import CharLM
from lstm_numpy.models import ArticleLSTM, SequenceRegressor

from conftest import randomize


def models():
    return [SequenceRegressor(3, [4, 5], 2, cell="gru", initial_state="learned", rng=1),
            ArticleLSTM(2, widths=(4, 3, 5), steps=6, rng=2),
            CharLM("ab\ncé", [6], embed_size=3, rng=3)]


@pytest.mark.parametrize("model", models(), ids=lambda m: type(m).__name__)
def test_round_trip_is_exact(model, tmp_path, rng):
    randomize(model, rng)
    path = tmp_path / "model.npz"
    checkpoint.save(model, path, extra={"step": 7})
    again, extra = checkpoint.load(path)
    assert type(again) is type(model) and again.config == model.config and extra == {"step": 7}
    assert again.params.keys() == model.params.keys()
    for name, arr in model.params.items():
        assert np.array_equal(again.params[name], arr) and again.params[name].dtype == arr.dtype, name
    if isinstance(model, CharLM):
        ids = rng.integers(0, 5, size=(2, 4))
        assert np.array_equal(again.logits(ids)[0], model.logits(ids)[0])
    else:
        x = rng.normal(size=(6, 2, 2)) if isinstance(model, ArticleLSTM) else rng.normal(size=(2, 6, 3))
        assert np.array_equal(again.predict(x)[0], model.predict(x)[0])


@pytest.fixture
def saved(tmp_path):
    model = SequenceRegressor(2, [3], rng=0)
    path = tmp_path / "model.npz"
    checkpoint.save(model, path)
    return model, path


def test_truncated_file(saved):
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match=r"model\.npz.*not a complete \.npz file \(truncated or corrupted"):
        checkpoint.load(path)


def test_tampered_bytes(saved):
    """Changing bytes inside an array's data breaks the zip's CRC-32."""
    _, path = saved
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("param/head/W.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 128 + 8  # past the .npy header
    data[start:start + 8] = b"\x00\x00\x00\x00\x00\x00\xf0\x7f"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="truncated or corrupted.*CRC"):
        checkpoint.load(path)


def rewrite(path, change):
    """Re-save a checkpoint's entries after ``change(entries)``, as a valid .npz."""
    with np.load(path) as data:
        entries = {k: data[k] for k in data.files}
    change(entries)
    np.savez(path, **entries)


def test_mismatched_shapes_and_names(saved):
    _, path = saved

    def change(entries):
        entries["param/head/W"] = np.zeros((4, 1))
        del entries["param/rnn/b"]
        entries["param/extra"] = np.zeros(2)
    rewrite(path, change)
    with pytest.raises(ValueError) as err:
        checkpoint.load(path)
    message = str(err.value)
    assert "does not match its configuration" in message
    assert "missing param/rnn/b" in message and "unexpected param/extra" in message
    assert "param/head/W: expected shape (3, 1), found (4, 1)" in message


def test_not_a_checkpoint_and_pickles_refused(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.zeros(2))
    with pytest.raises(ValueError, match="no __config__ entry"):
        checkpoint.load(path)
    np.savez(path, __config__=np.array("{}"), a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match="truncated or corrupted.*allow_pickle"):
        checkpoint.load(path)
    with pytest.raises(ValueError, match="not found"):
        checkpoint.load(tmp_path / "missing.npz")


def test_bad_configuration(saved):
    _, path = saved
    rewrite(path, lambda e: e.update(__config__=np.array('{"format": 1, "model": "Nope", "config": {}}')))
    with pytest.raises(ValueError, match="model 'Nope'"):
        checkpoint.load(path)
    rewrite(path, lambda e: e.update(__config__=np.array(
        '{"format": 1, "model": "SequenceRegressor", "config": {"input_size": 2, "colour": 1}}')))
    with pytest.raises(ValueError, match="cannot build SequenceRegressor.*colour"):
        checkpoint.load(path)


def test_failed_write_leaves_the_old_file(saved, monkeypatch):
    model, path = saved
    before = path.read_bytes()
    randomize(model, np.random.default_rng(5))

    def crash(f, **arrays):
        f.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.save(model, path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == [path.name]                 # no temporary file left behind
    monkeypatch.undo()
    loaded, _ = checkpoint.load(path)
    assert not np.array_equal(loaded.params["head/W"], model.params["head/W"])   # still the old weights


def test_other_files(tmp_path):
    path = tmp_path / "array.npz"
    with open(path, "wb") as f:
        np.save(f, np.zeros(3))                                   # a .npy, not an archive
    with pytest.raises(ValueError, match=r"is not a .npz archive \(a zip file\): it is a .npy file \(a single array\)"):
        checkpoint.load(path)
    path.write_text("hello")                                      # np.load would ask to unpickle it
    with pytest.raises(ValueError, match="is not a .npz archive .*starts with b'hell'"):
        checkpoint.load(path)
    path.write_text("")
    with pytest.raises(ValueError, match="is not a .npz archive .*an empty file"):
        checkpoint.load(path)
    with pytest.raises(ValueError, match="is a folder, not a file"):
        checkpoint.load(tmp_path)


def test_unwritable_paths(tmp_path):
    model = SequenceRegressor(2, [3], rng=0)
    with pytest.raises(ValueError, match="folder .*nowhere.* does not exist"):
        checkpoint.save(model, tmp_path / "nowhere" / "m.npz")
    with pytest.raises(ValueError, match="it is a folder"):
        checkpoint.save(model, tmp_path)
    checkpoint.save(model, tmp_path / "m.npz")
    assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o644


def test_configuration_without_its_config_dict(saved):
    _, path = saved
    rewrite(path, lambda e: e.update(__config__=np.array('{"format": 1, "model": "SequenceRegressor"}')))
    with pytest.raises(ValueError, match="and a configuration dict"):
        checkpoint.load(path)


def test_a_csv_initialised_model_loads_without_its_file(tmp_path):
    """The saved arrays are the weights: loading must not need the CSV the model started from."""
    csv = tmp_path / "w.csv"
    np.savetxt(csv, np.random.default_rng(0).normal(size=(1 + 3, 4 * 3)), delimiter=",")
    model = SequenceRegressor(1, [3], init=str(csv), rng=0)
    checkpoint.save(model, tmp_path / "m.npz")
    csv.unlink()
    again, _ = checkpoint.load(tmp_path / "m.npz")
    for key, arr in model.params.items():
        np.testing.assert_array_equal(again.params[key], arr)
