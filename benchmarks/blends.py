"""How much Theta and ETS to blend into the presets' forecasts (``theta_share``, ``ets_share``), scored on
forecasts saved by ``competitions.py --save DIR``: each block's network forecasts (every seed) blended with
rnncast's own Theta and ETS forecasts (``rnncast.theta``, ``rnncast.ets``) from the same training parts, as
``Forecaster(theta_share=w_θ, ets_share=w_e)`` does: (1 − w_θ − w_e)·network + w_θ·Theta + w_e·ETS.

    python benchmarks/competitions.py --validate --origin K --variants preset,preset-single --seeds 0,1,2 \\
        --set theta_share=0 --set ets_share=0 --save DIR      # K = 1, 2, 3: the validation origins
    python benchmarks/blends.py DIR [--origins 1,2,3] [--shares 0:0,0.25:0,0:0.25,...]

``--shares`` lists w_θ:w_e pairs (default: w_θ, w_e in {0, 0.25, 0.5} with w_θ + w_e ≤ 0.75). Prints, per block
and pair, the mean over the seeds of sMAPE (M1) or MAPE (Tourism) at each origin and their mean, for each saved
preset variant; then, per frequency, the mean of the two collections' means. The period both methods
deseasonalise with is the block's (1 yearly, 4 quarterly, 12 monthly), the one the preset's Forecaster uses.
The saved network forecasts must be the network's alone (shares 0). Only origins >= 1 (validation) should be
given here when a share is being chosen.
"""

import argparse
import os
import sys

import numpy as np
from _machine import describe
from competitions import MAIN_METRIC, load_block, score

from rnncast.ets import ets_forecasts_many
from rnncast.theta import theta_forecasts_many

GRID = ",".join(f"{a:g}:{b:g}" for a in (0, 0.25, 0.5) for b in (0, 0.25, 0.5) if a + b <= 0.75)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--origins", default="1,2,3")
    parser.add_argument("--shares", default=GRID, help="w_theta:w_ets pairs")
    parser.add_argument("--datasets", default="m1,tourism")
    parser.add_argument("--freqs", default="yearly,quarterly,monthly")
    args = parser.parse_args()
    origins = [int(o) for o in args.origins.split(",")]
    shares = [tuple(float(w) for w in pair.split(":")) for pair in args.shares.split(",")]
    print(describe())
    print(f"forecasts from {args.folder}; origins {origins} (0 = the test part); shares {shares}")
    means = {}  # (variant, freq, share) -> [each data set's mean over origins]
    for dataset in args.datasets.split(","):
        for freq in args.freqs.split(","):
            for origin in origins:
                path = os.path.join(args.folder, f"{dataset}-{freq}-origin{origin}.npz")
                if not os.path.exists(path):
                    sys.exit(f"missing {path}: run competitions.py --save for it first")
            rows = score_block(args.folder, dataset, freq, origins, shares)
            for (variant, share), per_origin in rows.items():
                cells = " / ".join(f"{v:6.2f}" for v in per_origin)
                print(f"{dataset:8} {freq:9} {variant:14} theta {share[0]:4g} ets {share[1]:4g}: {cells}"
                      f"   mean {np.mean(per_origin):6.2f}")
                means.setdefault((variant, freq, share), []).append(float(np.mean(per_origin)))
    print("\nper frequency, the mean of the data sets' means over the origins:")
    for (variant, freq, share), values in means.items():
        each = " / ".join(f"{v:.2f}" for v in values)
        print(f"  {variant:14} {freq:9} theta {share[0]:4g} ets {share[1]:4g}: {np.mean(values):6.3f}  ({each})")


def score_block(folder: str, dataset: str, freq: str, origins: list[int], shares: list[tuple]) -> dict:
    """(variant, (w_theta, w_ets)) -> the seeds' mean score at each origin."""
    out = {}
    for origin in origins:
        saved = np.load(os.path.join(folder, f"{dataset}-{freq}-origin{origin}.npz"))
        block = load_block(dataset, freq, None, origin)
        if not np.array_equal(block.test, saved["actual"]):
            sys.exit(f"{dataset} {freq} origin {origin}: the saved forecasts are of other series or values")
        ends = [[len(y)] for y in block.train]
        theta = np.stack(theta_forecasts_many(block.train, ends, block.H, block.m))[:, 0]
        ets = np.stack(ets_forecasts_many(block.train, ends, block.H, block.m))[:, 0]
        runs = {}
        for key in saved.files:
            if key.startswith("forecast:") and " seed " in key:
                variant = key.split(":", 1)[1].split(" seed ")[0]
                runs.setdefault(variant, []).append(saved[key])
        for variant, seeds in runs.items():
            for a, b in shares:
                blend = [(1 - a - b) * f + a * theta + b * ets for f in seeds]
                value = np.mean([np.nanmean(score(block, f)[MAIN_METRIC[dataset]]) for f in blend])
                out.setdefault((variant, (a, b)), []).append(float(value))
    return out


if __name__ == "__main__":
    main()
