"""A training run identical to PyTorch's: 50 steps of the sine regressor and of the character
model, each with Adam and with SGD, clipped by global norm, against the losses and the final
weights that PyTorch computed (tests/fixtures/training_torch_*.npz, written by
make_torch_training_fixtures.py; this file needs only NumPy).

The weights start from the fixture's PyTorch state dicts, converted by lstm_numpy.interop; the
batches are the fixture's. lstm_numpy's own loop trains (``train``), with PyTorch's epsilon in
the clipping (``clip_eps=1e-6``) and its Adam.
"""
import glob
import os

import numpy as np
import pytest

from lstm_numpy.interop import from_torch, to_torch
from lstm_numpy.models import CharLM, SequenceRegressor
from lstm_numpy.train.loop import train
from lstm_numpy.train.optim import SGD, Adam

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
NAMES = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(FIXTURES, "training_torch_*.npz")))

# Every number is float64. The two runs differ by rounding at each step (a different order of
# summation in the products, the norm, the loss), which 50 steps of training carry forward: the
# largest differences measured are 1.3e-15 in a loss and 4.2e-15 in a final weight (weights of
# size up to 0.8). Clipping without PyTorch's epsilon moves them by 1e-7 to 3e-6
# (test_pytorchs_epsilon_is_what_makes_the_runs_equal); a wrong bias layout or gradient by far more.
TOL = dict(rtol=0, atol=1e-9)


def load(name):
    with np.load(os.path.join(FIXTURES, name + ".npz")) as f:
        return {k: f[k] for k in f.files}


def state_dicts(f, prefix):
    modules = sorted({k.split("/")[1] for k in f if k.startswith(prefix + "/sd")})
    return [{k.split("/")[2]: f[k] for k in f if k.startswith(f"{prefix}/{m}/")} for m in modules]


def model_from(f, engine):
    """The fixture's model with its initial weights, converted from PyTorch's layout."""
    if str(f["model"]) == "sine":
        model = SequenceRegressor(1, [20, 30], rng=0, engine=engine)
    else:
        model = CharLM(str(f["vocab"]), [32], rng=0, engine=engine)
    cell = from_torch(state_dicts(f, "init"), "lstm")
    for k, layer in enumerate(cell.cells):
        for name, value in layer.params.items():
            model.params["rnn/" + model.cell.param_key(k, name)][...] = value
    model.params["head/W"][...] = f["init/head/weight"].T
    model.params["head/b"][...] = f["init/head/bias"]
    return model


def optimizer_for(f, model):
    if str(f["optimizer"]) == "adam":
        return Adam(model.params, lr=float(f["lr"]), beta1=float(f["beta1"]), beta2=float(f["beta2"]),
                    eps=float(f["eps"]))
    return SGD(model.params, lr=float(f["lr"]), momentum=float(f["momentum"]))


def batch_of(f):
    if str(f["model"]) == "sine":
        return lambda step: (f["inputs"][step - 1], f["targets"][step - 1], f["lengths"][step - 1])
    return lambda step: (f["inputs"][step - 1], f["targets"][step - 1])


def run(f, engine, clip_eps=1e-6):
    model = model_from(f, engine)
    history = train(model, optimizer_for(f, model), batch_of(f), len(f["losses"]), clip=float(f["clip"]),
                    clip_eps=clip_eps, stream=None)
    return model, np.array(history["loss"])


def final_differences(f, model):
    """The largest difference of each final array from PyTorch's, in PyTorch's layout."""
    got = to_torch(model.cell)
    got = got if isinstance(got, list) else [got]
    diffs = {}
    for j, (sd_got, sd_torch) in enumerate(zip(got, state_dicts(f, "final"), strict=True)):
        assert sorted(sd_got) == sorted(sd_torch)
        for name in sd_torch:
            diffs[f"sd{j}/{name}"] = np.abs(sd_got[name] - sd_torch[name]).max()
    diffs["head/weight"] = np.abs(model.params["head/W"].T - f["final/head/weight"]).max()
    diffs["head/bias"] = np.abs(model.params["head/b"] - f["final/head/bias"]).max()
    return diffs


def test_the_fixtures_are_there():
    assert NAMES == ["training_torch_chars_adam", "training_torch_chars_sgd",
                     "training_torch_sine_adam", "training_torch_sine_sgd"]


@pytest.mark.parametrize("engine", ["fast", "readable"])
@pytest.mark.parametrize("name", NAMES)
def test_fifty_steps_as_pytorch_trains(name, engine):
    f = load(name)
    assert len(f["losses"]) == 50 and (f["norms"] > f["clip"]).sum() >= 10    # the clipping bites
    model, losses = run(f, engine)
    np.testing.assert_allclose(losses, f["losses"], **TOL)
    assert losses[-1] < 0.8 * losses[0]                                      # it trained
    for array, diff in final_differences(f, model).items():
        assert diff <= TOL["atol"], f"{array}: {diff:.3g}"
    moved = np.abs(f["final/sd0/weight_hh_l0"] - f["init/sd0/weight_hh_l0"]).max()
    assert moved > 1e-3                                                      # the weights did move


def test_pytorchs_epsilon_is_what_makes_the_runs_equal():
    """Clipping as TensorFlow does (no epsilon) leaves the weights 1e-9 or more from PyTorch's."""
    f = load("training_torch_sine_adam")
    model, _ = run(f, "fast", clip_eps=0.0)
    assert max(final_differences(f, model).values()) > 1e-8
