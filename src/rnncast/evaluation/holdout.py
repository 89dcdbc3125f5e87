"""Scoring forecasts against the truth: hold-out evaluation (and the shared core of ``backtest``).

The network and every baseline forecast the same targets from the same history, and all metrics
are computed in original units after inverse scaling, per series and pooled over all series
(overall MASE is the mean of the series' MASE, each on its own scale). Scalers are fitted on each
series' training rows only; test windows may reach back ``seq_length`` rows into the training part.

Hold-out: ``test_size`` says how many of each series' last rows are held out: a fraction (the first
``int(T·(1 - test_size))`` rows train the model, the lecture's 70/30 split) or a whole number of steps per
series. By default a single series holds out 30%; a panel (or a preset) the last ``horizon`` steps of every
series, the competitions' holdout. Every held-out position is an origin of an H-step forecast whose
targets lie inside the series (for H = 1: every test step, the lecture's evaluation). Series too short
for the split are listed and skipped, or, with ``pad``, left-padded exactly as training pads them.

``lookahead=True`` additionally scores the lecture's own procedure on a single series, which
rescales the test period with the test period's own min/max: it peeks at the future's range, so the
figure is shown only to teach the difference and labelled as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rnncast import metrics
from rnncast.data.frame import SeriesFrame
from rnncast.data.holdout_split import check_test_size, default_test_size, train_end
from rnncast.data.panel import Panel
from rnncast.data.scaling import Scaler
from rnncast.data.seasons import infer_season
from rnncast.data.series_scaling import SeriesScaling
from rnncast.errors import RnncastError
from rnncast.evaluation import across_series
from rnncast.forecaster.crossval import origin_forecasts
from rnncast.profiling import phase

if TYPE_CHECKING:
    from rnncast.forecaster.forecaster import Forecaster



@dataclass
class Evaluation:
    predictions: pd.DataFrame  # unique_id, ds, cutoff, h, y, <model>, naive, ... (long)
    metrics: dict  # {"test": {name: {...}}, "per_series": {uid: {name: {...}}}}
    model: str
    train_sizes: dict[str, int]
    season: int | None
    lookahead_rmse: float | None = None
    skipped: list[str] = field(default_factory=list)

    @property
    def table(self) -> dict[str, dict]:
        return self.metrics["test"]

    @property
    def across_series(self) -> dict | None:
        """The panel verdict's figures (``evaluation.across_series``); None for a single series."""
        return self.metrics.get("across_series")

    def significance(self) -> dict:
        """Is the network's difference from naive real (``evaluation.significance``)? One series: the
        Diebold-Mariano test of squared errors; many: the Wilcoxon signed-rank test of per-series MASE."""
        if self.across_series is not None:
            return {"test": "wilcoxon", **self.across_series["wilcoxon"]}
        from rnncast.evaluation.significance import diebold_mariano

        p = self.predictions
        h = int(p["h"].max()) if "h" in p.columns and len(p) else 1
        result = diebold_mariano((p["y"] - p[self.model]).to_numpy(), (p["y"] - p["naive"]).to_numpy(), h)
        return {"test": "diebold-mariano", **result}

    def significance_note(self) -> str:
        from rnncast.evaluation.significance import describe, describe_wilcoxon

        result = self.significance()
        return (describe_wilcoxon if result["test"] == "wilcoxon" else describe)(result, self.model.upper())

    def beats_naive(self) -> bool:
        """Lower error than naive: RMSE for one series, the mean of the series' MASE for many."""
        metric = "mase" if self.across_series is not None else "rmse"
        net, naive = self.table[self.model][metric], self.table["naive"][metric]
        return net is not None and naive is not None and net < naive

    def verdict(self) -> str:
        """One line: does the network beat naive (RMSE; on a panel MASE, sMAPE and shares of series)."""
        if self.across_series is not None:
            return across_series.verdict(self.table, self.across_series, self.model, len(self.skipped))
        net, naive = self.table[self.model]["rmse"], self.table["naive"]["rmse"]
        name = self.model.upper()
        change = 100.0 * (net - naive) / naive if naive else 0.0
        if abs(change) < 0.05:
            return f"{name} matches naive (tomorrow = today): test RMSE {net:.4g} vs {naive:.4g} (within 0.05%)."
        if net < naive:
            return f"{name} beats naive: test RMSE {net:.4g} vs {naive:.4g} ({-change:.1f}% lower)."
        return (
            f"{name} does NOT beat naive (tomorrow = today): test RMSE {net:.4g} vs {naive:.4g}"
            f" ({change:.1f}% higher)."
        )


def summarize(predictions: pd.DataFrame, model: str, scales: dict[str, float | None]) -> dict:
    """Metrics per series and pooled (``test``); overall MASE = mean of the series' MASE on their own scale."""
    names = across_series.point_columns(predictions, model)
    codes, uids = pd.factorize(predictions["unique_id"], sort=False)  # series in order of appearance
    scale = np.array([scales.get(uid) or np.nan for uid in uids], dtype=np.float64)
    y = predictions["y"].to_numpy()
    grouped = {name: metrics.grouped_metrics(codes, len(uids), y, predictions[name].to_numpy(), scale)
               for name in names}  # vectorised over series: microseconds each, not a DataFrame per series
    per_series = {str(uid): {name: {k: (float(v[i]) if np.isfinite(v[i]) else None) for k, v in grouped[name].items()}
                             for name in names} for i, uid in enumerate(uids)}
    overall = {}
    for name in names:
        row = metrics.all_metrics(predictions["y"].to_numpy(), predictions[name].to_numpy(), None)
        mases = [v for uid in per_series if (v := per_series[uid][name]["mase"]) is not None]
        row["mase"] = float(np.mean(mases)) if mases else None  # series without a naive scale left out
        overall[name] = row
    quantile_cols = [c for c in predictions.columns if c.startswith(f"{model}-q-")]
    if quantile_cols:
        overall[model].update(metrics.quantile_metrics(predictions, quantile_cols))
    for name in overall:  # the network's distribution, and the bootstrap baseline's at the same levels
        overall[name].update(metrics.distribution_scores(predictions, name))
    out = {"test": overall, "per_series": per_series}
    if len(per_series) > 1:
        out["across_series"] = across_series.summary(predictions, model, scales, per_series)
    return out


def mase_scales(series: list[SeriesFrame], train_ends: dict[str, int], season: int | None) -> dict[str, float | None]:
    """Each series' MASE denominator: in-sample (seasonal, with ``season``) naive MAE on its training rows."""
    return {s.uid: metrics.naive_scale(s.y[: train_ends[s.uid]], season or 1) for s in series if s.uid in train_ends}


def holdout(forecaster: Forecaster, data: Panel | SeriesFrame, test_size: float | int | None = None,
            season: int | None = None, lookahead: bool = False) -> Evaluation:
    """Fit ``forecaster`` on the training part of each series and score it and the baselines on the rest."""
    panel = data if isinstance(data, Panel) else Panel([data])
    forecaster.specs()  # refuse bad settings before any work
    L, H = forecaster.seq_length, forecaster.horizon
    test_size = check_test_size(default_test_size(panel, H) if test_size is None else test_size, H)
    train_ends, heads, skipped = {}, [], list(panel.too_short)
    for frame in panel.series:
        try:
            end = train_end(len(frame), L, test_size, bool(forecaster.pad))
        except RnncastError:
            if len(panel) == 1:
                raise
            skipped.append(frame.uid)
            continue
        train_ends[frame.uid] = end
        heads.append(frame.head(end))
    if not heads:
        raise RnncastError(f"every series is too short for seq_length {L} with test-size {test_size}")
    season = infer_season(panel.first, season)
    with phase("fit"):
        forecaster.fit_panel(Panel(heads, panel.id_col, panel.freq, panel.gaps))
    skipped += forecaster.skipped_
    series = [s for s in panel.series if s.uid in forecaster.scalings_]
    origins = {s.uid: np.arange(train_ends[s.uid], len(s) - H + 1) for s in series}
    with phase("forecast"):
        predictions = origin_forecasts(forecaster, series, origins, season)
    with phase("score"):
        table = summarize(predictions, forecaster.model, mase_scales(series, train_ends, season))

    lookahead_rmse = None
    if lookahead and len(series) == 1:
        frame = series[0]
        start = train_ends[frame.uid] - L  # the lecture's test_set = xy[train_size - seq_length:]
        peeking = SeriesScaling(Scaler.fit(forecaster.scaler, frame.values[start:]), None)
        rest = replace(frame, values=frame.values[start:],
                       timestamps=None if frame.timestamps is None else frame.timestamps[start:])
        yhat = forecaster.forecast_series(rest, origins[frame.uid] - start, scaling=peeking)
        lookahead_rmse = metrics.rmse(frame.y[origins[frame.uid]], yhat[:, 0])
    used_season = season if season is not None and all(season <= train_ends[s.uid] for s in series) else None
    return Evaluation(predictions, table, forecaster.model, train_ends, used_season, lookahead_rmse, skipped)


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
