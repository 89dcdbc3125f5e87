"""Per-column scalers, fitted on the training rows only.

- ``minmax``:   z = (x - min) / (max - min + 1e-7)   (the lecture's ``MinMaxScaler``, same epsilon)
- ``standard``: z = (x - mean) / std                  (std 0 → 1)
- ``none``:     z = x
- ``log``:      z = (log x - mean) / std for the columns whose training values are all positive (the
                others are standardised). Differences of z are scaled log ratios, so with
                ``normalize="last"`` a network reads and predicts each value relative to the window's
                last one (multiplicative data).
- ``log_unscaled``: z = log x - mean, not divided by the std (the other columns as with ``log``). With
                ``normalize="last"`` a network then reads and predicts plain log ratios, growth rates in the
                same units for every series; ``log`` divides them by each series' spread of levels, which
                a trend dominates, so one growth rate reads differently from series to series (BENCHMARKS.md:
                it decides Tourism's yearly series against naive).
- ``meanabs``:  z = x / mean|x|                      (0 → 1; no shift, so counts keep their zero: the
                likelihood models' scale ν, ``rnncast.training.likelihoods``)

Fitting on the training part alone is what keeps an evaluation honest: the lecture scales its test
period with the test period's own min/max, which leaks the future's range into the inputs.
A scaler serialises to plain JSON (``to_dict`` / ``from_dict``), never pickle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnncast.errors import RnncastError

SCALERS = ("minmax", "standard", "none", "log", "log_unscaled", "meanabs")
LOG_SCALERS = ("log", "log_unscaled")  # kinds that take the positive columns to log space
EPS = 1e-7


@dataclass
class Scaler:
    """``z = (x' - shift) / scale`` per column, with ``x' = log x`` on the ``log`` columns."""

    kind: str
    shift: np.ndarray  # (F,)
    scale: np.ndarray  # (F,)
    log: np.ndarray | None = None  # (F,) bool: columns taken to log space first (LOG_SCALERS)

    @classmethod
    def fit(cls, kind: str, values: np.ndarray) -> Scaler:
        """Fit on ``values`` ``(T, F)`` (the training rows)."""
        n_features = values.shape[1]
        if kind == "minmax":
            low, high = values.min(axis=0), values.max(axis=0)
            return cls(kind, low, high - low + EPS)
        if kind == "standard":
            std = values.std(axis=0)
            return cls(kind, values.mean(axis=0), np.where(std > 0, std, 1.0))
        if kind == "none":
            return cls(kind, np.zeros(n_features), np.ones(n_features))
        if kind == "meanabs":
            level = np.abs(values).mean(axis=0)
            return cls(kind, np.zeros(n_features), np.where(level > 0, level, 1.0))
        if kind in LOG_SCALERS:
            positive = np.all(values > 0, axis=0)
            logged = np.where(positive, np.log(np.where(positive, values, 1.0)), values)
            std = logged.std(axis=0)
            scale = np.where(std > 0, std, 1.0)
            if kind == "log_unscaled":
                scale = np.where(positive, 1.0, scale)
            return cls(kind, logged.mean(axis=0), scale, positive)
        raise RnncastError(f"unknown scaler {kind!r}; choose one of {', '.join(SCALERS)}")

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Scaled copy of ``values`` ``(T, F)`` as float32, the dtype the networks train in."""
        if self.log is not None and self.log.any():
            if np.any(values[:, self.log] <= 0):
                raise RnncastError("the log scaler needs positive values, and a column that was positive in"
                                   " training has a value <= 0 here")
            values = np.where(self.log, np.log(np.where(self.log, values, 1.0)), values)
        return ((values - self.shift) / self.scale).astype(np.float32)

    def inverse_column(self, z: np.ndarray, j: int) -> np.ndarray:
        """Undo the scaling of column ``j`` (float64, original units)."""
        x = np.asarray(z, dtype=np.float64) * self.scale[j] + self.shift[j]
        return np.exp(x) if self.log is not None and self.log[j] else x

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "shift": self.shift.tolist(), "scale": self.scale.tolist()}
        if self.log is not None:
            out["log"] = self.log.tolist()
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Scaler:
        try:
            shift = np.asarray(data["shift"], dtype=np.float64)
            scale = np.asarray(data["scale"], dtype=np.float64)
            kind = str(data["kind"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RnncastError(f"scaler settings are damaged: {exc}") from None
        log = None if data.get("log") is None else np.asarray(data["log"], dtype=bool)
        if shift.shape != scale.shape or shift.ndim != 1 or not np.all(scale != 0) or (
            log is not None and log.shape != shift.shape
        ):
            raise RnncastError("scaler settings are damaged: shift/scale shapes or values are invalid")
        return cls(kind, shift, scale, log)
