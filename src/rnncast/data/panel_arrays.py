"""Splitting a long table into series with whole-column work: the fast path of ``panel.to_panel``.

``frame.to_frame`` checks one series at a time with pandas (about 1-4 ms each: 20,000 series cost over a
minute). When the table is plainly numeric, the same checks can run once over every row: the time column is
parsed once, the feature columns become one float64 array, and each series is a slice of it (its rows
are one run of ``edges``), found ordered, finite and without duplicate time stamps by comparing each row
with the one before it inside its run. A series that fails any of those checks, and every table this
path does not cover (future-known covariates, text or true/false columns), goes through ``to_frame``
as before, so errors, ``--fill`` and the column choice stay exactly ``to_frame``'s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnncast.data.frame import SeriesFrame, choose_columns, find_time_column, parse_times
from rnncast.errors import RnncastError


def split_arrays(table: pd.DataFrame, id_col: str, target, features, time_col, known,
                 edges: np.ndarray, order: np.ndarray | None) -> list | None:
    """A SeriesFrame per run of ``edges`` (None for a series that needs ``to_frame``), or None when this
    path does not apply to the table at all."""
    if known:
        return None
    names = [str(c) for c in table.columns]
    try:
        time_col = find_time_column(names, time_col)
    except RnncastError:
        return None
    candidates = [c for c in names if c != time_col and c != id_col]
    columns = {c: table.iloc[:, names.index(c)] for c in candidates}
    if not candidates or not all(pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
                                 for s in columns.values()):
        return None
    try:
        target, chosen, ignored = choose_columns(pd.DataFrame(columns), candidates, target, features, [])
        stamps = None
        if time_col is not None:
            column = table.iloc[:, names.index(time_col)]
            stamps = parse_times(column, time_col, np.arange(1, len(table) + 1))
    except RnncastError:
        return None  # to_frame says it, per series, as always
    arrays = [columns[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in chosen]
    values = arrays[0][:, None] if len(arrays) == 1 else np.column_stack(arrays)  # one float64 column: a view
    if order is not None:
        values = values[order]
        stamps = None if stamps is None else stamps[order]
    n = len(edges) - 1
    run = np.repeat(np.arange(n), np.diff(edges))  # each row's series
    slow = set(np.unique(run[~np.isfinite(values).all(axis=1)]).tolist())
    if stamps is not None and len(stamps) > 1:
        same_run = run[1:] == run[:-1]
        unordered = same_run & (stamps[1:] <= stamps[:-1])  # out of order, or a duplicate time stamp
        slow |= set(np.unique(run[1:][unordered]).tolist())
    if len(chosen) == 1:
        values.flags.writeable = False
    if stamps is not None:
        stamps.flags.writeable = False
    frames = [None if k in slow else
              SeriesFrame(values[edges[k] : edges[k + 1]], list(chosen), target,
                          None if stamps is None else stamps[edges[k] : edges[k + 1]], time_col, ignored=dict(ignored))
              for k in range(n)]
    return frames
