"""Ensembles: members that differ, the median forecast, save/load of every member."""

import json

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.forecaster.ensemble import combine, member_specs
from rnncast.specs import ModelSpec, TrainSpec, WindowSpec

FAST = dict(hidden_size=4, iterations=15, seq_length=6)


@pytest.fixture(scope="module")
def df():
    t = np.arange(60)
    return pd.DataFrame({"ds": pd.date_range("2020-01-01", periods=60, freq="D"),
                         "y": 10 + np.sin(t / 3) + 0.05 * t})


def test_members_differ_in_cell_loss_length_and_seed():
    members = member_specs(ModelSpec("gru"), WindowSpec(seq_length=8), TrainSpec(seed=3), 4)
    assert [m.kind for m, _, _ in members] == ["gru", "rnn", "lstm", "gru"]
    assert [t.loss for _, _, t in members] == ["mse", "mae", "mse", "mae"]
    assert [w.seq_length for _, w, _ in members] == [8, 12, 6, 10]
    assert [t.seed for _, _, t in members] == [3, 4, 5, 6]


def test_combine_is_the_elementwise_median():
    a, b, c = np.array([1.0, 5.0]), np.array([2.0, 0.0]), np.array([9.0, 1.0])
    np.testing.assert_array_equal(combine([a, b, c]), [2.0, 1.0])
    np.testing.assert_array_equal(combine([a]), a)


def test_ensemble_forecast_is_the_median_of_its_members(df, tmp_path):
    f = rnncast.Forecaster(ensemble=3, horizon=2, **FAST).fit(df, target="y")
    assert len(f.nets_) == 3 and len(f.histories_) == 3
    members = []
    for specs in f.members_:
        model, window, train = specs
        single = rnncast.Forecaster(model=model.kind, loss=train.loss, seed=train.seed, horizon=2,
                                    **{**FAST, "seq_length": window.seq_length}).fit(df, target="y")
        members.append(single.predict()[model.kind].to_numpy())
    np.testing.assert_allclose(f.predict()["lstm"].to_numpy(), np.median(members, axis=0), rtol=1e-5)
    path = f.save(tmp_path / "ens")
    assert len(json.loads((path / "config.json").read_text())["members"]) == 3
    again = rnncast.load(path)
    pd.testing.assert_frame_equal(again.predict(), f.predict())


def test_the_ensemble_keeps_the_share_its_validation_chose_through_save_and_load(df, tmp_path):
    # the last H values of every series are held out for every member: one share for the median forecast
    f = rnncast.Forecaster(ensemble=3, horizon=2, shrink="auto", val_size="horizon", val_metric="smape",
                           patience=None, epochs=8, batch_size=16, hidden_size=4, seq_length=6).fit(df, target="y")
    shares = [model.shrink for model, _, _ in f.members_]
    assert len(set(shares)) == 1 and shares[0] in (0.25, 0.5, 0.75, 1.0)
    assert shares == [net.shrink for net in f.nets_]
    path = f.save(tmp_path / "shrunk")
    saved = json.loads((path / "config.json").read_text())
    assert [m["shrink"] for m in saved["members"]] == shares
    again = rnncast.load(path)
    assert [net.shrink for net in again.nets_] == shares
    pd.testing.assert_frame_equal(again.predict(), f.predict())


def test_bad_ensemble_sizes_are_refused(df):
    for bad in (0, 1.5, True):
        with pytest.raises(rnncast.RnncastError, match="ensemble"):
            rnncast.Forecaster(ensemble=bad, **FAST).fit(df, target="y")


def test_a_numpy_ensemble_keeps_mse_and_trains(df):
    f = rnncast.Forecaster(ensemble=3, engine="numpy", **FAST).fit(df, target="y")
    assert [t.loss for _, _, t in f.members_] == ["mse", "mse", "mse"]
    assert [m.kind for m, _, _ in f.members_] == ["lstm", "rnn", "gru"]
    assert np.isfinite(f.predict()["lstm"].to_numpy()).all()


def test_predicting_needs_the_longest_members_window(df):
    f = rnncast.Forecaster(ensemble=2, **FAST).fit(df, target="y")  # member 1 reads 1.5 × 6 = 9 rows
    assert f.window_length_ == 9
    with pytest.raises(rnncast.RnncastError, match="need at least seq_length=9 rows"):
        f.predict(df.iloc[:8])
    assert len(f.predict(df.iloc[:9])) == 1


def test_members_train_member_epochs_each_and_one_network_its_epochs(df):
    small = dict(horizon=2, seq_length=6, hidden_size=4, epochs=3, batch_size=32, val_size=0.0)
    f = rnncast.Forecaster(ensemble=3, member_epochs=2, **small).fit(df)
    assert [len(h.losses) for h in f.histories_] == [2, 2, 2]
    assert [len(h.losses) for h in rnncast.Forecaster(member_epochs=2, **small).fit(df).histories_] == [3]
    for bad in (0, 1.5, True):
        with pytest.raises(rnncast.RnncastError, match="member_epochs must be a positive whole number"):
            rnncast.Forecaster(ensemble=2, member_epochs=bad, **small).fit(df)


@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_members_trained_in_parallel_processes_forecast_as_those_trained_in_turn(engine):
    t = np.arange(40)
    panel = pd.DataFrame({"unique_id": np.repeat(["a", "b", "c"], 40), "ds": np.tile(t, 3),
                          "y": np.concatenate([10 + np.sin(t / 3), 5 + 0.1 * t, 8 + np.cos(t / 4)])})
    settings = dict(ensemble=3, horizon=3, seq_length=6, hidden_size=4, epochs=3, batch_size=16, engine=engine,
                    **({"shrink": "auto", "val_size": "horizon", "val_metric": "smape"} if engine == "torch" else {}))
    in_turn = rnncast.Forecaster(**settings).fit(panel)
    parallel = rnncast.Forecaster(**settings, n_jobs=2).fit(panel)
    model = in_turn.model
    np.testing.assert_allclose(parallel.predict()[model], in_turn.predict()[model], rtol=1e-5)
    assert [h.steps for h in parallel.histories_] == [h.steps for h in in_turn.histories_]
    assert [m.shrink for m, _, _ in parallel.members_] == [m.shrink for m, _, _ in in_turn.members_]
    with pytest.raises(rnncast.RnncastError, match="n_jobs must be"):
        rnncast.Forecaster(**settings, n_jobs=0).fit(panel)
