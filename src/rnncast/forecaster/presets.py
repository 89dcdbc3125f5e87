"""Presets: the settings that pay on a frequency's data, in one flag (``--preset monthly``).

Every preset trains one global network over all series with what the forecasting-competition
benchmarks showed to be worth having (``benchmarks/competitions.py``, numbers in BENCHMARKS.md):

- windows read relative to their last value in log space, zero-initialised output (``normalize="last"``,
  ``scaler="log_unscaled"``: plain log ratios, a growth rate the same number in every series, where the
  standardised ``log`` scaler divides them by each series' spread of levels): the untrained network is
  the naive forecast, and it learns corrections to it; on quarterly and monthly data each output sits
  on its seasonal-naive value instead (``normalize="season"``): the untrained network is the seasonal
  naive forecast;
- the seasonal index removed first where the seasonal autocorrelation is significant (``deseasonalize``;
  quarterly);
- for yearly (and other) data, the last H values of every series held out, early stopping on sMAPE
  there (the untrained, naive net competes too), then a refit on all windows for the chosen epochs;
- on yearly and quarterly data, forecasts that keep only the share of the learned correction to the
  (seasonal) naive forecast that scored best on those held-out values (``shrink="auto"``: 25, 50, 75 or
  100%, one share for the ensemble's median; quarterly series hold out their last H values for this
  alone: the run keeps its last epoch and the refit trains as many);
- networks train on the metric itself (``loss="smape"``: the percentage errors of the forecasts in the
  data's units; pass ``loss="mape", val_metric="mape"`` where MAPE is what counts), every other
  ensemble member on MSE (the ``other`` preset: MSE throughout);
- an ensemble of networks that differ in cell, loss, input length and seed, combined by the median, each
  member trained for fewer epochs than one network alone (``member_epochs``; ``ensemble=1`` trains the
  preset's full epochs);
- short series left-padded (with a mask input) rather than dropped;
- on monthly data, one network alone (``ensemble=1``) ends on the mean of its last half of epochs' weights
  (``swa=0.5``): an ensemble of epochs for the one network that has no ensemble of members;
- the point forecast blended with statistical methods' whose errors differ from the network's: the Theta
  method (``theta_share``, ``rnncast.theta``) and exponential smoothing with a learned seasonal state and a
  damped trend where they pay (``ets_share``, ``rnncast.ets``): half Theta on yearly data, half ETS on
  quarterly and monthly data.

What differs per frequency is the input length (a multiple of the horizon, at least one season), the
season, the anchor, early stopping, the training budget and, on monthly data, the hidden size (64).
``preset_params(name, horizon)`` returns Forecaster keyword arguments; any of them can be overridden
(``Forecaster.from_preset("monthly", 18, ensemble=1)``).
"""

from __future__ import annotations

from rnncast.errors import RnncastError

COMMON = {
    "model": "lstm", "strategy": "direct", "hidden_size": 32, "normalize": "last", "scaler": "log_unscaled",
    "pad": True, "loss": "smape", "ensemble": 5, "lr": 3e-3,
}
# What differs per frequency (chosen on the competitions' validation split, BENCHMARKS.md):
# seq_factor: input length / horizon; season: the period m (1: none); history: train on each
# series' last history·H windows only (long monthly series: the recent years, and a bounded cost);
# early_stop: hold out the last H values of each series, stop on the validation metric (patience rounds;
# a round must beat the best by min_delta), refit. Yearly series are short and their growth changes: early
# stopping keeps a net that extrapolates past growth in check (on Tourism it returns the naive net). On
# quarterly and monthly series the last H values were a poor guide (Tourism: stopping early cost 2-4 MAPE
# points), so those train a fixed number of epochs. anchor: "season" puts each output on its seasonal-naive
# value (period m); deseasonalize: remove the seasonal index first (where Naive2's test finds one).
# The loss is the metric (COMMON): M1 yearly validation 18.91 -> 17.32, Tourism quarterly (MAPE) 20.10 ->
# 19.72, monthly 26.64 -> 26.39; it cost M1 quarterly 0.3 sMAPE points (14.40 -> 14.72).
# shrink "auto" (yearly, quarterly), on two validation origins (the last H of each training part, and the
# H before; MAPE on Tourism, sMAPE on M1): Tourism yearly 20.87/27.41 -> 20.47/24.83, quarterly
# 19.72/25.90 -> 20.16/24.35; M1 yearly unchanged (17.32/22.96), quarterly 14.72/13.50 -> 14.17/14.18.
# Monthly: not measured with it (a second training run would take its slowest member past 60 s).
# scaler "log_unscaled" over "log" (fifth session; same two origins, the presets otherwise as above): Tourism
# yearly 20.47/24.83 -> 20.12/21.27 (seed 10: 20.06/21.35; naive 20.87/22.91), quarterly 20.16/24.35 ->
# 20.11/24.53, monthly 26.39/29.32 -> 26.28/29.44; M1 yearly 17.32/22.96 -> 15.36/24.68 (seeds 10, 20:
# 17.43/23.24 -> 14.34/24.51, 17.32/23.36 -> 15.27/24.70), quarterly 14.17/14.18 -> 14.18/11.51, monthly
# 17.60/17.14 -> 17.60/16.80.
# member_epochs (issue 18; three validation origins × seeds 0, 1, 2, M1 sMAPE / Tourism MAPE, the mean over
# origins; BENCHMARKS.md "Cheaper members"): every member on the full epochs / on 8 (quarterly) and 6 (monthly)
# / on 12 and 10 / one network: quarterly 12.43 / 12.62 / 12.38 / 12.92 and 21.36 / 20.83 / 21.02 / 21.06;
# monthly 16.09 / 16.45 / 16.33 / 16.55 and 26.35 / 26.65 / 26.45 / 27.21; yearly (a cap on early stopping,
# full vs 10) 23.57 / 23.61 and 22.39 / 22.36. Chosen: 12, 10 and 10, the best mean over both collections
# but monthly's (0.17 behind every member on full epochs, at about a third of the time).
# hidden_size 64 on monthly data (issue 18; three validation origins × seeds 0, 1, 2, the 5-member preset, M1 sMAPE /
# Tourism MAPE per origin): hidden 32 -> 64: M1 17.84/17.10/14.05 -> 17.57/17.14/14.06 (mean 16.33 -> 16.26),
# Tourism 26.33/29.55/23.46 -> 26.15/29.08/23.06 (mean 26.45 -> 26.10), at about 2.5-3x the time of the monthly
# fits (BENCHMARKS.md "A screen of the monthly preset").
# single_swa: one network alone (ensemble=1) averages the weights of its last half of epochs (issue 18; three
# validation origins × seeds 0, 1, 2, one network, without / with swa=0.5, mean over origins): monthly M1 16.34 ->
# 16.40, Tourism 27.25 -> 26.75 (seed spread 0.4-2.1 -> 0.1-0.5); quarterly 12.92 -> 12.84 and 21.06 -> 21.25;
# yearly 23.79 -> 23.89 and 22.51 -> 22.55. Adopted where the mean of the two collections improves: monthly. The
# 5-member ensemble with swa on origin 1 was worse (M1 yearly 15.01 -> 15.09, quarterly 14.26 -> 14.40): members keep
# their last epoch's weights (BENCHMARKS.md "Weight averaging").
# theta_share: the point forecast is (1 - w)·network + w·Theta (issue 18; three validation origins × seeds 0, 1, 2,
# the 5-member preset, w = 0 / 0.25 / 0.5, mean over origins, M1 sMAPE and Tourism MAPE): yearly 23.61 / 22.79 / 22.29
# and 22.36 / 21.86 / 21.58; quarterly 12.37 / 12.24 / 12.42 and 21.03 / 20.61 / 20.46; monthly 16.28 / 16.07 / 16.64
# and 26.12 / 25.68 / 25.96. Chosen per frequency by the mean of the two collections: 0.5, 0.25, 0.25 (BENCHMARKS.md
# "Blending Theta into the presets"; the rule was fixed before origins 2 and 3 were scored).
# ets_share beside theta_share (issue 18; the same saved validation forecasts: three origins × seeds 0, 1, 2, the
# 5-member preset, (w_θ, w_e) ∈ {0, 0.25, 0.5}² with w_θ + w_e ≤ 0.75, mean over origins, M1 sMAPE and Tourism
# MAPE): monthly (0.25, 0) 16.07 / 25.68 -> (0, 0.5) 15.73 / 25.39; quarterly (0.25, 0) 12.24 / 20.61 -> (0.25, 0.25)
# 12.39 / 20.25; yearly (0.5, 0) 22.29 / 21.58 stays (with ETS: 22.65 / 21.51). Chosen per frequency by the mean of
# the two collections (BENCHMARKS.md "Exponential smoothing beside Theta").
# Then ETS chose its season per series by Akaike's criterion (an additive one where a value is ≤ 0) on a finer γ grid
# (the same saved forecasts and rule): monthly (0, 0.5) 15.34 / 24.79, quarterly (0.25, 0.25) 12.28 / 20.14 ->
# (0, 0.5) 12.33 / 20.03; yearly unchanged (ETS without a season is the same method there).
PRESETS = {
    "yearly": {"seq_factor": 1.0, "season": 1, "epochs": 40, "batch_size": 128, "early_stop": True, "patience": 8,
               "min_delta": 0.01, "shrink": "auto", "member_epochs": 10, "theta_share": 0.5, "ets_share": 0.0},
    "quarterly": {"seq_factor": 3.0, "season": 4, "epochs": 30, "batch_size": 128, "early_stop": False,
                  "anchor": "season", "deseasonalize": True, "shrink": "auto", "member_epochs": 12,
                  "theta_share": 0.0, "ets_share": 0.5},
    "monthly": {"seq_factor": 1.5, "season": 12, "epochs": 20, "batch_size": 256, "early_stop": False, "history": 5,
                "anchor": "season", "deseasonalize": False, "member_epochs": 10, "hidden_size": 64, "single_swa": 0.5,
                "theta_share": 0.0, "ets_share": 0.5},
    "other": {"seq_factor": 2.0, "season": 1, "epochs": 20, "batch_size": 256, "early_stop": True, "patience": 5,
              "min_delta": 0.01, "loss": "mse", "scaler": "log"},  # not measured on competition data: as Forecaster's
    # defaults (MSE, the standardised log scaler)
}


def preset_params(name: str, horizon: int, own_epochs: bool = False, ensemble: int | None = None,
                  probabilistic: bool = False) -> dict:
    """Forecaster keyword arguments of preset ``name`` for forecasting ``horizon`` steps; ``own_epochs``: the
    caller sets the epochs itself, and the ensemble's members train as many (no ``member_epochs``);
    ``ensemble``: the caller's member count (None: the preset's), as one network alone averages its weights
    where the preset says so (``single_swa``); ``probabilistic``: the caller asks for quantiles or a
    likelihood, which train on their own loss (pinball, NLL) and whose spread is the network's own: the
    metric losses, the shrunk correction and the point-forecast blends are left out (MSE on the held-out
    values, as ``benchmarks/probabilistic.py`` runs them)."""
    if name not in PRESETS:
        raise RnncastError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise RnncastError(f"horizon must be a positive whole number, got {horizon!r}")
    p = PRESETS[name]
    season = p["season"]
    params = {**COMMON, "hidden_size": p.get("hidden_size", COMMON["hidden_size"]), "horizon": horizon,
              "seq_length": max(round(p["seq_factor"] * horizon), season, 2),
              "deseasonalize": season if season > 1 and p.get("deseasonalize") else False, "epochs": p["epochs"],
              "batch_size": p["batch_size"], "history": round(p["history"] * horizon) if p.get("history") else None,
              "loss": p.get("loss", COMMON["loss"]), "scaler": p.get("scaler", COMMON["scaler"])}
    if p.get("anchor") == "season":
        params.update(normalize="season", season_length=season)
    if p["early_stop"]:
        params.update(val_size="horizon", val_metric="smape", patience=p["patience"], min_delta=p["min_delta"],
                      refit_best=True)
    elif p.get("shrink") == "auto":  # the held-out values judge the share only: the last epoch, then the refit
        params.update(val_size="horizon", val_metric="smape", patience=None, restore_best=False, refit_best=True)
    else:
        params.update(val_size=0.0, patience=None, refit_best=False)
    if p.get("shrink"):
        params["shrink"] = p["shrink"]
    params["member_epochs"] = None if own_epochs else p.get("member_epochs")
    params["swa"] = p.get("single_swa", 0.0) if (ensemble or COMMON["ensemble"]) == 1 else 0.0
    params["theta_share"] = p.get("theta_share", 0.0)
    params["ets_share"] = p.get("ets_share", 0.0)
    if probabilistic:
        params.update(loss="mse", shrink=1.0, theta_share=0.0, ets_share=0.0)
        if "val_metric" in params:
            params["val_metric"] = "loss"
    return params
