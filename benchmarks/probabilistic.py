"""Probabilistic forecasts on M1 and Tourism: likelihood models against quantile outputs, conformal intervals
and a bootstrap baseline (issue 19).

    python benchmarks/probabilistic.py [--datasets m1,tourism] [--freqs yearly,quarterly,monthly] [--series N]
                                       [--validate ORIGIN] [--set KEY=VALUE ...] [--seed S]

For every data set and frequency (``competitions.load_block``), one network each (ensemble 1), with the
preset's input length, hidden size, learning rate, epochs and batch size:

- ``gaussian`` / ``studentt`` / ``lognormal`` / ``logstudentt`` (``--likelihoods``): ``likelihood=...``, 200
  sample paths (the log ones only where every training value is positive);
- ``quantile``: the preset's network with ``quantiles=(0.025, 0.1, 0.9, 0.975)`` (pinball loss);
- ``conformal``: the preset's network with ``conformal=(80, 95)``;
- ``bootstrap``: seasonal naive (naive for yearly) with bootstrapped residuals, 200 draws.

Choice: the likelihood (of ``--likelihoods``) is chosen per frequency on the validation split (the last H
values of each training part; ``--validate``-style, the test parts unread); then every method is scored once
on the test parts. ``--validate k`` scores on the k-th validation origin instead (the test parts unread), to
choose settings of the likelihood models (``--set``, e.g. ``--set val_size=horizon --set patience=5``).
The protocol BENCHMARKS.md adopted (2026-12-03): choose with one network (this script as it is), then score
three networks' pooled paths of the chosen likelihood: ``--set ensemble=3 --choices <the first run's output>``.
Scores, weighted as GluonTS weights them (Σ over all targets / Σ |y|, so that large
series do not drown the others): CRPS (sample paths: the likelihood models and the bootstrap), the quantile
score (2 × mean pinball at 0.025, 0.1, 0.5, 0.9, 0.975: comparable across all five); the coverage of the 80%
and 95% intervals; sMAPE (M1) or MAPE (Tourism) of the median.
"""

import argparse
import json
import time

import numpy as np
import torch
from _machine import describe
from competitions import FREQS, LABELS, as_matrix, load_block

import rnncast
from rnncast import metrics
from rnncast.baselines import bootstrap_paths
from rnncast.forecaster.rollout import levels_of
from rnncast.forecaster.sampling import QUANTILES, quantiles_of
from rnncast.specs import LIKELIHOODS, LOG_LIKELIHOODS

LEVELS = QUANTILES  # (0.025, 0.1, 0.5, 0.9, 0.975)
S = 200


def preset(block, **changes):
    """The preset's one network without the statistical blends (quantile outputs refuse them; the runs in
    BENCHMARKS.md predate them), ``changes`` applied."""
    changes = {"theta_share": 0.0, "ets_share": 0.0, **changes}
    f = rnncast.Forecaster.from_preset(block.freq, block.H, ensemble=1, **changes)
    if f.normalize in ("season", "auto"):
        f.season_length = block.m
    if block.m > 1 and f.deseasonalize:
        f.deseasonalize = block.m
    return f


CHANGES: dict = {}  # --set: settings of the likelihood models
SEED = 0


def likelihood_model(block, kind: str):
    p = preset(block)
    settings = {"horizon": block.H, "seq_length": p.seq_length, "hidden_size": p.hidden_size, "lr": p.lr,
                "epochs": p.epochs, "batch_size": p.batch_size, "pad": True, "val_size": 0.0, "num_samples": S,
                "deseasonalize": p.deseasonalize, "seed": SEED}
    settings.update(CHANGES)
    if settings.get("val_size") == "horizon":
        settings.setdefault("val_metric", "loss")
    return rnncast.Forecaster(likelihood=kind, **settings)


def quantiles_of_method(block, name: str) -> tuple[dict, np.ndarray | None]:
    """``{q: (n, H)}`` at LEVELS and the paths ``(S, n, H)`` (None without) of one method on the block."""
    frame = block.long_frame()
    if name == "bootstrap":
        m = block.m if block.m > 1 else None
        drawn = np.concatenate([bootstrap_paths(y, np.array([len(y)]), block.H, m, S, np.random.default_rng(k),
                                                end=len(y)) for k, y in enumerate(block.train)], axis=1)
        return dict(zip(LEVELS, np.quantile(drawn, LEVELS, axis=0), strict=True)), drawn
    if name in LIKELIHOODS:
        f = likelihood_model(block, name).fit(frame)
        paths = f.predict(paths=True)
        drawn = np.stack([as_matrix(paths[paths["sample"] == s], f.model, block)[0]  # every member's paths
                          for s in range(int(paths["sample"].max()) + 1)])
        # the paths' quantiles at LEVELS (= QUANTILES), or at the levels recalibration measured (--set recalibrate=true)
        return dict(zip(LEVELS, np.moveaxis(quantiles_of(drawn, levels_of(f)), -1, 0), strict=True)), drawn
    if name == "quantile":
        f = preset(block, quantiles=(0.025, 0.1, 0.9, 0.975), loss="mse", shrink=1.0, val_metric="loss",
                   val_size=0.0, refit_best=False, patience=None).fit(frame)
        out = f.predict()
        return {q: as_matrix(out, f"{f.model}-q-{q:g}" if q != 0.5 else f.model, block)[0] for q in LEVELS}, None
    f = preset(block, conformal=(80, 95)).fit(frame)
    out = f.predict()
    cols = {0.025: "-lo-95", 0.1: "-lo-80", 0.5: "", 0.9: "-hi-80", 0.975: "-hi-95"}
    return {q: as_matrix(out, f"{f.model}{c}", block)[0] for q, c in cols.items()}, None


def scores(block, quantiles: dict, drawn) -> dict:
    """Weighted (GluonTS's way, so large series do not drown the others): Σ score / Σ |y| over all targets."""
    y = block.test
    weight = float(np.abs(y).sum())
    pinball = np.mean([np.maximum(q * (y - quantiles[q]), (q - 1) * (y - quantiles[q])) for q in LEVELS], axis=0)
    out = {"quantile_score": 2 * float(pinball.sum()) / weight,
           "coverage_80": float(np.mean((y >= quantiles[0.1]) & (y <= quantiles[0.9]))),
           "coverage_95": float(np.mean((y >= quantiles[0.025]) & (y <= quantiles[0.975])))}
    if drawn is not None:
        out["crps"] = float(metrics.crps_samples(drawn, y).sum()) / weight
    out["mape" if block.dataset == "tourism" else "smape"] = float(np.mean(
        [metrics.mape(a, b) or np.nan for a, b in zip(y, quantiles[0.5], strict=True)]) if block.dataset == "tourism"
        else np.mean([metrics.smape(a, b) for a, b in zip(y, quantiles[0.5], strict=True)]))
    return out


def earlier_choices(paths) -> dict:
    """``{"M1 yearly": "lognormal", ...}`` from an earlier run's ``== M1 yearly: validation CRPS ... -> lognormal``."""
    choices = {}
    for path in paths:
        for line in open(path):
            if line.startswith("== "):
                block, _, rest = line[3:].partition(":")
                choices[block] = rest.rsplit("-> ", 1)[1].strip()
    return choices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="m1,tourism")
    parser.add_argument("--freqs", default=",".join(FREQS))
    parser.add_argument("--series", type=int, default=None)
    parser.add_argument("--validate", type=int, default=0, metavar="ORIGIN",
                        help="score on this validation origin (1: the last H of each training part), not the test")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a likelihood model's setting (JSON value, else text), e.g. --set epochs=10")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--likelihoods", default="gaussian,studentt,lognormal,logstudentt",
                        help="the candidates, one chosen per frequency on validation (its CRPS there); the four"
                             " since the rule of BENCHMARKS.md adopted the log Student-t (2026-12-03)")
    parser.add_argument("--choices", action="append", default=[], metavar="FILE",
                        help="take each block's likelihood from the '-> chosen' lines of an earlier run's output"
                             " (the same origin and candidates) instead of fitting the candidates again")
    parser.add_argument("--methods", default="likelihood,quantile,conformal,bootstrap",
                        help="which to score after the likelihood choice")
    args = parser.parse_args()
    global SEED
    SEED = args.seed
    for item in args.set:
        key, _, value = item.partition("=")
        try:
            CHANGES[key] = json.loads(value)
        except json.JSONDecodeError:
            CHANGES[key] = value
    torch.set_num_threads(1)
    print(describe())
    print(f"scored on {'validation origin ' + str(args.validate) if args.validate else 'the test parts'};"
          f" likelihood settings {CHANGES or 'as the preset'}; seed {SEED}")
    start = time.perf_counter()
    earlier = earlier_choices(args.choices)
    for dataset in args.datasets.split(","):
        for freq in args.freqs.split(","):
            valid = load_block(dataset, freq, args.series, args.validate + 1)
            test = load_block(dataset, freq, args.series, args.validate)
            positive = all(np.all(y > 0) for y in valid.train) and all(np.all(y > 0) for y in test.train)
            block = f"{LABELS[dataset]} {freq}"
            candidates = [k for k in args.likelihoods.split(",") if k not in LOG_LIKELIHOODS or positive]  # of > 0
            crps = {}
            if block in earlier:  # --choices: the earlier run's choice; no candidate fitted again
                candidates, crps[earlier[block]] = [], float("nan")
            for k in candidates:
                try:
                    crps[k] = scores(valid, *quantiles_of_method(valid, k))["crps"]
                except rnncast.RnncastError as exc:  # e.g. training diverged: not a candidate this time
                    print(f"   {k} left out on {block}: {exc}", flush=True)
                    crps[k] = float("inf")
            chosen = min(crps, key=crps.get)
            seen = "of the earlier run (--choices)" if block in earlier else ", ".join(f"{k} {v:.4g}" for k, v in
                                                                                     crps.items())
            print(f"\n== {block}: validation CRPS {seen} -> {chosen}", flush=True)
            for name in [chosen if m == "likelihood" else m for m in args.methods.split(",")]:
                t0 = time.perf_counter()
                row = scores(test, *quantiles_of_method(test, name))
                text = ", ".join(f"{k} {100 * v:.1f}%" if "coverage" in k else f"{k} {v:.4g}" for k, v in row.items())
                print(f"   {name:<10} {text} ({time.perf_counter() - t0:.0f} s)", flush=True)
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
