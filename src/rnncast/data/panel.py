"""Many series at once: a long table (``unique_id``, ``ds``, ``y``, as statsforecast/neuralforecast) or
a wide one (a single series), as a ``Panel`` of ``SeriesFrame`` objects with the same columns.

Each series goes through ``to_frame`` (so every check of one series applies to each), errors name
the series. The panel also carries what the global model needs to know across series: the
frequency (inferred, or ``--freq``), which series had gaps in their time stamps, and calendar
features derived from the time stamps (known in advance, so usable as future covariates):

    dayofweek, month, dayofyear, hour  →  sin(2π·k/P), cos(2π·k/P)  with P = 7, 12, 365.25, 24
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rnncast.data.frame import SeriesFrame, infer_freq, to_frame
from rnncast.data.panel_arrays import split_arrays
from rnncast.errors import RnncastError

ID_COLUMN_NAMES = ("unique_id",)
CALENDAR_PERIODS = {"dayofweek": 7.0, "month": 12.0, "dayofyear": 365.25, "hour": 24.0}
CALENDAR_FIELDS = {"dayofweek": "day_of_week", "month": "month", "dayofyear": "day_of_year", "hour": "hour"}


@dataclass
class Panel:
    series: list[SeriesFrame]
    id_col: str | None = None
    freq: str | None = None
    gaps: dict[str, int] = field(default_factory=dict)  # series id -> number of irregular steps
    notes: list[str] = field(default_factory=list)  # what reading did with the columns, for the run to say
    too_short: list[str] = field(default_factory=list)  # ids left out before any work: fewer than min_rows rows
    float32: bool = False  # every input column of the table was float32 (large runs then write float32 tables)

    @property
    def ids(self) -> list[str]:
        return [s.uid for s in self.series]

    @property
    def first(self) -> SeriesFrame:
        return self.series[0]

    def __len__(self) -> int:
        return len(self.series)


def to_panel(table: pd.DataFrame, id_col: str | None = None, target: str | None = None,
             features: list[str] | None = None, time_col: str | None = None, fill: str | None = None,
             known: list[str] | None = None, freq: str | None = None, min_rows: int = 1) -> Panel:
    """Check ``table`` and split it into series by ``id_col`` (default: a ``unique_id`` column if any).

    Series of a long table with fewer than ``min_rows`` rows are left out before any per-series work
    (their ids in ``Panel.too_short``), so a table of a million one-row ids ends in seconds.
    """
    if not isinstance(table, pd.DataFrame):
        raise RnncastError(f"expected a pandas DataFrame, got {type(table).__name__}")
    columns = [str(c) for c in table.columns]
    if freq is not None:
        check_freq(freq)
    if id_col is not None and id_col not in columns:
        raise RnncastError(f"unknown id column {id_col!r}; columns are: {', '.join(columns)}")
    if id_col is None:
        id_col = next((c for c in columns if c.lower() in ID_COLUMN_NAMES), None)
    if id_col is None:
        frame = to_frame(table, target, features, time_col, fill, known)
        frame.uid = frame.target
        series, too_short = [frame], []
    else:
        series, too_short = _split_long(table, id_col, target, features, time_col, fill, known, min_rows)
    panel = Panel(series, id_col, too_short=too_short)
    names = [str(c) for c in table.columns]
    panel.float32 = all(table.iloc[:, names.index(c)].dtype == np.float32 for c in series[0].columns if c in names)
    panel.freq = freq or _common_freq(series)
    panel.gaps = _gaps(series, panel.freq)
    return panel


def check_freq(freq: str) -> None:
    """A pandas frequency string (``D``, ``W-SUN``, ``MS``, ``h``...), or one line saying it is not one."""
    try:
        pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError) as exc:
        raise RnncastError(f"--freq {freq!r} is not a pandas frequency (D, W, MS, QS, YS, h...):"
                           f" {str(exc).splitlines()[0][:120]}") from None


def _split_long(table, id_col, target, features, time_col, fill, known, min_rows=1):
    """One SeriesFrame per id, in order of first appearance, without copying the table.

    A series whose rows are contiguous (the usual long format) is a slice of the table, found by
    ``_runs`` without codes for the whole id column; otherwise its rows are gathered (then the ids are
    factorised: int64 codes and an argsort, 2 x 8 bytes per row). ``to_frame`` copies no more than it
    must of each series (see ``rnncast.data.frame``).
    """
    ids = table.iloc[:, [str(c) for c in table.columns].index(id_col)]
    edges, labels = _runs(ids, id_col, as_text=False)
    kinds = {type(v).__name__ for v in labels}  # every id begins some run
    if len(kinds) > 1 and not kinds <= {"int", "float", "int64", "float64"}:
        raise RnncastError(f"id column {id_col!r} mixes types ({', '.join(sorted(kinds))}); use one type")
    # Ids are compared as text (1 and 1.0 are two series, as "1" and "1.0"); a single type maps to text 1:1.
    as_text = len(kinds) > 1
    if as_text:
        edges, labels = _runs(ids, id_col, as_text=True)
    contiguous = len(set(labels)) == len(labels)
    if contiguous:
        uniques, order = labels, None
    else:
        codes, uniques = pd.factorize(ids.astype(str) if as_text else ids, sort=False)
        order = np.argsort(codes, kind="stable")
        edges = np.concatenate([[0], np.cumsum(np.bincount(codes))])
        del codes
    lengths = np.diff(edges)
    too_short = [str(uniques[k]) for k in np.flatnonzero(lengths < min_rows)]
    if len(too_short) == len(lengths):
        raise RnncastError(f"every one of the {len(lengths):,} series has fewer than {min_rows} rows (the longest"
                           f" has {int(lengths.max())}); --pad left-pads short series")
    fast = split_arrays(table, id_col, target, features, time_col, known, edges, order)
    series = []
    for k, uid in enumerate(str(u) for u in uniques):
        if lengths[k] < min_rows:
            continue
        if fast is not None and fast[k] is not None:  # checked with whole-column work (data/panel_arrays.py)
            fast[k].uid = uid
            series.append(fast[k])
            continue
        rows = slice(edges[k], edges[k + 1])
        group = table.iloc[rows] if contiguous else table.iloc[order[rows]]
        try:
            frame = to_frame(group, target, features, time_col, fill, known, exclude=(id_col,))
        except RnncastError as exc:
            raise RnncastError(f"series {uid!r}: {exc}") from None
        frame.uid = uid
        if series and frame.columns != series[0].columns:
            raise RnncastError(f"series {uid!r} has columns {frame.columns}, series {series[0].uid!r} has"
                               f" {series[0].columns}")
        series.append(frame)
    return series, too_short


def _runs(ids, name: str, as_text: bool, chunk: int = 1 << 16) -> tuple[np.ndarray, list]:
    """Where runs of equal ids begin and end (``edges``, one more than runs) and each run's id.

    The ids (an array, or a Series: pandas 3's Arrow-backed text would become one Python string per
    row if converted whole) are read, checked and factorised a chunk at a time (pandas sizes its hash
    table by the input, so codes and table for 2**16 rows, not for 20 million: a few MB), and runs that
    continue across a chunk's border are joined.
    """
    bounds, labels = [], []
    previous = None
    for a in range(0, len(ids), chunk):
        part = ids.iloc[a : a + chunk].to_numpy() if isinstance(ids, pd.Series) else ids[a : a + chunk]
        if pd.isna(part).any():
            raise RnncastError(f"id column {name!r} has an empty cell")
        codes, uniques = pd.factorize(part.astype(str) if as_text else part, sort=False)
        starts = np.concatenate([[0], np.flatnonzero(codes[1:] != codes[:-1]) + 1])
        if previous is not None and uniques[codes[0]] == previous:
            starts = starts[1:]  # the last chunk's run goes on
        bounds.append(starts + a)
        labels += [uniques[c] for c in codes[starts]]
        previous = uniques[codes[-1]]
    return np.concatenate([*bounds, [len(ids)]]), labels


def _common_freq(series: list[SeriesFrame]) -> str | None:
    for s in sorted(series, key=len, reverse=True):
        freq = infer_freq(s.timestamps)
        if freq is not None:
            return freq
    return None


def _gaps(series: list[SeriesFrame], freq: str | None) -> dict[str, int]:
    """Series whose consecutive time stamps are not one step apart, with the number of such steps."""
    gaps = {}
    dated = [s for s in series
             if s.timestamps is not None and len(s.timestamps) >= 2 and s.timestamps.dtype.kind == "M"]
    if dated and freq is not None:  # every series' steps at once: one offset addition over all rows
        before = np.concatenate([s.timestamps[:-1].astype("datetime64[ns]") for s in dated])
        after = np.concatenate([s.timestamps[1:].astype("datetime64[ns]") for s in dated])
        expected = (pd.DatetimeIndex(before) + pd.tseries.frequencies.to_offset(freq)).to_numpy(dtype="datetime64[ns]")
        owner = np.repeat(np.arange(len(dated)), [len(s.timestamps) - 1 for s in dated])
        bad = np.bincount(owner, weights=(expected != after).astype(np.float64), minlength=len(dated))
        gaps.update({s.uid: int(b) for s, b in zip(dated, bad, strict=True) if b})
    for s in series:
        ts = s.timestamps
        if ts is None or len(ts) < 2 or ts.dtype.kind == "M":
            continue
        diffs = np.diff(ts)
        bad = int(np.sum(diffs != np.min(diffs)))
        if bad:
            gaps[s.uid] = bad
    return {s.uid: gaps[s.uid] for s in series if s.uid in gaps}  # in the series' order


def stamp_text(value, sep: str = "T") -> str:
    """A time stamp as people write it: the date alone at midnight, else ISO 8601 with ``sep`` between date and
    time (" ": as pandas writes a CSV); a step number as it is."""
    if isinstance(value, np.datetime64 | pd.Timestamp):
        stamp = pd.Timestamp(value)
        return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.isoformat(sep=sep)
    return str(value)


def future_stamps(frame: SeriesFrame, freq: str | None, horizon: int) -> np.ndarray:
    """The ``horizon`` time stamps after the last observed row (the given future rows first)."""
    given = frame.future_timestamps if frame.future_timestamps is not None else np.array([], dtype="int64")
    if frame.timestamps is None:
        return np.arange(len(frame), len(frame) + horizon)
    last = frame.timestamps[-1]
    if frame.timestamps.dtype.kind != "M":
        step = int(np.min(np.diff(frame.timestamps))) if len(frame) > 1 else 1
        return last + step * np.arange(1, horizon + 1)
    if len(given) >= horizon:
        return given[:horizon]
    if freq is None:
        raise RnncastError(f"series {frame.uid!r}: cannot tell the time stamps ahead; give --freq (e.g. D, W, MS)")
    return _dates_after(np.datetime64(last, "ns"), freq, horizon)


@functools.lru_cache(maxsize=1024)
def _dates_after(last: np.datetime64, freq: str, horizon: int) -> np.ndarray:
    """``horizon`` dates one ``freq`` apart after ``last`` (cached: the series of a panel mostly end together)."""
    offset = pd.tseries.frequencies.to_offset(freq)
    stamps = pd.date_range(pd.Timestamp(last) + offset, periods=horizon, freq=offset).to_numpy(dtype="datetime64[ns]")
    stamps.flags.writeable = False
    return stamps


def calendar_features(timestamps: np.ndarray, names: list[str]) -> np.ndarray:
    """sin/cos encodings of calendar fields of datetime ``timestamps`` → ``(T, 2·len(names))``."""
    unknown = [n for n in names if n not in CALENDAR_PERIODS]
    if unknown:
        raise RnncastError(f"unknown calendar feature {unknown[0]!r}; choose from {', '.join(CALENDAR_PERIODS)}")
    if timestamps is None or np.asarray(timestamps).dtype.kind != "M":
        raise RnncastError("calendar features need a datetime time column")
    index = pd.DatetimeIndex(timestamps)
    out = []
    for name in names:
        angle = 2 * np.pi * np.asarray(getattr(index, CALENDAR_FIELDS[name]), dtype=np.float64) / CALENDAR_PERIODS[name]
        out += [np.sin(angle), np.cos(angle)]
    return np.column_stack(out) if out else np.zeros((len(index), 0))
