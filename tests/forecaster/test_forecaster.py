"""The Python API: scikit-learn rules, predict, save/load round trip, reproducibility."""

import json

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.data.seasons import is_seasonal
from rnncast.errors import NotFittedError, RnncastError
from rnncast.forecaster import persist

FAST = dict(hidden_size=4, iterations=20, seq_length=5)


@pytest.fixture(scope="module")
def df():
    rng = np.random.default_rng(0)
    t = np.arange(80)
    return pd.DataFrame({
        "ds": pd.date_range("2024-01-01", periods=80, freq="D"),
        "x": np.sin(t / 5) + rng.normal(0, 0.05, 80),
        "y": 10 + np.cos(t / 7) + rng.normal(0, 0.05, 80),
    })


def test_init_only_stores_arguments():
    f = rnncast.Forecaster(model="nonsense", hidden_size=-1)
    assert f.model == "nonsense" and f.hidden_size == -1
    with pytest.raises(RnncastError, match="unknown model"):
        f.fit(pd.DataFrame({"y": np.arange(30.0)}))


def test_not_fitted_error():
    with pytest.raises(NotFittedError, match="not fitted"):
        rnncast.Forecaster().predict()


def test_fit_returns_self_and_predict_gives_next_timestamp(df):
    f = rnncast.Forecaster(model="gru", **FAST)
    assert f.fit(df, target="y") is f
    out = f.predict()
    assert list(out.columns) == ["unique_id", "ds", "gru"]
    assert out["ds"].iloc[0] == pd.Timestamp("2024-03-21")
    assert np.isfinite(out["gru"].iloc[0])
    assert f.n_features_in_ == 2 and f.columns_ == ["x", "y"]


def test_predict_on_new_data_uses_its_last_window(df):
    f = rnncast.Forecaster(**FAST).fit(df, target="y")
    same = f.predict(df)
    assert same["lstm"].iloc[0] == pytest.approx(f.predict()["lstm"].iloc[0])
    shifted = f.predict(df.iloc[:50])
    assert shifted["ds"].iloc[0] == df["ds"].iloc[50]


def test_same_seed_same_forecast_different_seed_different(df):
    trained = dict(FAST, val_size=0.0)  # no early stopping: the seeds' trained nets, not the untrained naive one
    a = rnncast.Forecaster(seed=1, **trained).fit(df, target="y").predict()["lstm"].iloc[0]
    b = rnncast.Forecaster(seed=1, **trained).fit(df, target="y").predict()["lstm"].iloc[0]
    c = rnncast.Forecaster(seed=2, **trained).fit(df, target="y").predict()["lstm"].iloc[0]
    assert a == b and a != c


def test_save_load_round_trip_without_pickle(df, tmp_path):
    f = rnncast.Forecaster(model="rnn", nonlinearity="relu", **FAST).fit(df, target="y")
    path = f.save(tmp_path / "run")
    assert sorted(p.name for p in path.iterdir()) == ["config.json", "model.safetensors"]
    config = json.loads((path / "config.json").read_text())
    assert config["format_version"] == persist.FORMAT_VERSION and config["model"]["nonlinearity"] == "relu"
    g = rnncast.load(path)
    pd.testing.assert_frame_equal(f.predict(df), g.predict(df))
    pd.testing.assert_frame_equal(f.predict(), g.predict())


def test_predict_refuses_data_with_other_columns(df):
    f = rnncast.Forecaster(**FAST).fit(df, target="y")
    with pytest.raises(RnncastError, match="columns differ from training: 'x' is missing"):
        f.predict(df.rename(columns={"x": "z"}))
    with pytest.raises(RnncastError, match="at least seq_length=5 rows"):
        f.predict(df.iloc[:3])


def test_validation_split_with_patience(df):
    f = rnncast.Forecaster(val_size=0.2, patience=3, lr=0.05, iterations=400, hidden_size=4).fit(df, target="y")
    assert f.history_.val_losses and f.history_.best_step is not None


def test_padding_lets_a_short_series_train_and_predict():
    short = pd.DataFrame({"y": np.arange(4.0)})
    with pytest.raises(RnncastError, match="too short"):
        rnncast.Forecaster(**FAST).fit(short)
    f = rnncast.Forecaster(pad=True, **FAST).fit(short)
    assert f.skipped_ == [] and np.isfinite(f.predict()["lstm"].iloc[0])


def test_series_embedding_round_trips_and_is_torch_only(df, tmp_path):
    long = pd.concat([df.assign(unique_id="a"), df.assign(unique_id="b", y=df["y"] * 3)])
    f = rnncast.Forecaster(series_embedding=2, **FAST).fit(long, target="y")
    assert f.net_.embed.weight.shape == (2, 2)
    f.save(tmp_path / "emb")
    pd.testing.assert_frame_equal(f.predict(long), rnncast.load(tmp_path / "emb").predict(long))
    with pytest.raises(RnncastError, match="numpy engine has no series embedding"):
        rnncast.Forecaster(series_embedding=2, engine="numpy", **FAST).fit(long, target="y")


def test_refit_best_retrains_on_all_windows_for_the_chosen_rounds(df):
    settings = dict(val_size=0.3, patience=3, lr=0.05, iterations=300, hidden_size=4, seq_length=5, min_delta=0.0)
    plain = rnncast.Forecaster(refit_best=False, **settings).fit(df, target="y")
    refit = rnncast.Forecaster(refit_best=True, **settings).fit(df, target="y")
    assert refit.history_.best_step == plain.history_.best_step
    assert refit.history_.steps == plain.history_.best_step and len(refit.history_.losses) == refit.history_.steps
    assert refit.predict()["lstm"].iloc[0] != plain.predict()["lstm"].iloc[0]


def test_refit_best_with_a_batch_between_the_training_and_all_windows(df):
    # 75 windows: 52 train + 23 validation; batch 60 is full batch for the first run, mini-batch for the refit.
    f = rnncast.Forecaster(val_size=0.3, patience=2, epochs=20, batch_size=60, refit_best=True, hidden_size=4,
                           seq_length=5, lr=0.05).fit(df, target="y")
    assert f.history_.steps == 2 * f.history_.best_step  # two batches per epoch over all 75 windows


def monthly_panel():
    rng = np.random.default_rng(0)
    pattern = np.array([0.7, 0.8, 1.0, 1.2, 1.4, 1.3, 1.1, 1.0, 0.9, 0.8, 0.9, 0.9])
    parts = []
    for k in range(3):
        n = 60
        y = (50 + 5 * k + 0.3 * np.arange(n)) * np.tile(pattern, 6)[:n] * (1 + 0.01 * rng.standard_normal(n))
        parts.append(pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2015-01-01", periods=n, freq="MS"),
                                   "y": y}))
    return pd.concat(parts, ignore_index=True)


def test_deseasonalize_puts_the_season_back_on_the_forecast(tmp_path):
    panel = monthly_panel()
    f = rnncast.Forecaster(horizon=12, deseasonalize=True, normalize="last", scaler="log", hidden_size=4,
                           seq_length=12, iterations=1, lr=1e-6).fit(panel)
    assert all(s is not None and s.period == 12 for s in f.seasons_.values())
    out = f.predict()
    # an (almost) untrained normalize=last net repeats the last deseasonalised value: the forecast's shape
    # over the year is the seasonal index, continued from the right phase (the data end in December)
    s0 = out[out.unique_id == "s0"]["lstm"].to_numpy()
    factors = f.seasons_["s0"].factors
    np.testing.assert_allclose(s0 / s0[0], factors / factors[0], rtol=1e-3)
    again = rnncast.load(f.save(tmp_path / "run"))
    pd.testing.assert_frame_equal(again.predict(), out)
    # without the flag nothing is removed
    plain = rnncast.Forecaster(horizon=12, hidden_size=4, seq_length=12, iterations=1).fit(panel)
    assert all(s is None for s in plain.seasons_.values())


def test_deseasonalize_true_needs_a_known_frequency():
    frame = pd.DataFrame({"y": np.arange(1.0, 50.0)})
    with pytest.raises(rnncast.RnncastError, match="give the period"):
        rnncast.Forecaster(deseasonalize=True, **FAST).fit(frame)


def test_early_stopping_on_the_metric_keeps_the_untrained_naive_net_when_training_only_hurts():
    # a huge learning rate wrecks the net at once; with normalize=last the untrained net is naive and wins
    panel = monthly_panel()
    f = rnncast.Forecaster(horizon=6, normalize="last", scaler="log", hidden_size=4, seq_length=12, lr=5.0,
                           iterations=5, val_size="horizon", patience=3, val_metric="smape").fit(panel)
    assert f.history_.best_step == 0
    tail = panel.groupby("unique_id").tail(1).set_index("unique_id")["y"]
    out = f.predict().groupby("unique_id")["lstm"].first()
    np.testing.assert_allclose(out.to_numpy(), tail.loc[out.index].to_numpy(), rtol=1e-5)
    assert f.history_.initial_val_loss == pytest.approx(min([f.history_.initial_val_loss, *f.history_.val_losses]))


def test_metric_validation_needs_the_direct_strategy(df):
    with pytest.raises(rnncast.RnncastError, match="direct strategy"):
        rnncast.Forecaster(strategy="recursive", val_size=0.2, val_metric="smape", **FAST).fit(df, target="y")


def test_mae_loss_trains_a_different_model(df):
    mse = rnncast.Forecaster(val_size=0.0, **FAST).fit(df, target="y").predict()["lstm"].to_numpy()
    mae = rnncast.Forecaster(val_size=0.0, loss="mae", **FAST).fit(df, target="y").predict()["lstm"].to_numpy()
    assert not np.allclose(mse, mae)


@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_normalize_season_starts_at_the_seasonal_naive_forecast(engine, tmp_path):
    panel = monthly_panel()
    # lr ~0: the net is (almost) untrained, so each step repeats the same month of the last year
    f = rnncast.Forecaster(normalize="season", horizon=15, seq_length=12, hidden_size=4, iterations=1, lr=1e-9,
                           engine=engine, model="rnn").fit(panel)
    assert f.members_[0][0].season == 12  # from the monthly frequency
    last_year = panel[panel.unique_id == "s1"]["y"].to_numpy()[-12:]
    out = f.predict()
    s1 = out[out.unique_id == "s1"]["rnn"].to_numpy()
    np.testing.assert_allclose(s1, np.concatenate([last_year, last_year[:3]]), rtol=1e-4)
    again = rnncast.load(f.save(tmp_path / "run"))
    assert again.members_[0][0].season == 12 and again.normalize == "season"  # the period found, as fitted
    assert again.season_length is None  # the settings as given (config.json's settings section)
    pd.testing.assert_frame_equal(again.predict(), out)


@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_normalize_auto_anchors_each_series_by_its_own_seasonality_test(engine, tmp_path):
    # two seasonal series and two random walks: the untrained net is seasonal naive on the first, naive on the others
    rng = np.random.default_rng(0)
    t = np.arange(60)
    ys = {"a": 100 + 10 * np.sin(2 * np.pi * t / 12), "b": 50 + 5 * np.cos(2 * np.pi * t / 12),
          "c": 100 + rng.normal(0, 1, 60).cumsum(), "d": 80 + rng.normal(0, 1, 60).cumsum()}
    stamps = pd.date_range("2015-01-01", periods=60, freq="MS")
    panel = pd.concat([pd.DataFrame({"unique_id": uid, "ds": stamps, "y": y}) for uid, y in ys.items()])
    f = rnncast.Forecaster(normalize="auto", horizon=6, seq_length=12, hidden_size=4, iterations=1, lr=1e-9,
                           engine=engine, model="rnn").fit(panel)
    assert f.seasonal_anchors_ == {"a": True, "b": True, "c": False, "d": False}
    assert f.seasonal_anchors_ == {uid: is_seasonal(y, 12) for uid, y in ys.items()}
    out = f.predict()
    for uid, y in ys.items():
        expected = y[-12:-6] if f.seasonal_anchors_[uid] else np.repeat(y[-1], 6)
        np.testing.assert_allclose(out[out.unique_id == uid]["rnn"].to_numpy(), expected, rtol=1e-4)
    again = rnncast.load(f.save(tmp_path / "run"))  # the decisions are saved with the run
    assert again.seasonal_anchors_ == f.seasonal_anchors_ and again.normalize == "auto"
    pd.testing.assert_frame_equal(again.predict(), out)


def test_normalize_season_refuses_what_it_cannot_anchor(df):
    for normalize in ("season", "auto"):
        with pytest.raises(RnncastError, match="direct strategy"):
            rnncast.Forecaster(normalize=normalize, strategy="recursive", **FAST).fit(df, target="y")
    with pytest.raises(RnncastError, match="seq_length 5 must be at least the period 7"):
        rnncast.Forecaster(normalize="season", **FAST).fit(df, target="y")  # daily: period 7
    with pytest.raises(RnncastError, match="season-length"):
        rnncast.Forecaster(normalize="season", **FAST).fit(pd.DataFrame({"y": np.arange(1.0, 50.0)}))
    f = rnncast.Forecaster(normalize="season", season_length=3, ensemble=3, **{**FAST, "seq_length": 3})
    f.fit(df, target="y")  # member 2 would read 0.75 · 3 rows, fewer than a season: it reads 3
    assert [w.seq_length for _, w, _ in f.members_] == [3, 4, 3]


def test_log_unscaled_windows_read_plain_log_ratios_and_round_trip(tmp_path):
    panel = monthly_panel()
    f = rnncast.Forecaster(scaler="log_unscaled", loss="mape", horizon=3, seq_length=6, hidden_size=4, epochs=2,
                           batch_size=16, val_size=0.0).fit(panel)
    for uid, group in panel.groupby("unique_id"):
        past = f.scalings_[uid].past
        assert past.kind == "log_unscaled" and past.scale[-1] == 1.0
        assert past.shift[-1] == pytest.approx(np.log(group["y"].to_numpy()).mean())
    g = rnncast.load(f.save(tmp_path / "run"))
    pd.testing.assert_frame_equal(f.predict(), g.predict())


def test_mape_loss_trains_on_the_forecasts_percentage_errors_and_refuses_what_it_cannot_compare(df):
    panel = monthly_panel()
    f = rnncast.Forecaster(loss="mape", horizon=3, seq_length=6, hidden_size=4, epochs=2, batch_size=16,
                           val_size="horizon", patience=2, ensemble=2).fit(panel)
    assert [m[2].loss for m in f.members_] == ["mape", "mse"]  # odd members train on the other kind
    # early stopping on the loss watches the validation MAPE (as a fraction): the untrained net is naive
    ends = [g["y"].to_numpy()[-4:] for _, g in panel.groupby("unique_id")]  # last value before the held-out 3
    naive = np.mean([np.abs(v[0] - v[1:]) / v[1:] for v in ends])
    assert f.history_.initial_val_loss == pytest.approx(naive, rel=1e-4)
    with pytest.raises(RnncastError, match="scaler='log'"):
        rnncast.Forecaster(loss="smape", scaler="standard", **FAST).fit(df, target="y")
    with pytest.raises(RnncastError, match="direct strategy"):
        rnncast.Forecaster(loss="mape", strategy="recursive", **FAST).fit(df, target="y")
    # a series with values <= 0 has no log ratios: it trains on the absolute error of its scaled values
    centred = panel.assign(y=panel.y - panel.y.mean())
    both = pd.concat([centred[centred.unique_id == "s0"], panel[panel.unique_id != "s0"]])
    mixed = rnncast.Forecaster(loss="mape", horizon=3, seq_length=6, hidden_size=4, iterations=3,
                               val_size=0.0).fit(both)
    assert np.isfinite(mixed.history_.losses).all()
    with pytest.raises(RnncastError, match="numpy engine trains on MSE only; use --engine torch for --loss mape"):
        rnncast.Forecaster(loss="mape", engine="numpy", **FAST).fit(df, target="y")


def test_a_failing_fit_leaves_the_previous_fitted_state_whole(monkeypatch):
    from rnncast.forecaster import fit as fitting

    df = pd.DataFrame({"y": np.sin(np.arange(80) / 4) + 2})
    f = rnncast.Forecaster(seq_length=5, iterations=5).fit(df)
    before = {k: v for k, v in vars(f).items() if k.endswith("_")}
    expected = f.predict()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fitting, "fit_member", interrupted)
    other = pd.DataFrame({"y": np.cos(np.arange(60) / 3) + 5})
    with pytest.raises(KeyboardInterrupt):
        f.fit(other)
    after = {k: v for k, v in vars(f).items() if k.endswith("_")}
    assert after.keys() == before.keys() and all(after[k] is before[k] for k in before)
    pd.testing.assert_frame_equal(f.predict(), expected)
