"""Hostile or huge inputs through ``rnncast train``: outcome, seconds and peak memory of each.

    python benchmarks/hostile_inputs.py [--cases wide,million_ids,...] [--limit 600] [--dir /tmp/hostile]

Each case is generated on disk, then run as a real user would (``rnncast train FILE --iterations 1
--quiet --out run``) in a child process; its peak resident memory comes from ``wait4``'s rusage
(ru_maxrss). The table goes into BENCHMARKS.md by hand. Cases (issue 14):

- wide:          60 rows x 100,000 numeric columns (CSV)
- million_ids:   a long table with 1,000,000 distinct ids, one row each (CSV)
- one_byte_1gb:  1 GB of the byte "a" (no line break)
- newlines_1gb:  1 GB of line breaks
- bad_parquet:   a real Parquet file whose footer is overwritten
- long_line:     a CSV whose second line is 100 MB long
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

GB = 1 << 30


def _fill(path: Path, block: bytes, size: int) -> None:
    with open(path, "wb") as f:
        chunk = block * ((1 << 24) // len(block))
        for _ in range(size // len(chunk)):
            f.write(chunk)


def make(case: str, folder: Path) -> Path:
    """Write the input of ``case`` (run in a child, so this process stays small: a child's peak memory
    as ``wait4`` reports it includes what its parent held when it forked)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    if case == "wide":
        path = folder / "wide.csv"
        pd.DataFrame(rng.normal(size=(60, 100_000)).round(3), columns=[f"c{i}" for i in range(100_000)]).to_csv(
            path, index=False)
    elif case == "million_ids":
        path = folder / "million_ids.csv"
        n = 1_000_000
        pd.DataFrame({"unique_id": np.char.add("s", np.arange(n).astype(str)), "ds": 1,
                      "y": rng.normal(size=n).round(3)}).to_csv(path, index=False)
    elif case == "one_byte_1gb":
        path = folder / "one_byte.csv"
        _fill(path, b"a", GB)
    elif case == "newlines_1gb":
        path = folder / "newlines.csv"
        _fill(path, b"\n", GB)
    elif case == "bad_parquet":
        path = folder / "bad.parquet"
        pd.DataFrame({"ds": np.arange(200), "y": rng.normal(size=200)}).to_parquet(path)
        data = bytearray(path.read_bytes())
        data[-12:-4] = b"\xff" * 8  # the footer's length and its end
        path.write_bytes(bytes(data))
    elif case == "long_line":
        path = folder / "long_line.csv"
        with open(path, "w") as f:
            f.write("ds,y\n")
            f.write("1," + "9" * (100 << 20) + "\n")
            f.write("2,3\n")
    else:
        raise SystemExit(f"unknown case {case}")
    return path


def run(path: Path, limit: float) -> tuple[int, str, float, float]:
    """(exit status, last stderr line, seconds, peak MB) of ``rnncast train path``."""
    out = path.parent / "run"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "rnncast", "train", str(path), "--iterations", "1", "--quiet",
                             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = start + limit
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace").strip().splitlines()
    code = os.waitstatus_to_exitcode(status)
    return code, (err[-1] if err else "")[:160], seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="wide,million_ids,one_byte_1gb,newlines_1gb,bad_parquet,long_line")
    parser.add_argument("--limit", type=float, default=600, help="seconds before a case is killed")
    parser.add_argument("--dir", default="/tmp/rnncast-hostile")
    parser.add_argument("--make", help=argparse.SUPPRESS)  # internal: write one case's input and exit
    args = parser.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    if args.make:
        print(make(args.make, folder))
        return
    probe = "import torch, pandas, numpy; print(torch.__version__, pandas.__version__, numpy.__version__)"
    versions = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.split()
    print(f"# {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
          f" torch {versions[0]}, pandas {versions[1]}, numpy {versions[2]}")
    print("| case | input size | outcome | seconds | peak MB |")
    print("|---|---|---|---|---|")
    for case in args.cases.split(","):
        path = Path(subprocess.run([sys.executable, __file__, "--make", case, "--dir", str(folder)], check=True,
                                   capture_output=True, text=True).stdout.strip())
        size = path.stat().st_size
        code, line, seconds, peak = run(path, args.limit)
        outcome = f"exit {code}: {line}" if code else "exit 0 (trained)"
        print(f"| {case} | {size / 1e6:,.0f} MB | {outcome.replace('|', '/')} | {seconds:.1f} | {peak:,.0f} |",
              flush=True)
        path.unlink()


if __name__ == "__main__":
    main()
