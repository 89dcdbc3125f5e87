"""rnncast's default configuration on stock_daily (one step ahead, the last 30% = 220 test days) against
naive, across seeds, with the Diebold-Mariano significance of each difference.

    python benchmarks/stock_default.py [--seeds 10]

Rows: ``Forecaster()`` as it comes (what ``rnncast train stock_daily`` runs), the same with
``min_delta=0`` (any validation gain replaces the untrained net), and the lecture's configuration (what
``rnncast demo`` runs). The issue's target: the default never worse than naive by more than 0.5% RMSE.
"""

import argparse
import statistics

from _machine import describe

import rnncast
from rnncast.cli.options import LECTURE
from rnncast.data.frame import to_frame
from rnncast.data.io import read_table
from rnncast.evaluation.holdout import holdout

CONFIGS = {
    "default": {},
    "default, min_delta=0": {"min_delta": 0.0},
    "lecture (demo)": LECTURE,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    print(describe())
    frame = to_frame(read_table("stock_daily"))
    for name, config in CONFIGS.items():
        changes, significant = [], 0
        for seed in range(args.seeds):
            f = rnncast.Forecaster(**{**config, "seed": seed})
            ev = holdout(f, frame, 0.3)
            net, naive = ev.table["lstm"]["rmse"], ev.table["naive"]["rmse"]
            changes.append(100 * (net / naive - 1))
            test = ev.significance()
            significant += test["p_value"] < 0.05
            print(f"  {name:<22} seed {seed}: RMSE {net:.3f} vs naive {naive:.3f} ({changes[-1]:+.2f}%),"
                  f" DM p = {test['p_value']:.2f}, kept round {f.history_.best_step}", flush=True)
        print(f"{name}: median {statistics.median(changes):+.2f}%, worst {max(changes):+.2f}% RMSE vs naive"
              f" over {args.seeds} seeds; significant (p < 0.05) in {significant} of {args.seeds}\n", flush=True)


if __name__ == "__main__":
    main()
