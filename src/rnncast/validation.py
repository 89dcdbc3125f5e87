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

CHUNK = 4096  # validation windows predicted at a time


def metric_validation(steps, engine: str, net, data, frames, scalings: dict, seasons: dict, window, metric: str):
    """``steps`` with early stopping on ``metric`` of the validation forecasts of ``data`` (a
    ``samples.TrainingSet``) in the data's units: inverse scaling per series, seasonal index put back."""
    H, n_q = window.horizon, len(window.quantiles) if window.quantiles else 0
    held_out = data.val_samples  # one run per series: no per-sample mask over all samples
    series, origins = held_out.series_of(), held_out.origins()
    y_true = np.stack([frames[k].y[o : o + H] for k, o in zip(series, origins, strict=True)])  # (n_val, H)

    def decode(out: np.ndarray) -> np.ndarray:
        z = out.reshape(len(origins), H, n_q)[..., window.quantiles.index(0.5)] if n_q else out  # (n_val, H)
        forecasts = np.empty_like(y_true)
        for k in np.unique(series):
            rows_k = series == k
            frame = frames[k]
            values = scalings[frame.uid].past.inverse_column(z[rows_k], len(frame.columns) - 1)
            season = seasons.get(frame.uid)
            forecasts[rows_k] = values if season is None else season.restore(frame, origins[rows_k], values)
        return forecasts

    return MetricValidation(steps, engine, net, data.windows, held_out[:], decode, y_true, metric)


class MetricValidation:
    """A stepper whose ``val_loss()`` is ``metric`` of the validation forecasts (other calls pass through)."""

    def __init__(self, steps, engine: str, net, windows: np.ndarray, starts: np.ndarray, decode, y_true: np.ndarray,
                 metric: str):
        self.steps, self.engine, self.net = steps, engine, net
        self.windows, self.starts = windows, starts  # the window view and the validation samples' starts
        self.decode, self.y_true, self.metric = decode, y_true, metric

    def __getattr__(self, name):
        return getattr(self.steps, name)

    def val_loss(self) -> float:
        outputs = [engines.predict(self.engine, self.net,
                                   np.ascontiguousarray(self.windows[self.starts[b : b + CHUNK]]))
                   for b in range(0, len(self.starts), CHUNK)]
        forecasts = self.decode(np.concatenate(outputs))  # (n_val, H)
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
