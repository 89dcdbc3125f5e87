"""Whole-process wall time: ``rnncast demo`` (torch and numpy engines) vs the lecture's plain script.

    python benchmarks/demo_walltime.py [--repeats 5]

Each command runs as a fresh process (start-up and imports included), interleaved, ``repeats``
times; the median of each and their ratio are printed. rnncast's demo also writes the whole run
directory (config, weights, metrics, predictions, two PNGs and the HTML report); the plain script
prints its windows and losses to /dev/null and draws its plot. ``rnncast demo --engine numpy`` runs
the same experiment on the NumPy engine, which never imports torch.
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
    numpy_cmd = [*demo_cmd[:-2], "--engine", "numpy", "--out", str(work / "demo-numpy")]
    commands = {"lecture plain script": plain_cmd, "rnncast demo": demo_cmd, "rnncast demo --engine numpy": numpy_cmd}
    for cmd in commands.values():
        timed(cmd, work)  # warm the file cache
    times = {name: [] for name in commands}
    for _ in range(args.repeats):
        for name, cmd in commands.items():
            times[name].append(timed(cmd, work))
    shutil.rmtree(work, ignore_errors=True)
    median = {name: statistics.median(runs) for name, runs in times.items()}
    print(f"whole-process wall time, median of {args.repeats}:")
    for name, runs in times.items():
        print(f"  {name:<28} {median[name]:.2f} s   (runs: {', '.join(f'{t:.2f}' for t in runs)})")
    plain = median["lecture plain script"]
    print(f"  ratio demo/plain             {median['rnncast demo'] / plain:.2f}   (required <= 1.0)")
    print(f"  ratio numpy demo/torch demo  {median['rnncast demo --engine numpy'] / median['rnncast demo']:.2f}")


if __name__ == "__main__":
    main()
