"""Random argument vectors for every subcommand: each run succeeds, or exits 2 with the usage and one
error line; never a traceback, never more than a few seconds."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_numpy.checks import MAX_SIZE

from conftest import run_cli


# The property test over the command line: random argument vectors, valid and invalid values.
SMALL = st.sampled_from(["1", "2", "3"])
BAD = st.sampled_from(["0", "-1", "x", "1.5", "nan", "inf", "", str(MAX_SIZE + 1), "99999999999999999999"])
FLOAT_BAD = st.sampled_from(["0", "-1", "x", "nan", "inf", "-inf", "1e999"])
VALUES = {
    "--cell": st.sampled_from(["lstm", "gru", "rnn", "LSTM", "cnn"]),
    "--sizes": st.lists(st.one_of(SMALL, BAD), min_size=1, max_size=3),
    "--input-size": st.one_of(SMALL, BAD), "--batch": st.one_of(SMALL, BAD), "--steps": st.one_of(SMALL, BAD),
    "--lengths": st.lists(st.one_of(SMALL, BAD, st.just("0")), min_size=1, max_size=3),
    "--forget-bias": st.one_of(st.just("1.0"), FLOAT_BAD), "--activation": st.sampled_from(["tanh", "relu", "gelu"]),
    "--seed": st.one_of(SMALL, BAD),
}
SWITCHES = ["--time-major", "--reset-before", "--values", "--bogus"]


@st.composite
def argument_vectors(draw):
    command = draw(st.sampled_from(["trace", "gradcheck", "diagram-legend", "train", "nonsense"]))
    argv = {"diagram-legend": ["diagram", "legend"], "train": ["train", draw(st.sampled_from(["sine", "chars", "x"]))],
            "gradcheck": ["gradcheck", "--sizes", "2", "--input-size", "2"],     # small unless a flag below says
            "trace": ["trace", "--sizes", "2", "--input-size", "2"]}.get(command, [command])
    for flag in draw(st.lists(st.sampled_from(sorted(VALUES)), max_size=4, unique=True)):
        value = draw(VALUES[flag])
        argv += [flag, *value] if isinstance(value, list) else [flag, value]
    argv += draw(st.lists(st.sampled_from(SWITCHES), max_size=2, unique=True))
    if argv[0] == "train":
        argv += ["--steps", draw(st.one_of(SMALL, BAD)), "--no-figures", "--quiet", "--evals", "1", "--heldout", "5"]
    return argv


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=argument_vectors())
def test_the_command_line_never_shows_a_traceback(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if argv[:2] == ["diagram", "legend"]:
        argv = argv + ["-o", str(tmp_path / "legend.png")]
    status, _, err = run_cli(argv, capsys)
    assert "Traceback" not in err
    if status == 2:
        lines = err.strip().splitlines()
        assert lines and "error:" in lines[-1], err                  # the error is the last line
        assert sum("error:" in line for line in lines) == 1, err      # and the only one
        assert all(line.startswith(("usage:", " ")) for line in lines[:-1]), err   # above it, the usage only
    else:
        assert status in (0, 1), (status, err)
