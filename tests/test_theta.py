"""The Theta method: the one-pass forecasts equal a direct fit, repeat a seasonal pattern, use no future."""

import numpy as np
import pytest

from rnncast.theta import ALPHAS, theta_forecasts


def direct_theta(y: np.ndarray, H: int) -> np.ndarray:
    """Theta without a season, fitted the slow way: for each α, Σ e_t² minimised over the start ℓ_{-1} by
    least squares on the errors written out as a matrix, the smoothing run again from that start."""
    n, best = len(y), None
    for alpha in ALPHAS:
        # e = y - ℓ_{t-1}; ℓ_{t-1} = (1 − α)^t ℓ_{-1} + α Σ_{j<t} (1 − α)^{t-1-j} y_j
        lags = np.array([[alpha * (1 - alpha) ** (t - 1 - j) if j < t else 0.0 for j in range(n)] for t in range(n)])
        d = (1 - alpha) ** np.arange(n)
        start = np.linalg.lstsq(d[:, None], y - lags @ y, rcond=None)[0][0]
        level, sse = start, 0.0
        for value in y:
            sse += (value - level) ** 2
            level += alpha * (value - level)
        if best is None or sse < best[0] - 1e-9:
            best = (sse, alpha, level)
    _, alpha, level = best
    slope = np.polyfit(np.arange(n), y, 1)[0]
    h = np.arange(1, H + 1)
    return level + slope / 2 * (h - 1 + 1 / alpha - (1 - alpha) ** n / alpha)


def test_one_pass_forecasts_equal_a_direct_fit_from_every_origin():
    rng = np.random.default_rng(0)
    y = 50 + np.cumsum(rng.normal(0.3, 2.0, 40))
    origins = np.array([12, 25, 40])
    got = theta_forecasts(y, origins, 5)
    for row, o in zip(got, origins, strict=True):
        np.testing.assert_allclose(row, direct_theta(y[:o], 5), rtol=1e-9, err_msg=f"origin {o}")


def test_a_seasonal_pattern_is_taken_out_and_put_back():
    factors = np.array([0.8, 1.3, 1.1, 0.8])
    y = 100 * np.tile(factors, 8)  # a level of 100 times a season: Theta forecasts the season
    np.testing.assert_allclose(theta_forecasts(y, [32], 6, 4)[0], 100 * factors[np.arange(32, 38) % 4], rtol=1e-6)
    flat = theta_forecasts(y, [32], 6, 1)[0]  # without the period it cannot
    assert np.ptp(flat) < 0.1 * np.ptp(y)


def test_the_trend_is_halved():
    y = 10.0 + 2.0 * np.arange(30)  # a straight line: SES follows it with α near 1, the drift adds b/2 a step
    forecast = theta_forecasts(y, [30], 4)[0]
    np.testing.assert_allclose(np.diff(forecast), 1.0, rtol=1e-6)


def test_no_future_value_is_read():
    rng = np.random.default_rng(1)
    y = 20 + rng.gamma(2.0, 3.0, 48)
    changed = y.copy()
    changed[30:] = 1e6
    np.testing.assert_array_equal(theta_forecasts(y, [24, 30], 6, 12), theta_forecasts(changed, [24, 30], 6, 12))


def test_origins_outside_the_series_are_refused():
    with pytest.raises(ValueError, match="origins must lie in 1"):
        theta_forecasts(np.arange(5.0), [6], 2)


def test_many_series_at_once_equal_each_series_alone():
    from rnncast.theta import theta_forecasts_many

    rng = np.random.default_rng(2)
    pattern = np.array([0.7, 1.2, 1.1, 1.0])
    ys = [50 * np.tile(pattern, n // 4 + 1)[:n] + rng.gamma(2.0, 2.0, n) for n in (9, 30, 17, 41)]
    origins = [np.array([9]), np.array([20, 26, 30]), np.array([], dtype=int), np.array([41, 24])]
    together = theta_forecasts_many(ys, origins, 5, 4)
    for y, o, got in zip(ys, origins, together, strict=True):
        assert got.shape == (len(o), 5)
        if len(o):
            np.testing.assert_allclose(got, theta_forecasts(y, o, 5, 4), rtol=1e-12)
