"""Early stopping on the metric that is reported, in the data's units, instead of on the training loss.

The loss is an average over scaled (and, with ``normalize="last"``, relative) values; what a user
reads is sMAPE or MAPE or RMSE in the data's units. ``MetricValidation`` wraps an engine's stepper and
replaces its ``val_loss`` by that metric over the validation samples: their outputs are turned back
into forecasts the way ``Forecaster.forecast_at`` does (inverse scaling, seasonal index) and scored
against the original values,

    val = metric(y[o : o+H], ŷ[o : o+H])   pooled over every validation sample (series i, origin o).

Direct strategy only (its outputs are the forecasts; recursive models would have to roll out).

With ``shrink="auto"`` each round is scored at every share α of SHRINK_GRID, the forecasts
ŷ_α = a + α·(ŷ_1 − a) (a: the anchor, the net's output at α = 0, in scaled units), and counts by
the best of them; ``best_share()`` names that α for the weights the run keeps.
"""

from __future__ import annotations

import numpy as np

from rnncast import engines, metrics
from rnncast.config import SHRINK_GRID
from rnncast.errors import RnncastError

CHUNK = 4096  # validation windows predicted at a time


def metric_validation(steps, engine: str, net, data, frames, scalings: dict, seasons: dict, window, metric: str,
                      auto_shrink: bool = False):
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

    return MetricValidation(steps, engine, net, data.windows, held_out[:], decode, y_true, metric, auto_shrink)


class MetricValidation:
    """A stepper whose ``val_loss()`` is ``metric`` of the validation forecasts (other calls pass through)."""

    def __init__(self, steps, engine: str, net, windows: np.ndarray, starts: np.ndarray, decode, y_true: np.ndarray,
                 metric: str, auto_shrink: bool = False):
        self.steps, self.engine, self.net = steps, engine, net
        self.windows, self.starts = windows, starts  # the window view and the validation samples' starts
        self.decode, self.y_true, self.metric = decode, y_true, metric
        self.auto_shrink = auto_shrink

    def __getattr__(self, name):
        return getattr(self.steps, name)

    def _outputs(self) -> np.ndarray:
        outputs = [engines.predict(self.engine, self.net,
                                   np.ascontiguousarray(self.windows[self.starts[b : b + CHUNK]]))
                   for b in range(0, len(self.starts), CHUNK)]
        if self.engine == "torch":
            self.net.train()
        return np.concatenate(outputs)

    def _scores(self) -> dict[float, float]:
        """The metric at each share of SHRINK_GRID (torch nets: ``net.shrink`` is α)."""
        self.net.shrink = 0.0
        anchor = self._outputs()
        self.net.shrink = 1.0
        full = self._outputs()
        return {a: score(self.metric, self.y_true, self.decode(anchor + a * (full - anchor))) for a in SHRINK_GRID}

    def val_loss(self) -> float:
        if self.auto_shrink:
            return min(self._scores().values())
        return score(self.metric, self.y_true, self.decode(self._outputs()))

    def best_share(self) -> float:
        """The share α of SHRINK_GRID that scores best with the net's present weights (ties: the larger)."""
        scores = self._scores()
        return min(reversed(SHRINK_GRID), key=scores.__getitem__)


def score(metric: str, y: np.ndarray, yhat: np.ndarray) -> float:
    if not np.all(np.isfinite(yhat)):
        return float("inf")
    if metric == "mape":  # over the non-zero values (a 0 leaves its percentage error undefined)
        nonzero = y != 0
        if not nonzero.any():
            raise RnncastError("validation metric mape is undefined: every validation value is 0; use smape")
        return float(metrics.mape(y[nonzero], yhat[nonzero]))
    return float({"rmse": metrics.rmse, "mae": metrics.mae, "smape": metrics.smape}[metric](y, yhat))
