"""Atomic writes: complete or absent, only over rnncast's own outputs, recoverable after a kill."""

import errno
import json
import os
import subprocess
import sys

import pytest

from rnncast import atomic, outputs
from rnncast.errors import RnncastError


def write_run(path, text="one", kind=outputs.FORECAST_RUN, **kw):
    with atomic.directory(path, kind, **kw) as stage:
        stage.write_text("predictions.csv", text)
        stage.write_config({"format_version": 3, "seed": text})


def test_write_file_replaces_its_own_kind_and_uses_umask_permissions(tmp_path):
    target = tmp_path / "f.csv"
    atomic.write_text_file(target, "unique_id,ds,lstm\na,1,2\n", outputs.FORECAST_CSV)
    atomic.write_text_file(target, "unique_id,ds,gru\na,1,3\n", outputs.FORECAST_CSV)
    assert target.read_text() == "unique_id,ds,gru\na,1,3\n"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]


def test_write_file_never_overwrites_a_file_it_did_not_write(tmp_path):
    target = tmp_path / "prices.csv"
    target.write_text("ds,y\n1,2\n")
    with pytest.raises(RnncastError, match="not a forecast table rnncast wrote"):
        atomic.write_text_file(target, "unique_id,ds,lstm\n", outputs.FORECAST_CSV)
    assert target.read_text() == "ds,y\n1,2\n"
    generated = tmp_path / "text.txt"
    generated.write_text("mine")
    with pytest.raises(RnncastError, match="generated text"):
        atomic.write_text_file(generated, "new", outputs.TEXT)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prices.csv", "text.txt"]


def test_directory_failure_keeps_the_old_one_and_leaves_no_temp(tmp_path):
    run = tmp_path / "run"
    write_run(run, "old")
    with pytest.raises(KeyboardInterrupt):
        with atomic.directory(run, outputs.FORECAST_RUN) as stage:
            stage.write_text("predictions.csv", "new")
            raise KeyboardInterrupt
    assert (run / "predictions.csv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_directory_success_replaces_the_old_one_and_records_a_manifest(tmp_path):
    run = tmp_path / "run"
    for text in ("old", "new"):
        write_run(run, text)
    assert (run / "predictions.csv").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    config = json.loads((run / "config.json").read_text())
    assert config["output"] == "forecast_run" and config["seed"] == "new" and "rnncast_version" in config
    assert set(config["files"]) == {"predictions.csv"}


@pytest.mark.parametrize("setup, message", [
    (lambda p: (p.mkdir(), (p / "data.csv").write_text("x")), "folder rnncast did not write"),
    (lambda p: p.write_text("x"), "a file rnncast did not write"),
    (lambda p: (write_run(p), (p / "notes.txt").write_text("mine")), r"did not write there \(notes.txt\)"),
    (lambda p: (write_run(p), (p / "predictions.csv").write_text("edited")), "changed since rnncast wrote"),
    (lambda p: (write_run(p, kind=outputs.TEXT_RUN)), "language-model run, not a forecasting run"),
    (lambda p: p.symlink_to(p.parent), "symbolic link"),
])
def test_directory_refuses_what_rnncast_did_not_write(tmp_path, setup, message, snapshot):
    target = tmp_path / "out"
    setup(target)
    before = snapshot(tmp_path)
    with pytest.raises(RnncastError, match=message):
        write_run(target, "new")
    assert snapshot(tmp_path) == before


def test_force_replaces_another_kind_and_edited_files_but_never_foreign_ones(tmp_path):
    run = tmp_path / "run"
    write_run(run, kind=outputs.TEXT_RUN)
    write_run(run, "forced", force=True)
    (run / "predictions.csv").write_text("edited")
    write_run(run, "again", force=True)
    assert (run / "predictions.csv").read_text() == "again"
    (run / "notes.txt").write_text("mine")
    with pytest.raises(RnncastError, match="notes.txt"):
        write_run(run, "x", force=True)
    assert (run / "notes.txt").read_text() == "mine"


def test_an_input_or_a_folder_holding_one_is_refused_even_with_force(tmp_path):
    data = tmp_path / "project" / "prices.csv"
    data.parent.mkdir()
    data.write_text("x")
    for target in (tmp_path / "project", tmp_path, data):
        with pytest.raises(RnncastError, match="input"):
            write_run(target, inputs=[data], force=True)
    assert data.read_text() == "x"


def test_empty_folder_and_legacy_runs_are_replaced(tmp_path):
    (tmp_path / "empty").mkdir()
    write_run(tmp_path / "empty")
    legacy = tmp_path / "legacy"  # format of an older rnncast: no manifest, the kind's file names
    legacy.mkdir()
    (legacy / "config.json").write_text(json.dumps({"format_version": 2, "rnncast_version": "0.0.9"}))
    (legacy / "metrics.json").write_text("{}")
    write_run(legacy, "new")
    assert (legacy / "predictions.csv").read_text() == "new" and not (legacy / "metrics.json").exists()


def test_recover_puts_back_a_run_that_a_stopped_writer_moved_aside(tmp_path, capsys):
    run = tmp_path / "run"
    write_run(run, "old")
    aside = tmp_path / ".run.rnncast-old-99999-abcd"
    os.rename(run, aside)
    (tmp_path / ".run.rnncast-new-99999-abcd").mkdir()  # its half-built replacement
    atomic.recover(run)
    assert (run / "predictions.csv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert "restored" in capsys.readouterr().err


def test_recover_leaves_a_live_writers_staging_alone(tmp_path):
    run = tmp_path / "run"
    with atomic.directory(run, outputs.FORECAST_RUN) as stage:
        atomic.recover(run)  # another command on the same path while this one writes
        assert stage.path.is_dir()
        stage.write_text("predictions.csv", "x")
    assert (run / "predictions.csv").read_text() == "x"


KILLER = r"""
import os, signal, sys
from rnncast import atomic, outputs
stop, count = int(sys.argv[2]), [0]
def hook(fn):
    def wrapped(*args, **kwargs):
        count[0] += 1
        if count[0] == stop:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*args, **kwargs)
    return wrapped
for name in ("mkdir", "open", "write", "fsync", "rename", "unlink", "rmdir"):
    setattr(os, name, hook(getattr(os, name)))
if sys.argv[3] == "file":
    atomic.write_text_file(sys.argv[1], "unique_id,ds,lstm\nnew\n", outputs.FORECAST_CSV)
else:
    with atomic.directory(sys.argv[1], outputs.FORECAST_RUN) as stage:
        for name in ("model.safetensors", "metrics.json", "predictions.csv"):
            stage.write_text(name, "new " + name)
        stage.write_config({"format_version": 3, "seed": "new"})
print(count[0])
"""


def _whole(run) -> str:
    """'old' or 'new' when ``run`` is one whole run (every file matches its manifest), else fail."""
    config = json.loads((run / "config.json").read_text())
    assert sorted(os.listdir(run)) == sorted(["config.json", *config["files"]])
    assert all(outputs.sha256_file(run / n) == digest for n, digest in config["files"].items())
    return config["seed"]


def test_sigkill_at_any_step_leaves_the_old_run_or_the_new_one_and_the_next_run_cleans_up(tmp_path):
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    run_in = tmp_path / "w"

    def attempt(stop):
        return subprocess.run([sys.executable, str(script), str(run_in / "run"), str(stop), "dir"],
                              capture_output=True, text=True, timeout=60)

    run_in.mkdir()
    write_run(run_in / "run", "old")
    total = int(attempt(10**9).stdout)  # the number of steps of a whole replacement
    assert total > 10
    seen = set()
    for stop in range(1, total + 1):
        write_run(run_in / "run", "old")
        result = attempt(stop)
        assert result.returncode == -9, result.stderr
        atomic.recover(run_in / "run")  # what the next rnncast command on that path does first
        assert os.listdir(run_in) == ["run"], f"leftovers after a kill at step {stop}"
        seen.add(_whole(run_in / "run"))
    assert seen == {"old", "new"}


def test_an_oserror_at_any_step_leaves_the_previous_run_and_no_leftovers(tmp_path, snapshot, os_error_at):
    run = tmp_path / "run"
    write_run(run, "old")
    before = snapshot(tmp_path)
    stop = 1
    while True:
        try:
            with os_error_at(stop, (errno.ENOSPC, "No space left on device")):
                write_run(run, "new")
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
            assert snapshot(tmp_path) == before, f"changed after a failure at step {stop}"
            stop += 1
            continue
        break
    assert stop > 5 and _whole(run) == "new"


def test_sigkill_at_any_step_of_a_file_write_leaves_the_old_file_or_the_new_one(tmp_path):
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    folder = tmp_path / "w"
    folder.mkdir()
    target = folder / "forecast.csv"

    def attempt(stop):
        target.write_text("unique_id,ds,lstm\nold\n")
        return subprocess.run([sys.executable, str(script), str(target), str(stop), "file"], capture_output=True,
                              text=True, timeout=60)

    total = int(attempt(10**9).stdout)
    assert target.read_text() == "unique_id,ds,lstm\nnew\n"
    for stop in range(1, total + 1):  # the rename is the last step: a kill at any step keeps the old file
        assert attempt(stop).returncode == -9
        atomic.recover(target)
        assert os.listdir(folder) == ["forecast.csv"], f"leftovers after a kill at step {stop}"
        assert target.read_text() == "unique_id,ds,lstm\nold\n"
