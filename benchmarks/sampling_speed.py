"""Sampling cost of a likelihood model: 200 paths × horizon 18 for 1,000 series (issue 19: ≤ 10 s).

    python benchmarks/sampling_speed.py [--series 1000] [--samples 200] [--horizon 18] [--repeats 3]

A Gaussian LSTM (hidden 32, seq_length 36) is fitted for one epoch on a generated monthly panel (1,000
series × 96 steps), then ``Forecaster.predict()`` draws the paths (``forecaster.sampling``: the context once
per series, then 18 one-step calls on 200,000 rows) and returns their quantiles. Printed: the median wall
time of ``predict`` and of ``predict(paths=True)`` over the repeats, torch 1 thread.
"""

import argparse
import statistics
import time

import numpy as np
import pandas as pd
import torch
from _machine import describe

import rnncast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--horizon", type=int, default=18)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(describe())
    rng = np.random.default_rng(0)
    n, t = 96, np.arange(96)
    y = (100 + 20 * np.sin(2 * np.pi * t / 12)[None] + rng.normal(0, 5, (args.series, n))) * rng.uniform(
        0.5, 5, (args.series, 1))
    df = pd.DataFrame({"unique_id": np.repeat([f"s{k}" for k in range(args.series)], n),
                       "ds": np.tile(pd.date_range("2010-01-01", periods=n, freq="MS"), args.series),
                       "y": y.ravel()})
    f = rnncast.Forecaster(likelihood="gaussian", horizon=args.horizon, seq_length=36, hidden_size=32, epochs=1,
                           batch_size=1024, num_samples=args.samples, val_size=0.0).fit(df)
    for paths in (False, True):
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            out = f.predict(paths=paths)
            times.append(time.perf_counter() - start)
        what = "predict(paths=True)" if paths else "predict()"
        print(f"{what:<20} {args.series} series × {args.samples} paths × {args.horizon} steps:"
              f" median {statistics.median(times):.2f} s (runs {', '.join(f'{v:.2f}' for v in times)});"
              f" {len(out):,} rows")


if __name__ == "__main__":
    main()
