"""Where each series' test part begins: the rows ``rnncast train`` holds out and never trains on.

``test_size`` is a fraction of each series' rows (the lecture's 70/30 split of one series) or a whole
number of steps per series (a panel's last H steps, as the forecasting competitions hold out). The
evaluation (``evaluation.holdout``) and the tuner (``forecaster.tuning``, which must never read the test
part) cut the same rows.
"""

from __future__ import annotations

from rnncast.data.panel import Panel
from rnncast.data.windows import split_targets, train_size_for
from rnncast.errors import RnncastError


def default_test_size(panel: Panel, horizon: int, preset: bool = False) -> float | int:
    """30% of a single series (the lecture's split); the last ``horizon`` steps of every series of a panel,
    or with a preset (the competitions' holdout)."""
    return horizon if preset or len(panel) > 1 else 0.3


def check_test_size(test_size, horizon: int) -> float | int:
    """A fraction strictly between 0 and 1, or a whole number of steps per series of at least ``horizon``."""
    if isinstance(test_size, bool) or not isinstance(test_size, int | float) or not test_size > 0:
        raise RnncastError(f"test-size must be a fraction like 0.3 or a whole number of steps, got {test_size!r}")
    if test_size >= 1:
        if test_size != int(test_size):
            raise RnncastError(f"test-size {test_size}: a number of steps must be whole (a fraction lies below 1)")
        if int(test_size) < horizon:
            raise RnncastError(f"test-size {int(test_size)} steps is shorter than the horizon {horizon}: no"
                               f" {horizon}-step forecast fits in it")
        return int(test_size)
    return float(test_size)


def train_end(n_rows: int, seq_length: int, test_size: float | int, pad: bool) -> int:
    """Rows of a series that train the model; raises when too few are left (``pad``: one row is enough)."""
    if isinstance(test_size, float) and not pad:
        return int(split_targets(n_rows, seq_length, test_size)[1][0])  # the lecture's split, as always
    end = n_rows - test_size if isinstance(test_size, int) else train_size_for(n_rows, test_size)
    if end < (1 if pad else seq_length + 1) or end >= n_rows:
        raise RnncastError(f"series too short: {n_rows} rows leave {max(end, 0)} for training with test-size"
                           f" {test_size} and seq_length {seq_length}")
    return end
