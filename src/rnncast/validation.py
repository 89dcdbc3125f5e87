"""Early stopping on the metric that is reported, in the data's units, instead of on the training loss.

The loss is an average over scaled (and, with ``normalize="last"``, relative) values; what a user
reads is sMAPE or MAPE or RMSE in the data's units. ``MetricValidation`` wraps an engine's stepper and
replaces its ``val_loss`` by that metric over the validation samples: their outputs are turned back
into forecasts the way ``Forecaster.forecast_at`` does (inverse scaling, seasonal index) and scored
against the original values,

    val = metric(y[o : o+H], ŷ[o : o+H])   pooled over every validation sample (series i, origin o).

Direct strategy only (its outputs are the forecasts; recursive models would have to roll out).
"""

from __future__ import annotations

import numpy as np

from rnncast import engines, metrics
from rnncast.errors import RnncastError


class MetricValidation:
    """A stepper whose ``val_loss()`` is ``metric`` of the validation forecasts (other calls pass through)."""

    def __init__(self, steps, engine: str, net, X_val: np.ndarray, decode, y_true: np.ndarray, metric: str):
        self.steps, self.engine, self.net, self.X_val = steps, engine, net, X_val
        self.decode, self.y_true, self.metric = decode, y_true, metric

    def __getattr__(self, name):
        return getattr(self.steps, name)

    def val_loss(self) -> float:
        forecasts = self.decode(engines.predict(self.engine, self.net, self.X_val))  # (n_val, H)
        if self.engine == "torch":
            self.net.train()
        return score(self.metric, self.y_true, forecasts)


def score(metric: str, y: np.ndarray, yhat: np.ndarray) -> float:
    if not np.all(np.isfinite(yhat)):
        return float("inf")
    if metric == "mape":  # over the non-zero values (a 0 leaves its percentage error undefined)
        nonzero = y != 0
        if not nonzero.any():
            raise RnncastError("validation metric mape is undefined: every validation value is 0; use smape")
        return float(metrics.mape(y[nonzero], yhat[nonzero]))
    return float({"rmse": metrics.rmse, "mae": metrics.mae, "smape": metrics.smape}[metric](y, yhat))
