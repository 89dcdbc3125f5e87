"""What the network reads, row by row. For series i with scaled past features P (T, F) (target last) and
scaled future-known covariates K (T + n_future, K), row t of the input is

    A[t] = [ P[t] | K[t+1] ]        (F + K values; K is empty without covariates)

so the step that forecasts t+1 already sees the covariates known for t+1 (calendar, promotions...).
All series' rows are stacked into one array; a window is a strided view of it (no per-window copy),
and windows that would straddle two series are never addressed.

``pad_left`` puts rows of padding (and a mask column) before a series shorter than one window.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from rnncast.data.frame import SeriesFrame
from rnncast.data.panel import calendar_features, future_stamps
from rnncast.data.series_scaling import SeriesScaling
from rnncast.errors import RnncastError


def input_rows(frame: SeriesFrame, scaling: SeriesScaling, calendar: list[str], ahead: int = 0,
               freq: str | None = None, mask: bool = False, series_index: int | None = None,
               out: np.ndarray | None = None, seasonal: bool | None = None) -> np.ndarray:
    """``A`` for one series: ``(T + n_ahead, F + K)`` float32 with ``n_ahead = max(n_future, ahead)``.

    Rows beyond T hold only covariates; their past-feature part is zero until forecasts fill it.
    ``mask`` adds a column that is 0 on left-padding rows and 1 elsewhere; ``seasonal`` (not None) a
    column of 1 or 0: whether the series passed its seasonality test (``normalize="auto"`` anchors on
    it); ``series_index`` a last column holding the series' number, which a net with a series
    embedding looks up.
    ``out``: a zero-filled float32 array of that shape to write into (see ``stacked_input_rows``).
    """
    T, F = frame.values.shape
    n_ahead = max(frame.n_future, ahead)
    covariates = []
    if frame.known is not None:
        known = np.zeros((T + n_ahead, len(frame.known_columns)), np.float32)
        n = min(len(frame.known), T + n_ahead)
        known[:n] = scaling.known.transform(frame.known[:n])
        covariates.append(known)
    if calendar:
        stamps = frame.timestamps
        if n_ahead:
            stamps = np.concatenate([stamps, future_stamps(frame, freq, n_ahead)])
        covariates.append(calendar_features(stamps, calendar).astype(np.float32))
    width = sum(c.shape[1] for c in covariates)
    shape = (T + n_ahead, F + width + mask + (seasonal is not None) + (series_index is not None))
    rows = np.zeros(shape, dtype=np.float32) if out is None else out
    if rows.shape != shape:
        raise ValueError(f"input rows of series {frame.uid!r} have shape {shape}, out has {rows.shape}")
    rows[:T, :F] = scaling.past.transform(frame.values)
    if covariates:
        rows[:-1, F : F + width] = np.hstack(covariates)[1:]  # A[t] carries K[t+1]
    if mask:
        rows[frame.n_padded :, F + width] = 1.0  # 0 marks the left padding
    if seasonal is not None:
        rows[:, F + width + mask] = float(seasonal)
    if series_index is not None:
        rows[:, -1] = series_index
    return rows


def stacked_input_rows(frames: list[SeriesFrame], make) -> list[np.ndarray]:
    """Every series' input rows as consecutive views of ONE float32 array, which ``training_set`` then
    windows without concatenating (no second copy of all rows). ``make(frame, out)`` is ``input_rows``
    for that series (``out`` None: a new array)."""
    first = make(frames[0], None)
    lengths = [len(first)] + [len(f) + f.n_future for f in frames[1:]]
    stacked = np.zeros((sum(lengths), first.shape[1]), dtype=np.float32)
    ends = np.cumsum(lengths)
    views = [stacked[end - n : end] for end, n in zip(ends, lengths, strict=True)]
    views[0][...] = first
    for frame, view in zip(frames[1:], views[1:], strict=True):
        make(frame, view)
    return views


def stack_rows(rows: list[np.ndarray]) -> np.ndarray:
    """The rows of all series as one array: their common base when they are ``stacked_input_rows``' views."""
    base = rows[0].base
    shared = isinstance(base, np.ndarray) and base.ndim == 2 and base.flags.c_contiguous
    if shared and all(r.base is base for r in rows):
        row_bytes = base.strides[0]
        starts = base.ctypes.data + row_bytes * np.concatenate([[0], np.cumsum([len(r) for r in rows])])
        if starts[-1] == base.ctypes.data + base.nbytes and all(
                r.ctypes.data == start for r, start in zip(rows, starts[:-1], strict=True)):
            return base  # the rows lie one after another, covering all of base
    return np.concatenate(rows) if len(rows) > 1 else rows[0]


def pad_left(frame: SeriesFrame, length: int, freq: str | None) -> SeriesFrame:
    """``frame`` extended at the start to ``length`` rows by repeating its first row (``n_padded`` of
    them, marked 0 by the mask column), so a series shorter than one window can still be used."""
    n = length - len(frame)
    if n <= 0:
        return frame
    values = np.vstack([np.repeat(frame.values[:1], n, axis=0), frame.values])
    known = None if frame.known is None else np.vstack([np.repeat(frame.known[:1], n, axis=0), frame.known])
    stamps = frame.timestamps
    if stamps is not None:
        if stamps.dtype.kind == "M":
            if freq is None:
                raise RnncastError(f"series {frame.uid!r}: padding needs the time step; give --freq")
            offset = pd.tseries.frequencies.to_offset(freq)
            before = pd.date_range(end=pd.Timestamp(stamps[0]) - offset, periods=n, freq=offset)
            stamps = np.concatenate([before.to_numpy(dtype="datetime64[ns]"), stamps])
        else:
            step = int(np.min(np.diff(stamps))) if len(stamps) > 1 else 1
            stamps = np.concatenate([stamps[0] - step * np.arange(n, 0, -1), stamps])
    return replace(frame, values=values, known=known, timestamps=stamps, n_padded=frame.n_padded + n)
