"""Hold-out evaluation: no leakage from the test period, baselines beside the network."""

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.data.frame import to_frame
from rnncast.evaluation.holdout import holdout


def _frame(n=60, jump_after=None):
    t = np.arange(n, dtype=float)
    y = 50 + 5 * np.sin(t / 4)
    if jump_after is not None:
        y[jump_after:] += 1000.0
    return to_frame(pd.DataFrame({"y": y}))


def test_table_holds_network_and_baselines_on_same_test_points():
    ev = holdout(rnncast.Forecaster(hidden_size=4, iterations=30, seq_length=5), _frame(), 0.3, season=6)
    assert list(ev.table) == ["lstm", "naive", "seasonal_naive", "drift", "mean"]
    assert len(ev.predictions) == 60 - int(60 * 0.7)
    naive_rmse = np.sqrt(np.mean((ev.predictions["y"] - ev.predictions["naive"]) ** 2))
    assert ev.table["naive"]["rmse"] == pytest.approx(naive_rmse)
    assert "naive" in ev.verdict()


def test_scaler_and_weights_see_only_the_training_part():
    # The test period jumps by +1000; a model fitted on the training part alone predicts the same
    # for targets before the jump whatever happens after it.
    f1 = rnncast.Forecaster(hidden_size=4, iterations=30, seq_length=5)
    f2 = rnncast.Forecaster(hidden_size=4, iterations=30, seq_length=5)
    a = holdout(f1, _frame(), 0.3)
    b = holdout(f2, _frame(jump_after=50), 0.3)
    np.testing.assert_array_equal(f1.scalings_["series"].past.shift, f2.scalings_["series"].past.shift)
    before_jump = a.predictions.index[a.predictions["ds"] < 50]
    np.testing.assert_allclose(a.predictions.loc[before_jump, "lstm"], b.predictions.loc[before_jump, "lstm"])


def test_lookahead_figure_is_computed_when_asked():
    ev = holdout(rnncast.Forecaster(hidden_size=4, iterations=30, seq_length=5), _frame(), 0.3, lookahead=True)
    assert ev.lookahead_rmse is not None and ev.lookahead_rmse > 0
