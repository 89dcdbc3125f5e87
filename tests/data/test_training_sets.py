"""Training samples of a panel: targets per strategy, no window straddles two series."""

import numpy as np
import pytest

from rnncast.data.frame import SeriesFrame
from rnncast.data.input_rows import input_rows
from rnncast.data.series_scaling import fit_scaling
from rnncast.data.training_sets import ScaledTargets, WindowBatches, batches_of, training_set


def frames():
    a = SeriesFrame(np.column_stack([np.arange(10.0), np.arange(10.0) * 10]), ["x", "y"], "y", uid="a")
    b = SeriesFrame(np.column_stack([np.arange(6.0), np.arange(6.0) * 10]), ["x", "y"], "y", uid="b")
    return [a, b]


def rows_of(fs):
    return [input_rows(f, fit_scaling("none", f), []) for f in fs]


@pytest.mark.parametrize("strategy, n", [("direct", (10 - 3 - 2 + 1) + (6 - 3 - 2 + 1)), ("recursive", 7 + 3)])
def test_sample_counts_and_windows_stay_in_their_series(strategy, n):
    fs = frames()
    data = training_set(fs, rows_of(fs), L=3, H=2, strategy=strategy, val_size=0.0)
    assert len(data.starts) == n
    X = data.windows[data.starts]  # (N, 3, 2)
    for window in X:  # the x column counts up by one inside a series, so no window mixes series
        assert np.all(np.diff(window[:, 0]) == 1.0)


def test_targets_per_strategy():
    fs = frames()
    rows = rows_of(fs)
    direct = training_set(fs, rows, 3, 2, "direct", 0.0)
    np.testing.assert_array_equal(direct.targets[0], [30.0, 40.0])  # y[3:5] of series a
    recursive = training_set(fs, rows, 3, 2, "recursive", 0.0)
    np.testing.assert_array_equal(recursive.targets[0], [3.0, 30.0])  # every feature at o = 3
    seq = training_set(fs, rows, 3, 2, "seq2seq", 0.0)
    np.testing.assert_array_equal(seq.targets[0][:, 1], [10.0, 20.0, 30.0])  # next step at every position


def test_validation_takes_the_last_windows_of_each_series():
    fs = frames()
    data = training_set(fs, rows_of(fs), 3, 1, "direct", 0.5)
    assert data.val.sum() == 4 + 2  # ceil(7/2) + ceil(3/2)


def test_window_batches_gather_only_asked_windows():
    fs = frames()
    data = training_set(fs, rows_of(fs), 3, 1, "direct", 0.0)
    batches = WindowBatches(data.windows, data.starts, np.asarray)
    np.testing.assert_array_equal(batches[[0, 2]], data.windows[data.starts[[0, 2]]])
    assert len(batches) == len(data.starts)


def test_scaled_targets_carry_their_series_scale_and_stay_lazy():
    fs = frames()
    data = training_set(fs, rows_of(fs), 3, 2, "direct", 0.0)
    starts, targets, _, _ = data.split()
    scaled = ScaledTargets.of(targets, np.array([2.0, 5.0]))
    batch = scaled[[0, len(starts) - 1]]  # the first sample of series a, the last of series b
    np.testing.assert_array_equal(batch[:, :2], targets[[0, len(starts) - 1]])
    np.testing.assert_array_equal(batch[:, 2], [2.0, 5.0])
    assert scaled[:].shape == (len(starts), 3)
    again = batches_of(scaled, lambda a: a * 1)  # another conversion keeps the scale column
    assert isinstance(again, ScaledTargets) and again[[0]].shape == (1, 3)


def test_pad_left_repeats_the_first_row_and_marks_it_in_the_mask():
    from rnncast.data.input_rows import pad_left

    frame = frames()[1]
    padded = pad_left(frame, 9, None)
    assert len(padded) == 9 and padded.n_padded == 3
    np.testing.assert_array_equal(padded.values[:3], np.repeat(frame.values[:1], 3, axis=0))
    rows = input_rows(padded, fit_scaling("none", padded), [], mask=True, series_index=4)
    np.testing.assert_array_equal(rows[:, -2], [0, 0, 0, 1, 1, 1, 1, 1, 1])  # the mask column
    assert np.all(rows[:, -1] == 4)  # the series number for the embedding
    np.testing.assert_array_equal(fit_scaling("minmax", padded).past.shift, frame.values.min(axis=0))


def test_horizon_validation_holds_out_the_last_H_values_of_each_series():
    fs = frames()
    data = training_set(fs, rows_of(fs), 3, 2, "direct", "horizon")
    for k, frame in enumerate(fs):
        mine = data.series == k
        assert data.origins[mine & data.val].tolist() == [len(frame) - 2]  # one window: the last H values
        # no trained window's targets reach into the held-out values
        assert np.all(data.origins[mine & data.train] + 2 <= len(frame) - 2)
        assert data.unused[mine].sum() == 1  # the window between them
    recursive = training_set(fs, rows_of(fs), 3, 2, "recursive", "horizon")
    assert recursive.origins[recursive.val & (recursive.series == 0)].tolist() == [8, 9]
    assert not recursive.unused.any()


def test_history_keeps_each_series_last_training_windows():
    fs = frames()
    data = training_set(fs, rows_of(fs), 3, 1, "direct", 0.0, history=2)
    for k, frame in enumerate(fs):
        assert data.origins[data.train & (data.series == k)].tolist() == [len(frame) - 2, len(frame) - 1]
    held = training_set(fs, rows_of(fs), 3, 2, "direct", "horizon", history=1)
    assert held.origins[held.train & (held.series == 0)].tolist() == [10 - 4]  # the last one before the overlap

