"""The many-series journey end to end through the command line, on full competition panels as long CSVs.

    python benchmarks/panel_journey.py [--limit N] [--commands train,backtest]

Each panel (``export_panels.py``: Tourism quarterly and monthly, M1 yearly, every series) is written as a
long CSV and run as a user would: ``rnncast train FILE --preset P --horizon H`` (the test split is each
series' last H steps: the competition's own test part) and ``rnncast backtest FILE --preset P --horizon H
--n-windows 2``. Printed per run: wall time, series, the verdict's figures (MASE and sMAPE of the network,
naive and seasonal naive; the share of series where the network beats them; Wilcoxon p) and report.html's size.
Nothing here chooses a setting: the presets are used as they are.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import describe
from export_panels import long_table

RUNS = [("m1_yearly", "yearly", 6), ("tourism_quarterly", "quarterly", 8), ("tourism_monthly", "monthly", 24)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="first N series of each panel")
    parser.add_argument("--commands", default="train,backtest")
    args = parser.parse_args()
    print(describe())
    rnncast = str(Path(sys.executable).parent / "rnncast")
    header = (f"{'command':<9} {'panel':<18} {'preset':<10} {'series':>6} {'seconds':>8} {'MASE net':>9}"
              f" {'naive':>7} {'s.naive':>8} {'sMAPE net':>10} {'naive':>7} {'beats naive':>12} {'beats s.naive':>14}"
              f" {'Wilcoxon p':>11} {'page MB':>8}")
    print("\n" + header)
    with tempfile.TemporaryDirectory() as tmp:
        for name, preset, horizon in RUNS:
            data = Path(tmp) / f"{name}.csv"
            long_table(name, args.limit).to_csv(data, index=False, float_format="%.10g")
            for command in args.commands.split(","):
                out = Path(tmp) / f"{name}-{command}"
                extra = ["--n-windows", "2"] if command == "backtest" else []
                start = time.perf_counter()
                subprocess.run([rnncast, command, str(data), "--preset", preset, "--horizon", str(horizon), *extra,
                                "--quiet", "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
                seconds = time.perf_counter() - start
                doc = json.loads((out / "metrics.json").read_text())
                test, across = doc["test"], doc["across_series"]
                net = doc["model"]

                def share(base, across=across):
                    if base not in across["beats"]:
                        return "n/a"
                    return f"{across['beats'][base]}/{across['compared'][base]}"

                def value(method, metric, test=test):
                    row = test.get(method)
                    return "n/a" if row is None or row[metric] is None else f"{row[metric]:.3f}"

                print(f"{command:<9} {name:<18} {preset:<10} {across['n_series']:>6} {seconds:>8.1f}"
                      f" {value(net, 'mase'):>9} {value('naive', 'mase'):>7} {value('seasonal_naive', 'mase'):>8}"
                      f" {value(net, 'smape'):>10} {value('naive', 'smape'):>7} {share('naive'):>12}"
                      f" {share('seasonal_naive'):>14} {across['wilcoxon']['p_value']:>11.2g}"
                      f" {(out / 'report.html').stat().st_size / 1e6:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
