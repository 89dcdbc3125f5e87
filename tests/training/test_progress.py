"""One progress display: drawn on a terminal, not into a log file or pipe unless --progress asks for it."""

import argparse

from rnncast.cli.commands import main
from rnncast.training.progress import wanted


def test_progress_is_quiet_off_a_terminal_unless_asked(monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    assert not wanted(argparse.Namespace(quiet=False, progress=False))
    assert wanted(argparse.Namespace(quiet=False, progress=True))
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    assert wanted(argparse.Namespace(quiet=False, progress=False))
    assert not wanted(argparse.Namespace(quiet=True, progress=False))


def test_the_command_draws_member_and_phase_only_when_asked(tmp_path, capsys):
    args = ["train", "tourism_quarterly", "--horizon", "4", "--seq-length", "8", "--hidden-size", "4",
            "--epochs", "2", "--ensemble", "2"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert "member" not in capsys.readouterr().err  # stderr is not a terminal here
    assert main([*args, "--progress", "--out", str(tmp_path / "b")]) == 0
    err = capsys.readouterr().err
    assert "member 1/2 · validation run" in err and "member 2/2" in err and "epoch" in err
