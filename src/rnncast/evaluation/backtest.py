"""Backtesting (rolling-origin evaluation): ``forecaster.crossval``'s windows, scored beside the baselines,
overall and per window (``metrics["windows"]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnncast.data.panel import Panel, stamp_text
from rnncast.evaluation.holdout import Evaluation, mase_scales, summarize
from rnncast.forecaster.crossval import cross_validation

if TYPE_CHECKING:
    from rnncast.forecaster.forecaster import Forecaster


def backtest(forecaster: Forecaster, panel: Panel, n_windows: int = 3, step_size: int | None = None,
             refit: bool = False, season: int | None = None) -> Evaluation:
    """Rolling-origin evaluation of ``forecaster`` and the baselines; per-window metrics under ``windows``."""
    cv = cross_validation(forecaster, panel, n_windows, step_size, refit, season)
    scales = mase_scales(cv.series, cv.train_ends, cv.season)
    table = summarize(cv.predictions, forecaster.model, scales)
    # each window keyed by its cutoff as predictions.csv writes it
    table["windows"] = {stamp_text(cutoff, sep=" "): summarize(one, forecaster.model, scales)["test"]
                        for cutoff, one in cv.predictions.groupby("cutoff", sort=True)}
    used = cv.season if cv.season is not None and all(cv.season <= e for e in cv.train_ends.values()) else None
    return Evaluation(cv.predictions, table, forecaster.model, cv.train_ends, used, None, cv.skipped)
