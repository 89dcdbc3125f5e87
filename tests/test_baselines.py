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


def test_bootstrap_paths_add_the_historys_own_seasonal_naive_errors():
    from rnncast.baselines import bootstrap_paths

    y = np.array([10.0, 20.0, 30.0, 40.0, 11.0, 22.0, 33.0, 44.0])  # period 4: errors of lag 4 are 1, 2, 3, 4
    paths = bootstrap_paths(y, np.array([8]), 2, 4, 500, np.random.default_rng(0))
    assert paths.shape == (500, 1, 2)
    assert set(np.unique(paths[:, 0, 0] - 11.0)) == {1.0, 2.0, 3.0, 4.0}  # seasonal naive 11 + a past error
    assert set(np.unique(paths[:, 0, 1] - 22.0)) == {1.0, 2.0, 3.0, 4.0}
    naive = bootstrap_paths(y, np.array([8]), 1, None, 200, np.random.default_rng(0))
    assert set(np.unique(naive[:, 0, 0] - 44.0)) <= set(np.diff(y))  # naive + a past one-step change
