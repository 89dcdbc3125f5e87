"""Presets: the settings that pay on a frequency's data, in one flag (``--preset monthly``).

Every preset trains one global network over all series with what the forecasting-competition
benchmarks showed to be worth having (``benchmarks/competitions.py``, numbers in BENCHMARKS.md):

- windows read relative to their last value in log space, zero-initialised output (``normalize="last"``,
  ``scaler="log"``): the untrained network is the naive forecast, and it learns corrections to it;
- the seasonal index removed first where the seasonal autocorrelation is significant (``deseasonalize``);
- the last H values of every series held out, early stopping on sMAPE there (the untrained, naive net
  competes too), then a refit on all windows for the chosen number of epochs;
- an ensemble of networks that differ in cell, loss, input length and seed, combined by the median;
- short series left-padded (with a mask input) rather than dropped.

What differs per frequency is the input length (a multiple of the horizon, at least one season), the
season and the training budget. ``preset_params(name, horizon)`` returns Forecaster keyword arguments;
any of them can be overridden (``Forecaster.from_preset("monthly", 18, ensemble=1)``).
"""

from __future__ import annotations

from rnncast.errors import RnncastError

COMMON = {
    "model": "lstm", "strategy": "direct", "hidden_size": 32, "normalize": "last", "scaler": "log", "pad": True,
    "val_size": "horizon", "val_metric": "smape", "refit_best": True, "loss": "mse", "min_delta": 0.0,
}
# seq_factor: input length / horizon; season: the period deseasonalised (1: none); history: train on each
# series' last history·H windows only (long monthly series: the recent years, and a bounded cost).
PRESETS = {
    "yearly": {"seq_factor": 3.0, "season": 1, "epochs": 40, "patience": 8, "batch_size": 128, "lr": 3e-3,
               "ensemble": 5},
    "quarterly": {"seq_factor": 3.0, "season": 4, "epochs": 30, "patience": 6, "batch_size": 128, "lr": 3e-3,
                  "ensemble": 5},
    "monthly": {"seq_factor": 1.5, "season": 12, "epochs": 20, "patience": 5, "batch_size": 256, "lr": 3e-3,
                "ensemble": 5, "history": 5},
    "other": {"seq_factor": 2.0, "season": 1, "epochs": 20, "patience": 5, "batch_size": 256, "lr": 3e-3,
              "ensemble": 3},
}


def preset_params(name: str, horizon: int) -> dict:
    """Forecaster keyword arguments of preset ``name`` for forecasting ``horizon`` steps."""
    if name not in PRESETS:
        raise RnncastError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise RnncastError(f"horizon must be a positive whole number, got {horizon!r}")
    p = PRESETS[name]
    season = p["season"]
    params = {**COMMON, "horizon": horizon, "seq_length": max(round(p["seq_factor"] * horizon), season, 2),
              "deseasonalize": season if season > 1 else False}
    params.update({k: p[k] for k in ("epochs", "patience", "batch_size", "lr", "ensemble")})
    if p.get("history"):
        params["history"] = round(p["history"] * horizon)
    return params
