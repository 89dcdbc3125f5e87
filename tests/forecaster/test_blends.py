"""theta_share and ets_share: the point forecast is (1 − w_θ − w_e)·network + w_θ·Theta + w_e·ETS, from each
series' whole history."""

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.errors import RnncastError
from rnncast.ets import ets_forecasts
from rnncast.theta import theta_forecasts


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(0)
    pattern = np.array([0.8, 1.0, 1.3, 0.9])
    parts = [pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2010-01-01", periods=28 + 4 * k, freq="QS"),
                           "y": (100 + 10 * k + np.arange(28 + 4 * k)) * np.tile(pattern, 7 + k)
                           * (1 + 0.03 * rng.standard_normal(28 + 4 * k))}) for k in range(3)]
    return pd.concat(parts, ignore_index=True)


def fitted(panel, theta, ets=0.0):
    return rnncast.Forecaster.from_preset("quarterly", 4, ensemble=1, epochs=3, theta_share=theta,
                                          ets_share=ets).fit(panel)


@pytest.mark.parametrize("theta, ets", [(0.25, 0.0), (0.0, 0.5), (0.25, 0.25)])
def test_predict_blends_the_network_with_theta_and_ets_on_the_whole_history(panel, tmp_path, theta, ets):
    blend, alone = fitted(panel, theta, ets), fitted(panel, 0.0)
    got, net = blend.predict(), alone.predict()
    for uid, y in panel.groupby("unique_id")["y"]:
        history = y.to_numpy()  # the preset's period: 4
        expected = (1 - theta - ets) * net.loc[net.unique_id == uid, "lstm"].to_numpy() \
            + theta * theta_forecasts(history, [len(y)], 4, 4)[0] + ets * ets_forecasts(history, [len(y)], 4, 4)[0]
        np.testing.assert_allclose(got.loc[got.unique_id == uid, "lstm"].to_numpy(), expected, rtol=1e-9)
    blend.save(tmp_path / "run")  # the saved run keeps each series' whole history for the methods
    pd.testing.assert_frame_equal(rnncast.load(tmp_path / "run").predict(), got)


def test_backtest_shows_theta_and_ets_alone_beside_the_blend(panel):
    windows = fitted(panel, 0.25, 0.25).backtest(panel, n_windows=2)
    for (uid, cutoff), part in windows.groupby(["unique_id", "cutoff"]):
        series = panel[panel.unique_id == uid]
        origin = int((series["ds"] <= cutoff).sum())  # history: the rows up to the cutoff
        first = len(series) - 4 - 4  # the first window's origin: the season is judged on the history before it
        y = series["y"].to_numpy()
        for column, method in (("theta", theta_forecasts), ("ets", ets_forecasts)):
            expected = method(y, [first, origin], 4, 4)[1]
            np.testing.assert_allclose(part[column].to_numpy(), expected, rtol=1e-9, err_msg=f"{uid} {cutoff}")
    assert "ets" not in fitted(panel, 0.5).backtest(panel, n_windows=1).columns  # only what is blended in


@pytest.mark.parametrize("changes, message", [
    ({"theta_share": 1.5}, "theta_share must be a share in"),
    ({"theta_share": 0.3, "quantiles": (0.1, 0.9)}, "theta_share blends point forecasts"),
    ({"ets_share": -0.1}, "ets_share must be a share in"),
    ({"ets_share": 0.5, "likelihood": "gaussian"}, "ets_share blends point forecasts"),
    ({"ets_share": 0.75, "theta_share": 0.5}, "theta_share \\+ ets_share must be at most 1"),
])
def test_bad_shares_are_refused(panel, changes, message):
    with pytest.raises(RnncastError, match=message):
        rnncast.Forecaster(seq_length=8, horizon=4, epochs=1, **changes).fit(panel)
