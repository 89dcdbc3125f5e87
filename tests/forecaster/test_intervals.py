"""Uncertainty: quantile outputs (pinball loss, coverage) and conformal intervals (calibration by the
⌈(n+1)ℓ⌉ rule, lo ≤ point ≤ hi in every prediction table, coverage, save/load, bad levels)."""

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast import metrics
from rnncast.data.panel import to_panel
from rnncast.errors import RnncastError
from rnncast.evaluation.backtest import backtest
from rnncast.evaluation.holdout import holdout
from rnncast.forecaster.forecaster import Forecaster
from rnncast.forecaster.intervals import calibrate, interval_columns

FAST = dict(hidden_size=4, iterations=30, seq_length=5)
H = 3


def panel_df(n=60, levels=(10.0, 20.0, 30.0), ids=("a", "b", "c")):
    """Long table: per series a weekly sine around its own level plus seeded noise."""
    parts = []
    for k, (uid, level) in enumerate(zip(ids, levels, strict=True)):
        t = np.arange(n)
        noise = np.random.default_rng(k).normal(0, 0.2, n)
        parts.append(pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
                                   "y": level * (1 + 0.1 * np.sin(2 * np.pi * t / 7)) + noise}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def df():
    return panel_df()


# -- quantiles --------------------------------------------------------------------------------------


def test_quantile_columns_and_the_median_is_the_point_forecast(df):
    f = rnncast.Forecaster(horizon=H, quantiles=(0.1, 0.9), **FAST).fit(df)
    out = f.predict()
    assert list(out.columns) == ["unique_id", "ds", "lstm", "lstm-q-0.1", "lstm-q-0.5", "lstm-q-0.9"]
    assert len(out) == 3 * H
    np.testing.assert_array_equal(out["lstm"], out["lstm-q-0.5"])
    assert np.isfinite(out.iloc[:, 2:].to_numpy()).all()


def test_quantile_metrics_carry_pinball_and_coverage(df):
    ev = holdout(rnncast.Forecaster(horizon=H, quantiles=(0.1, 0.9), **FAST), to_panel(df), 0.3)
    p, row = ev.predictions, ev.table["lstm"]
    by_hand = np.mean([metrics.pinball(p["y"], p[f"lstm-q-{q}"], q) for q in (0.1, 0.5, 0.9)])
    assert row["pinball"] == pytest.approx(by_hand)
    inside = (p["y"] >= p["lstm-q-0.1"]) & (p["y"] <= p["lstm-q-0.9"])
    assert row["coverage"] == pytest.approx(inside.mean())
    assert row["nominal_coverage"] == pytest.approx(0.8)
    np.testing.assert_array_equal(p["lstm"], p["lstm-q-0.5"])


@pytest.mark.parametrize("settings, words", [
    (dict(strategy="recursive"), "quantile outputs need the direct strategy"),
    (dict(strategy="seq2seq"), "quantile outputs need the direct strategy"),
    (dict(engine="numpy"), "the numpy engine trains on MSE only"),
    (dict(quantiles=(0.1, 1.5)), "strictly between 0 and 1"),
    (dict(quantiles=("abc",)), "quantiles"),  # API callers get the one error type too, not a bare ValueError
    (dict(quantiles=0.1), "quantiles"),
])
def test_quantiles_where_they_cannot_work_are_refused(df, settings, words):
    with pytest.raises(RnncastError, match=words):
        rnncast.Forecaster(horizon=H, **{"quantiles": (0.1, 0.9), **FAST, **settings}).fit(df)


def test_pinball_and_quantile_metrics_by_hand():
    y = np.array([0.0, 4.0])
    # e = y - q̂ = [-1, 3]: max(0.9e, -0.1e) = [0.1, 2.7]; max(0.1e, -0.9e) = [0.9, 0.3]
    assert metrics.pinball(y, [1.0, 1.0], 0.9) == pytest.approx(1.4)
    assert metrics.pinball(y, [1.0, 1.0], 0.1) == pytest.approx(0.6)
    assert metrics.pinball(y, y, 0.3) == 0.0
    table = pd.DataFrame({"y": [0.0, 4.0, 2.0], "m-q-0.1": [1.0, 1.0, 1.0], "m-q-0.9": [3.0, 3.0, 3.0]})
    out = metrics.quantile_metrics(table, ["m-q-0.1", "m-q-0.9"])
    # q=0.1, e=[-1,3,1]: [0.9, 0.3, 0.1]; q=0.9, e=[-3,1,-1]: [0.3, 0.9, 0.1]  → mean of means = 1.3/3
    assert out["pinball"] == pytest.approx((1.3 / 3 + 1.3 / 3) / 2)
    assert out["coverage"] == pytest.approx(1 / 3) and out["nominal_coverage"] == pytest.approx(0.8)


# -- conformal intervals ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def conformal(df):
    return rnncast.Forecaster(horizon=H, conformal=(80,), **FAST).fit(df)


def test_conformal_columns_bracket_the_point_forecast(conformal):
    f = conformal
    out = f.predict()
    assert list(out.columns) == ["unique_id", "ds", "lstm", "lstm-lo-80", "lstm-hi-80"]
    assert (out["lstm-lo-80"] < out["lstm"]).all() and (out["lstm"] < out["lstm-hi-80"]).all()
    q = np.asarray(f.conformal_["q"]["80"])
    assert f.conformal_["levels"] == [80.0] and len(q) == H
    for uid, one in out.groupby("unique_id"):  # width = q_h · the series' naive scale
        np.testing.assert_allclose(one["lstm-hi-80"] - one["lstm"], q * f.interval_scales_[uid])
        np.testing.assert_allclose(one["lstm"] - one["lstm-lo-80"], q * f.interval_scales_[uid])
    assert f.interval_scales_["c"] > 2 * f.interval_scales_["a"]  # each series' own scale


def check_intervals(p, level=80):
    lo, hi = f"lstm-lo-{level}", f"lstm-hi-{level}"
    assert {lo, hi} <= set(p.columns)
    assert (p[lo] <= p["lstm"]).all() and (p["lstm"] <= p[hi]).all()


def test_holdout_and_backtest_predictions_carry_intervals_and_coverage(df):
    ev = holdout(rnncast.Forecaster(horizon=H, conformal=(80,), **FAST), to_panel(df), 0.3)
    check_intervals(ev.predictions)
    p = ev.predictions
    inside = (p["y"] >= p["lstm-lo-80"]) & (p["y"] <= p["lstm-hi-80"])
    assert ev.table["lstm"]["coverage_80"] == pytest.approx(inside.mean())
    bt = backtest(rnncast.Forecaster(horizon=H, conformal=(80,), **FAST), to_panel(df), n_windows=2)
    check_intervals(bt.predictions)
    assert 0.0 <= bt.table["lstm"]["coverage_80"] <= 1.0


def test_intervals_survive_save_and_load(conformal, df, tmp_path):
    g = rnncast.load(conformal.save(tmp_path / "run"))
    assert g.conformal_ == conformal.conformal_
    pd.testing.assert_frame_equal(conformal.predict(), g.predict())
    pd.testing.assert_frame_equal(conformal.predict(df), g.predict(df))


@pytest.mark.parametrize("levels", [(0,), (100,), ("x",), (80, 150)])
def test_bad_levels_are_refused(df, levels):
    with pytest.raises(RnncastError, match="conformal levels"):
        rnncast.Forecaster(horizon=H, conformal=levels, **FAST).fit(df)


def test_recursive_intervals_only_for_the_calibrated_horizon(df):
    f = rnncast.Forecaster(horizon=2, strategy="recursive", conformal=(90,), **FAST).fit(df)
    check_intervals(f.predict(), level=90)
    with pytest.raises(RnncastError, match="calibrated for the fitted horizon only"):
        f.predict(horizon=3)


def test_calibrate_takes_the_ceil_n_plus_1_level_residual(monkeypatch):
    # Linear series: their in-sample naive MAE is the slope (2 and 50). A stand-in forecaster misses each
    # target by a known number of those scales: origin i, step h → (i + 1) + 100·h for a, + 0.5 for b.
    scales, offset = {"a": 2.0, "b": 50.0}, {"a": 0.0, "b": 0.5}
    t = np.arange(40.0)
    table = pd.concat([pd.DataFrame({"unique_id": "a", "ds": t.astype(int), "y": 2.0 * t}),
                       pd.DataFrame({"unique_id": "b", "ds": t.astype(int), "y": 100.0 + 50.0 * t})])

    def off_by_known(self, frame, origins, H=None, scaling=None):
        H = self.horizon if H is None else H
        i, h = np.arange(len(origins))[:, None], np.arange(H)[None, :]
        miss = (i + 1) + 100 * h + offset[frame.uid]
        sign = np.where(i % 2 == 0, 1.0, -1.0)
        return frame.y[origins[:, None] + h] + sign * miss * scales[frame.uid]

    def panel_off_by_known(self, frames, origins, H=None, scalings=None):
        return {f.uid: off_by_known(self, f, origins[f.uid], H) for f in frames}

    monkeypatch.setattr(Forecaster, "forecast_panel", panel_off_by_known)
    cal = calibrate(rnncast.Forecaster(horizon=2, **FAST), to_panel(table), (50, 80), n_windows=9)
    # n = 18 scaled residuals per step: 1, 1.5, 2, 2.5, ..., 9, 9.5 (+100 at step 2)
    # 80%: ⌈19·0.8⌉ = 16th smallest = 8.5;  50%: ⌈19·0.5⌉ = 10th smallest = 5.5
    assert cal["levels"] == [50.0, 80.0]
    assert cal["q"] == {"50": [5.5, 105.5], "80": [8.5, 108.5]}
    assert cal["n_residuals"] == 18
    cols = interval_columns("lstm", np.array([10.0, 20.0]), np.array([1, 2]), 2.0, cal)
    np.testing.assert_allclose(cols["lstm-lo-80"], [10 - 17.0, 20 - 217.0])
    np.testing.assert_allclose(cols["lstm-hi-50"], [10 + 11.0, 20 + 211.0])


def test_calibration_leaves_out_a_series_that_leaves_log_space_after_its_calibration_start():
    # series "b" is positive until near its end, then 0: the log scaler fitted on the calibration head could
    # not read its calibration windows; it is left out of the calibration (the others still calibrate)
    df = panel_df(n=80)
    last = df["unique_id"].eq("b") & (df.groupby("unique_id").cumcount() >= 70)
    df.loc[last, "y"] = 0.0
    f = rnncast.Forecaster(horizon=H, conformal=(80,), scaler="log", **FAST)
    f.fit(df.loc[~(df["unique_id"].eq("b") & (df.groupby("unique_id").cumcount() >= 75))])  # b's head: positive
    assert f.conformal_["n_residuals"] == 2 * 20  # a and c: 20 calibration windows each
    every = panel_df(n=80)
    every["y"] = 0.0
    with pytest.raises(RnncastError, match="every series has a value <= 0"):
        rnncast.Forecaster(horizon=H, conformal=(80,), scaler="log", **FAST).fit(
            pd.concat([every.iloc[:60].assign(y=1.0), every.iloc[60:80]]).reset_index(drop=True))
