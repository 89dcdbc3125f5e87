"""Whole-process wall time: ``rnncast demo`` vs the lecture's plain script on the same data.

    python benchmarks/demo_walltime.py [--repeats 5]

Each command runs as a fresh process (start-up and imports included), interleaved, ``repeats``
times; the median of each and their ratio are printed. rnncast's demo also writes the whole run
directory (config, weights, metrics, predictions, two PNGs and the HTML report); the plain script
prints its windows and losses to /dev/null and draws its plot.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import describe

HERE = Path(__file__).resolve().parent


def timed(cmd, cwd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(describe())
    work = Path(tempfile.mkdtemp(prefix="rnncast-bench-"))
    plain_cmd = [sys.executable, str(HERE / "lecture_plain.py")]
    demo_cmd = [sys.executable, "-m", "rnncast", "demo", "--quiet", "--out", str(work / "demo")]
    timed(plain_cmd, work), timed(demo_cmd, work)  # warm the file cache
    plain, demo = [], []
    for _ in range(args.repeats):
        plain.append(timed(plain_cmd, work))
        demo.append(timed(demo_cmd, work))
    shutil.rmtree(work, ignore_errors=True)
    p, d = statistics.median(plain), statistics.median(demo)
    print(f"whole-process wall time, median of {args.repeats}:")
    print(f"  lecture plain script   {p:.2f} s   (runs: {', '.join(f'{t:.2f}' for t in plain)})")
    print(f"  rnncast demo           {d:.2f} s   (runs: {', '.join(f'{t:.2f}' for t in demo)})")
    print(f"  ratio demo/plain       {d / p:.2f}   (required <= 1.0)")


if __name__ == "__main__":
    main()
