"""Each series' scalers: one for its past features (target last), one for its future-known covariates,
fitted on the series' training rows only (``data/scaling.py`` holds the scalers themselves)."""

from __future__ import annotations

from dataclasses import dataclass

from rnncast.data.frame import SeriesFrame
from rnncast.data.scaling import Scaler


@dataclass
class SeriesScaling:
    """The scalers of one series, fitted on its training rows: past features and known covariates."""

    past: Scaler
    known: Scaler | None

    def to_dict(self) -> dict:
        return {"past": self.past.to_dict(), "known": None if self.known is None else self.known.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> SeriesScaling:
        known = data.get("known")
        return cls(Scaler.from_dict(data["past"]), None if known is None else Scaler.from_dict(known))


def fit_scaling(kind: str, frame: SeriesFrame) -> SeriesScaling:
    """Scalers fitted on the series' observed training rows (left padding excluded)."""
    rows = slice(frame.n_padded, len(frame))
    known = None if frame.known is None else Scaler.fit(kind, frame.known[rows])
    return SeriesScaling(Scaler.fit(kind, frame.values[rows]), known)
