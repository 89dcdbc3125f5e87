"""Backtesting (rolling-origin evaluation), in statsforecast's ``cross_validation`` shape.

For each series of length T, ``n_windows`` cutoffs ``step_size`` apart end at the last full horizon:

    origin_k = T - H - step_size · (n_windows - 1 - k),   k = 0 … n_windows - 1

and each window forecasts y[origin_k : origin_k + H] from the rows before origin_k. With
``refit=False`` one model is fitted on the rows before the first origin (scalers too) and forecasts
every window; with ``refit=True`` a fresh model, with freshly fitted scalers, is trained for each
window on the rows before its origin. Either way no window sees a value at or after its origin.
Windows are views of the stacked input rows; all origins of a series are forecast in one batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rnncast.data.panel import Panel
from rnncast.errors import RnncastError
from rnncast.evaluation.holdout import Evaluation, forecasts_from, infer_season, mase_scales, summarize

if TYPE_CHECKING:
    from rnncast.forecaster.forecaster import Forecaster


def backtest(forecaster: Forecaster, panel: Panel, n_windows: int = 3, step_size: int | None = None,
             refit: bool = False, season: int | None = None) -> Evaluation:
    """Rolling-origin evaluation of ``forecaster`` and the baselines; per-window metrics under ``windows``."""
    forecaster.specs()
    L, H = forecaster.seq_length, forecaster.horizon
    step = H if step_size is None else step_size
    for name, value in (("n_windows", n_windows), ("step_size", step)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RnncastError(f"{name} must be a positive whole number, got {value!r}")
    need = L + (H if forecaster.strategy == "direct" else 1)  # rows before the first origin
    origins, skipped = {}, list(panel.too_short)
    for frame in panel.series:
        o = len(frame) - H - step * np.arange(n_windows - 1, -1, -1)
        if o[0] < need:
            skipped.append(frame.uid)
        else:
            origins[frame.uid] = o
    if not origins:
        raise RnncastError(
            f"every series is too short for {n_windows} windows of horizon {H} every {step} steps with"
            f" seq_length {L}: that needs at least {need + H + step * (n_windows - 1)} rows"
        )
    series = [s for s in panel.series if s.uid in origins]
    season = infer_season(series[0], season)
    train_ends = {uid: int(o[0]) for uid, o in origins.items()}
    rounds = range(n_windows) if refit else [None]
    parts = []
    for k in rounds:
        model = forecaster.clone() if refit else forecaster
        ends = {uid: int(o[0 if k is None else k]) for uid, o in origins.items()}
        model.fit_panel(Panel([s.head(ends[s.uid]) for s in series], panel.id_col, panel.freq, panel.gaps))
        chosen = origins if k is None else {uid: o[k : k + 1] for uid, o in origins.items()}
        parts.append(forecasts_from(model, [s for s in series if s.uid in model.scalings_], chosen, season))
        if refit and k == n_windows - 1:
            forecaster.__dict__.update(model.__dict__)  # the caller's forecaster ends as the last refit
    predictions = pd.concat(parts, ignore_index=True)
    table = summarize(predictions, forecaster.model, mase_scales(series, train_ends, season))
    table["windows"] = {
        str(cutoff): summarize(one, forecaster.model, mase_scales(series, train_ends, season))["test"]
        for cutoff, one in predictions.groupby("cutoff", sort=True)
    }
    used = season if season is not None and all(season <= e for e in train_ends.values()) else None
    return Evaluation(predictions, table, forecaster.model, train_ends, used, None, skipped + forecaster.skipped_)
