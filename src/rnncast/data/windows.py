"""Sliding windows as zero-copy views, and the chronological train/test split.

The lecture's ``build_dataset(series, seq_length)`` pairs each run of ``seq_length`` rows with the
next row's target::

    x_i = series[i : i + L, :]          # (L, F)
    y_i = series[i + L, target]         # the step right after the window

Here the windows are one strided view of the series (``numpy.lib.stride_tricks``), so no window is
copied in a Python loop. Windows are addressed by the position ``t`` of their target: the window for
target ``t`` covers rows ``t-L .. t-1``.

Split (as the lecture): the first ``train_size = int(T * (1 - test_size))`` rows are training data;
targets at ``t >= train_size`` are test targets, whose windows may look back ``L`` rows into the
training part (the lecture's ``test_set = xy[train_size - seq_length:]``).
"""

from __future__ import annotations

import numpy as np

from rnncast.errors import RnncastError


def sliding_windows(values: np.ndarray, seq_length: int) -> np.ndarray:
    """All windows of ``seq_length`` consecutive rows: a view ``(T - L + 1, L, F)`` of ``values``."""
    # writeable=True only so torch.from_numpy accepts the view without a warning; nothing writes to it.
    view = np.lib.stride_tricks.sliding_window_view(values, seq_length, axis=0, writeable=True)  # (T-L+1, F, L)
    return view.transpose(0, 2, 1)  # (T-L+1, L, F)


def windows_for(values: np.ndarray, seq_length: int, targets: np.ndarray) -> np.ndarray:
    """The input windows of the target positions ``targets`` (each ``>= seq_length``): ``(N, L, F)``.

    A view when ``targets`` is a contiguous range, else a gather of just those windows.
    """
    all_windows = sliding_windows(values, seq_length)
    starts = np.asarray(targets) - seq_length
    if len(starts) and np.array_equal(starts, np.arange(starts[0], starts[0] + len(starts))):
        return all_windows[starts[0] : starts[0] + len(starts)]
    return all_windows[starts]


def train_size_for(n_rows: int, test_size: float) -> int:
    """Rows in the training part: ``int(T * (1 - test_size))``, as the lecture's ``int(len * 0.7)``."""
    return int(n_rows * (1.0 - test_size))


def minimum_rows(seq_length: int, test_size: float) -> int:
    """The fewest rows that leave at least one training window and one test target."""
    n = seq_length + 2
    while not (train_size_for(n, test_size) > seq_length and n > train_size_for(n, test_size)):
        n += 1
    return n


def split_targets(n_rows: int, seq_length: int, test_size: float) -> tuple[np.ndarray, np.ndarray]:
    """Target positions of the training windows and of the test windows."""
    if not 0.0 < test_size < 1.0:
        raise RnncastError(f"test-size must lie strictly between 0 and 1, got {test_size}")
    train_size = train_size_for(n_rows, test_size)
    if train_size <= seq_length or n_rows <= train_size:
        raise RnncastError(
            f"series too short: {n_rows} rows, but seq_length {seq_length} with test-size {test_size}"
            f" needs at least {minimum_rows(seq_length, test_size)} rows"
        )
    return np.arange(seq_length, train_size), np.arange(train_size, n_rows)
