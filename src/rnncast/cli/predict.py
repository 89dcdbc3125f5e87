"""``rnncast predict RUN [DATA]``: every series' forecast (and intervals) as one long CSV, optionally a page.

The run is loaded from its directory; DATA defaults to the table it was trained on (with the same reading
options). ``--out`` writes the CSV (replacing only a forecast rnncast wrote), ``--plot`` the page of each
series' recent history and forecast (``report.panel_page.forecast_page``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from rnncast import atomic, outputs
from rnncast.errors import RnncastError


def run_predict(args) -> int:
    from rnncast.data.io import read_table
    from rnncast.forecaster.forecaster import load, read_config

    if args.out:
        atomic.check_target(args.out, outputs.FORECAST_CSV, [args.run_dir, args.data])
    if args.plot:
        atomic.check_target(args.plot, outputs.FORECAST_PAGE, [args.run_dir, args.data, args.out])
    if args.paths:
        atomic.check_target(args.paths, outputs.PATHS_CSV, [args.run_dir, args.data, args.out, args.plot])
    forecaster = load(args.run_dir, engine=args.engine)
    source = read_config(Path(args.run_dir)).get("data_source") or {}
    data = args.data or source.get("path")
    if data is None:
        raise RnncastError("no DATA given and the run does not record its training data")
    reverse = args.reverse if args.reverse is not None else (None if args.data else source.get("reverse"))
    fill = args.fill if args.fill is not None else (None if args.data else source.get("fill"))
    numbers = args.numbers or (None if args.data else source.get("numbers")) or "plain"
    table = read_table(data, reverse=reverse, numbers=numbers)
    forecast = forecaster.predict(table, horizon=args.horizon, fill=fill)
    unknown = getattr(forecaster, "unknown_series_", [])
    if unknown:
        print(f"rnncast: skipped {len(unknown)} series not in the training data: {', '.join(unknown[:10])}",
              file=sys.stderr)
    text = forecast.to_csv(index=False)
    if args.out:
        atomic.write_text_file(args.out, text, outputs.FORECAST_CSV, [args.run_dir, data])
        print(f"forecast written to {args.out}")
    if args.plot:
        _write_forecast_page(args, forecaster, forecaster.panel_for(table, fill), forecast, data)
    if args.paths:  # a likelihood model's sample paths, long: unique_id, ds, sample, <model>
        paths = forecaster.predict(table, horizon=args.horizon, fill=fill, paths=True)
        atomic.write_text_file(args.paths, paths.to_csv(index=False), outputs.PATHS_CSV,
                               [args.run_dir, data, args.out, args.plot])
        print(f"{paths['sample'].nunique()} sample paths per series written to {args.paths}", file=sys.stderr)
    print(text, end="")
    return 0


def _write_forecast_page(args, forecaster, panel, forecast, data) -> None:
    from rnncast.report.panel_page import forecast_page

    H = args.horizon or forecaster.horizon
    title = f"rnncast predict: {forecaster.model} from {Path(args.run_dir).name}, {H} steps ahead"
    page = forecast_page(title, forecast, panel.series, forecaster.model, panel.first.target, H)
    atomic.write_text_file(args.plot, page, outputs.FORECAST_PAGE, [args.run_dir, data, args.out])
    print(f"forecast page written to {args.plot}", file=sys.stderr)
