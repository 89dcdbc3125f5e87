"""Hold-out evaluation: train on the first part of the series, forecast each test step one step ahead.

The network and every baseline forecast the same test targets from the same history, and all
metrics are computed in original units after inverse scaling. The scaler is fitted on the
training rows only; test windows may reach back ``seq_length`` rows into the training part.

``lookahead=True`` additionally scores the lecture's own procedure, which rescales the test
period with the test period's own min/max: it peeks at the future's range, so the figure is shown
only to teach the difference and labelled as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnncast import baselines, metrics
from rnncast.data.frame import SeriesFrame, infer_freq
from rnncast.data.scaling import Scaler
from rnncast.data.windows import split_targets
from rnncast.forecast import Forecaster

SEASON_BY_FREQ = {"D": 7, "B": 5, "W": 52, "M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "h": 24, "H": 24}


@dataclass
class Evaluation:
    predictions: pd.DataFrame  # ds, y, <model>, naive, ... over the test period
    metrics: dict  # {"test": {name: {rmse, mae, mape, smape, mase}}}
    model: str
    train_size: int
    season: int | None
    lookahead_rmse: float | None = None

    @property
    def table(self) -> dict[str, dict]:
        return self.metrics["test"]

    def verdict(self) -> str:
        """One line: does the network beat naive on RMSE, and by how much."""
        net, naive = self.table[self.model]["rmse"], self.table["naive"]["rmse"]
        name = self.model.upper()
        change = 100.0 * (net - naive) / naive if naive else 0.0
        if net < naive:
            return f"{name} beats naive: test RMSE {net:.4g} vs {naive:.4g} ({-change:.1f}% lower)."
        return (
            f"{name} does NOT beat naive (tomorrow = today): test RMSE {net:.4g} vs {naive:.4g}"
            f" ({change:.1f}% higher)."
        )


def infer_season(frame: SeriesFrame, season: int | None) -> int | None:
    """``season`` if given, else the usual cycle of the data's frequency (7 for daily, 12 for monthly...)."""
    if season is not None:
        return season
    freq = infer_freq(frame.timestamps)
    if freq is None:
        return None
    return SEASON_BY_FREQ.get(freq.split("-")[0])


def holdout(forecaster: Forecaster, frame: SeriesFrame, test_size: float = 0.3, season: int | None = None,
            lookahead: bool = False) -> Evaluation:
    """Fit ``forecaster`` on the training part of ``frame`` and score it and the baselines on the rest."""
    from rnncast.errors import RnncastError

    forecaster._specs()  # refuse bad settings before any work
    L = forecaster.seq_length
    _, test_t = split_targets(len(frame), L, test_size)
    train_size = int(test_t[0])
    season = infer_season(frame, season)
    if season is not None and (season < 1 or season > train_size):
        if season < 1:
            raise RnncastError(f"season must be a positive whole number, got {season}")
        season = None  # history too short for the inferred cycle: leave seasonal naive out
    forecaster._fit_frame(frame.head(train_size))

    y = frame.y
    y_test = y[test_t]
    forecasts = {forecaster.model: forecaster.predict_targets(frame.values, test_t)}
    forecasts.update(baselines.all_baselines(y, test_t, season))
    scale = metrics.naive_scale(y[:train_size])
    table = {name: metrics.all_metrics(y_test, yhat, scale) for name, yhat in forecasts.items()}

    lookahead_rmse = None
    if lookahead:
        rows = frame.values[train_size - L :]  # the lecture's test_set = xy[train_size - seq_length:]
        peeking = Scaler.fit(forecaster.scaler, rows)
        yhat = forecaster.predict_targets(rows, test_t - (train_size - L), scaler=peeking)
        lookahead_rmse = metrics.rmse(y_test, yhat)

    predictions = pd.DataFrame({"ds": frame.ds()[test_t], "y": y_test, **forecasts})
    return Evaluation(predictions, {"test": table}, forecaster.model, train_size, season, lookahead_rmse)


def range_note(frame: SeriesFrame, train_size: int) -> str | None:
    """Why a scaled network may lose: the test period leaves the range seen in training."""
    y = frame.y
    low, high = y[:train_size].min(), y[:train_size].max()
    test = y[train_size:]
    outside = float(np.mean((test > high) | (test < low)))
    if outside < 0.05:
        return None
    return (
        f"{100 * outside:.0f}% of the test targets lie outside the training range [{low:.4g}, {high:.4g}]:"
        f" a network trained on values scaled to that range must extrapolate there, while naive simply"
        f" carries the last value forward."
    )
