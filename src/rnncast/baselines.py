"""Naive baselines: what a network must beat to be worth its training.

Each takes the target series ``y`` ``(T,)`` and the positions ``t`` to forecast, and uses only
``y[:t]`` (the same information the network's window comes from):

- ``naive``:           ŷ_t = y_{t-1}                                 ("tomorrow = today")
- ``seasonal_naive``:  ŷ_t = y_{t-m}                                 (same time last season)
- ``drift``:           ŷ_t = y_{t-1} + (y_{t-1} - y_0) / (t - 1)      (the average slope so far)
- ``mean``:            ŷ_t = mean(y_0 .. y_{t-1})                     (the historic average)

``multi_step`` gives the same four from origins o over h = 0 … H-1 (history y[:o] only):
naive y_{o-1}; seasonal naive y_{o-m+(h mod m)}; drift y_{o-1} + (h+1)·slope; mean of y[:o].

``bootstrap_paths`` is the baseline *distribution* a probabilistic forecast is judged against: seasonal
naive (naive without a season) plus residuals drawn from the series' own history. For step h the lag is
k_h = m·ceil(h/m) and the residuals are the history's k_h-step seasonal-naive errors y_t - y_{t-k_h}:

    x^(s)_{o+h-1} = y_{o-k_h+((h-1) mod m)} … = seasonal naive_h + e^(s),   e^(s) drawn from {y_t - y_{t-k_h}}
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


def bootstrap_paths(y: np.ndarray, origins: np.ndarray, H: int, season: int | None, n_samples: int,
                    rng: np.random.Generator, end: int | None = None) -> np.ndarray:
    """``(n_samples, n_origins, H)`` draws of seasonal naive (naive for ``season`` None or 1) plus residuals
    from the history ``y[:end]`` (default: before the first origin); a step with no residual there keeps
    the point forecast."""
    m = season if season and season > 1 else 1
    origins = np.asarray(origins)
    end = int(origins.min()) if end is None else end
    point = multi_step(y, origins, H, m if m > 1 else None)["seasonal_naive" if m > 1 else "naive"]  # (n, H)
    out = np.repeat(point[None], n_samples, axis=0).astype(np.float64)
    history = np.asarray(y[:end], dtype=np.float64)
    for h in range(1, H + 1):
        k = m * -(-h // m)  # m·ceil(h/m)
        if len(history) > k:
            residuals = history[k:] - history[:-k]
            out[:, :, h - 1] += rng.choice(residuals, size=(n_samples, len(origins)))
    return out
