"""Backtest (rolling origin): statsforecast's cross-validation shape, cutoffs, no leakage with and
without refit, refit equals fresh fits, per-window metrics, series too short."""

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.data.panel import to_panel
from rnncast.errors import RnncastError
from rnncast.evaluation.backtest import backtest

FAST = dict(hidden_size=4, iterations=30, seq_length=5)
T, N = 60, 3  # rows per series, number of series


def panel_df(n=T, levels=(10.0, 20.0, 30.0), ids=("a", "b", "c")):
    """Long table: per series a weekly sine around its own level plus a little seeded noise."""
    parts = []
    for k, (uid, level) in enumerate(zip(ids, levels, strict=True)):
        t = np.arange(n)
        noise = np.random.default_rng(k).normal(0, 0.05, n)
        parts.append(pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
                                   "y": level * (1 + 0.1 * np.sin(2 * np.pi * t / 7)) + noise}))
    return pd.concat(parts, ignore_index=True)


def changed_from(data, position):
    """``data`` with every series' target multiplied by 3 from row ``position`` on."""
    out = data.copy()
    late = out.groupby("unique_id").cumcount() >= position
    out.loc[late, "y"] *= 3.0
    return out


@pytest.fixture(scope="module")
def df():
    return panel_df()


FORECASTS = ["lstm", "naive", "seasonal_naive", "drift", "mean"]


@pytest.mark.parametrize("strategy", ["direct", "recursive"])
def test_shape_rows_and_cutoffs_follow_statsforecast(df, strategy):
    horizon, n_windows, step = 3, 3, 2
    f = rnncast.Forecaster(horizon=horizon, strategy=strategy, **FAST)
    ev = backtest(f, to_panel(df), n_windows=n_windows, step_size=step)
    out = ev.predictions
    assert list(out.columns) == ["unique_id", "ds", "cutoff", "h"] + ["y"] + FORECASTS
    assert out.groupby("unique_id").size().to_dict() == {"a": 9, "b": 9, "c": 9}  # n_windows × H
    dates = pd.date_range("2024-01-01", periods=T, freq="D")
    last_cutoff = dates[T - horizon - 1]  # the last window forecasts the final H rows
    expected = [last_cutoff - pd.Timedelta(days=step * k) for k in (2, 1, 0)]
    for _, one in out.groupby("unique_id"):
        assert sorted(one["cutoff"].unique()) == expected
        assert list(one["h"]) == [1, 2, 3] * n_windows
        assert (one["ds"] - one["cutoff"] == pd.to_timedelta(one["h"], unit="D")).all()
    truth = df.set_index(["unique_id", "ds"])["y"]
    np.testing.assert_array_equal(out["y"], truth.loc[list(zip(out["unique_id"], out["ds"], strict=True))])
    assert np.isfinite(out[FORECASTS].to_numpy()).all()


def test_forecaster_backtest_returns_the_same_table(df):
    by_function = backtest(rnncast.Forecaster(horizon=2, seed=5, **FAST), to_panel(df), n_windows=2).predictions
    by_method = rnncast.Forecaster(horizon=2, seed=5, **FAST).backtest(df, n_windows=2)
    pd.testing.assert_frame_equal(by_function, by_method)
    assert by_method["cutoff"].nunique() == 2  # default step: the horizon
    assert sorted(by_method["cutoff"].unique())[0] == pd.Timestamp("2024-02-25")  # T - 2H - 1 = row 55


def test_scalers_see_only_rows_before_the_first_cutoff(df):
    f1, f2 = rnncast.Forecaster(horizon=3, **FAST), rnncast.Forecaster(horizon=3, **FAST)
    a = f1.backtest(df, n_windows=2)
    b = f2.backtest(changed_from(df, T - 3 - 3), n_windows=2)  # from the first origin on
    for uid in "abc":
        assert f1.scalings_[uid].past.shift == f2.scalings_[uid].past.shift
        assert f1.scalings_[uid].past.scale == f2.scalings_[uid].past.scale
    first = a["cutoff"] == a["cutoff"].min()
    pd.testing.assert_frame_equal(a.loc[first, FORECASTS], b.loc[first, FORECASTS])


@pytest.mark.parametrize("refit", [False, True])
def test_values_from_the_last_origin_on_change_no_forecast(df, refit):
    kwargs = dict(n_windows=3, step_size=2, refit=refit)  # windows overlap: earlier targets reach past the origin
    a = rnncast.Forecaster(horizon=3, **FAST).backtest(df, **kwargs)
    b = rnncast.Forecaster(horizon=3, **FAST).backtest(changed_from(df, T - 3), **kwargs)
    pd.testing.assert_frame_equal(a[FORECASTS], b[FORECASTS])
    assert not a["y"].equals(b["y"])


def test_refit_gives_each_window_its_own_fresh_fit(df):
    horizon, n_windows, step = 2, 2, 3
    ev = backtest(rnncast.Forecaster(horizon=horizon, seed=7, **FAST), to_panel(df), n_windows, step, refit=True)
    out = ev.predictions
    for k, cutoff in enumerate(sorted(out["cutoff"].unique())):
        origin = T - horizon - step * (n_windows - 1 - k)
        head = df[df.groupby("unique_id").cumcount() < origin]
        fresh = rnncast.Forecaster(horizon=horizon, seed=7, **FAST).fit(head).predict()
        window = out[out["cutoff"] == cutoff]
        np.testing.assert_array_equal(window["ds"].to_numpy(), fresh["ds"].to_numpy())
        np.testing.assert_array_equal(window["lstm"].to_numpy(), fresh["lstm"].to_numpy())
    without = backtest(rnncast.Forecaster(horizon=horizon, seed=7, **FAST), to_panel(df), n_windows, step)
    last = out["cutoff"] == out["cutoff"].max()
    assert not np.array_equal(out.loc[last, "lstm"], without.predictions.loc[last, "lstm"])


def test_per_window_metrics(df):
    ev = backtest(rnncast.Forecaster(horizon=3, **FAST), to_panel(df), n_windows=2)
    windows = ev.metrics["windows"]
    assert len(windows) == 2
    for cutoff, table in windows.items():
        assert set(table) == set(FORECASTS)
        one = ev.predictions[ev.predictions["cutoff"] == pd.Timestamp(cutoff)]
        assert len(one) == 3 * N
        assert table["naive"]["rmse"] == pytest.approx(np.sqrt(np.mean((one["y"] - one["naive"]) ** 2)))
    assert set(ev.metrics["per_series"]) == {"a", "b", "c"}


def test_short_series_are_skipped_and_all_too_short_is_refused(df):
    # direct, L=5, H=3, 2 windows 3 apart: 5 + 3 rows before the first origin, + 3 + 3 = 14 rows
    tiny = panel_df(n=13, levels=(1.0,), ids=("tiny",))
    ev = backtest(rnncast.Forecaster(horizon=3, **FAST), to_panel(pd.concat([df, tiny])), n_windows=2)
    assert ev.skipped == ["tiny"] and "tiny" not in set(ev.predictions["unique_id"])
    with pytest.raises(RnncastError, match="needs at least 14 rows"):
        backtest(rnncast.Forecaster(horizon=3, **FAST), to_panel(tiny), n_windows=2)
    fits = panel_df(n=14, levels=(1.0,), ids=("fits",))
    assert len(backtest(rnncast.Forecaster(horizon=3, **FAST), to_panel(fits), n_windows=2).predictions) == 6


@pytest.mark.parametrize("bad", [dict(n_windows=0), dict(step_size=-1), dict(n_windows=1.5)])
def test_bad_window_settings_are_refused(df, bad):
    with pytest.raises(RnncastError, match="must be a positive whole number"):
        rnncast.Forecaster(horizon=3, **FAST).backtest(df, **bad)
