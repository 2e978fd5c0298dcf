"""Damaged and crafted checkpoint files: load returns the saved model or a ValueError naming the file,
and never allocates more than a bound tied to the file's size."""
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_numpy import checkpoint
from lstm_numpy.checks import MAX_BYTES
from lstm_numpy.models import SequenceRegressor

# The property test over checkpoint files: truncations, flipped bytes, crafted headers and configurations.
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("checkpoint") / "model.npz"
    model = SequenceRegressor(2, [3, 2], rng=0)
    checkpoint.save(model, path, extra={"step": 1})
    return model, path.read_bytes()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 10 ** 6), flips=st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(1, 255)), max_size=4))
def test_a_damaged_checkpoint_loads_equal_or_names_the_file(saved, cut, flips, tmp_path):
    model, data = saved
    damaged = bytearray(data[:cut % (len(data) + 1)] if cut % 3 == 0 else data)
    for where, xor in flips:
        if damaged:
            damaged[where % len(damaged)] ^= xor
    path = tmp_path / "damaged.npz"
    path.write_bytes(bytes(damaged))
    tracemalloc.start()
    try:
        try:
            again, _ = checkpoint.load(path)
        except ValueError as err:
            assert str(path) in str(err)
        else:
            assert set(again.params) == set(model.params)
            for key, value in model.params.items():
                assert again.params[key].shape == value.shape
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * len(data) + (4 << 20) and peak < MAX_BYTES
