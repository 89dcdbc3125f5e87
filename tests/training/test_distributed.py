"""Data-parallel training over 2 CPU processes (gloo) equals single-process training.

Same global batch and seed → same weights within 1e-5: mini-batches of 7 over 2 ranks (shards of 3
and 4, a short last batch), full batch (each rank holds half of the windows) and a batch of 1 (one
rank's share is empty). Each launch costs a few seconds of process start-up (torch imports).
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from safetensors.numpy import load_file

from rnncast import Forecaster
from rnncast.cli import commands as cli
from rnncast.errors import RnncastError
from rnncast.training.distributed import shard_bounds

WORKER = Path(__file__).with_name("ddp_worker.py")
SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(scope="module")
def panel_csv(tmp_path_factory):
    rng = np.random.default_rng(0)
    parts = []
    for k in range(3):
        y = np.sin(np.arange(40) / 3 + k) + 0.1 * rng.standard_normal(40) + k
        parts.append(pd.DataFrame({"unique_id": f"s{k}", "ds": np.arange(40), "y": y}))
    path = tmp_path_factory.mktemp("panel") / "panel.csv"
    pd.concat(parts).to_csv(path, index=False)
    return path


def _env():
    import os

    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}


def test_shards_cover_the_batch_once_and_differ_by_at_most_one():
    for n in range(0, 12):
        for size in (1, 2, 3, 5):
            bounds = [shard_bounds(n, r, size) for r in range(size)]
            assert bounds[0][0] == 0 and bounds[-1][1] == n
            assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
            sizes = [hi - lo for lo, hi in bounds]
            assert max(sizes) - min(sizes) <= 1


def test_rnncast_train_nproc_2_writes_the_single_process_model(panel_csv, tmp_path):
    args = ["train", str(panel_csv), "--seq-length", "5", "--hidden-size", "4", "--epochs", "3", "--batch-size", "7",
            "--val-size", "0.2", "--patience", "2", "--min-delta", "0", "--clip", "0.5", "--test-size", "0.3",
            "--quiet"]
    cli.main([*args, "--out", str(tmp_path / "one")])
    two = subprocess.run([sys.executable, "-m", "rnncast", *args, "--out", str(tmp_path / "two"), "--nproc", "2"],
                         capture_output=True, text=True, env=_env(), timeout=120)
    assert two.returncode == 0, two.stderr
    assert two.stdout.count("run written to") == 1  # rank 1 neither prints nor writes
    one, other = load_file(tmp_path / "one" / "model.safetensors"), load_file(tmp_path / "two" / "model.safetensors")
    assert one.keys() == other.keys()
    for name in one:
        np.testing.assert_allclose(other[name], one[name], rtol=0, atol=1e-5, err_msg=name)
    assert not np.array_equal(one["fc.weight"], np.zeros_like(one["fc.weight"]))


def test_torchrun_full_batch_and_empty_shards_equal_one_process(panel_csv, tmp_path):
    # no early stopping: its round choice could flip on a last-bit difference of the all-reduced gradients
    common = {"seq_length": 5, "hidden_size": 4, "lr": 0.02, "seed": 1, "val_size": 0.0}
    settings = {"full": {**common, "iterations": 15},  # each rank holds half of the windows
                "batch1": {**common, "epochs": 1, "batch_size": 1, "quantiles": [0.2, 0.8]}}  # one share empty
    run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
                          str(WORKER), str(panel_csv), str(tmp_path), json.dumps(settings)],
                         capture_output=True, text=True, env=_env(), timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    ranks = [np.load(tmp_path / f"rank{r}.npz") for r in (0, 1)]
    assert json.loads((tmp_path / "rank1.json").read_text()) == {"world_size": 2}
    panel = pd.read_csv(panel_csv)
    for name, kwargs in settings.items():
        single = Forecaster(**kwargs).fit(panel, id_col="unique_id")
        for key, value in single.net_.state_dict().items():
            for got in ranks:
                np.testing.assert_allclose(got[f"{name}/{key}"], value.numpy(), rtol=0, atol=1e-5, err_msg=key)
        np.testing.assert_allclose(ranks[1][f"{name}/losses"], single.history_.losses, rtol=1e-5)


def test_nproc_is_refused_with_the_numpy_engine_and_when_not_positive(panel_csv):
    with pytest.raises(RnncastError, match="--nproc needs the torch engine"):
        cli.main(["train", str(panel_csv), "--engine", "numpy", "--nproc", "2", "--quiet"])
    with pytest.raises(RnncastError, match="--nproc must be a positive"):
        cli.main(["train", str(panel_csv), "--nproc", "0", "--quiet"])


def test_numpy_engine_refuses_to_run_under_torchrun(panel_csv, monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(RnncastError, match="needs the torch engine"):
        Forecaster(engine="numpy").fit(pd.read_csv(panel_csv), id_col="unique_id")


def test_an_error_inside_the_workers_is_one_line_and_exit_2(panel_csv, tmp_path):
    # integer steps have no frequency to take the season from: found only when a worker fits
    run = subprocess.run([sys.executable, "-m", "rnncast", "train", str(panel_csv), "--deseasonalize", "--quiet",
                          "--nproc", "2", "--out", str(tmp_path / "run")], capture_output=True, text=True,
                         env=_env(), timeout=120)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    lines = set(run.stderr.strip().splitlines())  # each rank may say it; the same line
    assert len(lines) == 1 and "deseasonalize=True needs a known frequency" in lines.pop()
    assert not (tmp_path / "run").exists()
