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
the series keeps those sums for every α, so the forecasts from many origins cost one pass.

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


def theta_forecasts(y: np.ndarray, origins: np.ndarray, H: int, m: int | None = None) -> np.ndarray:
    """Theta forecasts ``(n_origins, H)`` of the series ``y`` ``(T,)`` from each origin o (history y[:o],
    1 ≤ o ≤ T), by the equations of the module docstring."""
    y = np.asarray(y, dtype=np.float64)
    origins = np.asarray(origins, dtype=np.int64)
    out = np.empty((len(origins), H))
    if not len(origins):
        return out
    if origins.min() < 1 or origins.max() > len(y):
        raise ValueError(f"origins must lie in 1 … {len(y)}")
    last = int(origins.max())
    factors = season_factors(y, int(origins.min()), m, last + H)
    z = y[:last] / factors[:last]
    wanted: dict[int, list[int]] = {}  # history length -> the rows of out it gives
    for k, o in enumerate(origins):
        wanted.setdefault(int(o), []).append(k)
    a, keep = ALPHAS, 1.0 - ALPHAS
    level0 = np.zeros(len(a))  # ℓ_{t-1} with the start 0
    decay = np.ones(len(a))  # d_t = (1 − α)^t
    sum_cd, sum_dd, sum_cc = np.zeros(len(a)), np.zeros(len(a)), np.zeros(len(a))
    sum_t = sum_tt = sum_z = sum_tz = 0.0
    h = np.arange(1, H + 1)
    for t in range(last):
        c = z[t] - level0
        sum_cd += c * decay
        sum_dd += decay * decay
        sum_cc += c * c
        level0 = level0 + a * c
        decay = decay * keep
        sum_t, sum_tt, sum_z, sum_tz = sum_t + t, sum_tt + t * t, sum_z + z[t], sum_tz + t * z[t]
        n = t + 1
        if n not in wanted:
            continue
        start = sum_cd / sum_dd  # the least-squares ℓ_{-1} for each α
        best = int(np.argmin(sum_cc - sum_cd * start))
        level = level0[best] + decay[best] * start[best]  # ℓ_{n-1} = its value from 0, plus (1 − α)^n ℓ_{-1}
        spread = n * sum_tt - sum_t * sum_t
        slope = (n * sum_tz - sum_t * sum_z) / spread if spread > 0 else 0.0
        alpha = a[best]
        path = level + slope / 2.0 * (h - 1 + 1.0 / alpha - keep[best] ** n / alpha)
        out[wanted[n]] = path * factors[n : n + H]
    return out
