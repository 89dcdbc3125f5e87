"""The demo's honest test RMSE across seeds, beside naive and the lecture's look-ahead figure.

    python benchmarks/demo_seeds.py [--seeds 10]

The lecture's experiment (stock_daily, seq_length 7, LSTM hidden 10, 500 Adam steps at lr 0.01,
70/30) with the scaler fitted on the training rows only, for seeds 0..N-1. Prints each seed's test
RMSE and the lecture-style look-ahead RMSE (test period scaled by its own min/max), their medians,
and naive's RMSE on the same 220 days.
"""

import argparse
import statistics

from _machine import describe

import rnncast
from rnncast.cli.options import LECTURE
from rnncast.data.frame import to_frame
from rnncast.data.io import read_table
from rnncast.evaluation.holdout import holdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    print(describe())
    frame = to_frame(read_table("stock_daily"))
    honest, peeking = [], []
    for seed in range(args.seeds):
        f = rnncast.Forecaster(**{**LECTURE, "seed": seed})
        ev = holdout(f, frame, 0.3, lookahead=True)
        honest.append(ev.table["lstm"]["rmse"])
        peeking.append(ev.lookahead_rmse)
        naive = ev.table["naive"]["rmse"]
        print(f"  seed {seed}: LSTM test RMSE {honest[-1]:.3f}   look-ahead-scaled {peeking[-1]:.3f}")
    print(f"median over {args.seeds} seeds: LSTM {statistics.median(honest):.3f}"
          f" (min {min(honest):.3f}, max {max(honest):.3f}); look-ahead {statistics.median(peeking):.3f};"
          f" naive {naive:.3f} on the same {len(ev.predictions)} test days")


if __name__ == "__main__":
    main()
