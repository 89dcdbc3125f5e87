"""Sliding windows are views with the lecture's pairing; the split matches the lecture's indices."""

import numpy as np
import pytest

from rnncast.data.windows import minimum_rows, sliding_windows, split_targets, windows_for
from rnncast.errors import RnncastError


def lecture_build_dataset(series, seq_length):
    xs, ys = [], []
    for i in range(len(series) - seq_length):
        xs.append(series[i : i + seq_length, :])
        ys.append(series[i + seq_length, [-1]])
    return np.array(xs), np.array(ys)


def test_windows_equal_lecture_build_dataset_and_share_memory():
    series = np.arange(60, dtype=np.float32).reshape(20, 3)
    xs, ys = lecture_build_dataset(series, 7)
    targets = np.arange(7, 20)
    windows = windows_for(series, 7, targets)
    np.testing.assert_array_equal(windows, xs)
    np.testing.assert_array_equal(series[targets, -1:], ys)
    assert np.shares_memory(windows, series)  # a view, no copy
    assert sliding_windows(series, 7).shape == (14, 7, 3)


def test_gathered_windows_for_non_contiguous_targets():
    series = np.arange(30.0).reshape(10, 3)
    w = windows_for(series, 2, np.array([3, 7]))
    np.testing.assert_array_equal(w[1], series[5:7])


def test_split_matches_lecture_on_732_rows():
    train_t, test_t = split_targets(732, 7, 0.3)
    assert len(train_t) == 505 and len(test_t) == 220
    assert train_t[0] == 7 and test_t[0] == 512  # train_size = int(732 * 0.7)


@pytest.mark.parametrize("test_size", [0.0, 1.0, -0.1, 1.5])
def test_split_refuses_test_size_outside_unit_interval(test_size):
    with pytest.raises(RnncastError, match="test-size"):
        split_targets(100, 7, test_size)


def test_too_short_names_the_minimum_and_minimum_works():
    need = minimum_rows(7, 0.3)
    with pytest.raises(RnncastError, match=f"at least {need} rows"):
        split_targets(need - 1, 7, 0.3)
    train_t, test_t = split_targets(need, 7, 0.3)
    assert len(train_t) >= 1 and len(test_t) >= 1
