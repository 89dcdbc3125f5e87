"""The selection protocol that cannot flatter: choose on validation origins, score the test split once.

    python benchmarks/protocol.py [--datasets m1,tourism] [--freqs yearly,quarterly,monthly]
                                  [--candidates "preset;preset-single;preset:normalize=auto"]
                                  [--origins 3] [--seeds 0,1,2] [--series N] [--stats AutoETS,Theta|none]

For every data set and frequency (``competitions.load_block``):

1. **Validation.** Each candidate (a preset variant of ``competitions.py``, optionally with ``:key=value``
   changes, JSON values) is fitted on the training parts minus their last k·H values and scores the H values
   after that, for origins k = 1 … ``--origins`` and every seed; the test parts are not read. Its validation
   score is the mean over origins and seeds of the data set's metric (sMAPE on M1, MAPE on Tourism).
2. **Choice.** The candidate with the lowest validation score, per frequency. Nothing else is chosen here.
3. **Test, once.** The chosen candidate is fitted on the whole training parts with every seed and scored on
   the test parts: the mean over seeds (the score of each series averaged over seeds, then over series) and
   each seed's figure (spread = max - min). Naive, seasonal naive and statsforecast's models on the same test
   parts beside it; the single network (``preset-single``) too when it is a candidate, scored on the test
   split only as a reported figure, not chosen by it.

Printed: the validation table (candidate × frequency), the choices, the test table, and the verdict per
frequency and overall, with the wall time of each part.
"""

import argparse
import json
import time

import numpy as np
import torch
from _machine import describe
from competitions import (
    FREQS,
    LABELS,
    MAIN_METRIC,
    STATS,
    _preset_run,
    load_block,
    naive,
    score,
    seasonal_naive,
    statsforecast_model,
)


def parse_candidate(text: str) -> tuple[str, str, dict]:
    """``"preset:normalize=auto,epochs=10"`` -> (name, variant, changes)."""
    variant, _, rest = text.partition(":")
    changes = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, _, value = item.partition("=")
        try:
            changes[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            changes[key.strip()] = value
    return text.strip(), variant.strip(), changes


def candidate_scores(block, variant: str, changes: dict, seeds: list[int]) -> tuple[dict, float]:
    """Per-series scores averaged over the seeds, and the seconds of all fits."""
    runs, seconds = [], 0.0
    for seed in seeds:
        forecasts, took, _ = _preset_run(block, variant, {}, changes, seed)
        runs.append(score(block, forecasts))
        seconds += took
    return {key: np.mean([r[key] for r in runs], axis=0) for key in runs[0]}, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="m1,tourism")
    parser.add_argument("--freqs", default=",".join(FREQS))
    parser.add_argument("--candidates", default="preset;preset-single")
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--series", type=int, default=None, help="first N series of each frequency (a quick look)")
    parser.add_argument("--stats", default="AutoETS,Theta")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    candidates = [parse_candidate(c) for c in args.candidates.split(";") if c.strip()]
    seeds = [int(s) for s in args.seeds.split(",")]
    stats = [] if args.stats == "none" else [s for s in args.stats.split(",") if s in STATS]
    print(describe())
    print(f"candidates: {[c[0] for c in candidates]}; validation origins 1..{args.origins}; seeds {seeds};"
          f" series per frequency {args.series or 'all'}")
    start = time.perf_counter()
    for dataset in args.datasets.split(","):
        metric = MAIN_METRIC[dataset]
        chosen, valid, test_rows = {}, {}, {}
        for freq in args.freqs.split(","):
            t0 = time.perf_counter()
            for name, variant, changes in candidates:
                values = []
                for origin in range(1, args.origins + 1):
                    block = load_block(dataset, freq, args.series, origin)
                    scores, _ = candidate_scores(block, variant, changes, seeds)
                    values.append(float(np.nanmean(scores[metric])))
                valid[(name, freq)] = (float(np.mean(values)), values)
                print(f"  {LABELS[dataset]} {freq} validation {name}: {metric} {np.mean(values):.2f}"
                      f" (origins {' / '.join(f'{v:.2f}' for v in values)})", flush=True)
            chosen[freq] = min((c[0] for c in candidates), key=lambda n: valid[(n, freq)][0])
            v_seconds = time.perf_counter() - t0
            block = load_block(dataset, freq, args.series, 0)  # the test parts: read once, here
            t1 = time.perf_counter()
            rows = {"naive": score(block, naive(block)), "seasonal_naive": score(block, seasonal_naive(block))}
            for stat in stats:
                rows[stat] = score(block, statsforecast_model(block, block.long_frame(), stat)[0])
            report = [chosen[freq]] + [n for n, _, _ in candidates if n == "preset-single" and n != chosen[freq]]
            for name in report:
                _, variant, changes = next(c for c in candidates if c[0] == name)
                per_seed = []
                for seed in seeds:
                    forecasts, _, _ = _preset_run(block, variant, {}, changes, seed)
                    per_seed.append(score(block, forecasts))
                rows[name] = {key: np.mean([r[key] for r in per_seed], axis=0) for key in per_seed[0]}
                rows[name]["_seeds"] = [float(np.nanmean(r[metric])) for r in per_seed]
            test_rows[freq] = rows
            print(f"  {LABELS[dataset]} {freq}: chose {chosen[freq]} on validation ({v_seconds:.0f} s);"
                  f" test once ({time.perf_counter() - t1:.0f} s)", flush=True)
        print(f"\n### {LABELS[dataset]}: validation {metric} (mean over {args.origins} origins and seeds {seeds})")
        freqs = list(chosen)
        print("| candidate | " + " | ".join(freqs) + " |")
        print("|---|" + "---:|" * len(freqs))
        for name, _, _ in candidates:
            print(f"| {name} | " + " | ".join(f"{valid[(name, f)][0]:.2f}" for f in freqs) + " |")
        print(f"\n### {LABELS[dataset]}: test {metric}, scored once (chosen: "
              + ", ".join(f"{f} {chosen[f]}" for f in freqs) + ")")
        methods = list(dict.fromkeys(m for f in freqs for m in test_rows[f]))
        print("| method | " + " | ".join(freqs) + " | overall |")
        print("|---|" + "---:|" * (len(freqs) + 1))
        for method in methods:
            cells, parts = [], []
            for f in freqs:
                row = test_rows[f].get(method)
                cells.append("" if row is None else f"{np.nanmean(row[metric]):.2f}")
                parts.append(None if row is None else row[metric])
            whole = "" if any(p is None for p in parts) else f"{np.nanmean(np.concatenate(parts)):.2f}"
            print(f"| {method} | " + " | ".join(cells) + f" | {whole} |")
        for f in freqs:
            rows, ours = test_rows[f], test_rows[f][chosen[f]]
            seeds_text = " / ".join(f"{v:.2f}" for v in ours["_seeds"])
            against = ", ".join(f"{name} {np.nanmean(rows[name][metric]):.2f}" for name in rows
                                if name not in (chosen[f], "preset-single"))
            print(f"  {f}: {chosen[f]} {np.nanmean(ours[metric]):.2f} (seeds {seeds_text}, spread"
                  f" {max(ours['_seeds']) - min(ours['_seeds']):.2f}) vs {against}")
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
