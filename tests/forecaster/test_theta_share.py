"""theta_share: the point forecast is (1 − w)·network + w·Theta, from each series' whole history."""

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.errors import RnncastError
from rnncast.theta import theta_forecasts


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(0)
    pattern = np.array([0.8, 1.0, 1.3, 0.9])
    parts = [pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2010-01-01", periods=28 + 4 * k, freq="QS"),
                           "y": (100 + 10 * k + np.arange(28 + 4 * k)) * np.tile(pattern, 7 + k)
                           * (1 + 0.03 * rng.standard_normal(28 + 4 * k))}) for k in range(3)]
    return pd.concat(parts, ignore_index=True)


def fitted(panel, share):
    return rnncast.Forecaster.from_preset("quarterly", 4, ensemble=1, epochs=3, theta_share=share).fit(panel)


def test_predict_blends_the_network_with_theta_on_the_whole_history(panel, tmp_path):
    blend, alone = fitted(panel, 0.25), fitted(panel, 0.0)
    got, net = blend.predict(), alone.predict()
    for uid, y in panel.groupby("unique_id")["y"]:
        theta = theta_forecasts(y.to_numpy(), [len(y)], 4, 4)[0]  # the preset's period: 4
        expected = 0.75 * net.loc[net.unique_id == uid, "lstm"].to_numpy() + 0.25 * theta
        np.testing.assert_allclose(got.loc[got.unique_id == uid, "lstm"].to_numpy(), expected, rtol=1e-9)
    blend.save(tmp_path / "run")  # the saved run keeps each series' whole history for Theta
    pd.testing.assert_frame_equal(rnncast.load(tmp_path / "run").predict(), got)


def test_backtest_shows_theta_alone_beside_the_blend(panel):
    windows = fitted(panel, 0.5).backtest(panel, n_windows=2)
    for (uid, cutoff), part in windows.groupby(["unique_id", "cutoff"]):
        series = panel[panel.unique_id == uid]
        origin = int((series["ds"] <= cutoff).sum())  # history: the rows up to the cutoff
        first = len(series) - 4 - 4  # the first window's origin: the season is judged on the history before it
        expected = theta_forecasts(series["y"].to_numpy(), [first, origin], 4, 4)[1]
        np.testing.assert_allclose(part["theta"].to_numpy(), expected, rtol=1e-9, err_msg=f"{uid} {cutoff}")


@pytest.mark.parametrize("changes, message", [
    ({"theta_share": 1.5}, "theta_share must be a share in"),
    ({"theta_share": 0.3, "quantiles": (0.1, 0.9)}, "theta_share blends point forecasts"),
])
def test_bad_shares_are_refused(panel, changes, message):
    with pytest.raises(RnncastError, match=message):
        rnncast.Forecaster(seq_length=8, horizon=4, epochs=1, **changes).fit(panel)
