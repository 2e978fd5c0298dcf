"""A file that save writes loads back, and save refuses what load would refuse."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_numpy import checkpoint
from lstm_numpy.models import ArticleLSTM, CharLM, SequenceRegressor


# A file that save writes must load back; what load refuses, save refuses.


def test_save_refuses_what_load_would_refuse(tmp_path):
    model = SequenceRegressor(1, [4], rng=0)
    model.params["head/W"][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"params\['head/W'\] \(a checkpoint holds finite weights only\), got nan"):
        checkpoint.save(model, tmp_path / "m.npz")
    assert not os.listdir(tmp_path)
    with pytest.raises(ValueError, match="not plain JSON"):
        checkpoint.save(SequenceRegressor(1, [4], rng=0), tmp_path / "m.npz", extra={"when": object()})


MODELS = st.one_of(
    st.builds(lambda cell, sizes, seed: SequenceRegressor(2, sizes, cell=cell, rng=seed),
              st.sampled_from(["lstm", "gru", "rnn"]), st.lists(st.integers(1, 4), min_size=1, max_size=2),
              st.integers(0, 9)),
    st.builds(lambda widths, seed: ArticleLSTM(1, widths=widths, rng=seed),
              st.lists(st.integers(1, 4), min_size=1, max_size=3), st.integers(0, 9)),
    st.builds(lambda text, sizes, seed: CharLM("".join(sorted(set(text))), sizes, rng=seed),
              st.text("abcxyz \n", min_size=2, max_size=12).filter(lambda t: len(set(t)) > 1),
              st.lists(st.integers(1, 4), min_size=1, max_size=2), st.integers(0, 9)),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(model=MODELS)


def test_every_model_round_trips_through_save_and_load(model, tmp_path):
    for p in model.params.values():
        p[...] = np.random.default_rng(p.size).normal(size=p.shape)
    path = tmp_path / "model.npz"
    checkpoint.save(model, path, extra={"step": 3})
    again, extra = checkpoint.load(path)
    assert type(again) is type(model) and extra == {"step": 3} and again.config == model.config
    assert set(again.params) == set(model.params)
    for key, value in model.params.items():
        np.testing.assert_array_equal(again.params[key], value)
