"""Tuning on validation origins only: Optuna's TPE sampler, with pruning, over the settings that mattered.

The test part of every series (what ``rnncast train`` scores: ``test_size``, by default the last H steps
of each series of a panel) is cut off first and never read. Before it lie ``n_origins`` validation
origins, H steps apart, the most recent first:

    origin k (k = 1 … n):  fit on y[: E - k·H],  forecast y[E - k·H : E - (k-1)·H]     (E: the test cut)

A trial fits one model per origin (``crossval.cross_validation`` with one window) and scores it with
``metric``, each series' score averaged over the series; its value is the mean over the origins scored.
After each origin the running mean is reported to Optuna, and the median pruner stops a trial that is
worse than the median of earlier trials at the same origin (``n_startup_trials`` complete first).
Trial 0 is the settings as given (a preset, a config; it has no sampled values), so tuning can only keep
or improve them on the validation origins. The naive and seasonal-naive forecasts of the same origins
are scored beside them.

What is searched (``SPACE``; only what applies to the settings given):

    seq_length   factor · H, factor in 1 … 4 by 0.25 (at least the period with a seasonal anchor)
    hidden_size  16, 32, 64
    lr           log-uniform 5e-4 … 1e-2
    epochs       2 … 2·epochs (iterations 100 … 2·iterations when the settings count iterations)
    loss         mse, mae (+ mape, smape on a log scaler with the direct strategy)
    shrink       0.5, 0.75, 1 (a relative net, direct, without quantiles; "auto" stays "auto")
    normalize    last, season, auto (the anchor; when the period is known, direct strategy)
    swa          0, 0.5 (one network alone: the mean of its last half of epochs' weights)
    theta_share  0, 0.25, 0.5 (the Theta method's share of the point forecast; not with quantiles or a likelihood)
    ets_share    0, 0.25, 0.5 (exponential smoothing's share, likewise; with theta_share 0.5 it may leave the
                 network no share: the search may find that the statistical methods alone do best)

Reproducible: the sampler's seed and the forecaster's seed fix every trial (on the CPU); a time budget may
end the study after fewer trials.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rnncast import metrics
from rnncast.data.panel import Panel
from rnncast.data.seasons import infer_season, usual_period
from rnncast.errors import RnncastError

METRICS = ("smape", "mape", "mase", "mae", "rmse")
SPACE = ("seq_length", "hidden_size", "lr", "epochs", "loss", "shrink", "normalize", "swa", "theta_share", "ets_share")
BASELINES = ("naive", "seasonal_naive")


@dataclass
class TuneResult:
    """The study's outcome: the best settings (a full Forecaster parameter dict), every trial, the scores."""

    params: dict  # the best trial's Forecaster settings (all of them)
    changed: dict  # the settings the best trial changed: name -> {"from": given, "to": tuned}
    value: float  # its validation score
    given: float | None  # trial 0's: the settings as given
    baselines: dict[str, float]  # naive / seasonal naive on the same origins
    metric: str
    n_origins: int
    trials: pd.DataFrame  # number, state, value, seconds, one column per searched setting
    seed: int
    seconds: float
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """JSON-ready, for config.json's ``tuning`` section."""
        return {"metric": self.metric, "n_origins": self.n_origins, "seed": self.seed, "best_value": self.value,
                "given_value": self.given, "baselines": self.baselines, "changed": self.changed,
                "trials": int(len(self.trials)), "complete": int((self.trials["state"] == "COMPLETE").sum()),
                "pruned": int((self.trials["state"] == "PRUNED").sum()), "seconds": round(self.seconds, 1)}


def import_optuna():
    try:
        import optuna
    except ImportError:
        raise RnncastError("tuning needs Optuna, an optional extra: pip install 'rnncast[tune]'"
                           " (or pip install optuna)") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def validation_panels(panel: Panel, horizon: int, test_size: float | int, n_origins: int, seq_length: int,
                      pad: bool) -> list[Panel]:
    """Panel k (k = 1 … n_origins) ends at the test cut minus (k-1)·H; its last H steps are origin k's
    target. Series too short for an origin are left out of it (``cross_validation`` leaves out those too
    short to train on)."""
    from rnncast.data.holdout_split import check_test_size, train_end

    test_size = check_test_size(test_size, horizon)
    ends = {}
    for frame in panel.series:
        try:
            ends[frame.uid] = train_end(len(frame), seq_length, test_size, pad)
        except RnncastError:
            continue
    panels = []
    for k in range(n_origins):
        heads = [s.head(ends[s.uid] - k * horizon) for s in panel.series
                 if s.uid in ends and ends[s.uid] - k * horizon > horizon]
        if not heads:
            raise RnncastError(f"no series is long enough for {n_origins} validation origins of horizon {horizon}"
                               f" before its test part; try fewer origins (--origins {max(k, 1)})")
        panels.append(Panel(heads, panel.id_col, panel.freq, panel.gaps))
    return panels


def origin_scores(predictions: pd.DataFrame, columns: list[str], metric: str, season: int | None,
                  series: dict, horizon: int) -> dict[str, float]:
    """Each column's ``metric`` on one origin's forecasts (the last ``horizon`` steps of each of ``series``):
    per series, then the mean over series. MASE divides by the series' in-sample (seasonal) naive MAE."""
    codes, uniques = pd.factorize(predictions["unique_id"])
    scales = np.full(len(uniques), np.nan)
    if metric == "mase":
        for k, uid in enumerate(uniques):
            frame = series[uid]
            scales[k] = metrics.naive_scale(frame.y[frame.n_padded : len(frame) - horizon], season or 1) or np.nan
    out = {}
    for column in columns:
        if column not in predictions:
            continue
        values = metrics.grouped_metrics(codes, len(uniques), predictions["y"], predictions[column], scales)[metric]
        out[column] = float(np.nanmean(values)) if np.isfinite(values).any() else math.nan
    return out


def search_space(trial, given: dict, horizon: int, period: int | None) -> dict:
    """The settings trial ``trial`` tries (those of ``SPACE`` that apply to the ``given`` settings)."""
    from rnncast.data.scaling import LOG_SCALERS

    direct = given["strategy"] == "direct"
    out = {"hidden_size": trial.suggest_categorical("hidden_size", [16, 32, 64]),
           "lr": trial.suggest_float("lr", 5e-4, 1e-2, log=True)}
    if given["normalize"] != "none" and direct and period and period > 1:
        out["normalize"] = trial.suggest_categorical("normalize", ["last", "season", "auto"])
    seasonal = out.get("normalize", given["normalize"]) in ("season", "auto")
    factor = trial.suggest_float("seq_factor", 1.0, 4.0, step=0.25)
    out["seq_length"] = max(round(factor * horizon), period if seasonal and period else 2, 2)
    if given["epochs"] is not None:
        out["epochs"] = trial.suggest_int("epochs", 2, max(4, 2 * given["epochs"]))
    else:
        out["iterations"] = trial.suggest_int("iterations", 100, max(200, 2 * given["iterations"]), log=True)
    losses = ["mse", "mae"]
    if given["scaler"] in LOG_SCALERS and direct and not given["quantiles"]:
        losses += ["mape", "smape"]
    if given["quantiles"] is None:
        out["loss"] = trial.suggest_categorical("loss", losses)
    if given["normalize"] != "none" and direct and not given["quantiles"] and given["shrink"] != "auto":
        out["shrink"] = trial.suggest_categorical("shrink", [0.5, 0.75, 1.0])
    if given["ensemble"] == 1:
        out["swa"] = trial.suggest_categorical("swa", [0.0, 0.5])
    if given["quantiles"] is None and given["likelihood"] is None:
        out["theta_share"] = trial.suggest_categorical("theta_share", [0.0, 0.25, 0.5])
        out["ets_share"] = trial.suggest_categorical("ets_share", [0.0, 0.25, 0.5])
    return out


def tune(forecaster, panel: Panel, trials: int = 20, budget: float | None = None, n_origins: int = 3,
         metric: str = "smape", test_size: float | int | None = None, seed: int = 0, season: int | None = None,
         report=None) -> TuneResult:
    """Search settings for ``forecaster`` (its own settings are trial 0) on ``panel``'s validation origins.

    ``report(line)``, when given, receives one line per finished trial."""
    from rnncast.data.holdout_split import default_test_size
    from rnncast.forecaster.crossval import cross_validation

    optuna = import_optuna()
    _check(trials, n_origins, metric, budget)
    forecaster.specs()  # refuse bad settings before any work
    given = forecaster.get_params()
    H = forecaster.horizon
    test_size = default_test_size(panel, H, preset=True) if test_size is None else test_size
    panels = validation_panels(panel, H, test_size, n_origins, given["seq_length"], given["pad"])
    period = forecaster.season_length or usual_period(panel.freq)
    season = infer_season(panel.first, season)
    baselines: dict[str, list[float]] = {}

    def objective(trial):
        changes = {} if trial.number == 0 else search_space(trial, given, H, period)  # trial 0: as given
        model = forecaster.clone(**changes, progress=False)
        values = []
        for k, part in enumerate(panels):
            cv = cross_validation(model.clone(), part, n_windows=1, season=season)
            scores = origin_scores(cv.predictions, [model.model, *BASELINES], metric, season,
                                   {s.uid: s for s in cv.series}, H)
            if trial.number == 0:
                for name in BASELINES:
                    if name in scores:
                        baselines.setdefault(name, []).append(scores[name])
            values.append(scores[model.model])
            if not math.isfinite(values[-1]):
                raise optuna.TrialPruned()
            trial.report(float(np.mean(values)), k)
            if k < len(panels) - 1 and trial.should_prune():
                raise optuna.TrialPruned()
        trial.set_user_attr("changes", _jsonable(changes))
        return float(np.mean(values))

    def done(study, trial):
        if report is not None:
            value = "pruned" if trial.value is None else f"{metric} {trial.value:.4g}"
            best = study.best_value if any(t.value is not None for t in study.trials) else math.nan
            report(f"trial {trial.number + 1}/{trials}: {value} (best {best:.4g})")

    sampler = optuna.samplers.TPESampler(seed=seed)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=min(4, trials), n_warmup_steps=0)
    study = optuna.create_study(direction="minimize", sampler=sampler, pruner=pruner)
    start = time.perf_counter()
    study.optimize(objective, n_trials=1, callbacks=[done], catch=(RnncastError,))  # trial 0 runs whatever the budget
    left = None if budget is None else budget - (time.perf_counter() - start)
    if trials > 1 and (left is None or left > 0):
        study.optimize(objective, n_trials=trials - 1, timeout=left, callbacks=[done], catch=(RnncastError,))
    seconds = time.perf_counter() - start
    return _result(study, given, baselines, metric, len(panels), seed, seconds)


def _check(trials, n_origins, metric, budget) -> None:
    if metric not in METRICS:
        raise RnncastError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    for name, value in (("trials", trials), ("origins", n_origins)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RnncastError(f"{name} must be a positive whole number, got {value!r}")
    if budget is not None and not budget > 0:
        raise RnncastError(f"budget must be a positive number of seconds, got {budget!r}")


def _result(study, given: dict, baselines: dict, metric: str, n_origins: int, seed: int, seconds: float
            ) -> TuneResult:
    """The finished study as a ``TuneResult`` (one row per trial; the best trial's settings in full)."""
    if not any(t.value is not None for t in study.trials):
        raise RnncastError("no trial completed: every setting failed or was pruned; see the trials' errors above")
    best = study.best_trial
    changed = {k: {"from": _jsonable({"v": given.get(k)})["v"], "to": v}
               for k, v in best.user_attrs["changes"].items() if given.get(k) != v}
    first = study.trials[0]
    rows = [{"number": t.number, "state": t.state.name, "value": t.value,
             "seconds": None if t.datetime_complete is None else
             (t.datetime_complete - t.datetime_start).total_seconds(), **t.params} for t in study.trials]
    return TuneResult({**given, **best.user_attrs["changes"]}, changed, float(best.value),
                      None if first.value is None else float(first.value),
                      {k: float(np.mean(v)) for k, v in baselines.items()}, metric, n_origins,
                      pd.DataFrame(rows), seed, seconds)


def _jsonable(changes: dict) -> dict:
    return {k: (v.item() if isinstance(v, np.generic) else list(v) if isinstance(v, tuple) else v)
            for k, v in changes.items()}
