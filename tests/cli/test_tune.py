"""``rnncast tune`` as a user runs it: a long CSV in, a tuning run out that ``rnncast train --config`` reads."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from rnncast.cli.commands import main

ARGS = ["--id-col", "unique_id", "--time-col", "ds", "--target", "y", "--horizon", "3", "--seq-length", "6",
        "--hidden-size", "4", "--epochs", "1", "--batch-size", "32", "--val-size", "0", "--pad", "--quiet"]


@pytest.fixture
def long_csv(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(40)
    df = pd.concat([pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2010-01-01", periods=40, freq="MS"),
                                  "y": 50 + 10 * k + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 40)})
                    for k in range(4)])
    path = tmp_path / "sales.csv"
    df.to_csv(path, index=False)
    return path


def test_tune_writes_a_config_that_train_reads(long_csv, tmp_path, capsys):
    pytest.importorskip("optuna")
    out = tmp_path / "tuned"
    assert main(["tune", str(long_csv), *ARGS, "--trials", "3", "--origins", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "naive" in printed and "seasonal_naive" in printed and "as given (trial 0" in printed
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "trials.csv"]
    config = json.loads((out / "config.json").read_text())
    assert config["output"] == "tuning" and config["tuning"]["n_origins"] == 2 and config["tuning"]["trials"] == 3
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 3 and trials["value"].min() == pytest.approx(config["tuning"]["best_value"])
    run = tmp_path / "run"
    assert main(["train", str(long_csv), "--id-col", "unique_id", "--config", str(out), "--quiet",
                 "--out", str(run)]) == 0
    trained = json.loads((run / "config.json").read_text())["settings"]
    assert trained == config["settings"]  # the tuned settings, as written
    # a second tune may replace the tuning run, never a forecasting run
    assert main(["tune", str(long_csv), *ARGS, "--trials", "1", "--out", str(out)]) == 0
    with pytest.raises(Exception, match="forecasting run"):
        main(["tune", str(long_csv), *ARGS, "--trials", "1", "--out", str(run)])


def test_tune_without_optuna_says_how_to_install_it(long_csv, tmp_path):
    code = ("import sys; sys.modules['optuna'] = None; from rnncast.cli.commands import app;"
            f" app(['tune', {str(long_csv)!r}, '--horizon', '3', '--out', {str(tmp_path / 't')!r}])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'rnncast[tune]'" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "t").exists()
