"""--preset on the command line (explicit flags win) and the new defaults."""

import json

import numpy as np
import pandas as pd
import pytest

from rnncast.cli.commands import app, main


@pytest.fixture(scope="module")
def quarterly_csv(tmp_path_factory):
    rng = np.random.default_rng(0)
    pattern = np.array([0.8, 1.0, 1.3, 0.9])
    parts = [pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2010-01-01", periods=32, freq="QS"),
                           "y": (100 + k + np.arange(32)) * np.tile(pattern, 8) * (1 + 0.02 * rng.standard_normal(32))})
             for k in range(3)]
    path = tmp_path_factory.mktemp("q") / "q.csv"
    pd.concat(parts).to_csv(path, index=False)
    return path


def test_preset_sets_what_the_flags_do_not(quarterly_csv, tmp_path):
    out = tmp_path / "run"
    code = main(["train", str(quarterly_csv), "--preset", "quarterly", "--horizon", "4", "--epochs", "2",
                 "--ensemble", "2", "--quiet", "--out", str(out)])
    assert code == 0
    config = json.loads((out / "config.json").read_text())
    assert config["train"]["epochs"] == 2 and len(config["members"]) == 2  # the flags given win
    assert config["window"]["seq_length"] == 12 and config["model"]["hidden_size"] == 32  # the preset's
    assert all(s["season"] is not None and s["season"]["period"] == 4 for s in config["series"].values())
    assert config["model"]["normalize"] == "season" and config["model"]["season"] == 4  # from the frequency


def test_preset_members_train_its_member_epochs_unless_the_epochs_are_given(quarterly_csv, tmp_path):
    out = tmp_path / "run"
    assert main(["train", str(quarterly_csv), "--preset", "quarterly", "--horizon", "4", "--member-epochs", "1",
                 "--ensemble", "2", "--quiet", "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["settings"]["member_epochs"] == 1 and config["settings"]["epochs"] == 30
    assert json.loads((out / "metrics.json").read_text())["iterations"] == 1  # rounds the members ran


def test_preset_with_quantiles_leaves_its_point_forecast_blends_out(quarterly_csv, tmp_path):
    out = tmp_path / "run"  # the quarterly preset blends Theta and ETS into point forecasts; intervals are the net's
    assert main(["train", str(quarterly_csv), "--preset", "quarterly", "--horizon", "4", "--epochs", "2",
                 "--ensemble", "1", "--quantiles", "0.1,0.9", "--quiet", "--out", str(out)]) == 0
    settings = json.loads((out / "config.json").read_text())["settings"]
    assert (settings["theta_share"], settings["ets_share"]) == (0.0, 0.0) and settings["quantiles"] == [0.1, 0.9]


def test_season_anchor_and_metric_loss_from_the_command_line(quarterly_csv, tmp_path):
    out = tmp_path / "run"
    code = main(["train", str(quarterly_csv), "--normalize", "season", "--season-length", "2", "--loss", "smape",
                 "--horizon", "3", "--seq-length", "4", "--iterations", "3", "--quiet", "--out", str(out)])
    assert code == 0
    config = json.loads((out / "config.json").read_text())
    assert config["model"]["season"] == 2 and config["train"]["loss"] == "smape"


def test_log_unscaled_scaler_from_the_command_line(quarterly_csv, tmp_path):
    out = tmp_path / "run"
    code = main(["train", str(quarterly_csv), "--scaler", "log_unscaled", "--loss", "mape", "--horizon", "3",
                 "--seq-length", "4", "--iterations", "3", "--quiet", "--out", str(out)])
    assert code == 0
    config = json.loads((out / "config.json").read_text())
    assert config["window"]["scaler"] == "log_unscaled"
    assert {s["scaling"]["past"]["kind"] for s in config["series"].values()} == {"log_unscaled"}
    assert {s["scaling"]["past"]["scale"][-1] for s in config["series"].values()} == {1.0}


def test_defaults_are_the_normalised_early_stopped_configuration(quarterly_csv, tmp_path):
    out = tmp_path / "run"
    assert main(["train", str(quarterly_csv), "--iterations", "5", "--quiet", "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["model"]["normalize"] == "last" and config["window"]["scaler"] == "log"
    assert config["train"]["val_size"] == 0.2 and config["train"]["min_delta"] == 0.01
    doc = json.loads((out / "metrics.json").read_text())
    assert 0.0 <= doc["significance_vs_naive"]["p_value"] <= 1.0


@pytest.mark.parametrize("normalize, forecast", [("last", "the naive forecast"),
                                                 ("season", "the seasonal naive forecast"), ("none", None)])
def test_the_report_says_what_the_kept_untrained_network_forecasts(quarterly_csv, tmp_path, capsys, normalize,
                                                                   forecast):
    # a learning rate of 5 wrecks every trained round, so early stopping keeps round 0
    code = main(["train", str(quarterly_csv), "--normalize", normalize, "--lr", "5", "--iterations", "3",
                 "--patience", "2", "--horizon", "4", "--seq-length", "4", "--val-size", "horizon",
                 "--val-metric", "smape", "--quiet", "--out", str(tmp_path / "run")])
    assert code == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Early stopping kept"))
    if forecast:
        assert line.endswith(f"so it is {forecast}; no round of training beat it on the validation windows by"
                             " --min-delta.")
    else:  # absolute windows: the untrained net is just random weights, nothing to name
        assert "forecast" not in line


def test_shrink_from_the_command_line_is_reported_and_saved(quarterly_csv, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", str(quarterly_csv), "--shrink", "0.5", "--horizon", "4", "--seq-length", "4",
                 "--iterations", "5", "--out", str(out)])
    assert code == 0
    config = json.loads((out / "config.json").read_text())
    assert config["model"]["shrink"] == 0.5 and config["members"][0]["shrink"] == 0.5
    assert "Shrink: forecasts keep 50% (per network) of the learned correction to the naive forecast." \
        in capsys.readouterr().out


def test_bad_val_size_is_a_usage_error(quarterly_csv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", str(quarterly_csv), "--val-size", "last"])
    assert exit_.value.code == 2 and "expected a fraction or 'horizon'" in capsys.readouterr().err


def test_config_reuses_a_runs_settings_and_flags_win(quarterly_csv, tmp_path):
    first = tmp_path / "first"
    assert main(["train", str(quarterly_csv), "--horizon", "2", "--seq-length", "6", "--hidden-size", "7",
                 "--model", "gru", "--calendar", "month", "--epochs", "2", "--quiet", "--out", str(first)]) == 0
    again = tmp_path / "again"
    assert main(["train", str(quarterly_csv), "--config", str(first / "config.json"), "--hidden-size", "5",
                 "--quiet", "--out", str(again)]) == 0
    old, new = (json.loads((d / "config.json").read_text())["settings"] for d in (first, again))
    assert new["hidden_size"] == 5 and old["hidden_size"] == 7  # the flag given wins
    assert {k: v for k, v in new.items() if k != "hidden_size"} == {k: v for k, v in old.items() if k != "hidden_size"}
    assert new["model"] == "gru" and new["calendar"] == ["month"] and new["epochs"] == 2


def test_config_that_is_not_a_run_is_one_line(quarterly_csv, tmp_path, capsys):
    from rnncast.cli.commands import app

    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"format_version": 3, "settings": {"hiden_size": 3}}))
    with pytest.raises(SystemExit) as exit_:
        app(["train", str(quarterly_csv), "--config", str(bad), "--quiet", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip()
    assert exit_.value.code != 0 and "'hiden_size' is not a Forecaster setting" in err and "\n" not in err
    assert not (tmp_path / "r").exists()


def test_n_jobs_trains_the_members_side_by_side_with_the_same_result(quarterly_csv, tmp_path, capsys):
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"run{jobs}"
        assert main(["train", str(quarterly_csv), "--preset", "quarterly", "--horizon", "4", "--member-epochs", "2",
                     "--ensemble", "3", "--n-jobs", jobs, "--quiet", "--out", str(out)]) == 0
        runs[jobs] = json.loads((out / "metrics.json").read_text())
    assert runs["2"]["test"]["lstm"] == pytest.approx(runs["1"]["test"]["lstm"], rel=1e-4)
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        app(["train", str(quarterly_csv), "--ensemble", "3", "--n-jobs", "0", "--quiet",
             "--out", str(tmp_path / "bad")])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and err.count("\n") == 0 and "n_jobs must be a positive whole number or -1" in err
    assert not (tmp_path / "bad").exists()


def test_swa_from_the_command_line_is_saved_and_refused_outside_0_1(quarterly_csv, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", str(quarterly_csv), "--horizon", "4", "--seq-length", "8", "--epochs", "4", "--swa", "0.5",
                 "--val-size", "0", "--quiet", "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["settings"]["swa"] == 0.5 and config["train"]["swa"] == 0.5
    note = "Weight averaging (--swa 0.5): the network ends on the mean of its weights at the end of epochs 3-4."
    assert note in capsys.readouterr().out and note in (out / "report.html").read_text()
    bad = tmp_path / "bad"
    with pytest.raises(SystemExit) as exit_info:
        app(["train", str(quarterly_csv), "--horizon", "4", "--swa", "2", "--quiet", "--out", str(bad)])
    assert exit_info.value.code == 2
    assert "swa must be a share of the rounds in [0, 1]" in capsys.readouterr().err and not bad.exists()


def test_theta_and_ets_shares_from_the_command_line_are_saved_scored_alone_and_refused_outside_0_1(
        quarterly_csv, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", str(quarterly_csv), "--horizon", "4", "--seq-length", "8", "--epochs", "2",
                 "--theta-share", "0.25", "--ets-share", "0.5", "--quiet", "--out", str(out)]) == 0
    settings = json.loads((out / "config.json").read_text())["settings"]
    assert (settings["theta_share"], settings["ets_share"]) == (0.25, 0.5)
    metrics = json.loads((out / "metrics.json").read_text())["test"]
    note = (f"Statistical blend (--theta-share 0.25 --ets-share 0.5): each forecast is 25% the network's and 25%"
            f" Theta's and 50% ETS's; Theta alone scores MASE {metrics['theta']['mase']:.4g}, SMAPE"
            f" {metrics['theta']['smape']:.4g}; ETS alone scores MASE {metrics['ets']['mase']:.4g}, SMAPE"
            f" {metrics['ets']['smape']:.4g} on the same targets (the blend: MASE {metrics['lstm']['mase']:.4g}")
    assert note in capsys.readouterr().out and note.replace("'", "&#x27;") in (out / "report.html").read_text()
    assert {"theta", "ets"} <= set(pd.read_csv(out / "predictions.csv").columns)
    for flags, message in ((["--theta-share", "2"], "theta_share must be a share in [0, 1]"),
                           (["--theta-share", "0.5", "--ets-share", "0.75"],
                            "theta_share + ets_share must be at most 1")):
        bad = tmp_path / "bad"
        with pytest.raises(SystemExit) as exit_info:
            app(["train", str(quarterly_csv), "--horizon", "4", *flags, "--quiet", "--out", str(bad)])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err and not bad.exists()


def test_ets_share_on_series_below_zero_puts_an_additive_season_back(tmp_path):
    rng = np.random.default_rng(2)  # a season of ±25 around a wandering level that crosses zero: no ratios
    parts = [pd.DataFrame({"unique_id": f"s{k}", "ds": np.arange(60),
                           "y": np.tile([-20.0, 15.0, 30.0, -5.0], 15) + np.cumsum(rng.normal(0.2, 1.0, 60)) + k})
             for k in range(3)]
    path = tmp_path / "below_zero.csv"
    pd.concat(parts).to_csv(path, index=False)
    out = tmp_path / "run"
    assert main(["train", str(path), "--horizon", "8", "--seq-length", "8", "--epochs", "2", "--deseasonalize", "4",
                 "--ets-share", "0.5", "--quiet", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())["test"]
    assert metrics["ets"]["mase"] < 0.3 * metrics["naive"]["mase"]  # the season is forecast, not flattened


def test_preset_monthly_with_one_member_on_the_command_line_averages_its_weights(tmp_path):
    rng = np.random.default_rng(1)
    season = np.tile(1 + 0.2 * np.sin(np.arange(12) / 12 * 2 * np.pi), 4)
    parts = [pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2015-01-01", periods=48, freq="MS"),
                           "y": (50 + k) * season * (1 + 0.02 * rng.standard_normal(48))}) for k in range(2)]
    data = tmp_path / "m.csv"
    pd.concat(parts).to_csv(data, index=False)
    runs = {}
    for name, flags in {"one": ["--ensemble", "1"], "two": ["--ensemble", "2"],
                        "given": ["--ensemble", "1", "--swa", "0"]}.items():
        out = tmp_path / name
        assert main(["train", str(data), "--preset", "monthly", "--horizon", "6", "--epochs", "2", "--hidden-size", "4",
                     *flags, "--quiet", "--out", str(out)]) == 0
        runs[name] = json.loads((out / "config.json").read_text())["settings"]["swa"]
    assert runs == {"one": 0.5, "two": 0.0, "given": 0.0}
