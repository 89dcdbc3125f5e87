"""Conformal prediction intervals from backtest residuals (split conformal, per horizon step).

Calibration: before the final fit, a copy of the forecaster is fitted on each series' training rows
minus the last ``n_windows + H - 1`` and forecasts the ``n_windows`` origins after that (step 1).
Each residual is scaled by its series' in-sample naive MAE s_i (so series of different size pool
fairly), and for every horizon step h and level ℓ (e.g. 80) we keep

    q_h = the ⌈(n + 1)·ℓ/100⌉-th smallest of the n scaled residuals |y - ŷ| / s_i   (n ≥ 1)

A forecast ŷ at step h of series i then gets the interval  ŷ ± q_h · s_i  (columns
``<model>-lo-<ℓ>`` and ``<model>-hi-<ℓ>``, statsforecast's names). With exchangeable residuals the
interval covers the truth with probability at least ℓ%; the report measures the actual coverage.
When n is too small for the level (⌈(n + 1)·ℓ/100⌉ > n) the largest residual is used, and the
guarantee no longer holds: calibrate with more windows or read the measured coverage.
"""

from __future__ import annotations

import numpy as np

from rnncast import metrics
from rnncast.data.panel import Panel
from rnncast.errors import RnncastError

CALIBRATION_WINDOWS = 20


def check_levels(levels) -> tuple[float, ...]:
    try:
        levels = tuple(sorted({float(level) for level in levels}))
    except (TypeError, ValueError):
        raise RnncastError(f"conformal levels must be numbers like 80,95, got {levels!r}") from None
    if not levels or not all(0 < level < 100 for level in levels):
        raise RnncastError(f"conformal levels are percentages strictly between 0 and 100, got {list(levels)}")
    return levels


def calibrate(forecaster, panel: Panel, levels, n_windows: int = CALIBRATION_WINDOWS) -> dict:
    """Scaled residual quantiles ``{"levels", "q": {level: [q_1 … q_H]}}`` from a backtest on ``panel``."""
    levels = check_levels(levels)
    H, L = forecaster.horizon, forecaster.seq_length
    need = L + (H if forecaster.strategy == "direct" else 1) + 1
    heads, origins, scales = [], {}, {}
    for frame in panel.series:
        first = len(frame) - H - n_windows + 1
        if first < need:
            continue
        heads.append(frame.head(first))
        origins[frame.uid] = np.arange(first, first + n_windows)
        scales[frame.uid] = metrics.naive_scale(frame.y[:first]) or 1.0
    if not heads:
        raise RnncastError(f"conformal intervals need {n_windows} calibration windows of horizon {H} after at least"
                           f" {need} training rows; every series is too short (use a smaller --horizon or none)")
    model = forecaster.clone(conformal=None, progress=False)
    model.fit_panel(Panel(heads, panel.id_col, panel.freq, panel.gaps))
    # a log-scaled column positive in a series' calibration head but not after it cannot be read there: that
    # series' windows are left out (not the whole calibration)
    frames = [frame for frame in panel.series if frame.uid in origins and frame.uid in model.scalings_
              and not _leaves_log_space(frame, model.scalings_[frame.uid].past.log, int(origins[frame.uid][0]))]
    if not frames:
        raise RnncastError("conformal calibration: every series has a value <= 0 after its calibration start in a"
                           " column the log scaler reads in log space; use another --scaler")
    network = model.forecast_panel(frames, origins)  # every series' windows in batched network calls
    scaled = []  # per series: |y - ŷ| / the series' naive scale, (n_windows, H)
    for frame in frames:
        o = origins[frame.uid]
        point = model.forecast_columns(network[frame.uid])[forecaster.model]  # (n_windows, H)
        actual = frame.y[o[:, None] + np.arange(H)[None, :]]
        scaled.append(np.abs(actual - point) / scales[frame.uid])
    scaled = np.concatenate(scaled)  # (n_residuals, H)
    q = {}
    for level in levels:
        per_h = []
        for h in range(H):
            r = np.sort(scaled[:, h])
            k = min(int(np.ceil((len(r) + 1) * level / 100.0)), len(r))
            per_h.append(float(r[k - 1]))
        q[f"{level:g}"] = per_h
    return {"levels": [float(level) for level in levels], "q": q, "n_residuals": int(len(scaled))}


def _leaves_log_space(frame, log, start: int) -> bool:
    """Whether a column in log space (``log``: per column, None for other scalers) has a value <= 0 from row
    ``start`` on."""
    return log is not None and bool(np.any(frame.values[start:, log] <= 0))


def interval_columns(model: str, point: np.ndarray, h: np.ndarray, scale, calibration: dict) -> dict:
    """``<model>-lo-<ℓ>`` / ``<model>-hi-<ℓ>`` arrays for forecasts ``point`` at horizon steps ``h`` (1-based);
    ``scale``: the series' naive scale, a number or one per row of ``point`` (``(n, 1)``)."""
    cols = {}
    for level, per_h in calibration["q"].items():
        width = np.asarray(per_h)[np.asarray(h) - 1] * scale
        cols[f"{model}-lo-{level}"] = point - width
        cols[f"{model}-hi-{level}"] = point + width
    return cols
