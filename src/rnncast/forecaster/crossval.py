"""Forecasts from many origins, in statsforecast's ``cross_validation`` shape (the network beside the baselines).

For each series of length T, ``n_windows`` cutoffs ``step_size`` apart end at the last full horizon:

    origin_k = T - H - step_size · (n_windows - 1 - k),   k = 0 … n_windows - 1

and each window forecasts y[origin_k : origin_k + H] from the rows before origin_k. With
``refit=False`` one model is fitted on the rows before the first origin (scalers too) and forecasts
every window; with ``refit=True`` a fresh model (``clone``), with freshly fitted scalers, is trained for
each window on the rows before its origin. Either way no window sees a value at or after its origin.
With ``pad`` a series with too few rows before an origin is left-padded for the network, as training
pads it (the baselines read the real rows only). The network forecasts every series' origins in batched
calls (``Forecaster.forecast_panel``).
``evaluation.backtest`` scores what this returns; ``Forecaster.backtest`` returns its predictions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rnncast import baselines, metrics
from rnncast.data.frame import SeriesFrame
from rnncast.data.input_rows import pad_left
from rnncast.data.panel import Panel
from rnncast.data.seasons import infer_season
from rnncast.errors import RnncastError
from rnncast.forecaster.rollout import blend_shares, levels_of, statistical_of
from rnncast.forecaster.sampling import quantiles_of

if TYPE_CHECKING:
    from rnncast.forecaster.forecaster import Forecaster


@dataclass
class CrossValidation:
    """The forecasts of every window and what scoring them needs."""

    predictions: pd.DataFrame  # unique_id, ds, cutoff, h, y, <model>[, …], naive[, seasonal_naive], drift, mean
    series: list[SeriesFrame]  # the series with windows
    train_ends: dict[str, int]  # rows before each series' first origin
    season: int | None
    skipped: list[str]  # series too short for the windows


def cross_validation(forecaster: Forecaster, panel: Panel, n_windows: int = 3, step_size: int | None = None,
                     refit: bool = False, season: int | None = None) -> CrossValidation:
    """Fit ``forecaster`` (or, with ``refit``, a clone per window) and forecast every window (see above)."""
    forecaster.specs()
    L, H = forecaster.seq_length, forecaster.horizon
    step = H if step_size is None else step_size
    for name, value in (("n_windows", n_windows), ("step_size", step)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RnncastError(f"{name} must be a positive whole number, got {value!r}")
    # rows before the first origin: a window and its target, or with pad one row (padded as training pads)
    need = 1 if forecaster.pad else L + (H if forecaster.strategy == "direct" else 1)
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
    rounds = range(n_windows) if refit else [None]
    parts = []
    for k in rounds:
        model = forecaster.clone() if refit else forecaster
        ends = {uid: int(o[0 if k is None else k]) for uid, o in origins.items()}
        model.fit_panel(Panel([s.head(ends[s.uid]) for s in series], panel.id_col, panel.freq, panel.gaps))
        chosen = origins if k is None else {uid: o[k : k + 1] for uid, o in origins.items()}
        parts.append(origin_forecasts(model, [s for s in series if s.uid in model.scalings_], chosen, season))
        if refit and k == n_windows - 1:
            forecaster.__dict__.update(model.__dict__)  # the caller's forecaster ends as the last refit
    train_ends = {uid: int(o[0]) for uid, o in origins.items()}
    return CrossValidation(pd.concat(parts, ignore_index=True), series, train_ends, season,
                           skipped + forecaster.skipped_)


def padded_forecasts(forecaster: Forecaster, series: list[SeriesFrame], origins: dict[str, np.ndarray],
                     paths: bool = False, blended: dict | None = None) -> dict[str, np.ndarray]:
    """``forecaster.forecast_panel`` from ``origins`` of the real series, each series left-padded first where
    its earliest origin has fewer rows before it than a window (with ``pad``, as training pads it); a
    likelihood model's paths with ``paths`` (``(S, n, H)`` per series)."""
    W = forecaster.window_length_
    shifts = {s.uid: max(0, W - int(origins[s.uid].min())) if forecaster.pad else 0 for s in series}
    padded = [pad_left(s, len(s) + shifts[s.uid], forecaster.freq_) if shifts[s.uid] else s for s in series]
    return forecaster.forecast_panel(padded, {s.uid: origins[s.uid] + shifts[s.uid] for s in series}, paths=paths,
                                     blended=blended)


def origin_forecasts(forecaster: Forecaster, series: list[SeriesFrame], origins: dict[str, np.ndarray],
                   season: int | None) -> pd.DataFrame:
    """Long DataFrame of the network's and the baselines' forecasts from ``origins`` per series:
    ``unique_id, ds, cutoff, h, y, <model>[, <model>-q-…], naive[, seasonal_naive], drift, mean``."""
    H = forecaster.horizon
    series = [s for s in series if len(origins.get(s.uid, ())) > 0]
    if not series:
        raise RnncastError("no series has a complete forecast window to evaluate")
    blended = statistical_of(forecaster, series, origins, H, blend_shares(forecaster))  # once: blend and columns
    network = padded_forecasts(forecaster, series, origins, paths=bool(forecaster.likelihood), blended=blended)
    ids, counts, places, base = [], [], {"ds": [], "cutoff": [], "h": [], "y": []}, []
    probabilistic = bool(forecaster.likelihood or forecaster.quantiles or forecaster.conformal)
    rng, bootstrap = np.random.default_rng(forecaster.seed), []  # the baseline distribution of such a model
    for frame in series:
        o = origins[frame.uid]
        targets = o[:, None] + np.arange(H)[None, :]  # (n, H)
        ds = frame.ds()
        ids.append(frame.uid)
        counts.append(targets.size)
        places["ds"].append(ds[targets].ravel())
        places["cutoff"].append(np.repeat(ds[o - 1], H))
        places["h"].append(np.tile(np.arange(1, H + 1), len(o)))
        places["y"].append(frame.y[targets].ravel())
        m = season if season is not None and season <= o.min() else None
        base.append({name: v.ravel() for name, v in baselines.multi_step(frame.y, o, H, m).items()})
        if probabilistic:  # (S, n·H) draws of seasonal naive (naive) with bootstrapped residuals
            bootstrap.append(baselines.bootstrap_paths(frame.y, o, H, m, forecaster.num_samples, rng).reshape(
                forecaster.num_samples, -1))
    for name, values in blended.items():  # what the network's forecasts are blended with, alone
        for part, frame in zip(base, series, strict=True):
            part[name] = values[frame.uid].ravel()
    actual = np.concatenate(places["y"])  # every target, in the rows' order
    if forecaster.likelihood:  # paths -> quantile columns, and the CRPS of the paths at every target
        drawn = np.concatenate([network[uid] for uid in ids], axis=1)  # (S, N, H)
        point = forecaster.forecast_columns(quantiles_of(drawn, levels_of(forecaster)))
        point[f"{forecaster.model}-crps"] = metrics.crps_samples(drawn, actual.reshape(-1, H))
    else:
        point = forecaster.forecast_columns(np.concatenate([network[uid] for uid in ids]))  # (N, H) each, at once
    windows = np.repeat(np.array(ids, dtype=object), [len(origins[uid]) for uid in ids])  # each row's series
    point.update(forecaster.intervals(windows, point[forecaster.model], np.arange(1, H + 1)))
    if probabilistic:  # seasonal naive (naive without a season) with bootstrapped residuals, at the same levels
        name = "seasonal_naive" if season and season > 1 else "naive"
        levels = list(metrics.quantile_levels(list(point), forecaster.model))
        extra = metrics.bootstrap_columns(np.concatenate(bootstrap, axis=1), actual, name, levels)
        point.update({k: v.reshape(-1, H) for k, v in extra.items()})
    columns = {"unique_id": np.repeat(np.array(ids, dtype=object), counts)}
    columns.update({name: np.concatenate(parts) for name, parts in places.items()})
    columns.update({name: values.ravel() for name, values in point.items()})
    for name in dict.fromkeys(k for part in base for k in part):  # a baseline some series lack is NaN there
        columns[name] = np.concatenate([part.get(name, np.full(n, np.nan)) for part, n in zip(base, counts,
                                                                                           strict=True)])
    return pd.DataFrame(columns)  # one frame in all, not one per series
