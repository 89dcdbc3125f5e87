"""Counts: does the negative-binomial likelihood beat the Gaussian one, and recover the generating law?

    python benchmarks/count_panel.py [--series 300] [--length 104] [--horizon 8] [--seeds 0,1,2] [--epochs 10]
                                     [--seq-length 26]

A generated weekly panel: series k draws iid NB(mean m_k, dispersion α_k) values, m_k log-uniform in
[0.2, 40] (a fifth of them intermittent, m_k < 1: mostly zeros) and α_k uniform in [0.1, 1]; variance
m + α m². The last H values of every series are the test part (never trained on). For each likelihood
(negbin, gaussian) and seed, ``rnncast``'s holdout evaluation gives the CRPS of the sample paths and the
interval coverage, beside seasonal naive with bootstrapped residuals; the predicted 10/50/90% quantiles
of the first forecast step are compared with the generating distribution's (an iid series' true
forecast): the mean absolute difference, in units of the series' true standard deviation, beside the
same gap for each series' empirical quantiles of its own training values (the sampling error of ~100 draws)
and of the last ``seq_length`` of them (what the network reads: the sampling error of its input window).
Coverage is set beside the generating law's own: a count's 80% interval [q10, q90] holds its end points, so
the true law covers more than 80% (an intermittent series' q10 is 0), and that is the coverage to match.
"""

import argparse
import time

import numpy as np
import pandas as pd
import torch
from _machine import describe
from scipy import stats

import rnncast
from rnncast.data.panel import to_panel
from rnncast.evaluation.holdout import holdout


def panel(n_series: int, length: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    mean = np.exp(rng.uniform(np.log(0.2), np.log(40.0), n_series))
    alpha = rng.uniform(0.1, 1.0, n_series)
    r = 1.0 / alpha
    y = rng.negative_binomial(r[:, None], (r / (r + mean))[:, None], (n_series, length)).astype(float)
    df = pd.DataFrame({"unique_id": np.repeat([f"s{k:03d}" for k in range(n_series)], length),
                       "ds": np.tile(pd.date_range("2019-01-07", periods=length, freq="W-MON"), n_series),
                       "y": y.ravel()})
    return df, mean, alpha


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=300)
    parser.add_argument("--length", type=int, default=104)
    parser.add_argument("--horizon", type=int, default=8)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seq-length", type=int, default=26)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(describe())
    df, mean, alpha = panel(args.series, args.length)
    print(f"{args.series} series × {args.length} weeks, test: the last {args.horizon}; intermittent (mean < 1):"
          f" {int((mean < 1).sum())}; share of zeros {float((df['y'] == 0).mean()):.2f}")
    r = 1.0 / alpha
    truth = {q: stats.nbinom(r, r / (r + mean)).ppf(q) for q in (0.1, 0.5, 0.9)}
    sd = np.sqrt(mean + alpha * mean**2)
    # the sampling error of knowing each series' law from its own training values only: their empirical quantiles
    train = df["y"].to_numpy().reshape(args.series, args.length)[:, : args.length - args.horizon]
    own = {q: np.quantile(train, q, axis=1) for q in truth}
    print("reference, each series' own training quantiles: |q̂ - q| / sd "
          + " ".join(f"q{int(100 * q)} {np.mean(np.abs(own[q] - truth[q]) / sd):.3f}" for q in truth))
    window = {q: np.quantile(train[:, -args.seq_length:], q, axis=1) for q in truth}
    print(f"reference, the quantiles of the last {args.seq_length} training values: |q̂ - q| / sd "
          + " ".join(f"q{int(100 * q)} {np.mean(np.abs(window[q] - truth[q]) / sd):.3f}" for q in truth))
    test = df["y"].to_numpy().reshape(args.series, args.length)[:, args.length - args.horizon:]
    lo80, hi80 = truth[0.1][:, None], truth[0.9][:, None]
    lo95 = stats.nbinom(r, r / (r + mean)).ppf(0.025)[:, None]
    hi95 = stats.nbinom(r, r / (r + mean)).ppf(0.975)[:, None]
    print(f"the generating law's own coverage of the test values: 80% {np.mean((test >= lo80) & (test <= hi80)):.3f},"
          f" 95% {np.mean((test >= lo95) & (test <= hi95)):.3f}")
    for kind in ("negbin", "gaussian"):
        for seed in [int(s) for s in args.seeds.split(",")]:
            start = time.perf_counter()
            f = rnncast.Forecaster(likelihood=kind, horizon=args.horizon, seq_length=args.seq_length, hidden_size=32,
                                   epochs=args.epochs, batch_size=256, lr=0.003, num_samples=200, val_size=0.0,
                                   seed=seed)
            evaluation = holdout(f, to_panel(df), args.horizon)
            table = evaluation.table
            pred = evaluation.predictions
            first = pred[pred["h"] == 1].set_index("unique_id").loc[[f"s{k:03d}" for k in range(args.series)]]
            # the 80% interval's ends are the 10% and 90% quantiles; the median is the point forecast
            got = {0.1: first["lstm-lo-80"].to_numpy(), 0.5: first["lstm"].to_numpy(),
                   0.9: first["lstm-hi-80"].to_numpy()}
            gaps = " ".join(f"q{int(100 * q)} {np.mean(np.abs(got[q] - truth[q]) / sd):.3f}" for q in truth)
            base = table["seasonal_naive"]["crps"]
            print(f"{kind:<9} seed {seed}: CRPS {table['lstm']['crps']:.4f} (bootstrap s.naive {base:.4f});"
                  f" coverage 80% {table['lstm']['coverage_80']:.3f}, 95% {table['lstm']['coverage_95']:.3f};"
                  f" |q̂ - q| / sd at h=1: {gaps}; {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
