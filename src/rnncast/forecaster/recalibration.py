"""Recalibrated quantiles of a likelihood model's sample paths (``recalibrate=True``; Kuleshov et al. 2018).

A network trained on one stretch of history can be too sure (or too unsure) of the next: its paths' 80%
interval then covers, say, 70% of what happens. Recalibration measures that on values the network did not
train on and reads the paths at other levels to compensate, per horizon step h:

    held out    a copy of the forecaster is fitted on each series' rows minus its last H, and samples
                paths for those H values (the origin len − H; short series left-padded as training pads)
    PIT         u = (#{paths < y} + ½·#{paths = y}) / S      the level at which the paths put y (ties: counts)
    map         τ'_h = the τ-quantile of the u at step h      for τ in QUANTILES, the median's too

If the paths are calibrated, u is uniform and τ' = τ. If they are too narrow, the u pile up near 0 and 1,
and τ'(0.1) < 0.1 < 0.9 < τ'(0.9): the interval widens. The forecast then reports, at step h, the paths'
τ'_h-quantile as the τ column (``sampling.quantiles_of(paths, levels)``). The median is read the same way,
so the point forecast (the τ = 0.5 column) moves with a network that was biased on the held-out values, and
the columns stay in order (τ' rises with τ). The levels are saved with the run (config.json, ``recalibrated``).
"""

from __future__ import annotations

import numpy as np

from rnncast.data.panel import Panel
from rnncast.errors import RnncastError
from rnncast.forecaster.crossval import padded_forecasts
from rnncast.forecaster.sampling import QUANTILES

MIN_VALUES = 20  # held-out values per horizon step below which the levels are not estimated


def pit_values(paths: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Mid-rank PIT ``(n, H)`` of the values ``actual`` ``(n, H)`` under the paths ``(S, n, H)``."""
    below = (paths < actual[None]).sum(axis=0)
    ties = (paths == actual[None]).sum(axis=0)
    return (below + 0.5 * ties) / paths.shape[0]


def adjusted_levels(pit: np.ndarray, levels=QUANTILES) -> list[list[float]]:
    """``[h][q]``: the level τ'_h at which the paths stand for level ``levels[q]`` at step h."""
    out = []
    for h in range(pit.shape[1]):
        u = pit[:, h][np.isfinite(pit[:, h])]
        out.append([float(np.quantile(u, tau)) for tau in levels])
    return out


def recalibrate(forecaster, panel: Panel) -> dict:
    """``{"levels": QUANTILES, "adjusted": [h][q], "n_values": n}`` from the last H values of each series
    (module docstring); the forecaster itself is not changed."""
    H = forecaster.horizon
    heads = [frame.head(len(frame) - H) for frame in panel.series if len(frame) - H >= 2]
    model = forecaster.clone(recalibrate=False, progress=False)
    try:
        model.fit_panel(Panel(heads, panel.id_col, panel.freq, panel.gaps))
    except RnncastError as exc:
        raise RnncastError(f"recalibration holds out each series' last {H} values and fits on the rest:"
                           f" {exc}") from None
    frames = [frame for frame in panel.series if frame.uid in model.scalings_ and len(frame) - H >= 2
              and (model.pad or len(frame) - H >= model.window_length_)]
    origins = {frame.uid: np.array([len(frame) - H]) for frame in frames}
    drawn = padded_forecasts(model, frames, origins, paths=True) if frames else {}
    if len(drawn) < MIN_VALUES:
        raise RnncastError(f"recalibration needs at least {MIN_VALUES} series with {H} values after a training"
                           f" part; {len(drawn)} have them (use fewer steps or no --recalibrate)")
    pit = np.concatenate([pit_values(drawn[f.uid], f.y[None, len(f) - H :]) for f in frames])
    return {"levels": list(QUANTILES), "adjusted": adjusted_levels(pit), "n_values": int(len(pit))}
