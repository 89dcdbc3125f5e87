"""Early stopping on the metric that is reported, in the data's units, instead of on the training loss.

The loss is an average over scaled (and, with ``normalize="last"``, relative) values; what a user
reads is sMAPE or MAPE or RMSE in the data's units. ``MetricValidation`` wraps an engine's stepper and
replaces its ``val_loss`` by that metric over the validation samples: their outputs are turned back
into forecasts the way ``Forecaster.forecast_series`` does (inverse scaling, seasonal index) and scored
against the original values,

    val = metric(y[o : o+H], ŷ[o : o+H])   pooled over every validation sample (series i, origin o).

Direct strategy only (its outputs are the forecasts; recursive models would have to roll out).

With ``shrink="auto"`` each round is scored at every share α of SHRINK_GRID, the forecasts
ŷ_α = a + α·(ŷ_1 − a) (a: the anchor, the net's output at α = 0, in scaled units), and counts by
the best of them. ``ensemble_share`` then chooses one α for all members of an ensemble: the one whose
median forecast scores best on the held-out values, with the weights each member's run kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnncast import metrics
from rnncast.errors import RnncastError
from rnncast.specs import SHRINK_GRID
from rnncast.training import engines

CHUNK = 4096  # validation windows predicted at a time


def metric_validation(steps, engine: str, net, data, frames, scalings: dict, seasons: dict, window, metric: str,
                      auto_shrink: bool = False):
    """``steps`` with early stopping on ``metric`` of the validation forecasts of ``data`` (a
    ``training_sets.TrainingSet``) in the data's units: inverse scaling per series, seasonal index put back."""
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

    def shrunk(self):
        """α ↦ the held-out forecasts (data units) that keep share α of the correction (``net.shrink``
        is α, in either engine); two passes: the anchor (α = 0) and the whole correction (α = 1)."""
        self.net.shrink = 0.0
        anchor = self._outputs()
        self.net.shrink = 1.0
        full = self._outputs()
        return lambda a: self.decode(anchor + a * (full - anchor))

    def frozen(self) -> HeldOutForecasts:
        """The held-out forecasts at every share of SHRINK_GRID, now (what ``ensemble_share`` reads): light
        enough to come back from a worker process, and fixed when a refit replaces the net."""
        at = self.shrunk()
        return HeldOutForecasts(self.metric, self.y_true, {a: at(a) for a in SHRINK_GRID})

    def val_loss(self) -> float:
        if self.auto_shrink:
            at = self.shrunk()
            return min(score(self.metric, self.y_true, at(a)) for a in SHRINK_GRID)
        return score(self.metric, self.y_true, self.decode(self._outputs()))


@dataclass(frozen=True)
class HeldOutForecasts:
    """A member's held-out forecasts (data units) per share α of SHRINK_GRID, with the values they forecast."""

    metric: str
    y_true: np.ndarray
    by_share: dict

    def shrunk(self):
        return self.by_share.__getitem__


def ensemble_share(judges: list[HeldOutForecasts]) -> float:
    """The share α of SHRINK_GRID whose members' median forecast scores best on the held-out values
    (ties: the larger α). The members must have judged the same held-out values."""
    forecasts = [judge.shrunk() for judge in judges]
    scores = {a: score(judges[0].metric, judges[0].y_true, np.median([at(a) for at in forecasts], axis=0))
              for a in SHRINK_GRID}
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


def choose_shares(nets: list, judges: list) -> None:
    """``shrink="auto"``: set every member's ``net.shrink``. One share for the ensemble where the members
    judged the same held-out values (``val_size="horizon"``: the last H of each series), else each
    member's own; a member without a judge (nothing held out) keeps all of its correction: 1."""
    present = [judge for judge in judges if judge is not None]
    same = all(j.y_true.shape == present[0].y_true.shape and np.array_equal(j.y_true, present[0].y_true)
               for j in present)
    common = ensemble_share(present) if present and same else None
    for net, judge in zip(nets, judges, strict=True):
        net.shrink = 1.0 if judge is None else common if common is not None else ensemble_share([judge])
