"""Exponential smoothing with a seasonal state (Holt-Winters), the season and the trend chosen per series: the
second statistical opinion beside Theta (``ets_share``: the forecast is (1 − w_θ − w_e)·network + w_θ·Theta +
w_e·ETS).

Theta extrapolates half the straight-line trend of the whole history through fixed seasonal indices; this
method follows a level, a damped local trend where one pays, and seasonal factors that it keeps learning,
so their errors differ. For the history y_0 … y_{n-1} before an origin, with period m:

    candidates     no season (s ≡ 1, γ = 0); and, where the history before the series' first origin has 2m
                   values, a season started from its classical indices (``data.seasons``): multiplicative
                   when every value is positive, additive (s_p added, starting at the additive indices)
                   when one is not, as a ratio to a level means nothing there
    one step       ŷ_t = (ℓ_{t-1} + φ b_{t-1}) · s_{t-m},   e_t = y_t − ŷ_t,   ε_t = e_t / s_{t-m}
                   (additive: ŷ_t = ℓ_{t-1} + φ b_{t-1} + s_{t-m},   ε_t = e_t)
    update         ℓ_t = ℓ_{t-1} + φ b_{t-1} + α ε_t
                   b_t = φ b_{t-1} + α β ε_t
                   s_t = s_{t-m} + γ (y_t / ℓ_t − s_{t-m})        (additive: γ (y_t − ℓ_t − s_{t-m}))
    start          ℓ_{-1} = y_0 / s_0 (additive: y_0 − s_0),  b_{-1} = 0
    fit            per candidate, the grid point of least Σ e_t² among those without a trend (β = 0, φ = 1)
                   and among those with a damped one
    choice         of those fits, the one of least Akaike criterion  n·log(Σe²/n) + 2k,  k = 2 (α, ℓ_{-1})
                   + 3 with a trend (β, φ, b_{-1}) + m with a season (γ and m − 1 free starting factors)
    forecast       ŷ_{n-1+h} = (ℓ_{n-1} + (φ + … + φ^h) b_{n-1}) · s_{n-1+h-m⌈h/m⌉},   h = 1 … H
                   (additive: + s)

Choosing the season by the criterion rather than by Naive2's significance test, the additive season, and the
finer γ grid were chosen on the competitions' validation origins (BENCHMARKS.md "Exponential smoothing").

One pass over time steps advances every series under every grid point together, and the forecasts from many
origins are read off that one pass. The candidates and their starting indices use the history before each
series' first origin only, so no origin sees its future.
"""

from __future__ import annotations

import numpy as np

from rnncast.data.seasons import additive_seasonal_indices, seasonal_indices
from rnncast.theta import many_inputs

ALPHA_VALUES = np.round(np.arange(0.05, 1.0, 0.1), 2)  # α: 0.05 … 0.95
GAMMA_VALUES = [0.0, 0.002, 0.01, 0.03, 0.06, 0.1, 0.2, 0.35]
BETA_VALUES = [0.01, 0.05, 0.1, 0.2]
PHI_VALUES = [0.8, 0.9, 0.95, 0.98]
CHUNK = 256  # rows per pass: the state is (m × rows × grid) floats, 33 MB for 256 monthly series


def grid(gammas) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """(α, γ, β, φ) of every grid point, first every one without a trend (β = 0, φ = 1), then every one
    with a damped trend; and the count of those without."""
    flat_a, flat_g = (g.ravel() for g in np.meshgrid(ALPHA_VALUES, gammas, indexing="ij"))
    a, g, b, p = (g.ravel() for g in np.meshgrid(ALPHA_VALUES, gammas, BETA_VALUES, PHI_VALUES, indexing="ij"))
    return (np.concatenate([flat_a, a]), np.concatenate([flat_g, g]), np.concatenate([np.zeros(len(flat_a)), b]),
            np.concatenate([np.ones(len(flat_a)), p]), len(flat_a))


NO_SEASON = grid([0.0])
WITH_SEASON = grid(GAMMA_VALUES)


def season_start(y: np.ndarray, first_origin: int, m: int | None) -> tuple[np.ndarray, bool] | None:
    """The seasonal candidate's starting factors ``(m,)`` and whether they add (True) or multiply, from the
    history before ``first_origin``; None without a period or with fewer than 2m values."""
    history = np.asarray(y[:first_origin], dtype=np.float64)
    if not m or m < 2 or len(history) < 2 * m:
        return None
    if np.all(history > 0):
        return seasonal_indices(history, m), False
    return additive_seasonal_indices(history, m), True


def ets_forecasts(y: np.ndarray, origins: np.ndarray, H: int, m: int | None = None) -> np.ndarray:
    """ETS forecasts ``(n_origins, H)`` of the series ``y`` ``(T,)`` from each origin o (history y[:o],
    1 ≤ o ≤ T), by the equations of the module docstring."""
    return ets_forecasts_many([y], [origins], H, m)[0]


def ets_forecasts_many(ys: list[np.ndarray], origins: list[np.ndarray], H: int,
                       m: int | None = None) -> list[np.ndarray]:
    """``ets_forecasts`` of many series at once: one pass over time steps per kind of candidate (no season,
    multiplicative, additive), each series under every grid point advanced together as a (rows × grid) array;
    a series' forecast is that of its candidate with the least criterion."""
    ys, origins, out, keep_series = many_inputs(ys, origins, H)
    starts = {k: season_start(ys[k], int(origins[k].min()), m) for k in keep_series}
    criterion = [np.full(len(o), np.inf) for o in origins]
    for kind in ("none", "multiplicative", "additive"):
        if kind == "none":
            rows = [(k, np.ones(1)) for k in keep_series]
        else:
            rows = [(k, starts[k][0]) for k in keep_series if starts[k] and starts[k][1] == (kind == "additive")]
        for first in range(0, len(rows), CHUNK):
            _one_pass(ys, origins, rows[first : first + CHUNK], H, kind, out, criterion)
    return out


def _one_pass(ys, origins, rows, H, kind, out, criterion) -> None:
    """Advance the candidates ``rows`` ((series, starting factors)) of one kind together over time, writing
    each one's forecasts into ``out`` where its criterion beats the series' best so far."""
    alphas, gammas, betas, phis, n_flat = NO_SEASON if kind == "none" else WITH_SEASON
    additive = kind == "additive"
    period = len(rows[0][1])
    last = max(int(origins[k].max()) for k, _ in rows)
    y = np.zeros((len(rows), last))
    wanted: dict[int, list[tuple[int, int, int]]] = {}  # history length -> (row, series, row of its out)
    for row, (k, _) in enumerate(rows):
        end = int(origins[k].max())
        y[row, :end] = ys[k][:end]
        for j, o in enumerate(origins[k]):
            wanted.setdefault(int(o), []).append((row, k, j))
    start = np.stack([factors for _, factors in rows])  # (rows, m)
    season = np.ascontiguousarray(np.repeat(start.T[:, :, None], len(alphas), axis=2))  # (m, rows, grid)
    level = (y[:, :1] - season[0]) if additive else y[:, :1] / season[0]
    trend = np.zeros_like(level)
    sse = np.zeros_like(level)
    alpha_beta = alphas * betas
    damp_sums = np.cumsum(phis[:, None] ** np.arange(1, H + 1), axis=1)  # φ + … + φ^h, (grid, H)
    parameters = np.where(np.arange(len(alphas)) < n_flat, 2, 5) + (0 if kind == "none" else period)
    for t in range(last):
        s = season[t % period]  # a view: updated in place below
        value = y[:, t, None]
        step = level + phis * trend
        error = value - (step + s if additive else step * s)
        sse += error * error
        scaled = error if additive else error / s
        level = step + alphas * scaled
        trend = phis * trend + alpha_beta * scaled
        if additive:
            s += gammas * (value - level - s)
        elif kind == "multiplicative":
            with np.errstate(divide="ignore", invalid="ignore"):
                s += gammas * (np.where(level != 0, value / level, s) - s)
        n = t + 1
        if n in wanted:
            _read_off(wanted[n], n, H, period, additive, n_flat, parameters, level, trend, season, sse, damp_sums,
                      out, criterion)


def _read_off(wanted, n, H, period, additive, n_flat, parameters, level, trend, season, sse, damp_sums, out,
              criterion) -> None:
    """The forecasts of the candidates in ``wanted`` whose histories end at n: each one's best grid point
    without a trend and with one, the better by the criterion; written where it beats the series' best."""
    rows = np.array([r for r, _, _ in wanted])
    fits = sse[rows]
    fits[~np.isfinite(fits)] = np.inf  # a grid point that overflowed is never the best
    flat = np.argmin(fits[:, :n_flat], axis=1)
    damped = n_flat + np.argmin(fits[:, n_flat:], axis=1)
    each = np.arange(len(rows))
    with np.errstate(divide="ignore"):
        aic_flat = n * np.log(fits[each, flat] / n) + 2 * parameters[flat]
        aic_damped = n * np.log(fits[each, damped] / n) + 2 * parameters[damped]
    best = np.where(aic_damped < aic_flat, damped, flat)
    aic = np.minimum(aic_flat, aic_damped)
    phases = (n + np.arange(H)) % period
    base = level[rows, best][:, None] + damp_sums[best] * trend[rows, best][:, None]
    factors = season[phases[None, :], rows[:, None], best[:, None]]
    paths = base + factors if additive else base * factors
    for i, (_, k, j) in enumerate(wanted):
        if criterion[k][j] == np.inf or aic[i] < criterion[k][j]:  # the first candidate, or a better one
            out[k][j] = paths[i]
            criterion[k][j] = aic[i]
