"""The front door at scale: 1,000 / 20,000 / 100,000 series × 120 monthly steps through ``rnncast``.

    python benchmarks/panel_scale.py [--series 1000,20000] [--commands train,predict,backtest]

Each panel is generated (level, trend, yearly seasonality, 5% noise; seed 0) and written as Parquet, then
``rnncast train big.parquet --horizon 12 --seq-length 24 --epochs 2 --batch-size 1024`` runs in a fresh
process with ``RNNCAST_PROFILE=1``, which prints the time of each phase (read, fit, evaluate, write). Printed:
whole-process wall time, the phases, peak resident memory (``/usr/bin/time``-style, from ``wait4``), and
the run directory's size. ``predict`` and ``backtest`` (``--n-windows 2``) are timed the same way.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import describe


def panel(n_series: int, length: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    level = rng.uniform(50, 5000, n_series)[:, None]
    phase = rng.uniform(0, 2 * np.pi, n_series)[:, None]
    season = 1 + rng.uniform(0.05, 0.4, n_series)[:, None] * np.sin(2 * np.pi * t / 12 + phase)
    trend = 1 + rng.uniform(-0.003, 0.006, n_series)[:, None] * t
    y = (level * season * trend * (1 + 0.05 * rng.standard_normal((n_series, length)))).astype(np.float32)
    ds = pd.date_range(end="2020-12-01", periods=length, freq="MS")
    return pd.DataFrame({"unique_id": pd.Categorical(np.repeat([f"s{k:06d}" for k in range(n_series)], length)),
                         "ds": np.tile(ds.to_numpy(), n_series), "y": y.ravel()})


def run(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stderr of one ``rnncast`` process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "RNNCAST_PROFILE": "1"})
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, err


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default="1000,20000")
    parser.add_argument("--commands", default="train,predict,backtest")
    args = parser.parse_args()
    print(describe())
    rnncast = str(Path(sys.executable).parent / "rnncast")
    common = ["--horizon", "12", "--seq-length", "24", "--epochs", "2", "--batch-size", "1024", "--quiet"]
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(v) for v in args.series.split(",")]:
            data = Path(tmp) / f"panel{n}.parquet"
            panel(n).to_parquet(data)
            print(f"\n{n:,} series × 120 steps: {data.stat().st_size / 1e6:.1f} MB Parquet")
            out = Path(tmp) / f"run{n}"
            for command in args.commands.split(","):
                if command == "train":
                    cmd = [rnncast, "train", str(data), *common, "--out", str(out)]
                    target = out
                elif command == "predict":
                    target = Path(tmp) / f"forecast{n}.csv"
                    cmd = [rnncast, "predict", str(out), str(data), "--out", str(target)]
                else:
                    target = Path(tmp) / f"backtest{n}"
                    cmd = [rnncast, "backtest", str(data), *common, "--n-windows", "2", "--out", str(target)]
                seconds, peak, err = run(cmd)
                phases = [line.split("rnncast: profile ", 1)[1] for line in err.splitlines()
                          if "rnncast: profile " in line]
                print(f"  {command:<9} {seconds:7.1f} s  peak {peak:7.0f} MB  output {size_mb(target):7.1f} MB"
                      f"  {'; '.join(phases)}", flush=True)


if __name__ == "__main__":
    main()
