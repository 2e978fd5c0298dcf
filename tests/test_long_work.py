"""Work that takes more than a few seconds says what it will do before it starts, and how far it is."""
from conftest import run_cli


def test_a_long_gradcheck_says_what_it_will_do(capsys, monkeypatch):
    from lstm_numpy.commands import gradcheck as command
    monkeypatch.setattr(command, "LARGE", 10)
    status, out, err = run_cli(["gradcheck", "--cell", "rnn", "--sizes", "2", "--input-size", "2", "--batch", "1",
                                "--steps", "2"], capsys)
    numbers = 1 * 2 * 2 + (2 * 2 + 2 * 2 + 2) + 1 * 2           # x (B, T, D), W_x, W_h, b, the initial h (B, H)
    assert status == 0 and "numbers to perturb, four forward passes each" in err
    assert f"all {numbers} numbers checked" in err


def test_a_short_gradcheck_says_nothing_extra(capsys):
    status, _, err = run_cli(["gradcheck", "--cell", "rnn", "--sizes", "2", "--input-size", "2", "--batch", "1",
                              "--steps", "2"], capsys)
    assert status == 0 and err == ""


def test_what_is_printed_or_drawn_in_full_has_a_step_limit(capsys):
    for command in (["trace"], ["diagram", "unrolled", "-o", "x.png"]):
        status, _, err = run_cli([*command, "--steps", "100000"], capsys)
        assert status == 2 and "argument --steps: expected a positive integer <= 1000, got 100000" in err
