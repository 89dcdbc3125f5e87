"""What a 5-member preset costs against one network, side by side in one run, on M1 and Tourism.

    python benchmarks/ensemble_cost.py [--datasets m1,tourism] [--freqs yearly,quarterly,monthly] [--origin 1]
                                       [--seed 0] [--jobs 2] [--series N]

For every frequency (the ``--validate`` split of ``competitions.py``: the last H values of each training part;
the test parts are not read) this fits and forecasts, each timed from fit to forecast:

- ``single, 1 thread``: the preset with ``ensemble=1`` (one network, the preset's own epochs), torch on 1 thread;
- ``single, all threads``: the same with torch on every core (``--jobs`` threads);
- ``ensemble in turn, 1 thread``: the preset (5 members at ``member_epochs``) trained one member after the other;
- ``ensemble, n_jobs``: the preset with ``n_jobs=--jobs``, members side by side in forked processes.

It prints the seconds, the ratios ensemble ÷ single (with the machine as a whole: ``n_jobs`` against all
threads; per core: in turn against 1 thread), the scores of both, and the largest difference between the
forecasts of the members trained in turn and side by side (they should agree to float rounding).
"""

import argparse
import time

import numpy as np
import torch
from _machine import describe
from competitions import MAIN_METRIC, as_matrix, load_block, preset_forecaster, score


def timed_fit(block, name: str, seed: int, threads: int, jobs: int = 1):
    torch.set_num_threads(threads)
    f = preset_forecaster(block, name, {"n_jobs": jobs}, seed)
    start = time.perf_counter()
    f.fit(block.long_frame())
    forecasts, _ = as_matrix(f.predict(), f.model, block)
    seconds = time.perf_counter() - start
    return forecasts, seconds, float(np.nanmean(score(block, forecasts)[MAIN_METRIC[block.dataset]]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="m1,tourism")
    parser.add_argument("--freqs", default="yearly,quarterly,monthly")
    parser.add_argument("--origin", type=int, default=1, help="validation origin (1: the last H of training)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2, help="processes for the members, threads for one network")
    parser.add_argument("--series", type=int, default=None, help="first N series of each frequency")
    args = parser.parse_args()
    print(describe())
    print(f"validation origin {args.origin} (test parts not read), seed {args.seed}, jobs {args.jobs}\n")
    header = ("block", "single 1t", f"single {args.jobs}t", "ens in turn 1t", f"ens n_jobs={args.jobs}",
              "machine ratio", "per-core ratio", "score single", "score ens", "max |Δ forecast|")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    totals = np.zeros(4)
    for dataset in args.datasets.split(","):
        for freq in args.freqs.split(","):
            block = load_block(dataset, freq, args.series, args.origin)
            _, single_1, s_single = timed_fit(block, "preset-single", args.seed, 1)
            _, single_n, _ = timed_fit(block, "preset-single", args.seed, args.jobs)
            in_turn, ens_1, s_ens = timed_fit(block, "preset", args.seed, 1)
            parallel, ens_n, _ = timed_fit(block, "preset", args.seed, 1, args.jobs)
            totals += (single_1, single_n, ens_1, ens_n)
            diff = float(np.nanmax(np.abs(in_turn - parallel)))
            print(f"| {dataset} {freq} | {single_1:.1f} | {single_n:.1f} | {ens_1:.1f} | {ens_n:.1f} | "
                  f"{ens_n / single_n:.2f}× | {ens_1 / single_1:.2f}× | {s_single:.2f} | {s_ens:.2f} | {diff:.2g} |",
                  flush=True)
    s1, sn, e1, en = totals
    print(f"| all | {s1:.1f} | {sn:.1f} | {e1:.1f} | {en:.1f} | {en / sn:.2f}× | {e1 / s1:.2f}× | | | |")


if __name__ == "__main__":
    main()
