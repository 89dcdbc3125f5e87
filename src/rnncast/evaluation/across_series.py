"""Verdicts that mean something across many series: scale-free errors, shares of series, a paired test.

Pooled RMSE over series of different scales is decided by the largest ones, so for a panel the headline is
scale-free. For each series i and each method (the network and every baseline) over its forecasts:

    MASE_i  = MAE_i / s_i          s_i: in-sample (seasonal, period m when known) naive MAE of its training part
    sMAPE_i = 100 · mean(2|e| / (|y| + |ŷ|))

The panel's MASE is the mean of the MASE_i (series without a scale left out), its sMAPE the mean over all
forecasts. The network beats a baseline on series i when its MAE_i is lower (a tie is not a win); the
share of such series is reported, and the Wilcoxon signed-rank test over the pairs (MASE_i of the
network, MASE_i of naive) says whether the difference is more than chance. Errors by horizon h: the mean
over series and origins of |e| / s_i (scaled MAE at h) and the sMAPE at h.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnncast import metrics
from rnncast.evaluation.significance import wilcoxon

BASELINES = ("naive", "seasonal_naive")  # the ones the shares and the test compare with


def summary(predictions: pd.DataFrame, model: str, scales: dict[str, float | None], per_series: dict) -> dict:
    """``{"n_series", "beats": {baseline: k}, "wilcoxon": {...}, "by_horizon": {method: {"mase", "smape"}}}``."""
    uids = list(per_series)
    beats, compared = {}, {}
    for base in BASELINES:
        pairs = [(per_series[u][model]["mae"], per_series[u][base]["mae"]) for u in uids if base in per_series[u]]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]  # e.g. no season in a short series
        if pairs:
            beats[base], compared[base] = int(sum(a < b for a, b in pairs)), len(pairs)
    mase = {name: np.array([_none_to_nan(per_series[u][name]["mase"]) for u in uids]) for name in (model, "naive")}
    return {"n_series": len(uids), "beats": beats, "compared": compared,
            "wilcoxon": wilcoxon(mase[model], mase["naive"]), "by_horizon": by_horizon(predictions, model, scales)}


def by_horizon(predictions: pd.DataFrame, model: str, scales: dict[str, float | None]) -> dict:
    """Scaled MAE and sMAPE at each step ahead h = 1..H, for the network and every baseline."""
    if "h" not in predictions.columns:
        return {}
    scale = predictions["unique_id"].map(lambda u: scales.get(u) or np.nan).to_numpy(dtype=np.float64)
    y, h = predictions["y"].to_numpy(dtype=np.float64), predictions["h"].to_numpy()
    steps = np.unique(h)
    out = {}
    for name in point_columns(predictions, model):
        yhat = predictions[name].to_numpy(dtype=np.float64)
        error, terms = np.abs(y - yhat), metrics.smape_terms(y, yhat)
        out[name] = {"mase": [_mean(error[h == k] / scale[h == k]) for k in steps],
                     "smape": [_mean(100.0 * terms[h == k]) for k in steps]}
    return out


def point_columns(predictions: pd.DataFrame, model: str) -> list[str]:
    """The network's and the baselines' point-forecast columns (quantiles and intervals left out)."""
    first = list(predictions.columns).index("y") + 1
    return [c for c in predictions.columns[first:]  # the network's and the bootstrap baseline's distributions out
            if not any(part in c for part in ("-q-", "-lo-", "-hi-")) and not c.endswith("-crps")]


def verdict(table: dict, across: dict, model: str, n_skipped: int = 0) -> str:
    """One line: the network against naive and seasonal naive on MASE, sMAPE and the share of series."""
    name, n = model.upper(), across["n_series"]
    net, naive = table[model]["mase"], table["naive"]["mase"]
    compared = across.get("compared") or {}
    shares = "; ".join(f"better than {base.replace('_', ' ')} on {k} of {compared.get(base, n)} series"
                       f" ({100 * k / compared.get(base, n):.0f}%)" for base, k in across["beats"].items())
    others = [b for b in ("naive", "seasonal_naive") if b in table]
    mase = ", ".join(f"{b.replace('_', ' ')} {_fmt(table[b]['mase'])}" for b in others)
    smape = ", ".join(f"{b.replace('_', ' ')} {_fmt(table[b]['smape'])}" for b in others)
    skipped = f" ({n_skipped} series skipped: too short)" if n_skipped else ""
    figures = f"MASE {_fmt(net)} vs {mase}; sMAPE {_fmt(table[model]['smape'])} vs {smape}; {shares}{skipped}."
    if net is None or naive is None:
        return f"{name} across {n} series: {figures}"
    if abs(net - naive) <= 5e-4 * naive:
        return f"{name} matches naive (tomorrow = today) across {n} series, within 0.05% of its MASE: {figures}"
    if net < naive:
        return f"{name} beats naive across {n} series: {figures}"
    return f"{name} does NOT beat naive (tomorrow = today) across {n} series: {figures}"


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}" if abs(value) < 100 else f"{value:.4g}"


def _none_to_nan(value) -> float:
    return np.nan if value is None else float(value)


def _mean(values: np.ndarray) -> float | None:
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else None
