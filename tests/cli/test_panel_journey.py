"""The many-series user's journey through the command line: a long CSV, a preset, a verdict across series."""

import json

import numpy as np
import pandas as pd
import pytest

from rnncast.cli.commands import main
from rnncast.datasets import DATASETS

PANELS = [("m1_yearly", "yearly", 6), ("tourism_quarterly", "quarterly", 8), ("tourism_monthly", "monthly", 24),
          ("tourism_quarterly", "other", 8)]
FAST = ["--epochs", "2", "--ensemble", "1", "--quiet"]  # the preset's settings otherwise


@pytest.fixture(scope="module")
def csv_copies(tmp_path_factory):
    """The bundled panels as a user's own long CSV files."""
    folder = tmp_path_factory.mktemp("panels")
    for name in {p[0] for p in PANELS}:
        (folder / f"{name}.csv").write_bytes(DATASETS[name].path.read_bytes())
    return folder


@pytest.mark.parametrize(("name", "preset", "horizon"), PANELS)
def test_train_with_every_preset_holds_out_the_last_horizon_and_judges_across_series(csv_copies, tmp_path, capsys,
                                                                                     name, preset, horizon):
    out = tmp_path / "run"
    code = main(["train", str(csv_copies / f"{name}.csv"), "--preset", preset, "--horizon", str(horizon), *FAST,
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    n = pd.read_csv(csv_copies / f"{name}.csv")["unique_id"].nunique()
    predictions = pd.read_csv(out / "predictions.csv")
    assert predictions.groupby("unique_id").size().eq(horizon).all() and predictions["unique_id"].nunique() == n
    assert sorted(predictions["h"].unique()) == list(range(1, horizon + 1))  # one window: the last H steps
    doc = json.loads((out / "metrics.json").read_text())
    across = doc["across_series"]
    assert across["n_series"] == n and set(across["beats"]) <= {"naive", "seasonal_naive"}
    assert f"better than naive on {across['beats']['naive']} of {across['compared']['naive']} series" in doc["verdict"]
    assert doc["significance_vs_naive"]["test"] == "wilcoxon" and len(across["by_horizon"]["naive"]["mase"]) == horizon
    assert doc["verdict"] in printed and "MASE by step h" in printed
    page = (out / "report.html").read_text()
    assert '<script type="application/json" id="data">' in page and 'src="http' not in page  # self-contained


@pytest.mark.parametrize(("name", "preset", "horizon"), PANELS[1:3])
def test_backtest_with_a_preset_runs_end_to_end_on_a_panel(csv_copies, tmp_path, name, preset, horizon):
    out = tmp_path / "bt"
    assert main(["backtest", str(csv_copies / f"{name}.csv"), "--preset", preset, "--horizon", str(horizon), *FAST,
                 "--n-windows", "2", "--out", str(out)]) == 0
    doc = json.loads((out / "metrics.json").read_text())
    assert "of" in doc["verdict"] and doc["across_series"]["n_series"] > 1
    windows = pd.read_csv(out / "predictions.csv").groupby("unique_id")["cutoff"].nunique()
    assert windows.eq(2).all()


def test_test_size_takes_a_number_of_steps_or_a_fraction_per_series(csv_copies, tmp_path):
    data = str(csv_copies / "tourism_quarterly.csv")
    args = ["--horizon", "4", "--seq-length", "8", "--hidden-size", "4", "--epochs", "1", "--quiet"]
    assert main(["train", data, *args, "--test-size", "6", "--out", str(tmp_path / "steps")]) == 0
    per_series = pd.read_csv(tmp_path / "steps" / "predictions.csv").groupby("unique_id")["cutoff"].nunique()
    assert per_series.eq(6 - 4 + 1).all()  # origins at the first 3 of the last 6 steps
    assert main(["train", data, *args, "--test-size", "0.2", "--out", str(tmp_path / "fraction")]) == 0
    lengths = pd.read_csv(data).groupby("unique_id").size()
    per_series = pd.read_csv(tmp_path / "fraction" / "predictions.csv").groupby("unique_id")["cutoff"].nunique()
    expected = lengths - (lengths * 0.8).astype(int) - 4 + 1
    assert (per_series == expected[per_series.index]).all()


def test_a_test_size_shorter_than_the_horizon_is_one_line(csv_copies, tmp_path, capsys):
    from rnncast.cli.commands import app

    with pytest.raises(SystemExit) as exit_:
        app(["train", str(csv_copies / "tourism_quarterly.csv"), "--horizon", "8", "--test-size", "4",
             "--quiet", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2 and "shorter than the horizon 8" in err and "\n" not in err


@pytest.fixture()
def short_panel(tmp_path):
    """Three long monthly series and two that are too short for a window of 12 before their test part."""
    rng = np.random.default_rng(0)
    parts = []
    for k, n in enumerate([60, 60, 60, 14, 9]):
        ds = pd.date_range(end="2020-12-01", periods=n, freq="MS")
        parts.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": 50 + 10 * np.sin(np.arange(n) / 2)
                                   + rng.normal(0, 1, n) + k}))
    path = tmp_path / "short.csv"
    pd.concat(parts).to_csv(path, index=False)
    return path


def test_short_series_are_skipped_and_counted_or_padded_as_training_pads_them(short_panel, tmp_path):
    args = ["--horizon", "3", "--seq-length", "12", "--hidden-size", "4", "--epochs", "2", "--quiet"]
    assert main(["train", str(short_panel), *args, "--out", str(tmp_path / "skip")]) == 0
    doc = json.loads((tmp_path / "skip" / "metrics.json").read_text())
    assert sorted(doc["skipped_series"]) == ["s3", "s4"] and "(2 series skipped: too short)" in doc["verdict"]
    assert main(["train", str(short_panel), *args, "--pad", "--out", str(tmp_path / "pad")]) == 0
    doc = json.loads((tmp_path / "pad" / "metrics.json").read_text())
    assert doc["skipped_series"] == [] and doc["across_series"]["n_series"] == 5
    predictions = pd.read_csv(tmp_path / "pad" / "predictions.csv")
    short = predictions[predictions.unique_id == "s4"]
    original = pd.read_csv(short_panel)
    assert np.allclose(short["y"], original[original.unique_id == "s4"]["y"].to_numpy()[-3:])  # real targets


def test_predict_writes_every_series_forecast_and_a_forecast_page(csv_copies, tmp_path, capsys):
    data = str(csv_copies / "tourism_quarterly.csv")
    run = tmp_path / "run"
    assert main(["train", data, "--horizon", "4", "--seq-length", "8", "--hidden-size", "4", "--epochs", "1",
                 "--conformal", "80", "--quiet", "--out", str(run)]) == 0
    capsys.readouterr()
    out, page = tmp_path / "forecast.csv", tmp_path / "forecast.html"
    assert main(["predict", str(run), data, "--out", str(out), "--plot", str(page)]) == 0
    forecast = pd.read_csv(out)
    assert forecast.groupby("unique_id").size().eq(4).all() and forecast["unique_id"].nunique() == 24
    assert {"lstm-lo-80", "lstm-hi-80"} <= set(forecast.columns)
    text = page.read_text()
    assert 'content="rnncast predict --plot"' in text and '"mode":"forecast"' in text
    assert all(f'"id":"{uid}"' in text for uid in forecast["unique_id"].unique())
    assert main(["predict", str(run), data, "--plot", str(page)]) == 0  # its own page is replaced
    foreign = tmp_path / "notes.html"
    foreign.write_text("<p>mine</p>")
    from rnncast.cli.commands import app

    with pytest.raises(SystemExit) as exit_:
        app(["predict", str(run), data, "--plot", str(foreign)])
    assert exit_.value.code == 2 and foreign.read_text() == "<p>mine</p>"


def test_tables_as_parquet_hold_what_the_csv_run_holds(csv_copies, tmp_path):
    data = str(csv_copies / "tourism_quarterly.csv")
    args = ["--horizon", "4", "--seq-length", "8", "--hidden-size", "4", "--epochs", "1", "--quiet"]
    assert main(["train", data, *args, "--out", str(tmp_path / "csv")]) == 0  # auto: 24 series → CSV
    assert main(["train", data, *args, "--tables", "parquet", "--out", str(tmp_path / "pq")]) == 0
    assert (tmp_path / "csv" / "predictions.csv").exists() and not (tmp_path / "pq" / "predictions.csv").exists()
    small = pd.read_csv(tmp_path / "csv" / "predictions.csv")
    large = pd.read_parquet(tmp_path / "pq" / "predictions.parquet")
    pd.testing.assert_frame_equal(small[["unique_id", "h", "y", "lstm", "naive"]],
                                  large[["unique_id", "h", "y", "lstm", "naive"]], check_dtype=False)
    doc = json.loads((tmp_path / "pq" / "metrics.json").read_text())
    assert doc["per_series"] == "metrics_per_series.parquet"
    per_series = pd.read_parquet(tmp_path / "pq" / "metrics_per_series.parquet").set_index(["unique_id", "method"])
    inline = json.loads((tmp_path / "csv" / "metrics.json").read_text())["per_series"]
    assert len(per_series) == sum(len(m) for m in inline.values())
    for uid, methods in inline.items():
        for method, values in methods.items():
            for name, value in values.items():
                got = per_series.loc[(uid, method), name]
                assert (value is None and np.isnan(got)) or got == pytest.approx(value)
    assert main(["train", data, *args, "--tables", "parquet", "--out", str(tmp_path / "pq")]) == 0  # its own run


def test_parquet_tables_are_float32_where_the_data_are(csv_copies, tmp_path):
    table = pd.read_csv(csv_copies / "tourism_quarterly.csv", parse_dates=["ds"])
    data = tmp_path / "q32.parquet"
    table.astype({"y": "float32"}).to_parquet(data)
    args = ["--horizon", "4", "--seq-length", "8", "--hidden-size", "4", "--epochs", "1", "--quiet", "--tables",
            "parquet"]
    assert main(["train", str(data), *args, "--out", str(tmp_path / "r32")]) == 0
    assert main(["train", str(csv_copies / "tourism_quarterly.csv"), *args, "--out", str(tmp_path / "r64")]) == 0
    f32 = pd.read_parquet(tmp_path / "r32" / "predictions.parquet")
    f64 = pd.read_parquet(tmp_path / "r64" / "predictions.parquet")
    assert {str(f32[c].dtype) for c in ("y", "lstm", "naive")} == {"float32"}
    assert {str(f64[c].dtype) for c in ("y", "lstm", "naive")} == {"float64"}
