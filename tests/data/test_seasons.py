import json

import numpy as np
import pandas as pd
import pytest

from rnncast.data.frame import SeriesFrame
from rnncast.data.seasons import Season, acf, additive_seasonal_indices, fit_season, is_seasonal, seasonal_indices
from rnncast.errors import RnncastError

PATTERN = np.array([0.8, 0.9, 1.3, 1.0])  # mean 1


def frame_of(y, stamps=None, uid="s"):
    return SeriesFrame(np.asarray(y, dtype=np.float64)[:, None], ["y"], "y", stamps, "ds" if stamps is not None
                       else None, uid)


def seasonal_series(n=48, m=4, seed=0):
    rng = np.random.default_rng(seed)
    trend = 100 + 0.5 * np.arange(n)
    return trend * np.tile(PATTERN, n // m + 1)[:n] * (1 + 0.01 * rng.standard_normal(n))


def test_acf_matches_the_definition():
    y = np.random.default_rng(1).standard_normal(30)
    z = y - y.mean()
    assert acf(y, 3)[2] == pytest.approx(np.sum(z[3:] * z[:-3]) / np.sum(z * z))


def test_the_test_finds_a_cycle_and_not_noise():
    assert is_seasonal(seasonal_series(), 4)
    noise = 50 + np.random.default_rng(2).standard_normal(48)
    assert not is_seasonal(noise, 4)
    assert not is_seasonal(seasonal_series(n=8), 4)  # fewer than 3·m values


def test_indices_recover_a_multiplicative_pattern():
    index = seasonal_indices(seasonal_series(n=80), 4)
    np.testing.assert_allclose(index, PATTERN, atol=0.02)
    assert index.mean() == pytest.approx(1.0)
    # odd period
    y = 10 * np.tile([0.5, 1.0, 1.5], 20)
    np.testing.assert_allclose(seasonal_indices(y, 3), [0.5, 1.0, 1.5], atol=1e-9)


def test_additive_indices_recover_a_pattern_added_to_a_trend_through_zero():
    pattern = np.array([-6.0, 2.0, 7.0, -3.0])
    y = np.linspace(-20.0, 20.0, 40) + np.tile(pattern, 10)  # values below zero: ratios would mean nothing
    np.testing.assert_allclose(additive_seasonal_indices(y, 4), pattern - pattern.mean(), atol=1e-9)
    np.testing.assert_allclose(additive_seasonal_indices(y[1:], 4), np.roll(pattern, -1), atol=1e-9)  # phase 0 = y[1]


def test_remove_restore_round_trip_and_phases_follow_the_dates():
    y = seasonal_series(n=48)
    stamps = pd.date_range("2001-01-01", periods=48, freq="QS").to_numpy(dtype="datetime64[ns]")
    frame = frame_of(y, stamps)
    season = fit_season(frame, 4, "QS")
    assert season is not None
    flat = season.remove(frame)
    assert np.std(np.diff(flat.y)) < 0.2 * np.std(np.diff(y))  # the cycle is gone
    restored = season.restore(frame, np.arange(len(frame)), flat.y[:, None])
    np.testing.assert_allclose(restored[:, 0], y)
    # a later piece of the same series gets the same phases as those rows had in the whole series
    tail = frame_of(y[-10:], stamps[-10:])
    np.testing.assert_array_equal(season.phases(tail), season.phases(frame)[-10:])
    # ... and the steps after the data continue the cycle
    np.testing.assert_array_equal(season.phases(tail, ahead=4)[-4:], season.phases(frame)[:4])


def test_integer_index_and_file_order_phases():
    y = seasonal_series(n=40)
    season = fit_season(frame_of(y, np.arange(0, 400, 10)), 4, None)
    later = frame_of(y[-6:], np.arange(0, 400, 10)[-6:])
    np.testing.assert_array_equal(season.phases(later), np.arange(34, 40) % 4)
    plain = fit_season(frame_of(y), 4, None)
    np.testing.assert_allclose(plain.factors, season.factors)


def test_not_seasonal_short_or_non_positive_series_are_left_alone():
    assert fit_season(frame_of(50 + np.random.default_rng(3).standard_normal(48)), 4, None) is None
    y = seasonal_series()
    y[5] = -1.0
    assert fit_season(frame_of(y), 4, None) is None
    assert fit_season(frame_of(seasonal_series()), 1, None) is None


def test_json_round_trip_and_dates_need_a_frequency():
    y = seasonal_series()
    stamps = pd.date_range("2001-01-01", periods=48, freq="MS").to_numpy(dtype="datetime64[ns]")
    season = fit_season(frame_of(y, stamps), 4, "MS")
    again = Season.from_dict(json.loads(json.dumps(season.to_dict())))
    np.testing.assert_array_equal(again.phases(frame_of(y, stamps)), season.phases(frame_of(y, stamps)))
    np.testing.assert_allclose(again.factors, season.factors)
    with pytest.raises(RnncastError, match="--freq"):
        fit_season(frame_of(y, stamps), 4, None)
