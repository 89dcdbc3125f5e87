"""Every writer, run as a user would: rnncast never replaces what it did not write, nor an input.

Each case puts a user's file or folder at the target, runs the command and checks: exit 2, one line
naming the path, every byte under the folder as before. Then the real-process cases: two writers of
one --out at once, and a folder the process may not write to.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import pytest

from rnncast.cli.commands import app
from rnncast.outputs import sha256_file


def run_cli(*argv):
    try:
        app([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code
    raise AssertionError("app() must exit")


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A user's folder: their data, their notes, and nothing of rnncast's."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    close = 100 + np.cumsum(rng.normal(size=80))
    pd.DataFrame({"date": pd.date_range("2024-01-01", periods=80, freq="D").strftime("%Y-%m-%d"),
                  "Open": close + rng.normal(size=80), "Close": close}).to_csv("prices.csv", index=False)
    os.mkdir("project")
    shutil.copy("prices.csv", "project/prices.csv")
    with open("project/notes.txt", "w") as f:
        f.write("notes\n")
    with open("afile", "w") as f:
        f.write("x\n")
    with open("corpus.txt", "w") as f:
        f.write("the cat sat on the mat. " * 40)
    return tmp_path


TRAIN = ("--iterations", "2", "--quiet")


@pytest.fixture()
def refused(capsys, snapshot):
    """``refused(folder, *argv, match=...)``: exit 2, one line holding ``match``, nothing in ``folder`` changed."""
    def check(folder, *argv, match):
        capsys.readouterr()
        before = snapshot(folder)
        code = run_cli(*argv)
        err = capsys.readouterr().err
        assert code == 2, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err
        assert match in lines[0], lines[0]
        assert snapshot(folder) == before
    return check


def test_the_issue_commands_end_with_exit_2_and_every_user_file_in_place(project, capsys, refused):
    refused(project, "train", "project/prices.csv", "--out", "project", *TRAIN, match="input")
    refused(project, "train", "prices.csv", "--out", "afile", *TRAIN, match="afile")
    refused(project, "train", "project/prices.csv", "--out", "project", "--force", *TRAIN, match="input")
    refused(project, "train", "prices.csv", "--out", ".", *TRAIN, match="input")


@pytest.mark.parametrize("argv", [
    ("train", "prices.csv", *TRAIN),
    ("backtest", "prices.csv", "--n-windows", "1", *TRAIN),
    ("demo", "--quiet"),
    ("text", "train", "corpus.txt", "--iterations", "2", "--quiet"),
    ("tag", "train", "tags_sample", "--epochs", "1", "--quiet"),
    ("explain", "gradients", "--length", "3", "--hidden-size", "2"),
    ("explain", "rnn", "prices.csv"),
])
def test_no_run_directory_writer_replaces_a_users_folder_or_file(project, capsys, argv, refused):
    os.mkdir("data")
    with open("data/sales.csv", "w") as f:
        f.write("1\n")
    refused(project, *argv, "--out", "data", match="folder rnncast did not write")
    refused(project, *argv, "--out", "data", "--force", match="folder rnncast did not write")
    refused(project, *argv, "--out", "afile", match="afile")


@pytest.fixture()
def trained(project, capsys):
    assert run_cli("train", "prices.csv", "--out", "run", *TRAIN) == 0
    capsys.readouterr()
    return project


def test_a_run_is_replaced_by_the_next_one_but_not_when_it_holds_a_users_file(trained, capsys, refused):
    assert run_cli("train", "prices.csv", "--out", "run", "--seed", "1", *TRAIN) == 0
    assert json.loads(open("run/config.json").read())["train"]["seed"] == 1
    with open("run/my-notes.md", "w") as f:
        f.write("mine")
    refused(trained, "train", "prices.csv", "--out", "run", "--force", *TRAIN, match="my-notes.md")
    os.remove("run/my-notes.md")
    refused(trained, "text", "train", "corpus.txt", "--iterations", "2", "--out", "run", "--quiet",
            match="forecasting run, not a language-model run; --force")


def test_predict_out_replaces_only_a_forecast_it_wrote_and_never_an_input(trained, capsys, refused):
    assert run_cli("predict", "run", "--out", "forecast.csv") == 0
    assert run_cli("predict", "run", "--out", "forecast.csv") == 0  # its own forecast: replaced
    capsys.readouterr()
    refused(trained, "predict", "run", "prices.csv", "--out", "prices.csv", match="input")
    refused(trained, "predict", "run", "--out", "afile", match="not a forecast table")
    refused(trained, "predict", "run", "--out", "run/config.json", match="not a forecast table")
    refused(trained, "predict", "run", "--out", "run", match="input")


def test_explain_rnn_never_writes_into_its_source_run(trained, capsys, refused):
    refused(trained, "explain", "rnn", "run", "--out", "run", match="input")
    assert run_cli("explain", "rnn", "run", "--out", "figures") == 0
    assert run_cli("explain", "rnn", "run", "--out", "figures") == 0
    assert sorted(os.listdir("figures")) == ["config.json", "hidden_states.png"]


def test_checkpoints_never_overwrite_a_users_file_and_leave_the_folders_other_files(project, capsys, refused):
    os.mkdir("ckpt")
    with open("ckpt/checkpoint.safetensors", "wb") as f:
        f.write(b"not mine to overwrite")
    refused(project, "train", "prices.csv", "--checkpoint-every", "1", "--checkpoint", "ckpt", "--out", "r",
            *TRAIN, match="checkpoint.safetensors")
    os.remove("ckpt/checkpoint.safetensors")
    with open("ckpt/readme.txt", "w") as f:
        f.write("mine")
    assert run_cli("train", "prices.csv", "--checkpoint-every", "1", "--checkpoint", "ckpt", "--out", "r",
                   *TRAIN) == 0
    assert sorted(os.listdir("ckpt")) == ["checkpoint.safetensors", "readme.txt"]
    assert open("ckpt/readme.txt").read() == "mine"


def test_tag_predict_out_replaces_only_a_file_it_tagged(project, capsys, refused):
    assert run_cli("tag", "train", "tags_sample", "--epochs", "1", "--out", "tagger", "--quiet") == 0
    with open("in.conll", "w") as f:
        f.write("John\nlives\nhere\n")
    assert run_cli("tag", "predict", "tagger", "in.conll", "--out", "tagged.conll") == 0
    assert run_cli("tag", "predict", "tagger", "in.conll", "--out", "tagged.conll") == 0
    assert run_cli("tag", "predict", "tagger", "tagged.conll") == 0  # its own output reads back
    capsys.readouterr()
    refused(project, "tag", "predict", "tagger", "in.conll", "--out", "in.conll", match="input")
    refused(project, "tag", "predict", "tagger", "in.conll", "--out", "afile", match="tagged CoNLL")


def test_forecaster_save_refuses_a_users_folder(trained, snapshot):
    import rnncast
    from rnncast.errors import RnncastError

    model = rnncast.load("run")
    before = snapshot(trained)
    with pytest.raises(RnncastError, match="folder rnncast did not write"):
        model.save("project")
    assert snapshot(trained) == before
    model.save("run")  # its own kind of run: replaced


def test_predict_finds_a_run_that_a_killed_writer_had_moved_aside(trained, capsys):
    os.rename("run", ".run.rnncast-old-99999-0123abcd")  # the state after a SIGKILL between the two renames
    assert run_cli("predict", "run") == 0
    assert "restored" in capsys.readouterr().err
    assert os.path.isdir("run") and not [n for n in os.listdir() if n.startswith(".")]


def _rnncast(*argv, cwd, **kw):
    return subprocess.Popen([sys.executable, "-m", "rnncast", *argv], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_two_processes_writing_one_out_leave_one_whole_run(project):
    procs = [_rnncast("train", "prices.csv", "--out", "run", "--seed", str(seed), "--iterations", "30", "--quiet",
                      cwd=project) for seed in (1, 2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert all(code in (0, 2) for code, _ in results), results
    assert any(code == 0 for code, _ in results)
    config = json.load(open("run/config.json"))
    assert sorted(os.listdir("run")) == sorted(["config.json", *config["files"]])
    assert all(sha256_file(f"run/{n}") == d for n, d in config["files"].items())  # one run's files, not a mix
    assert config["train"]["seed"] in (1, 2)
    assert not [n for n in os.listdir() if n.startswith(".")]


def _read_only(folder: str) -> list[str] | None:
    """A command prefix under which ``folder`` is really read-only: a read-only bind mount in a private
    mount namespace (root), or nothing once the folder's write bits are gone (any other user)."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        return []
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    return ["unshare", "-m", "sh", "-c", f'mount --bind "{folder}" "{folder}" && '
            f'mount -o remount,bind,ro "{folder}" && cd "{folder}" && exec "$0" "$@"']


def test_a_read_only_folder_ends_with_one_line_and_the_previous_run_intact(snapshot):
    folder = tempfile.mkdtemp()
    try:
        pd.DataFrame({"y": np.sin(np.arange(60) / 3) + 2}).to_csv(f"{folder}/data.csv", index=False)
        assert run_cli("train", f"{folder}/data.csv", "--out", f"{folder}/run", *TRAIN) == 0
        prefix = _read_only(folder)
        if prefix is None:
            pytest.skip("cannot make a folder read-only here (root without mount namespaces)")
        before = snapshot(folder)
        result = subprocess.run([*prefix, sys.executable, "-m", "rnncast", "train", "data.csv", "--out", "run",
                                 *TRAIN], cwd=folder, capture_output=True, text=True, timeout=300)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and ("Read-only" in lines[0] or "Permission denied" in lines[0]), result.stderr
        assert snapshot(folder) == before
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def test_columns_left_out_and_numbers_parsed_are_said_in_the_terminal_config_and_report(project, capsys):
    table = pd.read_csv("prices.csv")
    table.insert(1, "ticker", "ABC")
    table["Volume"] = [f"{1000 + 37 * i:,}" for i in range(len(table))]
    table = table[["date", "ticker", "Volume", "Open", "Close"]]
    table.to_csv("export.csv", index=False)
    assert run_cli("train", "export.csv", "--out", "plain", *TRAIN) == 2
    assert "column 'Volume'" in capsys.readouterr().err and not os.path.exists("plain")
    assert run_cli("train", "export.csv", "--out", "run", "--numbers", "formatted", *TRAIN) == 0
    out = capsys.readouterr()
    assert "not used as inputs: ticker (text, not numbers)" in out.err
    assert "read numbers written for people in Volume (e.g. '1,000')" in out.err
    config = json.load(open("run/config.json"))
    assert config["data"]["ignored"] == {"ticker": "text, not numbers"}
    assert config["data"]["columns"] == ["Volume", "Open", "Close"]
    assert any("ticker" in note for note in config["data_source"]["input_notes"])
    report = open("run/report.html").read()
    assert "Not used as inputs: ticker (text, not numbers)" in report and "Volume (e.g. &#x27;1,000&#x27;)" in report
    assert run_cli("predict", "run") == 0  # re-reads the training data the same way


ERRORS = [(28, "No space left on device"), (13, "Permission denied")]


def test_an_os_error_at_any_write_of_a_command_is_one_line_and_leaves_the_previous_output(
        project, capsys, snapshot, os_error_at):
    argv = ("explain", "gradients", "--length", "3", "--hidden-size", "2", "--out", "figures")
    assert run_cli(*argv) == 0
    capsys.readouterr()
    before = snapshot(project)
    stop = 1
    while True:
        error = ERRORS[stop % 2]  # a full disk at odd steps, permission denied at even ones
        with os_error_at(stop, error) as calls:
            code = run_cli(*argv)
        err = capsys.readouterr().err
        if calls.count < stop:  # the command got through every write: nothing left to break
            assert code == 0
            break
        assert code == 2 and len(err.strip().splitlines()) == 1 and error[1] in err, (stop, err)
        assert snapshot(project) == before, f"changed after a failure at write step {stop}"
        stop += 1
    assert stop > 8
