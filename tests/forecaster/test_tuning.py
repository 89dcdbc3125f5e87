"""Tuning on validation origins (rnncast.forecaster.tuning): the test part is never read, trial 0 is the
settings as given, a seed repeats the study, the baselines are scored on the same origins."""

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.data.panel import to_panel
from rnncast.errors import RnncastError
from rnncast.forecaster import tuning

pytest.importorskip("optuna")

H = 3
SMALL = dict(model="gru", horizon=H, seq_length=6, hidden_size=4, epochs=1, batch_size=32, val_size=0.0,
             patience=None, refit_best=False, pad=True)


def panel_frame(n_series=4, n=40, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    parts = [pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2010-01-01", periods=n, freq="MS"),
                           "y": 50 + 10 * k + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, n)})
             for k in range(n_series)]
    return pd.concat(parts, ignore_index=True)


def study(df, **kwargs):
    return rnncast.Forecaster(**SMALL).tune(df, **{"trials": 3, "n_origins": 2, **kwargs})


def test_the_test_part_is_never_read_and_a_seed_repeats_the_study():
    df = panel_frame()
    first = study(df)
    garbage = df.copy()
    last = garbage.groupby("unique_id").cumcount(ascending=False) < H  # each series' test part: its last H
    garbage.loc[last, "y"] = 1e9
    again = study(garbage)
    pd.testing.assert_frame_equal(first.trials.drop(columns="seconds"), again.trials.drop(columns="seconds"))
    assert first.baselines == again.baselines and first.value == again.value
    assert study(df, seed=1).trials["value"].tolist() != first.trials["value"].tolist()  # the seed matters


def test_trial_0_is_the_given_settings_and_the_result_keeps_the_best():
    df = panel_frame()
    result = study(df, trials=4)
    trials = result.trials
    sampled = trials.drop(columns=["number", "state", "value", "seconds"])
    assert trials.loc[0, "number"] == 0 and sampled.loc[0].isna().all()  # trial 0 samples nothing
    assert result.given == pytest.approx(trials.loc[0, "value"])
    assert result.value == pytest.approx(trials["value"].min()) and result.value <= result.given
    assert set(result.baselines) == {"naive", "seasonal_naive"}
    given = rnncast.Forecaster(**SMALL).get_params()
    assert {k: result.params[k] for k in result.changed} == {k: c["to"] for k, c in result.changed.items()}
    assert all(given[k] == c["from"] for k, c in result.changed.items())
    rnncast.Forecaster(**result.params).specs()  # the best settings make a valid forecaster
    assert "swa" in sampled.columns  # one network: its weight average is searched too
    assert "theta_share" in sampled.columns  # and the share of Theta in its point forecasts


def test_the_search_space_offers_swa_to_one_network_only():
    optuna = pytest.importorskip("optuna")
    from rnncast.forecaster.tuning import search_space

    trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).ask()
    one = search_space(trial, rnncast.Forecaster(**SMALL).get_params(), H, 4)
    assert one["swa"] in (0.0, 0.5)
    trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).ask()
    assert "swa" not in search_space(trial, rnncast.Forecaster(**SMALL, ensemble=3).get_params(), H, 4)


def test_the_search_space_offers_theta_to_point_forecasts_only():
    optuna = pytest.importorskip("optuna")
    from rnncast.forecaster.tuning import search_space

    trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).ask()
    assert search_space(trial, rnncast.Forecaster(**SMALL).get_params(), H, 4)["theta_share"] in (0.0, 0.25, 0.5)
    trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).ask()
    quantiles = rnncast.Forecaster(**{**SMALL, "quantiles": (0.1, 0.9)}).get_params()
    assert "theta_share" not in search_space(trial, quantiles, H, 4)


def test_validation_origins_end_h_steps_apart_before_the_test_cut():
    panel = to_panel(panel_frame(n_series=2, n=30))
    panels = tuning.validation_panels(panel, H, H, 3, 6, pad=True)
    assert [len(p.series[0]) for p in panels] == [27, 24, 21]  # test cut at 27, then H apart
    with pytest.raises(RnncastError, match="fewer origins"):
        tuning.validation_panels(panel, H, H, 9, 6, pad=True)


def test_the_budget_ends_the_study_and_bad_arguments_are_one_line_errors():
    df = panel_frame()
    assert len(study(df, trials=5, budget=1e-6).trials) == 1  # trial 0 runs, then the time is up
    for kwargs, match in (({"trials": 0}, "trials"), ({"n_origins": 0}, "origins"), ({"metric": "r2"}, "metric"),
                          ({"budget": -1}, "budget")):
        with pytest.raises(RnncastError, match=match):
            study(df, **kwargs)


def test_origin_scores_are_the_mean_over_series_of_each_series_metric():
    predictions = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "y": [10.0, 10.0, 20.0, 20.0],
                                "lstm": [11.0, 9.0, 20.0, 30.0], "naive": [10.0, 10.0, 10.0, 10.0]})
    scores = tuning.origin_scores(predictions, ["lstm", "naive", "seasonal_naive"], "mae", None, {}, 2)
    assert scores == {"lstm": pytest.approx((1.0 + 5.0) / 2), "naive": pytest.approx((0.0 + 10.0) / 2)}
