"""The Theta method (Assimakopoulos & Nikolopoulos 2000), as Hyndman & Billah (2003) showed it to be: simple
exponential smoothing with a drift of half the series' linear trend, on the deseasonalised series.

It won the M3 competition and is the statistical benchmark a forecasting network is usually held to;
rnncast uses it as a second opinion (``theta_share``: the forecast is (1 − w)·network + w·Theta).

For the history y_0 … y_{n-1} before an origin, with period m:

    seasonal?      the Naive2 test (``data.seasons.is_seasonal``); if so  z_t = y_t / s_{t mod m}
                   (classical multiplicative indices s), else z_t = y_t
    smoothing      ℓ_t = ℓ_{t-1} + α (z_t − ℓ_{t-1}),   e_t = z_t − ℓ_{t-1},   t = 0 … n-1
                   α on a grid of 0.01 … 0.99 and the start ℓ_{-1} chosen to minimise Σ e_t²
    trend          b = least-squares slope of z_t on t
    forecast       ŷ_{n-1+h} = [ℓ_{n-1} + (b/2)(h − 1 + 1/α − (1 − α)^n / α)] · s_{(n-1+h) mod m},   h = 1 … H

The start has a closed form for each α: with ℓ_{-1} = 0 the errors are c_t, and a start ℓ₀ changes them
to c_t − (1 − α)^t ℓ₀, so Σ e_t² is least at ℓ₀ = Σ c_t d_t / Σ d_t² with d_t = (1 − α)^t. One pass over
the series keeps those sums for every α, so the forecasts from many origins cost one pass; many series
advance together in that pass as a (series × α) array (``theta_forecasts_many``).

The seasonal test and indices use the history before the first origin only, so no origin sees its future.
"""

from __future__ import annotations

import numpy as np

from rnncast.data.seasons import is_seasonal, seasonal_indices

ALPHAS = np.round(np.arange(1, 100) / 100.0, 2)  # the smoothing grid, 0.01 … 0.99


def season_factors(y: np.ndarray, first_origin: int, m: int | None, length: int) -> np.ndarray:
    """Each position's multiplicative seasonal factor ``(length,)`` (phase = position mod m), from the
    history before ``first_origin``; all ones when m < 2, the test fails, or a value is not positive."""
    history = np.asarray(y[:first_origin], dtype=np.float64)
    if not m or m < 2 or not np.all(history > 0) or not is_seasonal(history, m):
        return np.ones(length)
    return seasonal_indices(history, m)[np.arange(length) % m]


def many_inputs(ys, origins, H: int) -> tuple[list, list, list, list[int]]:
    """The series as float arrays, the origins as int arrays (each in 1 … len(y), else ValueError), an empty
    ``(n_origins, H)`` output per series, and the indices of the series with an origin."""
    origins = [np.asarray(o, dtype=np.int64) for o in origins]
    ys = [np.asarray(y, dtype=np.float64) for y in ys]
    for y, o in zip(ys, origins, strict=True):
        if len(o) and (o.min() < 1 or o.max() > len(y)):
            raise ValueError(f"origins must lie in 1 … {len(y)}")
    return ys, origins, [np.empty((len(o), H)) for o in origins], [k for k, o in enumerate(origins) if len(o)]


def theta_forecasts(y: np.ndarray, origins: np.ndarray, H: int, m: int | None = None) -> np.ndarray:
    """Theta forecasts ``(n_origins, H)`` of the series ``y`` ``(T,)`` from each origin o (history y[:o],
    1 ≤ o ≤ T), by the equations of the module docstring."""
    return theta_forecasts_many([y], [origins], H, m)[0]


def theta_forecasts_many(ys: list[np.ndarray], origins: list[np.ndarray], H: int,
                         m: int | None = None) -> list[np.ndarray]:
    """``theta_forecasts`` of many series at once: one pass over time steps, every series' smoothing for
    every α advanced together as a (series × α) array (the α-grid sums Σ d_t² and the time sums are the
    same for all series)."""
    ys, origins, out, keep_series = many_inputs(ys, origins, H)
    if not keep_series:
        return out
    last = max(int(origins[k].max()) for k in keep_series)
    factors = {k: season_factors(ys[k], int(origins[k].min()), m, int(origins[k].max()) + H) for k in keep_series}
    z = np.zeros((len(keep_series), last))  # each series' deseasonalised history, 0 after its last origin
    wanted: dict[int, list[tuple[int, int, int]]] = {}  # history length -> (row of z, series, row of its out)
    for row, k in enumerate(keep_series):
        end = int(origins[k].max())
        z[row, :end] = ys[k][:end] / factors[k][:end]
        for j, o in enumerate(origins[k]):
            wanted.setdefault(int(o), []).append((row, k, j))
    a, keep = ALPHAS, 1.0 - ALPHAS
    level0 = np.zeros((len(keep_series), len(a)))  # ℓ_{t-1} with the start 0
    sum_cd, sum_cc = np.zeros_like(level0), np.zeros_like(level0)
    decay, sum_dd = np.ones(len(a)), np.zeros(len(a))  # d_t = (1 − α)^t and Σ d_t², the same for every series
    sum_z, sum_tz = np.zeros(len(keep_series)), np.zeros(len(keep_series))
    sum_t = sum_tt = 0.0
    h = np.arange(1, H + 1)
    for t in range(last):
        c = z[:, t, None] - level0
        sum_cd += c * decay
        sum_dd += decay * decay
        sum_cc += c * c
        level0 += a * c
        decay = decay * keep
        sum_t, sum_tt = sum_t + t, sum_tt + t * t
        sum_z += z[:, t]
        sum_tz += t * z[:, t]
        n = t + 1
        if n not in wanted:
            continue
        rows = np.array([r for r, _, _ in wanted[n]])
        start = sum_cd[rows] / sum_dd  # the least-squares ℓ_{-1} for each α
        best = np.argmin(sum_cc[rows] - sum_cd[rows] * start, axis=1)
        pick = np.arange(len(rows))
        level = level0[rows, best] + decay[best] * start[pick, best]  # ℓ_{n-1}: from 0, plus (1 − α)^n ℓ_{-1}
        spread = n * sum_tt - sum_t * sum_t
        slope = (n * sum_tz[rows] - sum_t * sum_z[rows]) / spread if spread > 0 else np.zeros(len(rows))
        alpha = a[best]
        paths = level[:, None] + slope[:, None] / 2.0 * (h - 1 + 1.0 / alpha[:, None] - decay[best][:, None]
                                                            / alpha[:, None])
        for i, (_, k, j) in enumerate(wanted[n]):
            out[k][j] = paths[i] * factors[k][n : n + H]
    return out
