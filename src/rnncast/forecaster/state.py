"""What ``fit`` learns, as one object: ``FittedState``.

``fit`` builds one (the series' seasonal indices, frequency and embedding indices first, since the
input rows need them; the nets and the rest after training) and hands it to the Forecaster only when
everything succeeded, so a failing fit leaves the previous state whole. ``persist`` writes one to
``config.json`` + ``model.safetensors`` and ``restore`` reads one back. The Forecaster shows its fields
with scikit-learn's trailing underscore (``f.scalings_`` is ``f.state_.scalings``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from rnncast.data.frame import SeriesFrame
from rnncast.data.series_scaling import SeriesScaling


@dataclass
class FittedState:
    freq: str | None  # the panel's time step (pandas frequency), None without time stamps
    seasons: dict  # series id -> its multiplicative seasonal index (data.seasons.Season) or None
    series_index: dict[str, int]  # series id -> row of the series embedding
    skipped: list[str]  # ids of series too short to train on
    # normalize="auto": series id -> whether its training part passed the seasonality test (seasonal anchor)
    seasonal_anchors: dict[str, bool] = field(default_factory=dict)
    nets: list = field(default_factory=list)  # one trained network per ensemble member
    members: list = field(default_factory=list)  # (ModelSpec, WindowSpec, TrainSpec) per member, as trained
    scalings: dict[str, SeriesScaling] = field(default_factory=dict)  # series id -> its scalers
    columns: list[str] = field(default_factory=list)  # the input columns, target last
    target: str | None = None
    time_col: str | None = None
    id_col: str | None = None
    known_columns: list[str] = field(default_factory=list)  # future-known covariates
    ignored_columns: dict[str, str] = field(default_factory=dict)  # columns left out -> why
    histories: list = field(default_factory=list)  # each member's TrainResult (None for a loaded run)
    tails: dict[str, SeriesFrame] = field(default_factory=dict)  # series id -> its last rows, to forecast from
    conformal: dict | None = None  # the conformal calibration, or None
    recalibrated: dict | None = None  # a likelihood model's recalibrated quantile levels (recalibration)
    interval_scales: dict[str, float] = field(default_factory=dict)  # series id -> naive scale of its intervals
    n_features_in: int = 0  # input columns the nets read per step
    n_series: int = 0

    @property
    def net(self):
        return self.nets[0]

    @property
    def history(self):
        return self.histories[0] if self.histories else None

    @property
    def window_length(self) -> int:
        """The longest input window of the members (``seq_length`` without an ensemble)."""
        return max(w.seq_length for _, w, _ in self.members)


FIELDS = tuple(f.name for f in fields(FittedState)) + ("net", "history", "window_length")
