"""Naive baselines: what a network must beat to be worth its training.

Each takes the target series ``y`` ``(T,)`` and the positions ``t`` to forecast, and uses only
``y[:t]`` (the same information the network's window comes from):

- ``naive``:           ŷ_t = y_{t-1}                                 ("tomorrow = today")
- ``seasonal_naive``:  ŷ_t = y_{t-m}                                 (same time last season)
- ``drift``:           ŷ_t = y_{t-1} + (y_{t-1} - y_0) / (t - 1)      (the average slope so far)
- ``mean``:            ŷ_t = mean(y_0 .. y_{t-1})                     (the historic average)

``multi_step`` gives the same four from origins o over h = 0 … H-1 (history y[:o] only):
naive y_{o-1}; seasonal naive y_{o-m+(h mod m)}; drift y_{o-1} + (h+1)·slope; mean of y[:o].
"""

from __future__ import annotations

import numpy as np


def naive(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    return y[t - 1]


def seasonal_naive(y: np.ndarray, t: np.ndarray, season: int) -> np.ndarray:
    return y[t - season]


def drift(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    slope = (y[t - 1] - y[0]) / np.maximum(t - 1, 1)
    return y[t - 1] + slope


def mean(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    cumulative = np.concatenate([[0.0], np.cumsum(y, dtype=np.float64)])  # cumulative[k] = sum(y[:k])
    return cumulative[t] / t


def all_baselines(y: np.ndarray, t: np.ndarray, season: int | None = None) -> dict[str, np.ndarray]:
    """Every baseline's forecasts at positions ``t``; seasonal naive only when ``season`` is given."""
    out = {"naive": naive(y, t)}
    if season is not None:
        out["seasonal_naive"] = seasonal_naive(y, t, season)
    out["drift"] = drift(y, t)
    out["mean"] = mean(y, t)
    return out


def multi_step(y: np.ndarray, origins: np.ndarray, H: int, season: int | None = None) -> dict[str, np.ndarray]:
    """Every baseline's ``(n_origins, H)`` forecasts from ``origins`` (seasonal naive only with ``season``)."""
    o = np.asarray(origins)[:, None]  # (n, 1)
    h = np.arange(H)[None, :]  # (1, H)
    last = y[o - 1]  # (n, 1)
    out = {"naive": np.repeat(last, H, axis=1)}
    if season is not None:
        out["seasonal_naive"] = y[o - season + (h % season)]
    slope = (y[o - 1] - y[0]) / np.maximum(o - 1, 1)
    out["drift"] = last + (h + 1) * slope
    out["mean"] = np.repeat(mean(y, o[:, 0])[:, None], H, axis=1)
    return out
