"""The data and model options shared by ``rnncast train`` and ``rnncast backtest``, ``--preset``, and the
Forecaster they build.

Defaults are ``Forecaster()``'s: windows relative to their last value in log space with a zero output
layer (the untrained net is naive), the last 20% of each series' windows for validation, early stopping
that keeps the untrained net unless training beats it by 1% (``--min-delta``), then a refit on all windows.
``--preset NAME`` replaces those defaults with a frequency's settings (``rnncast.forecaster.presets``), and
``--config RUN`` with the settings a saved run was trained with; a flag given on the command line wins over both.
"""

from __future__ import annotations

import argparse
import sys

from rnncast.forecaster.settings import SETTINGS, add_option, from_args
from rnncast.outputs import TABLE_FORMATS
from rnncast.training.progress import add_options as add_progress_options

# The Forecaster settings of the "model and training" group, in the order --help lists them; --pad and
# --calendar are data options, --device and --precision scale options (cli.scale), the rest runtime.
MODEL_OPTIONS = ("model", "nonlinearity", "engine", "seq_length", "horizon", "strategy", "quantiles", "conformal",
                 "hidden_size", "num_layers", "series_embedding", "dropout", "scaler", "normalize", "season_length",
                 "shrink", "theta_share", "ets_share", "deseasonalize", "ensemble", "member_epochs", "loss", "lr",
                 "iterations", "epochs", "batch_size", "swa", "clip", "history", "val_size", "patience", "val_metric",
                 "min_delta", "refit_best", "restore_best", "seed", "likelihood", "num_samples", "recalibrate")

# The lecture's experiment (rnncast demo): what its script does, not rnncast's defaults (Forecaster arguments).
LECTURE = {
    "model": "lstm", "nonlinearity": "tanh", "seq_length": 7, "hidden_size": 10, "num_layers": 1, "horizon": 1,
    "strategy": "direct", "dropout": 0.0, "scaler": "minmax", "normalize": "none", "lr": 0.01, "iterations": 500,
    "epochs": None, "batch_size": None, "clip": None, "val_size": 0.0, "patience": None, "refit_best": False,
    "min_delta": 0.0, "val_metric": "loss", "loss": "mse", "ensemble": 1, "deseasonalize": False, "history": None,
    "series_embedding": 0, "pad": False, "quantiles": None, "conformal": None, "season_length": None,
    "shrink": 1.0, "restore_best": True, "swa": 0.0, "theta_share": 0.0, "ets_share": 0.0,
    "recalibrate": False,
}


def add_data_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data")
    g.add_argument("--target", help="column to forecast (default: the last numeric column)")
    g.add_argument("--features", help="comma-separated input columns (default: all numeric; target always in)")
    g.add_argument("--time-col", help="time column (default: one named date/ds/time/timestamp, else file order)")
    g.add_argument("--reverse", action=argparse.BooleanOptionalAction, default=None,
                   help="file rows are newest first: flip them (bundled data sets know their own order)")
    g.add_argument("--fill", choices=["ffill", "interpolate", "drop"], help="accept missing/infinite values")
    add_numbers_option(g)
    g.add_argument("--id-col", help="series id column of a long table (default: unique_id if present)")
    g.add_argument("--known", help="comma-separated future-known covariate columns (their future rows follow"
                                   " the last target value)")
    add_option(g, "calendar")
    g.add_argument("--freq", help="time step as a pandas frequency (D, W, MS, h...; default: inferred)")
    add_option(g, "pad")


def add_numbers_option(p) -> None:
    from rnncast.data.numbers import NUMBER_STYLES

    p.add_argument("--numbers", choices=NUMBER_STYLES, default=None,
                   help="numbers written for people: formatted (1,234.50 $12 12%% (300)) or decimal-comma"
                        " (1.234,50); default plain: such a column is refused with the flag to use")


def input_notes(table, panel) -> list[str]:
    """What the run did with the input's columns: parsed numbers written for people, columns left out."""
    lines = []
    parsed = table.attrs.get("parsed_numbers") or {}
    if parsed:
        lines.append("read numbers written for people in " + ", ".join(f"{c} (e.g. {e!r})" for c, e in parsed.items()))
    ignored = panel.first.ignored
    if ignored:
        lines.append("not used as inputs: " + ", ".join(f"{c} ({why})" for c, why in ignored.items())
                     + "; --features chooses the inputs")
    return lines




def add_model_options(p: argparse.ArgumentParser) -> None:
    from rnncast.forecaster.presets import PRESETS

    g = p.add_argument_group("model and training")
    g.add_argument("--preset", choices=list(PRESETS), help="a frequency's settings in one flag (normalised, "
                   "deseasonalised, early-stopped ensemble; see rnncast.forecaster.presets); explicit flags still win")
    g.add_argument("--config", metavar="RUN", help="reuse the settings of a run (its directory or its config.json);"
                   " --preset and explicit flags still win")
    for name in MODEL_OPTIONS:
        add_option(g, name)
    e = p.add_argument_group("evaluation and output")
    e.add_argument("--test-size", type=_test_size, help="held out from each series: a fraction of its rows (0.3),"
                   " or a whole number of steps (8); default: 0.3 of a single series, the last --horizon steps of"
                   " every series of a panel or with --preset")
    e.add_argument("--season", type=int, help="season length for seasonal naive (default: from the time column)")
    e.add_argument("--lookahead", action="store_true", help="also show the lecture's look-ahead-scaled RMSE")
    e.add_argument("--out", help="run directory (default runs/<name>); replaces only a run rnncast wrote")
    e.add_argument("--tables", choices=TABLE_FORMATS, default="auto",
                   help="predictions and per-series metrics as CSV (and inside metrics.json), or Parquet files;"
                        " auto: Parquet from 1,000 series on")
    add_force_option(e)
    add_progress_options(e)


def _test_size(text: str) -> float | int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction like 0.3 or a number of steps like 8, got {text!r}"
                                         ) from None
    return int(value) if value >= 1 and value == int(value) else value


def add_force_option(p) -> None:
    """``--force``: the one flag that lets a run directory replace an rnncast run of another kind."""
    p.add_argument("--force", action="store_true",
                   help="also replace an rnncast run of another kind, or one whose files were edited (never a"
                        " file rnncast did not write, nor an input)")


def apply_preset(args, parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Set ``args`` from ``--config``, then ``--preset``, for every setting whose flag is not in ``argv``
    (explicit flags win over both; the preset over the saved run)."""
    if not getattr(args, "preset", None) and not getattr(args, "config", None):
        return
    given = {action.dest for action in _actions(parser, args.command)
             if any(a == o or a.startswith(o + "=") for o in action.option_strings for a in argv)}
    if args.config:
        from rnncast.forecaster.persist import read_settings

        for name, value in read_settings(args.config).items():
            if name not in given and hasattr(args, name):
                setattr(args, name, value)
    if args.preset:
        from rnncast.forecaster.presets import preset_params

        ensemble = args.ensemble if "ensemble" in given else None
        probabilistic = any(name in given and getattr(args, name, None) for name in ("quantiles", "likelihood"))
        for name, value in preset_params(args.preset, args.horizon, own_epochs="epochs" in given,
                                         ensemble=ensemble, probabilistic=probabilistic).items():
            if name not in given:
                setattr(args, name, value)


def _actions(parser: argparse.ArgumentParser, command: str):
    for action in parser._actions:  # the subcommand's parser holds its options
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[command]._actions
    return []


def split(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def forecaster_from(args, **extra):
    """The unfitted Forecaster the options describe."""
    from rnncast.forecaster.forecaster import Forecaster

    names = [s.name for s in SETTINGS if s.form != "none" and hasattr(args, s.name) and s.name not in extra]
    params = from_args(args, names)
    params["season_length"] = args.season_length or getattr(args, "season", None)  # --season as the fallback
    return Forecaster(**params, **extra)

def read_panel(args):
    """``(table, panel)``: the data the options name, read and split into series."""
    from rnncast.data.io import read_table
    from rnncast.data.panel import to_panel

    table = read_table(args.data, reverse=args.reverse, numbers=args.numbers or "plain")
    panel = to_panel(table, args.id_col, args.target, split(args.features), args.time_col, args.fill,
                     split(args.known), args.freq, min_rows=1 if args.pad else 2)  # 2: a window and its target
    return table, panel


def announce(args, panel, table=None, verb: str = "training") -> None:
    """The one line on stderr before training (and what the run did with the input's columns)."""
    for line in input_notes(table, panel) if table is not None else []:
        print(f"rnncast: {line}", file=sys.stderr)  # even with --quiet: nothing is dropped silently
    if args.quiet:
        return
    rows = sum(len(s) for s in panel.series)
    preset = f", preset {args.preset}" if getattr(args, "preset", None) else ""
    print(f"{verb} {args.model} ({args.engine}{preset}) on {args.data} ({len(panel)} series, {rows} rows,"
          f" target {panel.first.target})", file=sys.stderr)
