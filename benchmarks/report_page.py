"""The panel report's size and speed in a real browser (headless Chromium), at 24 to 1,000 series.

    python benchmarks/report_page.py [--series 100,1000] [--repeats 5]

For each size a monthly panel (120 steps per series, seasonal with trend and noise; generated, seed 0) is
trained by ``rnncast train`` with a small fast setting (the page's cost does not depend on the network),
then report.html is opened ``--repeats`` times in a fresh headless Chromium: the time to the load event,
the time until the page has drawn every chart (``body[data-ready]``), and the time to switch the picker
to another series. Medians are printed, with the page's size, its console errors and network requests.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import describe

from rnncast.report.browser import Browser, find_chromium


def panel(n_series: int, length: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    t = np.arange(length)
    ds = pd.date_range(end="2020-12-01", periods=length, freq="MS")
    level = rng.uniform(50, 5000, n_series)[:, None]
    phase = rng.uniform(0, 6, n_series)[:, None]
    season = 1 + rng.uniform(0.05, 0.4, n_series)[:, None] * np.sin(2 * np.pi * t / 12 + phase)
    trend = 1 + rng.uniform(-0.003, 0.006, n_series)[:, None] * t
    y = level * season * trend * (1 + 0.05 * rng.standard_normal((n_series, length)))
    return pd.DataFrame({"unique_id": np.repeat([f"s{k:05d}" for k in range(n_series)], length),
                         "ds": np.tile(ds, n_series), "y": y.ravel()})


def measure(page_path: Path, repeats: int) -> dict:
    loads, readies, switches, errors, requests = [], [], [], [], []
    for _ in range(repeats):
        with Browser() as page:
            start = time.perf_counter()
            loads.append(page.open(page_path.as_uri()))
            page.wait_for("document.body.dataset.ready === '1'")
            readies.append(time.perf_counter() - start)
            before = page.evaluate("document.getElementById('series-chart').innerHTML")
            start = time.perf_counter()
            page.evaluate("const p = document.getElementById('pick'); p.value = DATA.series.at(-1).id;"
                          " p.dispatchEvent(new Event('change'));")
            switches.append(time.perf_counter() - start)
            assert page.evaluate("document.getElementById('series-chart').innerHTML") != before
            errors += page.errors
            requests += page.requests
    return {"load": statistics.median(loads), "ready": statistics.median(readies),
            "switch": statistics.median(switches), "errors": errors, "requests": requests}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default="24,100,1000")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if find_chromium() is None:
        sys.exit("needs Chromium: apt-get install chromium")
    print(describe())
    version = subprocess.run([find_chromium(), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"chromium: {version}")
    print(f"\n{'series':>7} {'page MB':>8} {'load s':>7} {'ready s':>8} {'switch ms':>10} {'errors':>7}"
          f" {'requests':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(v) for v in args.series.split(",")]:
            data = Path(tmp) / f"panel{n}.csv"
            panel(n).to_csv(data, index=False)
            out = Path(tmp) / f"run{n}"
            subprocess.run([str(Path(sys.executable).parent / "rnncast"), "train", str(data), "--horizon", "12",
                            "--seq-length", "24", "--hidden-size", "8", "--epochs", "1", "--batch-size", "256",
                            "--quiet", "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
            page = out / "report.html"
            r = measure(page, args.repeats)
            print(f"{n:>7} {page.stat().st_size / 1e6:>8.2f} {r['load']:>7.2f} {r['ready']:>8.2f}"
                  f" {1000 * r['switch']:>10.1f} {len(r['errors']):>7} {len(r['requests']):>9}")


if __name__ == "__main__":
    main()
