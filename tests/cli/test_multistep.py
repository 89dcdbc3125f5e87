"""Multi-step options through the real ``rnncast`` command: train a seq2seq panel run with --id-col,
backtest with per-window tables, predict a recursive run at another horizon, and bad multi-step input
(one line on stderr, exit 2, no traceback, nothing written)."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

FAST = ["--iterations", "20", "--hidden-size", "4", "--seq-length", "5", "--quiet"]


def rnncast(*args, cwd):
    return subprocess.run([sys.executable, "-m", "rnncast", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def assert_one_line_error(result, *words):
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rnncast"), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def write_long(path, n=40, n_future=0, known=False):
    """Long CSV with id column ``store`` (s1, s2), ``date``, [``promo``], ``y``; the last ``n_future`` rows
    of each store have an empty ``y`` (future rows of the known covariate)."""
    parts = []
    for k, store in enumerate(("s1", "s2")):
        t = np.arange(n + n_future)
        part = pd.DataFrame({"store": store, "date": pd.date_range("2024-01-01", periods=n + n_future).date})
        promo = (t % 5 == 0).astype(float)
        if known:
            part["promo"] = promo
        y = np.round(10.0 * (k + 1) + np.sin(t / 3) + 2.0 * promo * known, 4)
        part["y"] = np.where(t < n, y, np.nan)
        parts.append(part)
    pd.concat(parts).to_csv(path, index=False)
    return path


def test_train_seq2seq_panel_with_id_col(tmp_path):
    write_long(tmp_path / "long.csv")
    result = rnncast("train", "long.csv", "--id-col", "store", "--horizon", "3", "--strategy", "seq2seq",
                     "--engine", "numpy", *FAST, "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run = tmp_path / "run"
    assert {"config.json", "model.safetensors", "metrics.json", "predictions.csv", "report.html"} <= {
        p.name for p in run.iterdir()}
    doc = json.loads((run / "metrics.json").read_text())
    assert set(doc["per_series"]) == {"s1", "s2"} and doc["n_series"] == 2
    assert set(doc["per_series"]["s1"]) >= {"lstm", "naive", "drift", "mean"}
    config = json.loads((run / "config.json").read_text())
    assert config["window"]["horizon"] == 3 and config["window"]["strategy"] == "seq2seq"
    assert config["data"]["id_col"] == "store"
    preds = pd.read_csv(run / "predictions.csv")
    assert set(preds["unique_id"]) == {"s1", "s2"} and sorted(preds["h"].unique()) == [1, 2, 3]


def test_backtest_prints_each_window_and_writes_cutoffs(tmp_path):
    write_long(tmp_path / "long.csv")
    result = rnncast("backtest", "long.csv", "--id-col", "store", "--n-windows", "2", "--horizon", "2",
                     "--engine", "numpy", *FAST, "--out", "bt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("window with cutoff") == 2
    assert "window with cutoff 2024-02-05" in result.stdout and "window with cutoff 2024-02-07" in result.stdout
    preds = pd.read_csv(tmp_path / "bt" / "predictions.csv")
    assert list(preds.columns[:5]) == ["unique_id", "ds", "cutoff", "h", "y"]
    assert preds.groupby("unique_id").size().to_dict() == {"s1": 4, "s2": 4}  # 2 windows × 2 steps
    assert sorted(preds["cutoff"].unique()) == ["2024-02-05", "2024-02-07"]


@pytest.fixture(scope="module")
def recursive_run(tmp_path_factory):
    """A recursive run with the future-known covariate ``promo``, trained on horizon 2, 3 future rows given."""
    cwd = tmp_path_factory.mktemp("recursive")
    write_long(cwd / "known.csv", n=37, n_future=3, known=True)
    result = rnncast("train", "known.csv", "--id-col", "store", "--known", "promo", "--horizon", "2",
                     "--strategy", "recursive", "--engine", "numpy", *FAST, "--out", "run", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd


def test_predict_a_recursive_run_at_another_horizon(recursive_run):
    cwd = recursive_run
    result = rnncast("predict", "run", "--horizon", "3", "--out", "next.csv", cwd=cwd)
    assert result.returncode == 0, result.stderr
    forecast = pd.read_csv(cwd / "next.csv")
    assert list(forecast.columns) == ["unique_id", "ds", "lstm"]
    assert forecast.groupby("unique_id").size().to_dict() == {"s1": 3, "s2": 3}
    assert list(forecast.loc[forecast["unique_id"] == "s1", "ds"]) == ["2024-02-07", "2024-02-08", "2024-02-09"]
    assert np.isfinite(forecast["lstm"]).all()


def test_predict_with_future_covariates_shorter_than_the_horizon(recursive_run):
    cwd = recursive_run
    lines = (cwd / "known.csv").read_text().splitlines()
    (cwd / "short.csv").write_text("\n".join(lines[:-1]) + "\n")  # s2 keeps 2 future rows
    result = rnncast("predict", "run", "short.csv", "--horizon", "3", cwd=cwd)
    assert_one_line_error(result, "'s2'", "promo", "need 3 future rows, got 2")


@pytest.mark.parametrize("horizon", ["0", "-1"])
def test_predict_refuses_a_horizon_below_one(recursive_run, horizon):
    result = rnncast("predict", "run", "--horizon", horizon, cwd=recursive_run)
    assert_one_line_error(result, "horizon")


@pytest.mark.parametrize("options, words", [
    (["--quantiles", "0.1,abc"], ["--quantiles takes numbers separated by commas"]),
    (["--conformal", "150"], ["conformal levels", "between 0 and 100"]),
    (["--strategy", "recursive", "--quantiles", "0.1,0.9"], ["quantile outputs need the direct strategy"]),
], ids=["quantiles_abc", "conformal_150", "recursive_quantiles"])
def test_bad_multistep_settings_are_one_line(tmp_path, options, words):
    write_long(tmp_path / "long.csv")
    result = rnncast("train", "long.csv", "--id-col", "store", "--horizon", "2", *options, *FAST,
                     "--out", "run", cwd=tmp_path)
    assert_one_line_error(result, *words)
    assert not (tmp_path / "run").exists()


def test_duplicated_id_ds_pair_names_the_series(tmp_path):
    data = write_long(tmp_path / "long.csv")
    lines = data.read_text().splitlines()
    data.write_text("\n".join(lines + [lines[-1]]) + "\n")  # the (s2, last date) pair twice
    result = rnncast("backtest", "long.csv", "--id-col", "store", *FAST, "--out", "run", cwd=tmp_path)
    assert_one_line_error(result, "series 's2'", "duplicate timestamps")
    assert not (tmp_path / "run").exists()
