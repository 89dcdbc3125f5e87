"""The canonical series frame: one series as a float64 array ``(T, F)`` in time order.

A frame copies nothing it need not: a single float64 feature column whose rows are already in time
order (a long table's ``y``) stays a read-only view of the caller's column, and so do datetime64 or
int64 time stamps; other cases (several features, integers, text, rows out of order) are copies.

``to_frame`` turns any DataFrame (from a file or from a Python caller) into a ``SeriesFrame``:
it finds or checks the time column, orders rows by time, picks the feature and target columns,
and refuses cells that are not numbers, missing values (unless ``fill`` says how to accept them)
and duplicate timestamps, each with a one-line ``RnncastError`` that names column and row.

Conventions (as the lecture): the target is the last numeric column unless named, and the target is
always one of the inputs (its own past is the most useful predictor of its future).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from rnncast.data import numbers
from rnncast.errors import RnncastError

TIME_COLUMN_NAMES = ("date", "ds", "time", "timestamp", "datetime")
FILL_METHODS = ("ffill", "interpolate", "drop")
MAX_FEATURES = 10_000  # input columns; a table wider than this is refused with one line, not trained for hours


@dataclass
class SeriesFrame:
    """One series: ``values[t, j]`` is feature ``columns[j]`` at time step ``t`` (oldest first)."""

    values: np.ndarray  # (T, F) float64
    columns: list[str]
    target: str
    timestamps: np.ndarray | None = None  # (T,) datetime64 (the column's unit) or int64, or None (file order)
    time_col: str | None = None
    uid: str = "series"  # the series' id in a panel (long format), else the target's name
    known: np.ndarray | None = None  # (T + n_future, K) future-known covariates, past rows then future rows
    known_columns: list[str] = field(default_factory=list)
    future_timestamps: np.ndarray | None = None  # (n_future,) time stamps of the rows beyond the target
    n_padded: int = 0  # rows of left padding at the start (input_rows.pad_left)
    ignored: dict[str, str] = field(default_factory=dict)  # columns not used as inputs -> why

    @property
    def target_index(self) -> int:
        return self.columns.index(self.target)

    @property
    def y(self) -> np.ndarray:
        """The target column, ``(T,)``."""
        return self.values[:, self.target_index]

    def __len__(self) -> int:
        return len(self.values)

    def head(self, n: int) -> SeriesFrame:
        """The first ``n`` time steps (views, no copy); the known covariates keep their rows after ``n``."""
        ts = None if self.timestamps is None else self.timestamps[:n]
        return replace(self, values=self.values[:n], timestamps=ts, future_timestamps=None)

    @property
    def n_future(self) -> int:
        """Rows of known covariates beyond the last observed target."""
        return 0 if self.known is None else len(self.known) - len(self.values)

    def ds(self) -> np.ndarray:
        """Timestamps, or the 0-based step numbers when the data has no time column."""
        return np.arange(len(self)) if self.timestamps is None else self.timestamps

    def next_timestamp(self):
        """The time stamp one step after the last row: the step number, or last + inferred frequency."""
        if self.timestamps is None:
            return len(self)
        if np.issubdtype(self.timestamps.dtype, np.integer):
            step = np.diff(self.timestamps[-3:]).min() if len(self) > 1 else 1
            return int(self.timestamps[-1] + step)
        index = pd.DatetimeIndex(self.timestamps)
        freq = infer_freq(self.timestamps)
        if freq is not None:
            return (index[-1] + pd.tseries.frequencies.to_offset(freq)).to_datetime64()
        return (index[-1] + (index[-1] - index[-2])).to_datetime64() if len(index) > 1 else None


def infer_freq(timestamps: np.ndarray | None) -> str | None:
    """pandas' frequency string of datetime ``timestamps`` (``"D"``, ``"W-SUN"``, ...), or None."""
    if timestamps is None or timestamps.dtype.kind != "M" or len(timestamps) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 warns that infer_freq will return an offset object
        freq = pd.infer_freq(pd.DatetimeIndex(timestamps))
    return None if freq is None else getattr(freq, "freqstr", freq)


def forecast_tail(frame: SeriesFrame, L: int) -> SeriesFrame:
    """The last rows of a series: enough to forecast from and to continue its time stamps (step numbers
    stand in for missing time stamps, so a tail still knows where its series ends)."""
    n = min(len(frame), max(L, 3))
    stamps = frame.timestamps if frame.timestamps is not None else np.arange(len(frame), dtype=np.int64)
    return replace(frame, values=frame.values[-n:].copy(), timestamps=stamps[-n:].copy(), known=None,
                   known_columns=[], future_timestamps=None, n_padded=max(0, frame.n_padded - (len(frame) - n)))


def to_frame(table: pd.DataFrame, target: str | None = None, features: list[str] | None = None,
             time_col: str | None = None, fill: str | None = None, known: list[str] | None = None,
             exclude: tuple[str, ...] = ()) -> SeriesFrame:
    """Check ``table`` and return it as a ``SeriesFrame`` (see the module docstring).

    ``known`` names future-known covariate columns: trailing rows whose target is empty are then
    future rows, which must carry those covariates. ``exclude`` columns (e.g. a panel's id column)
    are never features.
    """
    if not isinstance(table, pd.DataFrame):
        raise RnncastError(f"expected a pandas DataFrame, got {type(table).__name__}")
    if len(table) == 0:
        raise RnncastError("the table has no rows")
    if fill is not None and fill not in FILL_METHODS:
        raise RnncastError(f"unknown fill method {fill!r}; choose one of {', '.join(FILL_METHODS)}")
    table = table.copy(deep=False)  # renaming the columns must not touch the caller's table; the data is shared
    table.columns = [str(c) for c in table.columns]
    rows = _row_labels(table)
    time_col = find_time_column(list(table.columns), time_col)
    timestamps = None
    if time_col is not None:
        timestamps = parse_times(table[time_col], time_col, rows)
        if np.any(timestamps[1:] < timestamps[:-1]):  # rows in time order (the usual case) are not copied
            order = np.argsort(timestamps, kind="stable")
            table, rows, timestamps = table.iloc[order], rows[order], timestamps[order]
        _refuse_duplicate_times(timestamps, time_col, rows)
        timestamps.flags.writeable = False  # may be a view of the caller's column

    known = list(dict.fromkeys(known or []))
    target, features, ignored = choose_columns(table, [c for c in table.columns if c != time_col and c not in exclude],
                                                target, features, known)
    if len(features) == 1:  # a float64 column in time order is used as it is: a read-only view, no copy
        values = _as_numbers(table[features[0]], features[0], rows)[:, None]
        values.flags.writeable = False
    else:
        values = np.empty((len(table), len(features)), dtype=np.float64)
        for j, col in enumerate(features):
            values[:, j] = _as_numbers(table[col], col, rows)
    if not known:
        values, timestamps = _handle_missing(values, features, rows, timestamps, fill)
        return SeriesFrame(values, features, target, timestamps, time_col, ignored=ignored)

    known_values = np.column_stack([_as_numbers(table[col], col, rows) for col in known])  # (T_all, K)
    observed = np.flatnonzero(np.isfinite(values[:, -1]))
    n_past = int(observed[-1]) + 1 if len(observed) else 0
    if n_past == 0:
        raise RnncastError(f"the target column {target!r} has no values")
    future_ts = None if timestamps is None else timestamps[n_past:]
    both, timestamps = _handle_missing(
        np.hstack([values[:n_past], known_values[:n_past]]), features + known, rows[:n_past],
        None if timestamps is None else timestamps[:n_past], fill)
    future_known, _ = _handle_missing(known_values[n_past:], known, rows[n_past:], None, None)
    return SeriesFrame(both[:, : len(features)], features, target, timestamps, time_col,
                       known=np.vstack([both[:, len(features):], future_known]), known_columns=known,
                       future_timestamps=future_ts, ignored=ignored)


def choose_columns(table: pd.DataFrame, candidates: list[str], target: str | None, features: list[str] | None,
                    known: list[str]) -> tuple[str, list[str], dict[str, str]]:
    """(target, features with the target last, ignored columns -> why) from the candidate columns.

    The target defaults to the last numeric column and the features to every numeric column; a column
    of numbers written for people is refused (data/numbers.py), never silently left out.
    """
    if not candidates:
        raise RnncastError("the table has no columns besides the time column")
    numeric = [c for c in candidates if c not in known and _mostly_numeric(table[c])]
    if target is not None and target not in candidates:
        raise RnncastError(f"unknown target column {target!r}; columns are: {_column_list(candidates)}")
    if target is None:
        if not numeric:
            for c in [f for f in features or candidates if f in candidates]:
                _refuse_formatted(table[c], c)
            raise RnncastError(f"no numeric column to forecast; columns are: {_column_list(candidates)}")
        target = numeric[-1]
    unknown = [k for k in known if k not in candidates or k == target]
    if unknown:
        raise RnncastError(
            f"future-known column {unknown[0]!r} is not a covariate column; columns are: {_column_list(candidates)}"
        )
    if features is None:
        features = [c for c in numeric if c != target and c not in known] + [target]
        used = {*features, *known}
        ignored = {c: _why_not_numeric(table[c], c) for c in candidates if c not in used}
    else:
        used = {*features, target, *known}
        ignored = {c: "not among the chosen features" for c in candidates if c not in used}
        unknown = [f for f in features if f not in candidates]
        if unknown:
            raise RnncastError(
                f"unknown feature column {unknown[0]!r}; columns are: {_column_list(candidates)}"
            )
        features = [f for f in dict.fromkeys(features) if f != target] + [target]
    if len(features) > MAX_FEATURES:
        raise RnncastError(f"{len(features):,} input columns: rnncast takes at most {MAX_FEATURES:,} (each is a"
                           " network input at every step); choose them with --features")
    return target, features, ignored


def _column_list(columns) -> str:
    """Column names for a one-line message: a name with a line break or other control character is quoted."""
    return ", ".join(c if c.isprintable() else repr(c) for c in columns)


def _row_labels(table: pd.DataFrame) -> np.ndarray:
    """The row numbers to quote in errors: the file's row numbers when the index holds them."""
    if table.index.name == "row" and pd.api.types.is_integer_dtype(table.index):
        return table.index.to_numpy()
    return np.arange(1, len(table) + 1)


def find_time_column(columns: list[str], time_col: str | None) -> str | None:
    """``time_col`` checked, else the first column named like a time (date, ds, time, timestamp...)."""
    if time_col is not None:
        if time_col not in columns:
            raise RnncastError(
                f"unknown time column {time_col!r}; columns are: {_column_list(columns)}"
            )
        return time_col
    for col in columns:
        if col.strip().lower() in TIME_COLUMN_NAMES:
            return col
    return None


def parse_times(column: pd.Series, name: str, rows: np.ndarray) -> np.ndarray:
    if column.isna().any():
        first = rows[np.flatnonzero(column.isna().to_numpy())[0]]
        raise RnncastError(f"time column {name!r} has an empty cell at row {first}")
    if pd.api.types.is_integer_dtype(column):
        too_large = (column > np.iinfo(np.int64).max).to_numpy()  # uint64 steps would wrap around
        if too_large.any():
            i = np.flatnonzero(too_large)[0]
            raise RnncastError(f"time column {name!r} row {rows[i]}: step number {column.iloc[i]} is too large")
        return column.to_numpy(dtype=np.int64)
    if pd.api.types.is_datetime64_any_dtype(column):
        parsed = column
    else:
        # utc=True: times with different UTC offsets (a file that spans a DST change) are read as UTC
        parsed = pd.to_datetime(column.astype(str), errors="coerce", format="mixed", utc=True)
        if parsed.isna().any():
            i = np.flatnonzero(parsed.isna().to_numpy())[0]
            raise RnncastError(
                f"time column {name!r} row {rows[i]}: cannot read {str(column.iloc[i])[:40]!r} as a date or time"
            )
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert(None)
    outside = ((parsed < pd.Timestamp.min) | (parsed > pd.Timestamp.max)).to_numpy()  # datetime64[ns] range
    if outside.any():
        i = np.flatnonzero(outside)[0]
        raise RnncastError(
            f"time column {name!r} row {rows[i]}: {parsed.iloc[i]} lies outside the supported years 1678..2261"
        )
    # The column's own unit (pandas 3 reads dates as microseconds): converting to nanoseconds would copy
    # every time stamp; numpy compares and combines datetime64 of different units exactly.
    return parsed.to_numpy()


def _refuse_duplicate_times(timestamps: np.ndarray, name: str, rows: np.ndarray) -> None:
    same = np.flatnonzero(timestamps[1:] == timestamps[:-1])
    if len(same):
        i = same[0]
        stamp = pd.Timestamp(timestamps[i]) if timestamps.dtype.kind == "M" else timestamps[i]
        raise RnncastError(
            f"duplicate timestamps in {name!r}: {stamp} appears at rows {rows[i]} and {rows[i + 1]}"
            f" ({len(same)} duplicate(s) in all)"
        )


def _mostly_numeric(column: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_numeric_dtype(column):
        return True
    present = column.dropna()
    if len(present) == 0:
        return False
    return pd.to_numeric(present.astype(str).str.strip(), errors="coerce").notna().mean() > 0.5


def _why_not_numeric(column: pd.Series, name: str) -> str:
    """Why a column is not an input by default: text or true/false; numbers written for people are refused."""
    if pd.api.types.is_bool_dtype(column):
        return "true/false values"
    _refuse_formatted(column, name)
    return "text, not numbers"


def _refuse_formatted(column: pd.Series, name: str) -> None:
    found = numbers.detect(column)
    if found is not None:
        style, example = found
        raise RnncastError(f"column {name!r} holds numbers written for people (e.g. {example!r}): pass --numbers "
                           f"{style} to read them, or --features without it to leave it out")


def _as_numbers(column: pd.Series, name: str, rows: np.ndarray) -> np.ndarray:
    if pd.api.types.is_bool_dtype(column):
        raise RnncastError(f"column {name!r} holds true/false values, not numbers")
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    text = column.astype("string").str.strip()
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna().to_numpy() & column.notna().to_numpy() & (text != "").fillna(False).to_numpy()
    if bad.any():
        _refuse_formatted(column, name)
        i = np.flatnonzero(bad)[0]
        raise RnncastError(
            f"column {name!r} row {rows[i]}: {str(column.iloc[i])[:40]!r} is not a number"
        )
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _handle_missing(values, columns, rows, timestamps, fill):
    bad = ~np.isfinite(values)  # (T, F)
    if not bad.any():
        return values, timestamps
    if fill is None:
        t, j = np.argwhere(bad)[0]
        raise RnncastError(
            f"{int(bad.sum())} missing or infinite value(s); first in column {columns[j]!r} row {rows[t]};"
            f" pass --fill ffill|interpolate|drop to accept them"
        )
    if fill == "drop":
        keep = ~bad.any(axis=1)
        values = values[keep]
        timestamps = None if timestamps is None else timestamps[keep]
        if len(values) == 0:
            raise RnncastError("no rows left after dropping the rows with missing values")
        return values, timestamps
    frame = pd.DataFrame(np.where(bad, np.nan, values))
    if fill == "ffill":
        frame = frame.ffill().bfill()
    else:
        frame = frame.interpolate(method="linear", limit_direction="both")
    filled = frame.to_numpy(dtype=np.float64)
    if not np.isfinite(filled).all():
        j = int(np.flatnonzero(~np.isfinite(filled).all(axis=0))[0])
        raise RnncastError(f"column {columns[j]!r} has no finite values to fill from")
    return filled, timestamps
