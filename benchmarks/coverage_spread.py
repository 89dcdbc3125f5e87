"""How far one period's interval coverage can fall from nominal for a forecaster that is calibrated on average
(issue 19: "coverage within 5 points of nominal" on one test period).

    python benchmarks/coverage_spread.py [--origins K] [--history L] [--boot B] [--same-series]

Validation origins only (``competitions.load_block(..., origin=k)``, k = 1..K + L: the k-th last H values of each
training part, the test parts unread). The reference forecaster needs no training, so it runs on many periods:
seasonal naive (naive for yearly) with intervals from the scaled errors of the same forecaster,

    e = (y_{t+h} − ŷ_{t+h}) / s,   s = mean |y| of the series' training part,
    interval at level τ:  ŷ_{t+h} + s · [q_{(1−τ)/2}(e_h), q_{(1+τ)/2}(e_h)],

the quantiles q taken per horizon step h over all series of a block. Two ways to choose the errors:

- ``hindsight``: every error of origins 1..K pooled, the period being scored included. Over the K periods together
  its coverage is nominal by construction, so how far one period's coverage falls from nominal is the spread
  of the periods themselves: the floor any forecaster calibrated on average meets on a single period.
- ``walk-forward``: the errors of the L periods before the one scored (origins k+1..k+L), as a forecaster
  calibrated on its own past would do; what an honest method sees.

Deeper origins hold fewer series (a series needs k·H + 2 values); ``--same-series`` scores every origin on
the series of the deepest one, so that only the period changes.

Per block and level: the coverage of each origin, their mean and standard deviation, how many are within 5
points of nominal; the sampling error of one period's coverage from the series it holds (bootstrap over series,
B draws, the interval fixed); and over the K origins how often all twelve intervals (six blocks × 80/95%) are
within 5 points at once.
"""

import argparse
from dataclasses import replace

import numpy as np
from _machine import describe
from competitions import FREQS, LABELS, load_block, naive, seasonal_naive

LEVELS = (80, 95)
BLOCKS = [(d, f) for d in ("m1", "tourism") for f in FREQS]


def errors(block) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference point forecast ``(n, H)``, each series' scale ``(n,)`` and the scaled errors ``(n, H)``."""
    point = seasonal_naive(block) if block.m > 1 else naive(block)
    scale = np.array([np.mean(np.abs(y)) or 1.0 for y in block.train])
    return point, scale, (block.test - point) / scale[:, None]


def covered(block, point, scale, pooled: np.ndarray, level: int) -> np.ndarray:
    """``(n, H)`` booleans: does the interval at ``level`` from the pooled errors ``(m, H)`` hold the value."""
    lo, hi = np.quantile(pooled, [(1 - level / 100) / 2, (1 + level / 100) / 2], axis=0)
    return (block.test >= point + scale[:, None] * lo) & (block.test <= point + scale[:, None] * hi)


def only(block, ids: set):
    """The block restricted to the series ``ids``."""
    keep = [k for k, uid in enumerate(block.ids) if uid in ids]
    return replace(block, ids=[block.ids[k] for k in keep], train=[block.train[k] for k in keep], test=block.test[keep])


def boot_sd(hits: np.ndarray, draws: int, rng) -> float:
    """Standard deviation of the coverage when the series are drawn again (each series' H values together)."""
    per_series = hits.mean(axis=1)
    picks = rng.integers(0, len(per_series), size=(draws, len(per_series)))
    return float(per_series[picks].mean(axis=1).std())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=5, help="periods scored: validation origins 1..K")
    parser.add_argument("--history", type=int, default=2, help="walk-forward: periods of errors before the scored one")
    parser.add_argument("--boot", type=int, default=500)
    parser.add_argument("--same-series", action="store_true",
                        help="score every origin on the same series (those long enough for the deepest origin)")
    args = parser.parse_args()
    print(describe())
    K, L = args.origins, args.history
    rng = np.random.default_rng(0)
    table = {}  # (variant, block label, level) -> [coverage of origin 1..K]
    first_sd = {}  # (block label, level) -> origin 1's coverage sd from its series alone (points)
    for dataset, freq in BLOCKS:
        label = f"{LABELS[dataset]} {freq}"
        blocks = {}
        for k in range(1, K + L + 1):
            try:
                blocks[k] = load_block(dataset, freq, None, k)
            except ValueError:  # no series long enough for this origin
                break
        if args.same_series:  # deeper origins hold fewer series; keep those of the deepest one
            deepest = set(blocks[max(blocks)].ids)
            blocks = {k: only(b, deepest) for k, b in blocks.items()}
        out = {k: errors(b) for k, b in blocks.items()}
        everything = np.concatenate([out[k][2] for k in range(1, K + 1)])
        print(f"\n== {label}: H={blocks[1].H}, series per origin {[len(b.ids) for b in blocks.values()]}")
        for level in LEVELS:
            for variant in ("hindsight", "walk-forward"):
                cov, sds = [], []
                for k in range(1, K + 1):
                    point, scale, _ = out[k]
                    earlier = [out[j][2] for j in range(k + 1, k + L + 1) if j in out]
                    if variant == "walk-forward" and not earlier:
                        cov.append(np.nan)
                        continue
                    pooled = everything if variant == "hindsight" else np.concatenate(earlier)
                    hits = covered(blocks[k], point, scale, pooled, level)
                    cov.append(100 * hits.mean())
                    sds.append(100 * boot_sd(hits, args.boot, rng))
                table[variant, label, level] = cov
                within = sum(abs(c - level) <= 5 for c in cov)
                print(f"{level}% {variant:>12}: " + " ".join(f"{c:5.1f}" for c in cov)
                      + f" | mean {np.nanmean(cov):5.1f} sd {np.nanstd(cov, ddof=1):4.1f} | within 5: {within}/{K}"
                      + f" | origin 1's sampling sd (its series drawn again) {sds[0]:.1f}")
                if variant == "hindsight":
                    first_sd[label, level] = sds[0]
    from math import erf, sqrt

    chance = np.prod([erf(5 / (sd * sqrt(2))) for sd in first_sd.values()])
    print(f"\nA forecaster exactly calibrated in expectation, with no period-to-period spread at all: all 12 intervals"
          f" within 5 points on one period with probability {chance:.2f} (normal, origin 1's sampling sds)")
    for variant in ("hindsight", "walk-forward"):
        ok = np.array([[abs(c - level) <= 5 for c in cov]  # (12 intervals, K origins)
                       for (v, _, level), cov in table.items() if v == variant])
        print(f"\n{variant}: origins with all {len(ok)} intervals within 5 points: {int(ok.all(axis=0).sum())}/{K}; "
              f"intervals within 5 per origin: {ok.sum(axis=0).tolist()}; "
              f"product of the intervals' own rates: {np.prod(ok.mean(axis=1)):.3f}")

if __name__ == "__main__":
    main()
