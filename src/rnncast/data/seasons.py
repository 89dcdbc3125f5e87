"""Classical multiplicative deseasonalisation, as the Naive2 and Theta benchmarks of the M competitions do it.

A network that reads ``seq_length`` steps cannot see a yearly cycle longer than its window, and a global
model has to learn every series' cycle from few examples. Removing the cycle first and putting it back
after forecasting takes that job away from it:

    seasonal?    |r_m| > 1.645 · sqrt((1 + 2 Σ_{k=1}^{m-1} r_k²) / n)     (lag-m autocorrelation, 90% two-sided)
    trend        c_t = centred moving average of order m (2×m when m is even)
    index        s_j = mean over t ≡ j (mod m) of y_t / c_t, rescaled so that mean(s) = 1
    removed      y_t / s_{t mod m}          restored   ŷ_t · s_{t mod m}

The test and the indices use the training rows only. A series is left as it is (``None``) when it is
not seasonal by the test, has fewer than 3·m observed values, or is not strictly positive (a
multiplicative index needs positive values).

Phases. Row t's phase is its step number modulo m, counted from the series' first training time stamp
(integer time index: steps of the index; dates: calendar steps of the frequency; no time column: row
number). So the index lines up with the rows of any later data for the same series.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from rnncast.data.frame import SeriesFrame, infer_freq
from rnncast.errors import RnncastError

# The season length of a frequency (seasonal naive, MASE, deseasonalisation), by pandas' frequency prefix.
SEASON_BY_FREQ = {"D": 7, "B": 5, "W": 52, "M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "h": 24, "H": 24}

# Nominal length of calendar steps that are not fixed durations; rounding Δt / nominal counts them exactly
# because a span of n months (quarters, years) differs from n nominal months by less than half a month.
_NOMINAL_DAYS = {"M": 30.436875, "Q": 91.310625, "Y": 365.2425, "A": 365.2425, "W": 7.0}


def acf(y: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelations ``r_1 … r_max_lag`` of ``y`` (the usual biased estimator)."""
    z = np.asarray(y, dtype=np.float64) - np.mean(y)
    denom = float(z @ z)
    if denom == 0.0:
        return np.zeros(max_lag)
    return np.array([float(z[k:] @ z[:-k]) / denom for k in range(1, max_lag + 1)])


def is_seasonal(y: np.ndarray, m: int) -> bool:
    """The Naive2 test: is the lag-m autocorrelation significant at 90% (two-sided)?"""
    y = np.asarray(y, dtype=np.float64)
    if m < 2 or len(y) < 3 * m:
        return False
    r = acf(y, m)
    limit = 1.645 * np.sqrt((1.0 + 2.0 * np.sum(r[: m - 1] ** 2)) / len(y))
    return bool(abs(r[m - 1]) > limit)


def seasonal_indices(y: np.ndarray, m: int, phases: np.ndarray | None = None) -> np.ndarray:
    """Classical multiplicative seasonal indices ``(m,)`` of ``y``, mean 1; ``phases`` ``(T,)`` gives each
    value's phase (default: position mod m)."""
    y = np.asarray(y, dtype=np.float64)
    trend, first = _centred_trend(y, m)
    index = _phase_means(y[first : first + len(trend)] / trend, first, m, phases, len(y))
    return index / index.mean()


def additive_seasonal_indices(y: np.ndarray, m: int) -> np.ndarray:
    """Classical additive seasonal indices ``(m,)`` of ``y`` (phase = position mod m), mean 0: each phase's
    mean of y less its centred moving average. For series with values ≤ 0, where ratios mean nothing."""
    y = np.asarray(y, dtype=np.float64)
    trend, first = _centred_trend(y, m)
    index = _phase_means(y[first : first + len(trend)] - trend, first, m, None, len(y))
    return index - index.mean()


def _centred_trend(y: np.ndarray, m: int) -> tuple[np.ndarray, int]:
    """The centred moving average of period m (2×m for even m) and the position of its first value."""
    if m % 2:
        return np.convolve(y, np.ones(m) / m, mode="valid"), (m - 1) // 2
    weights = np.r_[0.5, np.ones(m - 1), 0.5] / m  # 2×m moving average
    return np.convolve(y, weights, mode="valid"), m // 2


def _phase_means(detrended: np.ndarray, first: int, m: int, phases: np.ndarray | None, n: int) -> np.ndarray:
    phases = np.arange(n) % m if phases is None else np.asarray(phases)
    covered = phases[first : first + len(detrended)]
    return np.array([detrended[covered == j].mean() for j in range(m)])


@dataclass
class Season:
    """One series' seasonal index: ``factors[j]`` for phase j, phases counted from ``origin``."""

    period: int
    factors: np.ndarray  # (m,)
    origin: int | str | None  # first training time stamp (int step, ISO date) or None (row numbers)
    step: int | None = None  # integer time index: the index's step
    freq: str | None = None  # dates: the frequency the steps are counted in

    def phases(self, frame: SeriesFrame, ahead: int = 0) -> np.ndarray:
        """Phase of each of the frame's rows and of ``ahead`` rows after them, ``(T + ahead,)``."""
        T = len(frame)
        if self.origin is None or frame.timestamps is None:
            steps = np.arange(T + ahead) - frame.n_padded  # row numbers of the observed rows
        else:
            last = _steps_between(self.origin, frame.timestamps[-1], self.step, self.freq)
            steps = last - (T - 1) + np.arange(T + ahead)
        return np.mod(steps, self.period)

    def remove(self, frame: SeriesFrame) -> SeriesFrame:
        """The frame with its target divided by the index (the other columns as they are)."""
        values = frame.values.copy()
        values[:, frame.target_index] /= self.factors[self.phases(frame)]
        return replace(frame, values=values)

    def restore(self, frame: SeriesFrame, origins: np.ndarray, forecasts: np.ndarray) -> np.ndarray:
        """Forecasts ``(n, H[, Q])`` made from ``origins`` of ``frame`` times the index of their steps."""
        H = forecasts.shape[1]
        ahead = max(int(np.max(origins)) + H - len(frame), 0)
        phases = self.phases(frame, ahead)[origins[:, None] + np.arange(H)[None, :]]  # (n, H)
        factors = self.factors[phases]
        return forecasts * (factors[..., None] if forecasts.ndim == 3 else factors)

    def to_dict(self) -> dict:
        return {"period": self.period, "factors": self.factors.tolist(), "origin": self.origin, "step": self.step,
                "freq": self.freq}

    @classmethod
    def from_dict(cls, data: dict | None) -> Season | None:
        if data is None:
            return None
        return cls(int(data["period"]), np.asarray(data["factors"], dtype=np.float64), data["origin"],
                   data.get("step"), data.get("freq"))


def fit_season(frame: SeriesFrame, m: int, freq: str | None) -> Season | None:
    """The series' seasonal index if its observed training target is seasonal by the test, else None."""
    y = frame.y[frame.n_padded :]
    if m < 2 or len(y) < 3 * m or not np.all(y > 0) or not is_seasonal(y, m):
        return None
    start, stamps = frame.n_padded, frame.timestamps
    season = Season(m, np.ones(m), None)
    if stamps is not None and stamps.dtype.kind == "M":
        if freq is None:
            raise RnncastError(f"series {frame.uid!r}: deseasonalising needs the frequency; give --freq")
        season = Season(m, np.ones(m), str(pd.Timestamp(stamps[start])), None, freq)
    elif stamps is not None:
        step = int(np.min(np.diff(stamps))) if len(stamps) > 1 else 1
        season = Season(m, np.ones(m), int(stamps[start]), step)
    season.factors = seasonal_indices(y, m, season.phases(frame)[start:])
    return season


def usual_period(freq: str | None) -> int | None:
    """The usual seasonal period of a frequency (7 daily, 12 monthly, 4 quarterly ...); None if unknown."""
    return SEASON_BY_FREQ.get(freq.split("-")[0]) if freq else None


def anchor_period(season_length: int | None, freq: str | None, seq_length: int) -> int:
    """The period m of ``normalize="season"``: ``season_length``, or the frequency's usual period; a
    window of ``seq_length`` rows must hold a whole season."""
    m = usual_period(freq) if season_length is None else season_length
    if m is None:
        raise RnncastError("normalize='season' needs a known frequency (daily, weekly, monthly, quarterly"
                           " ...); give the period, e.g. --season-length 12")
    if seq_length < m:
        raise RnncastError(f"normalize='season' reads the last season: seq_length {seq_length} must be at"
                           f" least the period {m}")
    return m


def season_period(deseasonalize: bool | int, freq: str | None) -> int:
    """The period to deseasonalise with (0: none): ``deseasonalize`` itself, or for ``True`` the usual
    period of the frequency (7 daily, 12 monthly, 4 quarterly ...)."""
    if deseasonalize is False or deseasonalize == 0:
        return 0
    if deseasonalize is True:
        period = usual_period(freq)
        if period is None:
            raise RnncastError("deseasonalize=True needs a known frequency (daily, weekly, monthly, quarterly"
                               " ...); give the period instead, e.g. --deseasonalize 12")
        return period
    return int(deseasonalize)


def _steps_between(origin, stamp, step: int | None, freq: str | None) -> int:
    """Whole steps of the series' time index from ``origin`` to ``stamp``."""
    if step is not None:
        return int(round((int(stamp) - int(origin)) / step))
    delta = pd.Timestamp(stamp) - pd.Timestamp(origin)
    offset = pd.tseries.frequencies.to_offset(freq)
    name = getattr(offset, "rule_code", None) or offset.name  # pandas 3 deprecates .name for .rule_code
    code = name.split("-")[0].rstrip("SE") or name
    if code in _NOMINAL_DAYS:
        return int(round(delta / pd.Timedelta(days=_NOMINAL_DAYS[code] * offset.n)))
    try:
        return int(round(delta / pd.Timedelta(offset)))
    except (TypeError, ValueError):
        raise RnncastError(f"cannot count seasonal steps in frequency {freq!r}") from None


def infer_season(frame: SeriesFrame, season: int | None) -> int | None:
    """``season`` if given, else the usual cycle of the data's frequency (7 for daily, 12 for monthly...)."""
    if season is not None:
        if isinstance(season, bool) or not isinstance(season, int) or season < 1:
            raise RnncastError(f"season must be a positive whole number, got {season!r}")
        return season
    freq = infer_freq(frame.timestamps)
    return None if freq is None else SEASON_BY_FREQ.get(freq.split("-")[0])
