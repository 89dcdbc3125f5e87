"""A likelihood model through the command line: train on a long count CSV, the distribution's scores in the
output and metrics.json, sample paths from ``predict --paths``."""

import json

import numpy as np
import pandas as pd
import pytest

from rnncast.cli.commands import main
from rnncast.errors import RnncastError


def test_train_and_predict_paths_of_a_negbin_model(tmp_path, capsys):
    rng = np.random.default_rng(0)
    df = pd.concat([pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2018-01-01", periods=60, freq="D"),
                                  "y": rng.negative_binomial(2, 2 / (2 + 4 + 3 * k), 60)}) for k in range(4)])
    data = tmp_path / "counts.csv"
    df.to_csv(data, index=False)
    run = tmp_path / "run"
    args = ["--likelihood", "negbin", "--num-samples", "40", "--horizon", "3", "--seq-length", "10", "--hidden-size",
            "8", "--epochs", "2", "--batch-size", "64", "--quiet"]
    assert main(["train", str(data), *args, "--out", str(run)]) == 0
    out = capsys.readouterr().out
    assert "Distribution: pinball loss" in out and "CRPS" in out and "with bootstrapped residuals" in out
    assert "negbin sample paths" in out
    assert out.index("inside the 80% interval") < out.index("inside the 95% interval")  # in order of level
    doc = json.loads((run / "metrics.json").read_text())
    assert doc["test"]["lstm"]["crps"] > 0 and doc["test"]["seasonal_naive"]["crps"] > 0
    assert {"coverage_80", "coverage_95"} <= set(doc["test"]["lstm"])
    paths = tmp_path / "paths.csv"
    assert main(["predict", str(run), "--paths", str(paths)]) == 0
    table = pd.read_csv(paths)
    assert list(table.columns) == ["unique_id", "ds", "sample", "lstm"] and len(table) == 4 * 40 * 3
    assert (table["lstm"] >= 0).all() and (table["lstm"] == table["lstm"].round()).all()
    assert main(["predict", str(run), "--paths", str(paths)]) == 0  # its own table: replaced
    with pytest.raises(RnncastError, match="sample-path table"):
        main(["predict", str(run), "--paths", str(data)])  # the data: never


@pytest.mark.parametrize("kind", ["lognormal", "logstudentt"])
def test_a_log_model_refuses_a_zero_and_trains_on_positive_data(kind, tmp_path, capsys):
    rng = np.random.default_rng(1)
    df = pd.concat([pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2018-01-01", periods=50, freq="D"),
                                  "y": rng.lognormal(3.0 + k, 0.2, 50)}) for k in range(3)])
    good, bad = tmp_path / "sales.csv", tmp_path / "with_zero.csv"
    df.to_csv(good, index=False)
    df.assign(y=df["y"].where(np.arange(len(df)) != 7, 0.0)).to_csv(bad, index=False)
    args = ["--likelihood", kind, "--num-samples", "30", "--horizon", "3", "--seq-length", "8",
            "--hidden-size", "8", "--epochs", "2", "--quiet"]
    with pytest.raises(RnncastError, match=f"{kind} likelihood needs positive values; series 's0' has 0"):
        main(["train", str(bad), *args, "--out", str(tmp_path / "refused")])
    assert not (tmp_path / "refused").exists()
    assert main(["train", str(good), *args, "--out", str(tmp_path / "run")]) == 0
    assert f"{kind} sample paths" in capsys.readouterr().out


def test_a_backtest_writes_and_says_each_windows_coverage(tmp_path, capsys):
    rng = np.random.default_rng(2)
    df = pd.concat([pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2018-01-01", periods=40, freq="D"),
                                  "y": 50 + 5 * k + rng.normal(0, 3, 40).cumsum()}) for k in range(3)])
    data, run = tmp_path / "sales.csv", tmp_path / "run"
    df.to_csv(data, index=False)
    args = ["--likelihood", "gaussian", "--num-samples", "40", "--horizon", "3", "--seq-length", "8",
            "--hidden-size", "8", "--epochs", "2", "--n-windows", "2", "--quiet"]
    assert main(["backtest", str(data), *args, "--out", str(run)]) == 0
    out = capsys.readouterr().out
    doc = json.loads((run / "metrics.json").read_text())
    preds = pd.read_csv(run / "predictions.csv")
    assert len(doc["windows"]) == 2 and sorted(doc["windows"]) == sorted(preds["cutoff"].unique())
    cells = []
    for cutoff, part in preds.groupby("cutoff"):  # each window's coverage, counted from the written table
        row = doc["windows"][cutoff]["lstm"]
        for level in (80, 95):
            inside = (part["y"] >= part[f"lstm-lo-{level}"]) & (part["y"] <= part[f"lstm-hi-{level}"])
            assert row[f"coverage_{level}"] == pytest.approx(inside.mean())
        cells.append(f"{cutoff} {100 * row['coverage_80']:.1f} / {100 * row['coverage_95']:.1f}")
    line = f"Coverage by window (80% / 95% intervals, %): {'; '.join(cells)}."
    assert line in out
    assert line.replace("%", "") in (run / "report.html").read_text().replace("%", "")
    assert main(["backtest", str(data), *args[:-3], "--n-windows", "1", "--quiet", "--out", str(tmp_path / "one")]) == 0
    assert "Coverage by window" not in capsys.readouterr().out  # one window: nothing to compare
