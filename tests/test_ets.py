"""Exponential smoothing (rnncast.ets): the one-pass forecasts equal a direct fit, the season is learned and put
back (multiplying, or adding where a value is not positive), a trend is damped where Akaike's criterion wants one,
no future value is read, many series equal each alone."""

import numpy as np
import pytest

from rnncast import ets
from rnncast.ets import ets_forecasts, ets_forecasts_many, season_start


def direct_fit(y: np.ndarray, H: int, start: np.ndarray, additive: bool, grid, k_season: int) -> tuple[float, list]:
    """One candidate written out in plain Python, one grid point at a time: (criterion, forecast)."""
    n, m, fits = len(y), len(start), []
    alphas, gammas, betas, phis, n_flat = grid
    for point, (alpha, gamma, beta, phi) in enumerate(zip(alphas, gammas, betas, phis, strict=True)):
        s, slope, sse = list(start), 0.0, 0.0
        level = y[0] - s[0] if additive else y[0] / s[0]
        for t, value in enumerate(y):
            p = t % m
            forecast = level + phi * slope + s[p] if additive else (level + phi * slope) * s[p]
            error = value - forecast
            sse += error**2
            scaled = error if additive else error / s[p]
            new_level = level + phi * slope + alpha * scaled
            slope = phi * slope + alpha * beta * scaled
            s[p] = s[p] + gamma * ((value - new_level if additive else value / new_level) - s[p])
            level = new_level
        paths = [level + sum(phi**j for j in range(1, h + 1)) * slope for h in range(1, H + 1)]
        paths = [v + s[(n + h) % m] if additive else v * s[(n + h) % m] for h, v in enumerate(paths)]
        k = (2 if point < n_flat else 5) + k_season
        fits.append((n * np.log(sse / n) + 2 * k, sse, point < n_flat, paths))
    flat = min((f for f in fits if f[2]), key=lambda f: f[1])
    damped = min((f for f in fits if not f[2]), key=lambda f: f[1])
    best = damped if damped[0] < flat[0] else flat
    return best[0], best[3]


def direct_ets(y: np.ndarray, H: int, m: int, first_origin: int) -> np.ndarray:
    """The method for one history: no season, and the seasonal candidate judged before ``first_origin``."""
    best = direct_fit(y, H, np.ones(1), False, ets.NO_SEASON, 0)
    seasonal = season_start(y, first_origin, m)
    if seasonal is not None:
        other = direct_fit(y, H, seasonal[0], seasonal[1], ets.WITH_SEASON, m)
        best = other if other[0] < best[0] else best
    return np.array(best[1])


def test_one_pass_forecasts_equal_a_direct_fit_from_every_origin():
    rng = np.random.default_rng(0)
    pattern = np.array([0.8, 1.1, 1.3, 0.8])
    y = (50 + np.cumsum(rng.normal(0.5, 1.0, 36))) * np.tile(pattern, 9) * (1 + 0.02 * rng.standard_normal(36))
    origins = np.array([16, 25, 36])
    got = ets_forecasts(y, origins, 5, 4)
    start, additive = season_start(y, 16, 4)  # the season judged on the history before the first origin
    assert np.ptp(start) > 0.3 and not additive
    for row, o in zip(got, origins, strict=True):
        np.testing.assert_allclose(row, direct_ets(y[:o], 5, 4, 16), rtol=1e-9, err_msg=f"origin {o}")


def test_a_series_with_values_below_zero_gets_an_additive_season_equal_to_a_direct_fit():
    rng = np.random.default_rng(5)
    y = np.tile([-20.0, 15.0, 30.0, -5.0], 10) + np.cumsum(rng.normal(0.3, 1.0, 40))
    start, additive = season_start(y, 40, 4)
    assert additive and abs(start.mean()) < 1e-12 and np.ptp(start) > 30
    got = ets_forecasts(y, [30, 40], 6, 4)
    np.testing.assert_allclose(got[1], direct_ets(y, 6, 4, 30), rtol=1e-9)
    assert np.ptp(got[1][:4]) > 30  # the season is put back


def test_a_series_without_a_season_is_fitted_without_one():
    rng = np.random.default_rng(3)
    y = 30 + np.cumsum(rng.normal(0.0, 1.0, 30))
    np.testing.assert_allclose(ets_forecasts(y, [30], 4, 1)[0], direct_ets(y, 4, 1, 30), rtol=1e-9)


def test_a_seasonal_pattern_is_put_back():
    factors = np.array([0.8, 1.3, 1.1, 0.8])
    y = 100 * np.tile(factors, 8)  # a level of 100 times a season: the forecast repeats the season
    np.testing.assert_allclose(ets_forecasts(y, [32], 6, 4)[0], 100 * factors[np.arange(32, 38) % 4], rtol=1e-6)


def test_a_steady_trend_is_followed_and_noise_gets_a_flat_forecast():
    line = 10.0 + 2.0 * np.arange(30)
    rising = ets_forecasts(line, [30], 4)[0]
    assert np.all(np.diff(rising) > 1.0) and rising[0] > line[-1]  # a damped trend, still rising
    rng = np.random.default_rng(2)
    noise = 50 + rng.normal(0, 1, 40)
    flat = ets_forecasts(noise, [40], 6)[0]
    np.testing.assert_allclose(np.diff(flat), 0.0, atol=1e-12)  # Akaike's criterion keeps the flat level


def test_no_future_value_is_read():
    rng = np.random.default_rng(1)
    y = 20 + rng.gamma(2.0, 3.0, 48)
    changed = y.copy()
    changed[30:] = 1e6
    np.testing.assert_array_equal(ets_forecasts(y, [24, 30], 6, 12), ets_forecasts(changed, [24, 30], 6, 12))


def test_origins_outside_the_series_are_refused():
    with pytest.raises(ValueError, match="origins must lie in"):
        ets_forecasts(np.arange(5.0), [6], 2)


def test_many_series_at_once_equal_each_alone_across_chunks(monkeypatch):
    monkeypatch.setattr(ets, "CHUNK", 2)  # five series: three passes
    rng = np.random.default_rng(4)
    ys = [10 + np.abs(np.cumsum(rng.normal(0.2, 1.0, n))) * np.tile([1.0, 1.2, 0.9, 0.9], n // 4 + 1)[:n]
          for n in (20, 33, 41, 28, 24)]
    origins = [np.array([12, 20]), np.array([33]), np.array([]), np.array([15, 22, 28]), np.array([24])]
    together = ets_forecasts_many(ys, origins, 5, 4)
    for y, o, got in zip(ys, origins, together, strict=True):
        assert got.shape == (len(o), 5)
        if len(o):
            np.testing.assert_allclose(got, ets_forecasts(y, o, 5, 4), rtol=1e-12)
