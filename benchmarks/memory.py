"""Peak memory of training on a 20-million-point panel (issue #6): 2,000 series x 10,000 steps, seq_length 64.

    python benchmarks/memory.py                      # the issue's panel (about 1 minute, ~1.5 GB free needed)
    python benchmarks/memory.py --series 200         # smaller, for a quick look

A synthetic, seeded long DataFrame (``unique_id`` strings, daily ``ds``, float64 ``y``) goes through the
public API, ``Forecaster(...).fit(df)`` with the library's defaults (validation on the last 20% of each
series' windows, early stopping, then a refit on all windows): a small LSTM, one mini-batch epoch.
So that the run takes a minute or two and not hours on a CPU, only the first ``--batches`` batches
train for real; the others are skipped inside the stepper (the epoch's permutation, the batch loop
and all the arrays exist as in a full epoch, which is what memory is about; the skipped batches
would each gather one batch of windows, a few MB, and free it). Validation runs in full (every
held-out window, in chunks). ``--val-size 0`` measures training without validation.

Memory is read from ``/proc/self/status`` (Linux): VmRSS now, and VmHWM, the peak, which is reset
before each phase by writing 5 to ``/proc/self/clear_refs``, so each phase reports its own peak.
Phases are marked by wrapping the library's own functions (``to_panel``, ``stacked_input_rows``,
``training_set``, ``training.run``). Two figures are compared with the issue's target, 2x the raw
float32 data plus the model: the peak above the process's RSS once the DataFrame exists (what rnncast
adds; the caller's DataFrame, the interpreter and torch are not rnncast's to save), and the total peak.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

MB = 1024 * 1024


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def rss() -> int:
    return _status("VmRSS")


def peak() -> int:
    return _status("VmHWM")


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


class Phases:
    """Records, per phase, RSS before and after and the peak during it; ``highest`` keeps the overall peak
    (each phase resets VmHWM, so the peak of what ran before it is folded in first)."""

    def __init__(self):
        self.rows, self.highest = [], 0

    def overall(self) -> int:
        self.highest = max(self.highest, peak())
        return self.highest

    def wrap(self, owner, name: str, *labels: str):
        """Measure every call of ``owner.name``; the n-th call is labelled ``labels[n]`` (the last one repeats)."""
        original = getattr(owner, name)
        calls = []

        def measured(*args, **kwargs):
            before = rss()
            self.overall()
            reset_peak()
            start = time.perf_counter()
            calls.append(1)
            try:
                return original(*args, **kwargs)
            finally:
                label = labels[min(len(calls), len(labels)) - 1]
                self.rows.append((label, before, peak(), rss(), time.perf_counter() - start))

        setattr(owner, name, measured)


def make_panel(n_series: int, n_steps: int, seed: int) -> pd.DataFrame:
    """Random walks with a weekly cycle, one per series, in long format (series after series)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    y = np.empty(n_series * n_steps)
    for i in range(n_series):
        walk = np.cumsum(rng.normal(0, 1, n_steps))
        y[i * n_steps : (i + 1) * n_steps] = 100 + walk + 5 * np.sin(2 * np.pi * t / 7 + i)
    ids = np.repeat(np.array([f"s{i:05d}" for i in range(n_series)], dtype=object), n_steps)
    # nanosecond stamps, pandas 2's unit, on any pandas (the frames are views of this column in any unit)
    ds = np.tile(pd.date_range("1990-01-01", periods=n_steps, freq="D").to_numpy(dtype="datetime64[ns]"), n_series)
    return pd.DataFrame({"unique_id": ids, "ds": ds, "y": y})


def skip_after(n_batches: int) -> None:
    """Train the first ``n_batches`` batches for real; later ones return their last loss untouched."""
    from rnncast.training.loop import TorchSteps

    original = TorchSteps.step
    calls = {"n": 0, "loss": 0.0}

    def step(self, idx):
        calls["n"] += 1
        if calls["n"] <= n_batches:
            calls["loss"] = original(self, idx)
        return calls["loss"]

    TorchSteps.step = step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--seq-length", type=int, default=64)
    parser.add_argument("--hidden-size", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--batches", type=int, default=20, help="batches that train for real (default 20)")
    parser.add_argument("--val-size", type=float, help="validation share (default: the library's, 0.2)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch
    from _machine import describe

    import rnncast
    from rnncast.forecaster import forecaster as forecast
    from rnncast.training import loop as training

    torch.set_num_threads(1)
    print(describe())
    start_rss = rss()
    df = make_panel(args.series, args.steps, args.seed)
    df_bytes = int(df.memory_usage(deep=True).sum())
    after_df = rss()
    points = args.series * args.steps
    raw32 = points * 4

    phases = Phases()
    phases.wrap(forecast, "to_panel", "to_panel (frames per series)")
    phases.wrap(forecast, "stacked_input_rows", "stacked_input_rows (float32)")
    phases.wrap(forecast, "training_set", "training_set (samples)")
    skip_after(args.batches)
    chosen = {} if args.val_size is None else {"val_size": args.val_size}
    model = rnncast.Forecaster(model="lstm", seq_length=args.seq_length, hidden_size=args.hidden_size,
                               epochs=1, batch_size=args.batch_size, seed=args.seed, **chosen)
    validated = model.val_size != 0
    phases.wrap(training, "run", "training (1 epoch + validation)" if validated else "training (1 epoch)",
                "refit on all windows (1 epoch)")
    reset_peak()
    started = time.perf_counter()
    model.fit(df)
    seconds = time.perf_counter() - started
    fit_peak = phases.overall()
    model_bytes = sum(p.numel() * p.element_size() for p in model.net_.parameters())
    budget = 2 * raw32 + 3 * model_bytes  # weights, Adam's two moments (the gradient shares the weights' size)

    refit = "done" if len(phases.rows) > 4 else "not needed: training did not beat the untrained net"
    validation = f"val_size {model.val_size}, refit {refit}" if validated else "no validation"
    print(f"\npanel: {args.series} series x {args.steps} steps = {points / 1e6:.0f}M points, seq_length "
          f"{args.seq_length}, LSTM hidden {args.hidden_size}, batch {args.batch_size} ({args.batches} trained),"
          f" {validation}; fit in {seconds:.1f} s")
    print(f"raw float32 data {raw32 / MB:.0f} MB; model {model_bytes / 1024:.1f} KB; target 2x raw + model"
          f" (+ Adam state) = {budget / MB:.0f} MB")
    print(f"DataFrame: {df_bytes / MB:.0f} MB by pandas' count (ids, ds, y); RSS {start_rss / MB:.0f} MB before it,"
          f" {after_df / MB:.0f} MB with it\n")
    print(f"{'phase':<38}{'RSS before':>12}{'peak':>10}{'RSS after':>11}{'peak - before':>15}{'seconds':>9}")
    for label, before, top, after, secs in phases.rows:
        print(f"{label:<38}{before / MB:>10.0f}MB{top / MB:>8.0f}MB{after / MB:>9.0f}MB{(top - before) / MB:>13.0f}MB"
              f"{secs:>9.1f}")
    above = fit_peak - after_df
    print(f"\npeak RSS during fit: {fit_peak / MB:.0f} MB total; {above / MB:.0f} MB above the process with its"
          f" DataFrame = {above / raw32:.2f}x the raw float32 data (target <= {budget / raw32:.2f}x:"
          f" {'met' if above <= budget else 'NOT met'})")
    print(f"total peak / raw float32: {fit_peak / raw32:.2f}x (interpreter, torch and the caller's DataFrame"
          f" included)")


if __name__ == "__main__":
    main()
