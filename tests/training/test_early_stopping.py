import numpy as np
import pandas as pd
import pytest

from rnncast import Forecaster
from rnncast.errors import RnncastError
from rnncast.training.early_stopping import choose_shares, ensemble_share, score


def test_scores_in_the_data_units():
    y, yhat = np.array([[10.0, 20.0]]), np.array([[11.0, 18.0]])
    assert score("mape", y, yhat) == pytest.approx(10.0)
    assert score("rmse", y, yhat) == pytest.approx(np.sqrt(2.5))
    assert score("smape", y, np.array([[np.nan, 1.0]])) == float("inf")  # a broken net never wins


def test_mape_skips_zero_values_and_refuses_all_zero():
    assert score("mape", np.array([0.0, 10.0]), np.array([5.0, 12.0])) == pytest.approx(20.0)
    with pytest.raises(RnncastError, match="every validation value is 0"):
        score("mape", np.zeros(3), np.ones(3))


def _trend_panel(val_slope: float) -> pd.DataFrame:
    """Six series rising 1.5% a step for 40 steps; their last 4 steps rise ``val_slope`` as fast."""
    frames = []
    for k in range(6):
        steps = np.arange(44, dtype=float)
        growth = np.where(steps < 40, steps, 40 + val_slope * (steps - 40)) * 0.015
        frames.append(pd.DataFrame({"unique_id": f"s{k}", "ds": np.arange(44), "y": (100 + 10 * k) * np.exp(growth)}))
    return pd.concat(frames)


def test_auto_shrink_keeps_less_of_a_growth_that_stalls_on_the_held_out_values():
    # The net learns the 1.5% growth a step; where the held-out steps stop growing, the validation
    # keeps only part of that correction (α < 1), where they grow on it keeps all of it. Forecasts
    # are then a^(1-α)·ŷ^α: the naive anchor a and the whole-correction forecast ŷ (log scaler).
    settings = dict(horizon=4, seq_length=6, hidden_size=8, epochs=40, batch_size=32, lr=0.01, val_size="horizon",
                    val_metric="mape", patience=None, shrink="auto")
    stalls = Forecaster(**settings).fit(_trend_panel(0.0))
    alpha = stalls.members_[0][0].shrink
    assert alpha < 1.0 and stalls.net_.shrink == alpha and stalls.histories_[0].best_step > 0
    assert Forecaster(**settings).fit(_trend_panel(1.0)).members_[0][0].shrink == 1.0
    forecast = stalls.predict().lstm.to_numpy()
    stalls.net_.shrink = 1.0
    whole = stalls.predict().lstm.to_numpy()
    stalls.net_.shrink = 0.0
    anchor = stalls.predict().lstm.to_numpy()
    np.testing.assert_allclose(forecast, anchor ** (1 - alpha) * whole ** alpha, rtol=1e-5)


def test_auto_shrink_needs_a_held_out_metric_and_a_relative_direct_net():
    with pytest.raises(RnncastError, match="val_size > 0"):
        Forecaster(shrink="auto", val_size=0.0).fit(_trend_panel(1.0))
    with pytest.raises(RnncastError, match="normalize='last'"):
        Forecaster(shrink=0.5, normalize="none").fit(_trend_panel(1.0))


class _Judge:
    """A member's held-out forecasts: the anchor a and the whole correction a + c, in the data's units."""

    def __init__(self, anchor, correction, y_true):
        self.anchor, self.correction = np.asarray(anchor, float), np.asarray(correction, float)
        self.y_true, self.metric = np.asarray(y_true, float), "mae"

    def shrunk(self):
        return lambda a: self.anchor + a * self.correction


def test_the_ensemble_share_is_the_one_whose_median_forecast_scores_best():
    # truth 10 above the anchor 100: member 1 overshoots (+40: alone it wants 0.25), member 2 also
    # (+20: 0.5), member 3 undershoots (+8: 1.0); their median correction is member 2's, so 0.5
    y = [[110.0]]
    judges = [_Judge([[100.0]], [[c]], y) for c in (40.0, 20.0, 8.0)]
    assert [ensemble_share([j]) for j in judges] == [0.25, 0.5, 1.0]
    assert ensemble_share(judges) == 0.5
    nets = [type("Net", (), {})() for _ in judges]
    choose_shares(nets, judges)
    assert [n.shrink for n in nets] == [0.5, 0.5, 0.5]
    other = _Judge([[100.0]], [[40.0]], [[90.0]])  # judged other values: each member its own share
    choose_shares(nets[:2], [judges[0], other])
    assert [n.shrink for n in nets[:2]] == [0.25, 0.25]
    choose_shares(nets[:1], [None])  # nothing held out: all of the correction
    assert nets[0].shrink == 1.0
