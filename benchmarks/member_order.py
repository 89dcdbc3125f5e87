"""Does starting the longest ensemble members first shorten a preset fit with ``n_jobs=2``?

    python benchmarks/member_order.py [--blocks m1:monthly,tourism:quarterly,tourism:monthly] [--repeats 3]

On validation origin 1 of each block (the last H values of each training part; the test parts are not read),
the 5-member preset with ``n_jobs=2`` is fitted and forecast with the members started in their own order
(0 … 4) and longest first (``forecaster.fit.expected_cost``, what ``fit`` does), the two interleaved,
``--repeats`` times each, torch 1 thread. Prints the median wall times, their ratio, each member's training
seconds, and the largest difference between the two orders' forecasts (the order changes no forecast).
"""

import argparse
import time

import numpy as np
import torch
from _machine import describe
from competitions import load_block, preset_forecaster

from rnncast.training import workers

NATURAL = workers.run_all


def in_own_order(task, n, jobs, finished=None, order=None):
    return NATURAL(task, n, jobs, finished)


def fit_once(block, natural: bool):
    workers.run_all = in_own_order if natural else NATURAL
    try:
        f = preset_forecaster(block, "preset", {"n_jobs": 2}, 0)
        start = time.perf_counter()
        f.fit(block.long_frame())
        forecast = f.predict()
        return time.perf_counter() - start, f, forecast.iloc[:, -1].to_numpy()
    finally:
        workers.run_all = NATURAL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", default="m1:monthly,tourism:quarterly,tourism:monthly")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(describe())
    print("| block | own order (s) | longest first (s) | ratio | members (cell, input length, seconds)"
          " | max |Δ forecast| |")
    print("|---|---|---|---|---|---|")
    for item in args.blocks.split(","):
        dataset, freq = item.split(":")
        block = load_block(dataset, freq, None, 1)
        times = {True: [], False: []}
        forecasts = {}
        for _ in range(args.repeats):
            for natural in (True, False):
                seconds, f, forecasts[natural] = fit_once(block, natural)
                times[natural].append(seconds)
        members = ", ".join(f"{m.kind} {w.seq_length} {h.seconds:.1f}"
                            for (m, w, _), h in zip(f.members_, f.histories_, strict=True))
        own, longest = np.median(times[True]), np.median(times[False])
        print(f"| {dataset} {freq} | {own:.1f} ({', '.join(f'{t:.1f}' for t in times[True])}) | {longest:.1f}"
              f" ({', '.join(f'{t:.1f}' for t in times[False])}) | {longest / own:.2f}× | {members} |"
              f" {np.max(np.abs(forecasts[True] - forecasts[False])):.3g} |", flush=True)


if __name__ == "__main__":
    main()
