"""The command line on the bundled data: demo, train, predict, datasets, --help (success paths)."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from rnncast.cli.commands import main


def rnncast(*args, cwd):
    return subprocess.run([sys.executable, "-m", "rnncast", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("demo")
    result = rnncast("demo", "--quiet", "--out", "run", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd / "run", result.stdout


def test_demo_writes_the_whole_run_directory(demo_run):
    run, _ = demo_run
    assert sorted(p.name for p in run.iterdir()) == [
        "config.json", "forecast.png", "loss.png", "metrics.json", "model.safetensors", "predictions.csv",
        "report.html",
    ]
    assert not [p for p in run.parent.iterdir() if p.name.startswith(".")]  # no temp leftovers


def test_demo_metrics_follow_the_contract_and_the_lecture_setup(demo_run):
    run, stdout = demo_run
    doc = json.loads((run / "metrics.json").read_text())
    assert set(doc["test"]) == {"lstm", "naive", "drift", "mean"}
    for row in doc["test"].values():
        assert set(row) == {"rmse", "mae", "mape", "smape", "mase"}
    assert doc["test"]["naive"]["rmse"] == pytest.approx(7.968, abs=1e-3)  # the issue's $7.97
    assert 7.5 < doc["test"]["lstm"]["rmse"] < 11.5
    assert doc["iterations"] == 500 and doc["n_test"] == 220
    assert doc["final_train_loss"] > 0 and doc["train_seconds"] > 0
    config = json.loads((run / "config.json").read_text())
    assert config["window"]["seq_length"] == 7 and config["model"]["hidden_size"] == 10
    assert config["train"]["lr"] == 0.01 and config["data"]["target"] == "Close"
    verdict = "does NOT beat naive" if not doc["beats_naive"] else "beats naive"
    assert verdict in stdout and "naive" in stdout and "lstm *" in stdout


def test_demo_report_is_self_contained(demo_run):
    run, _ = demo_run
    page = (run / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2
    assert "http://" not in page and "https://" not in page
    preds = pd.read_csv(run / "predictions.csv")
    assert list(preds.columns) == ["unique_id", "ds", "cutoff", "h", "y", "lstm", "naive", "drift", "mean"]
    assert len(preds) == 220 and set(preds["unique_id"]) == {"Close"}
    assert (run / "forecast.png").read_bytes()[:4] == b"\x89PNG"


def test_predict_from_a_run_with_and_without_data(demo_run, tmp_path):
    run, _ = demo_run
    default = rnncast("predict", str(run), cwd=tmp_path)
    assert default.returncode == 0, default.stderr
    explicit = rnncast("predict", str(run), "stock_daily", "--out", "next.csv", cwd=tmp_path)
    assert explicit.returncode == 0, explicit.stderr
    forecast = pd.read_csv(tmp_path / "next.csv")
    assert list(forecast.columns) == ["unique_id", "ds", "lstm"] and forecast["ds"].iloc[0] == 732
    assert default.stdout.strip().splitlines()[-1] == explicit.stdout.strip().splitlines()[-1]


def test_train_on_ncsoft_weekly_with_dates_and_season(tmp_path):
    result = rnncast("train", "ncsoft_weekly", "--seq-length", "3", "--iterations", "30", "--hidden-size", "4",
                     "--model", "gru", "--season", "2", "--quiet", "--out", "weekly", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "weekly" / "metrics.json").read_text())
    assert set(doc["test"]) == {"gru", "naive", "seasonal_naive", "drift", "mean"}
    preds = pd.read_csv(tmp_path / "weekly" / "predictions.csv")
    assert preds["ds"].iloc[-1].startswith("2021-08-22")


def test_datasets_lists_both(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "stock_daily" in out and "ncsoft_weekly" in out


@pytest.mark.parametrize("command", ["demo", "train", "predict", "datasets", "explain"])
def test_help_for_each_command(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: rnncast " + command in capsys.readouterr().out


def test_explain_rnn_on_a_run_prints_real_dimensions(demo_run, tmp_path):
    run, _ = demo_run
    result = rnncast("explain", "rnn", str(run), "--out", "ex", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "W_hh: 40×10" in result.stdout and "W_xh: 40×5" in result.stdout
    assert (tmp_path / "ex" / "hidden_states.png").read_bytes()[:4] == b"\x89PNG"


def test_explain_gradients_small(tmp_path):
    result = rnncast("explain", "gradients", "--length", "12", "--hidden-size", "4", "--out", "g", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "sigmoid vanishes fastest" in result.stdout and "k=10" in result.stdout
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == ["activations.png", "config.json", "gradients.png"]


def test_explain_bad_window_is_a_clean_error(demo_run, tmp_path):
    run, _ = demo_run
    result = rnncast("explain", "rnn", str(run), "--window", "5000", cwd=tmp_path)
    assert result.returncode == 2 and "--window must lie in" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
