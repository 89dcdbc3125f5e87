"""Checkpoints and resume: a resumed run ends with the uninterrupted run's weights; foreign, missing or
damaged checkpoints are refused with one line (CLI: exit 2); SIGKILL of ``rnncast train`` mid-run."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.errors import RnncastError
from rnncast.training import engines
from rnncast.training.checkpoint import CHECKPOINT_FILE, METADATA_KEY

SMALL = dict(model="gru", hidden_size=4, seq_length=5, refit_best=False)  # one training run per fit


@pytest.fixture(autouse=True)
def one_thread():
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _panel(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.sin(np.arange(2 * n) / 5) + rng.normal(0, 0.1, 2 * n)
    return pd.DataFrame({"unique_id": np.repeat(["a", "b"], n), "ds": np.tile(np.arange(n), 2), "y": y})


def _weights(forecaster) -> bytes:
    return engines.state_bytes(forecaster.engine, forecaster.net_)


def _meta(directory) -> dict:
    from safetensors import safe_open

    with safe_open(str(Path(directory) / CHECKPOINT_FILE), framework="numpy") as f:
        return json.loads(f.metadata()[METADATA_KEY])


@pytest.mark.parametrize("engine, settings", [
    ("torch", dict(epochs=7, batch_size=16, val_size=0.2, patience=50, dropout=0.1)),  # mid-epoch, dropout RNG
    ("numpy", dict(epochs=7, batch_size=16, val_size=0.2, patience=50)),
    ("torch", dict(iterations=23, clip=0.5)),  # full batch
    ("torch", dict(epochs=7, batch_size=16, val_size=0.0, swa=0.6)),  # the weight average is saved and read back
    ("numpy", dict(epochs=7, batch_size=16, val_size=0.2, patience=50, swa=0.6)),
])
def test_resuming_from_the_last_checkpoint_ends_with_the_uninterrupted_weights(tmp_path, engine, settings, monkeypatch):
    df = _panel()
    plain = rnncast.Forecaster(engine=engine, **SMALL, **settings).fit(df)
    saved = rnncast.Forecaster(engine=engine, checkpoint=tmp_path, checkpoint_every=5, **SMALL, **settings).fit(df)
    assert _weights(saved) == _weights(plain)  # checkpointing changes nothing
    position = _meta(tmp_path)["position"]
    assert position["steps"] % 5 == 0 and 0 < position["steps"] < plain.history_.steps

    taken = []
    stepper = ("rnncast.training.numpy_steps.NumpySteps.step" if engine == "numpy"
               else "rnncast.training.loop.TorchSteps.step")
    original = _resolve(stepper)
    monkeypatch.setattr(stepper, lambda self, idx: taken.append(1) or original(self, idx))
    resumed = rnncast.Forecaster(engine=engine, checkpoint=tmp_path, resume=True, **SMALL, **settings).fit(df)
    assert len(taken) == plain.history_.steps - position["steps"]  # it continued; it did not start over
    assert _weights(resumed) == _weights(plain)
    assert resumed.history_.losses == plain.history_.losses
    assert resumed.history_.val_losses == plain.history_.val_losses
    assert resumed.history_.best_step == plain.history_.best_step
    if settings.get("swa"):
        assert _meta(tmp_path)["swa_rounds"] > 0  # the last save held a partial average


def _resolve(dotted: str):
    import importlib

    module, cls, name = dotted.rsplit(".", 2)
    return getattr(getattr(importlib.import_module(module), cls), name)


def test_a_checkpoint_of_other_settings_or_data_is_refused_by_name(tmp_path):
    rnncast.Forecaster(**SMALL, iterations=10, checkpoint=tmp_path, checkpoint_every=4).fit(_panel())
    with pytest.raises(RnncastError, match=r"different configuration \(model.hidden_size: 4 in the checkpoint, 6 now"):
        rnncast.Forecaster(**{**SMALL, "hidden_size": 6}, iterations=10, checkpoint=tmp_path, resume=True).fit(_panel())
    with pytest.raises(RnncastError, match=r"train.lr: 0.01 in the checkpoint, 0.02 now"):
        rnncast.Forecaster(**SMALL, iterations=10, lr=0.02, checkpoint=tmp_path, resume=True).fit(_panel())
    with pytest.raises(RnncastError, match=r"different training data \(.*values differ\)"):
        rnncast.Forecaster(**SMALL, iterations=10, checkpoint=tmp_path, resume=True).fit(_panel(seed=1))
    with pytest.raises(RnncastError, match=r"different training data \(120 rows and 110 samples then, 110 and 100 now"):
        rnncast.Forecaster(**SMALL, iterations=10, checkpoint=tmp_path, resume=True).fit(_panel(n=55))


def test_a_damaged_or_missing_checkpoint_is_refused_never_a_fresh_start(tmp_path):
    with pytest.raises(RnncastError, match="no checkpoint to resume from"):
        rnncast.Forecaster(**SMALL, iterations=10, checkpoint=tmp_path, resume=True).fit(_panel())
    rnncast.Forecaster(**SMALL, iterations=10, checkpoint=tmp_path, checkpoint_every=4).fit(_panel())
    path = tmp_path / CHECKPOINT_FILE
    data = path.read_bytes()
    path.write_bytes(data[:-7])  # truncated
    with pytest.raises(RnncastError, match="is damaged"):
        rnncast.Forecaster(**SMALL, iterations=10, checkpoint=tmp_path, resume=True).fit(_panel())
    flipped = bytearray(data)
    flipped[-3] ^= 0xFF  # a byte of the last tensor
    path.write_bytes(bytes(flipped))
    with pytest.raises(RnncastError, match="do not match their checksum"):
        rnncast.Forecaster(**SMALL, iterations=10, checkpoint=tmp_path, resume=True).fit(_panel())
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(RnncastError, match="is damaged"):
        rnncast.Forecaster(**SMALL, iterations=10, checkpoint=tmp_path, resume=True).fit(_panel())
    assert [p.name for p in tmp_path.iterdir()] == [CHECKPOINT_FILE]  # no temporary files left behind


def test_contradictory_checkpoint_settings_are_refused(tmp_path):
    with pytest.raises(RnncastError, match="need a checkpoint directory"):
        rnncast.Forecaster(**SMALL, iterations=5, checkpoint_every=2).fit(_panel())
    with pytest.raises(RnncastError, match="needs checkpoint_every"):
        rnncast.Forecaster(**SMALL, iterations=5, checkpoint=tmp_path).fit(_panel())
    with pytest.raises(RnncastError, match="checkpoint_every must be a positive whole number"):
        rnncast.Forecaster(**SMALL, iterations=5, checkpoint=tmp_path, checkpoint_every=0).fit(_panel())
    with pytest.raises(RnncastError, match="conformal"):
        rnncast.Forecaster(**SMALL, iterations=5, conformal=(80,), checkpoint=tmp_path,
                           checkpoint_every=2).fit(_panel())


def test_a_fit_of_several_runs_resumes_each_from_its_own_file(tmp_path):
    # two ensemble members, each trained, early-stopped and refitted: four runs, four checkpoint files
    # (n_jobs=2: with checkpoints the members still take turns, as the resume goes member by member)
    settings = {**SMALL, "refit_best": True, "ensemble": 2, "iterations": 30, "val_size": 0.2, "patience": 50,
                "min_delta": 0.0}
    plain = rnncast.Forecaster(**settings).fit(_panel())
    rnncast.Forecaster(**settings, checkpoint=tmp_path, checkpoint_every=7, n_jobs=2).fit(_panel())  # in turn
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([CHECKPOINT_FILE, "checkpoint-member0-refit.safetensors", "checkpoint-member1.safetensors",
                            "checkpoint-member1-refit.safetensors"])
    (tmp_path / "checkpoint-member1-refit.safetensors").unlink()  # as if killed before that run's first save
    resumed = rnncast.Forecaster(**settings, checkpoint=tmp_path, resume=True, n_jobs=2).fit(_panel())
    assert engines.state_bytes("torch", resumed.nets_) == engines.state_bytes("torch", plain.nets_)


# -- the command line: SIGKILL mid-run, then --resume -----------------------------------------------

def _cli(*args, **popen):
    env = {**os.environ, "PYTHONPATH": str(Path(rnncast.__file__).parents[1])}
    return subprocess.Popen([sys.executable, "-m", "rnncast", "train", *args], env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen)


def test_train_killed_with_sigkill_and_resumed_ends_with_the_uninterrupted_weights(tmp_path):
    data = tmp_path / "panel.csv"
    _panel(n=80).to_csv(data, index=False)
    settings = [str(data), "--model", "gru", "--hidden-size", "4", "--seq-length", "5", "--epochs", "150",
                "--batch-size", "16", "--dropout", "0.1", "--val-size", "0.2", "--patience", "1000",
                "--checkpoint-every", "7"]
    whole = _cli(*settings, "--quiet", "--out", str(tmp_path / "whole"))
    killed = _cli(*settings, "--quiet", "--out", str(tmp_path / "run"))
    checkpoint = tmp_path / "run" / CHECKPOINT_FILE
    deadline = time.monotonic() + 60
    while not checkpoint.exists() and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # a few more checkpoints, so the kill lands anywhere, mid-write included
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert killed.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert not (tmp_path / "run" / "model.safetensors").exists()
    stopped_at = _meta(tmp_path / "run")["position"]["steps"]

    resumed = _cli(*settings, "--resume", "--progress", "--out", str(tmp_path / "run"))
    assert resumed.wait(timeout=120) == 0, resumed.stderr.read()
    assert f"resuming from {checkpoint} after step {stopped_at}" in resumed.stderr.read()
    assert whole.wait(timeout=120) == 0, whole.stderr.read()
    weights = [(tmp_path / run / "model.safetensors").read_bytes() for run in ("whole", "run")]
    assert weights[0] == weights[1]
    assert not checkpoint.exists()  # the finished run directory replaced the one holding the checkpoint


def test_cli_refuses_a_checkpoint_of_other_settings_or_a_damaged_one_with_exit_2(tmp_path):
    data = tmp_path / "panel.csv"
    _panel().to_csv(data, index=False)
    settings = [str(data), "--model", "gru", "--seq-length", "5", "--iterations", "4", "--quiet",
                "--checkpoint", str(tmp_path / "ck"), "--out", str(tmp_path / "run")]
    assert _cli(*settings, "--hidden-size", "4", "--checkpoint-every", "2").wait(timeout=60) == 0
    assert (tmp_path / "ck" / CHECKPOINT_FILE).exists()  # an explicit --checkpoint directory is kept
    other = _cli(*settings, "--hidden-size", "6", "--resume")
    damaged_dir = tmp_path / "damaged"
    damaged_dir.mkdir()
    (damaged_dir / CHECKPOINT_FILE).write_bytes((tmp_path / "ck" / CHECKPOINT_FILE).read_bytes()[:100])
    damaged = _cli(*settings, "--hidden-size", "4", "--resume", "--checkpoint", str(damaged_dir))
    for run, message in ((other, "different configuration (model.hidden_size: 4 in the checkpoint, 6 now)"),
                         (damaged, "is damaged")):
        assert run.wait(timeout=60) == 2
        err = run.stderr.read()
        assert err.startswith("rnncast: error: checkpoint ") and message in err and err.count("\n") == 1, err
