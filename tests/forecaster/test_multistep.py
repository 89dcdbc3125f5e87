"""Multi-step forecasting on long panels: the three strategies, recursive feedback, per-series scaling,
future-known and calendar covariates, short and constant series, multi-step baselines, save/load."""

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast import baselines
from rnncast.data.input_rows import input_rows
from rnncast.data.panel import to_panel
from rnncast.errors import RnncastError
from rnncast.evaluation.holdout import holdout
from rnncast.forecaster.rollout import net_forecasts
from rnncast.training import engines

FAST = dict(hidden_size=4, iterations=30, seq_length=5)
H = 3


def panel_df(n=60, levels=(10.0, 20.0, 30.0), ids=("a", "b", "c"), start="2024-01-01"):
    """Long table: per series a weekly sine around its own level plus a little seeded noise."""
    parts = []
    for k, (uid, level) in enumerate(zip(ids, levels, strict=True)):
        t = np.arange(n)
        noise = np.random.default_rng(k).normal(0, 0.05, n)
        parts.append(pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=n, freq="D"),
                                   "y": level * (1 + 0.1 * np.sin(2 * np.pi * t / 7)) + noise}))
    return pd.concat(parts, ignore_index=True)


def known_df(n=50, n_future=H, ids=("a", "b")):
    """Long table with a future-known ``promo`` column: ``n`` observed rows then ``n_future`` rows with y empty."""
    parts = []
    for k, uid in enumerate(ids):
        t = np.arange(n + n_future)
        promo = (t % 5 == 0).astype(float)
        y = 10.0 * (k + 1) + np.sin(t / 3) + 2.0 * promo
        y[n:] = np.nan
        parts.append(pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2024-01-01", periods=n + n_future),
                                   "promo": promo, "y": y}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def df():
    return panel_df()


# -- the three strategies --------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["torch", "numpy"])
@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
def test_each_strategy_forecasts_h_rows_per_series_with_the_next_dates(df, strategy, engine):
    f = rnncast.Forecaster(model="gru", horizon=H, strategy=strategy, engine=engine, **FAST).fit(df)
    out = f.predict()
    assert list(out.columns) == ["unique_id", "ds", "gru"]
    assert out.groupby("unique_id").size().to_dict() == {"a": H, "b": H, "c": H}
    expected = list(pd.date_range("2024-03-01", periods=H, freq="D"))  # 60 days from 2024-01-01 end on 02-29
    for _, one in out.groupby("unique_id"):
        assert list(one["ds"]) == expected
    assert np.isfinite(out["gru"]).all()
    assert f.n_series_ == 3 and f.skipped_ == []


def test_direct_refuses_another_horizon(df):
    f = rnncast.Forecaster(horizon=H, strategy="direct", **FAST).fit(df)
    with pytest.raises(RnncastError, match=f"direct model forecasts exactly its horizon {H}, not {H + 1}"):
        f.predict(horizon=H + 1)


@pytest.mark.parametrize("strategy", ["recursive", "seq2seq"])
def test_recursive_and_seq2seq_accept_another_horizon(df, strategy):
    f = rnncast.Forecaster(horizon=H, strategy=strategy, **FAST).fit(df)
    short, longer = f.predict(), f.predict(horizon=H + 2)
    assert longer.groupby("unique_id").size().to_dict() == {"a": H + 2, "b": H + 2, "c": H + 2}
    assert longer["ds"].max() == pd.Timestamp("2024-03-05")
    # a longer rollout starts with exactly the shorter one: later steps never change earlier ones
    head = longer.groupby("unique_id").head(H).reset_index(drop=True)
    pd.testing.assert_frame_equal(head, short)


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_predict_refuses_a_horizon_that_is_not_a_positive_whole_number(df, bad):
    f = rnncast.Forecaster(horizon=H, strategy="recursive", **FAST).fit(df)
    with pytest.raises(RnncastError, match="horizon"):
        f.predict(horizon=bad)


@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
def test_seeded_fit_repeats_exactly(df, strategy):
    a = rnncast.Forecaster(horizon=H, strategy=strategy, seed=3, **FAST).fit(df)
    b = rnncast.Forecaster(horizon=H, strategy=strategy, seed=3, **FAST).fit(df)
    c = rnncast.Forecaster(horizon=H, strategy=strategy, seed=4, **FAST).fit(df)
    pd.testing.assert_frame_equal(a.predict(), b.predict())
    assert a.history_.losses == b.history_.losses
    assert not np.array_equal(a.predict()["lstm"], c.predict()["lstm"])


# -- recursive rollout ----------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["recursive", "seq2seq"])
def test_rollout_feeds_each_forecast_back_as_the_next_input(monkeypatch, strategy):
    # A stand-in net: "next row = last input row + 1". Rows after the origin hold 999 (never to be read):
    # fed back, step h forecasts last observed + h; reading the data instead would give 1000.
    def plus_one(engine, net, X):
        nxt = X[:, -1, :2] + 1.0
        return np.repeat(nxt[:, None], X.shape[1], axis=1) if strategy == "seq2seq" else nxt

    monkeypatch.setattr(engines, "predict", plus_one)
    rows = np.column_stack([np.arange(12.0), 10 * np.arange(12.0)]).astype(np.float32)
    rows[6:] = 999.0
    out = net_forecasts("torch", None, strategy, rows, np.array([6, 4]), L=3, H=3, n_past=2)
    np.testing.assert_array_equal(out[0], [51.0, 52.0, 53.0])  # 10·5 + 1, + 2, + 3
    np.testing.assert_array_equal(out[1], [31.0, 32.0, 33.0])  # origin 4 reads rows 1..3 only


@pytest.mark.parametrize("strategy", ["recursive", "seq2seq"])
def test_rollout_equals_a_manual_step_by_step_loop(strategy):
    data = known_df(n=40, n_future=4)
    f = rnncast.Forecaster(horizon=2, strategy=strategy, **FAST).fit(data, known=["promo"])
    frame = to_panel(data, known=["promo"]).series[1]
    steps, L, n_past = 4, f.seq_length, len(f.columns_)
    rows = input_rows(frame, f.scalings_[frame.uid], [], ahead=steps, freq=f.freq_)
    origins = np.array([10, 25, len(frame)])
    got = net_forecasts(f.engine, f.net_, strategy, rows, origins, L, steps, n_past)

    window = np.stack([rows[o - L : o] for o in origins])  # (n, L, F + K)
    manual = []
    for h in range(steps):
        p = engines.predict(f.engine, f.net_, np.ascontiguousarray(window))
        p = p[:, -1] if p.ndim == 3 else p  # seq2seq: the last step's output
        manual.append(p[:, n_past - 1])
        nxt = np.stack([rows[o + h] for o in origins])  # its covariate part is the known future
        nxt[:, :n_past] = p
        window = np.concatenate([window[:, 1:], nxt[:, None]], axis=1)
    np.testing.assert_array_equal(got, np.stack(manual, axis=1))
    scaled_back = f.scalings_[frame.uid].past.inverse_column(got, n_past - 1)
    np.testing.assert_array_equal(f.forecast_series(frame, origins, steps), scaled_back)


# -- per-series scaling ---------------------------------------------------------------------------


def test_each_series_has_its_own_scaler_from_its_own_training_rows():
    data = panel_df(levels=(10.0, 10_000.0), ids=("small", "big"))
    trend = np.tile(np.linspace(0.0, -0.5, 60), 2)  # each series falls: its test part goes below its training min
    data["y"] = data["y"] * (1 + trend)
    f = rnncast.Forecaster(horizon=H, scaler="minmax", **FAST)
    ev = holdout(f, to_panel(data), test_size=0.3)
    shifts = {uid: f.scalings_[uid].past.shift[-1] for uid in ("small", "big")}
    for uid in ("small", "big"):
        y = data.loc[data["unique_id"] == uid, "y"].to_numpy()
        assert shifts[uid] == y[: ev.train_sizes[uid]].min()  # minmax: the training rows' min ...
        assert shifts[uid] > y.min()  # ... not the whole series'
    assert shifts["big"] > 100 * shifts["small"]
    forecast = f.predict(data).groupby("unique_id")["lstm"].mean()
    assert 5 < forecast["small"] < 15 and 5_000 < forecast["big"] < 15_000


# -- future-known and calendar covariates -----------------------------------------------------------


@pytest.fixture(scope="module")
def with_promo():
    data = known_df()
    return data, rnncast.Forecaster(horizon=H, strategy="recursive", **FAST).fit(data, known=["promo"])


def test_known_covariates_forecast_from_the_given_future_rows(with_promo):
    data, f = with_promo
    assert f.known_columns_ == ["promo"] and f.n_features_in_ == 2
    out = f.predict(data)
    assert out.groupby("unique_id").size().to_dict() == {"a": H, "b": H}
    future = data.loc[data["y"].isna() & (data["unique_id"] == "a"), "ds"]
    assert list(out.loc[out["unique_id"] == "a", "ds"]) == list(future)
    assert np.isfinite(out["lstm"]).all()


def test_known_covariates_of_step_k_change_steps_k_and_later_only(with_promo):
    data, f = with_promo
    base = f.predict(data)
    changed = data.copy()
    second_future = changed.index[(changed["unique_id"] == "a") & changed["y"].isna()][1]
    changed.loc[second_future, "promo"] = 5.0
    after = f.predict(changed)
    a0, a1 = base[base.unique_id == "a"]["lstm"].to_numpy(), after[after.unique_id == "a"]["lstm"].to_numpy()
    assert a0[0] == a1[0]  # step 1 does not see the covariate of step 2
    assert a0[1] != a1[1]  # step 2 does
    pd.testing.assert_frame_equal(base[base.unique_id == "b"], after[after.unique_id == "b"])


def test_too_few_future_rows_or_no_data_is_refused(with_promo):
    data, f = with_promo
    last_future = data.index[data["y"].isna()][-1]
    with pytest.raises(RnncastError, match=f"need {H} future rows, got {H - 1}"):
        f.predict(data.drop(index=[last_future]))
    with pytest.raises(RnncastError, match="future-known covariates"):
        f.predict()


def test_calendar_features_widen_the_input_and_train(df):
    plain = rnncast.Forecaster(horizon=H, **FAST).fit(df)
    cal = rnncast.Forecaster(horizon=H, calendar=("dayofweek",), **FAST).fit(df)
    assert plain.n_features_in_ == 1 and cal.n_features_in_ == 3  # y + sin/cos of the weekday
    assert np.isfinite(cal.history_.losses).all() and cal.history_.losses[-1] < cal.history_.losses[0]
    out = cal.predict()
    assert len(out) == 3 * H and np.isfinite(out["lstm"]).all()
    assert not np.array_equal(out["lstm"], plain.predict()["lstm"])


# -- short and constant series --------------------------------------------------------------------


def test_short_series_are_skipped_and_listed(df):
    short = panel_df(n=7, levels=(5.0,), ids=("tiny",))  # direct needs seq_length + horizon = 8 rows
    f = rnncast.Forecaster(horizon=H, **FAST).fit(pd.concat([df, short], ignore_index=True))
    assert f.skipped_ == ["tiny"] and f.n_series_ == 3
    assert set(f.predict()["unique_id"]) == {"a", "b", "c"}


@pytest.mark.parametrize("strategy, need", [("direct", 5 + H), ("recursive", 5 + 1)])
def test_every_series_too_short_states_the_minimum(strategy, need):
    data = panel_df(n=need - 1, levels=(1.0, 2.0), ids=("p", "q"))
    with pytest.raises(RnncastError, match=f"at least {need} rows, the longest has {need - 1}"):
        rnncast.Forecaster(horizon=H, strategy=strategy, **FAST).fit(data)


def test_constant_series_fits_predicts_and_has_no_mase_of_its_own(df):
    flat = pd.DataFrame({"unique_id": "flat", "ds": pd.date_range("2024-01-01", periods=60), "y": 5.0})
    data = pd.concat([df[df.unique_id == "a"], flat], ignore_index=True)
    f = rnncast.Forecaster(horizon=H, **FAST)
    ev = holdout(f, to_panel(data), test_size=0.3)
    out = f.predict()
    assert np.isfinite(out["lstm"]).all()
    np.testing.assert_allclose(out.loc[out.unique_id == "flat", "lstm"], 5.0, atol=1e-5)
    assert ev.metrics["per_series"]["flat"]["lstm"]["mase"] is None
    assert ev.metrics["per_series"]["flat"]["naive"]["mase"] is None
    assert ev.metrics["per_series"]["a"]["lstm"]["mase"] is not None
    # the panel's MASE is the mean over the series that have a scale (here: a), never inf
    assert ev.table["lstm"]["mase"] == pytest.approx(ev.metrics["per_series"]["a"]["lstm"]["mase"])
    for row in ev.table.values():
        assert all(v is None or np.isfinite(v) for v in row.values())


# -- baselines --------------------------------------------------------------------------------------


def test_multi_step_baselines_by_hand():
    y = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0])
    out = baselines.multi_step(y, np.array([5, 6]), H=4, season=3)
    np.testing.assert_array_equal(out["naive"], [[16] * 4, [32] * 4])
    # step h (0-based) of origin o is y[o - m + h mod m]: h >= m wraps to the same season's first value
    np.testing.assert_array_equal(out["seasonal_naive"], [[4, 8, 16, 4], [8, 16, 32, 8]])
    np.testing.assert_allclose(out["drift"][0], 16 + np.arange(1, 5) * (16 - 1) / 4)
    np.testing.assert_allclose(out["drift"][1], 32 + np.arange(1, 5) * (32 - 1) / 5)
    np.testing.assert_allclose(out["mean"], [[31 / 5] * 4, [63 / 6] * 4])
    assert "seasonal_naive" not in baselines.multi_step(y, np.array([5]), H=2)


# -- persistence ------------------------------------------------------------------------------------


def test_save_load_recursive_multi_series_with_known_covariates(with_promo, tmp_path):
    data, f = with_promo
    g = rnncast.load(f.save(tmp_path / "run"))
    assert g.known_columns_ == ["promo"] and g.strategy == "recursive" and set(g.scalings_) == {"a", "b"}
    pd.testing.assert_frame_equal(f.predict(data), g.predict(data))
    shorter = data[~data.index.isin(data.index[data["y"].isna()][-1:])]  # b keeps only H - 1 future rows
    pd.testing.assert_frame_equal(f.predict(shorter[shorter.unique_id == "a"], horizon=2),
                                  g.predict(shorter[shorter.unique_id == "a"], horizon=2))


@pytest.mark.parametrize("strategy", ["direct", "recursive"])
def test_many_series_forecast_in_batched_calls_equal_one_series_at_a_time(df, monkeypatch, strategy):
    from rnncast.forecaster import forecaster as forecaster_module
    from rnncast.forecaster import rollout

    f = rnncast.Forecaster(horizon=H, strategy=strategy, ensemble=2, **FAST).fit(df)
    frames = f.panel_for(df).series
    origins = {s.uid: np.arange(len(s) - 3 * H, len(s) - H + 1) for s in frames}
    calls = []
    real_predict = rollout.engines.predict
    monkeypatch.setattr(rollout.engines, "predict", lambda *a: calls.append(len(a[2])) or real_predict(*a))
    monkeypatch.setattr(rollout, "CHUNK", 16)  # windows per call: 3 series × 7 origins = 21 → calls of 16 and 5
    monkeypatch.setattr(forecaster_module, "CHUNK", 16)
    batched = f.forecast_panel(frames, origins)
    steps = 1 if strategy == "direct" else H  # a recursive rollout calls the net once per step
    assert sorted(calls) == sorted([16, 5] * steps * 2)  # 2 members; one series at a time would be 3 calls
    calls.clear()
    for s in frames:
        np.testing.assert_allclose(batched[s.uid], f.forecast_series(s, origins[s.uid]), rtol=1e-5, atol=1e-6)
