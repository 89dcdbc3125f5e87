"""Exponential smoothing with a seasonal state (Holt-Winters), the trend chosen per series: the second
statistical opinion beside Theta (``ets_share``: the forecast is (1 − w_θ − w_e)·network + w_θ·Theta +
w_e·ETS).

Theta extrapolates half the straight-line trend of the whole history through fixed seasonal indices; this
method follows a level, a damped local trend where one pays, and seasonal factors that it keeps learning,
so their errors differ. For the history y_0 … y_{n-1} before an origin, with period m:

    season start   s_p = the classical multiplicative index of phase p (``data.seasons``) when Naive2's test
                   finds a season, else 1 (and then it stays 1: γ = 0)
    one step       ŷ_t = (ℓ_{t-1} + φ b_{t-1}) · s_{t-m},   e_t = y_t − ŷ_t
    update         ℓ_t = ℓ_{t-1} + φ b_{t-1} + α e_t / s_{t-m}
                   b_t = φ b_{t-1} + α β e_t / s_{t-m}
                   s_t = s_{t-m} + γ (y_t / ℓ_t − s_{t-m})
    start          ℓ_{-1} = y_0 / s_0,  b_{-1} = 0
    choice         (α, γ) on a grid without a trend (β = 0, φ = 1), and (α, γ, β, φ) with a damped trend;
                   each by the least Σ e_t²; the damped one is kept where Akaike's criterion prefers it,
                   n·log(SSE_damped / SSE_flat) + 2·3 < 0 (three more parameters: β, φ, b_{-1})
    forecast       ŷ_{n-1+h} = (ℓ_{n-1} + (φ + … + φ^h) b_{n-1}) · s_{n-1+h-m⌈h/m⌉},   h = 1 … H

One pass over time steps advances every series under every grid point together, and the forecasts from many
origins are read off that one pass. The seasonal test and the starting indices use the history before each
series' first origin only, so no origin sees its future.
"""

from __future__ import annotations

import numpy as np

from rnncast.theta import many_inputs, season_factors

_STEPS = np.round(np.arange(0.05, 1.0, 0.1), 2)  # α: 0.05 … 0.95
_GAMMAS = [0.0, 0.01, 0.05, 0.1, 0.2]
_A, _G, _B, _P = (g.ravel() for g in np.meshgrid(_STEPS, _GAMMAS, [0.01, 0.05, 0.1, 0.2], [0.8, 0.9, 0.95, 0.98],
                                                 indexing="ij"))
_FA, _FG = (g.ravel() for g in np.meshgrid(_STEPS, _GAMMAS, indexing="ij"))
ALPHAS = np.concatenate([_FA, _A])  # the grid: first every flat (α, γ), then every damped (α, γ, β, φ)
GAMMAS = np.concatenate([_FG, _G])
BETAS = np.concatenate([np.zeros(len(_FA)), _B])
PHIS = np.concatenate([np.ones(len(_FA)), _P])
FLAT = len(_FA)  # grid points [0, FLAT) have no trend
EXTRA_PARAMETERS = 3  # the damped trend's β, φ and starting slope
CHUNK = 256  # series per pass: the state is (series × grid × m) floats, 21 MB for 256 monthly series


def ets_forecasts(y: np.ndarray, origins: np.ndarray, H: int, m: int | None = None) -> np.ndarray:
    """ETS forecasts ``(n_origins, H)`` of the series ``y`` ``(T,)`` from each origin o (history y[:o],
    1 ≤ o ≤ T), by the equations of the module docstring."""
    return ets_forecasts_many([y], [origins], H, m)[0]


def ets_forecasts_many(ys: list[np.ndarray], origins: list[np.ndarray], H: int,
                       m: int | None = None) -> list[np.ndarray]:
    """``ets_forecasts`` of many series at once: one pass over time steps, each series under every grid
    point advanced together as a (series × grid) array."""
    ys, origins, out, keep_series = many_inputs(ys, origins, H)
    for first in range(0, len(keep_series), CHUNK):
        _one_pass(ys, origins, keep_series[first : first + CHUNK], H, m, out)
    return out


def _one_pass(ys, origins, keep_series, H, m, out) -> None:
    """Advance the series ``keep_series`` together over time, writing their forecasts into ``out``."""
    period = m if m and m > 1 else 1
    last = max(int(origins[k].max()) for k in keep_series)
    y = np.zeros((len(keep_series), last))
    season = np.ones((len(keep_series), 1, period))  # s by phase, the same start for every grid point
    wanted: dict[int, list[tuple[int, int, int]]] = {}  # history length -> (row of y, series, row of its out)
    for row, k in enumerate(keep_series):
        end = int(origins[k].max())
        y[row, :end] = ys[k][:end]
        season[row, 0] = season_factors(ys[k], int(origins[k].min()), m, period)
        for j, o in enumerate(origins[k]):
            wanted.setdefault(int(o), []).append((row, k, j))
    learns_season = (season[:, 0] != 1.0).any(axis=1)[:, None] * GAMMAS  # γ = 0 where there is no season
    season = np.ascontiguousarray(np.repeat(season, len(ALPHAS), axis=1).transpose(2, 0, 1))  # (m, series, grid)
    level = y[:, :1] / season[0]
    trend = np.zeros_like(level)
    sse = np.zeros_like(level)
    alpha_beta = ALPHAS * BETAS
    damp_sums = np.cumsum(PHIS[:, None] ** np.arange(1, H + 1), axis=1)  # φ + … + φ^h, (grid, H)
    for t in range(last):
        s = season[t % period]  # a view: updated in place below
        value = y[:, t, None]
        step = level + PHIS * trend
        error = value - step * s
        sse += error * error
        scaled = error / s
        level = step + ALPHAS * scaled
        trend = PHIS * trend + alpha_beta * scaled
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(level != 0, value / level, s)
        s += learns_season * (ratio - s)
        n = t + 1
        if n in wanted:
            _read_off(wanted[n], n, H, period, level, trend, season, sse, damp_sums, out)


def _read_off(wanted, n, H, period, level, trend, season, sse, damp_sums, out) -> None:
    """The forecasts of the series in ``wanted`` whose histories end at n, from the chosen grid point."""
    rows = np.array([r for r, _, _ in wanted])
    flat = np.argmin(sse[rows, :FLAT], axis=1)
    damped = FLAT + np.argmin(sse[rows, FLAT:], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = n * np.log(sse[rows, damped] / sse[rows, flat])
    best = np.where(gain + 2 * EXTRA_PARAMETERS < 0, damped, flat)
    phases = (n + np.arange(H)) % period
    paths = (level[rows, best][:, None] + damp_sums[best] * trend[rows, best][:, None]) \
        * season[phases[None, :], rows[:, None], best[:, None]]
    for i, (_, k, j) in enumerate(wanted):
        out[k][j] = paths[i]
