"""Baselines use only the history before each forecast position."""

import numpy as np

from rnncast.baselines import all_baselines, drift, mean, naive, seasonal_naive


def test_definitions():
    y = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    t = np.array([3, 4])
    np.testing.assert_array_equal(naive(y, t), [4.0, 8.0])
    np.testing.assert_array_equal(seasonal_naive(y, t, 2), [2.0, 4.0])
    np.testing.assert_allclose(drift(y, t), [4.0 + 3.0 / 2, 8.0 + 7.0 / 3])
    np.testing.assert_allclose(mean(y, t), [7.0 / 3, 15.0 / 4])


def test_no_future_values_are_used():
    y = np.arange(10.0)
    changed = y.copy()
    changed[6:] = 1e9
    t = np.array([5, 6])
    for name, values in all_baselines(y, t, season=3).items():
        np.testing.assert_array_equal(values, all_baselines(changed, t, season=3)[name], err_msg=name)
