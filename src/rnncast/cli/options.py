"""The data and model options shared by ``rnncast train`` and ``rnncast backtest``, ``--preset``, and the
Forecaster they build.

Defaults are ``Forecaster()``'s: windows relative to their last value in log space with a zero output
layer (the untrained net is naive), the last 20% of each series' windows for validation, early stopping
that keeps the untrained net unless training beats it by 1% (``--min-delta``), then a refit on all windows.
``--preset NAME`` replaces those defaults with a frequency's settings (``rnncast.forecaster.presets``); a flag given
on the command line still wins over the preset.
"""

from __future__ import annotations

import argparse
import sys

from rnncast.data.scaling import SCALERS
from rnncast.errors import RnncastError

# The lecture's experiment (rnncast demo): what its script does, not rnncast's defaults (Forecaster arguments).
LECTURE = {
    "model": "lstm", "nonlinearity": "tanh", "seq_length": 7, "hidden_size": 10, "num_layers": 1, "horizon": 1,
    "strategy": "direct", "dropout": 0.0, "scaler": "minmax", "normalize": "none", "lr": 0.01, "iterations": 500,
    "epochs": None, "batch_size": None, "clip": None, "val_size": 0.0, "patience": None, "refit_best": False,
    "min_delta": 0.0, "val_metric": "loss", "loss": "mse", "ensemble": 1, "deseasonalize": False, "history": None,
    "series_embedding": 0, "pad": False, "quantiles": None, "conformal": None, "season_length": None,
    "shrink": 1.0, "restore_best": True,
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
    g.add_argument("--calendar", help="calendar features from the time column: dayofweek,month,dayofyear,hour")
    g.add_argument("--freq", help="time step as a pandas frequency (D, W, MS, h...; default: inferred)")
    g.add_argument("--pad", action="store_true",
                   help="left-pad series shorter than one window (a mask input marks the padding) instead of skipping")


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


def _number_or(word: str, what: str):
    """An argparse type: a number, or the word ``word`` (--val-size horizon, --shrink auto)."""

    def parse(text: str) -> float | str:
        if text == word:
            return text
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what} or {word!r}, got {text!r}") from None

    return parse


_val_size = _number_or("horizon", "a fraction")
_share = _number_or("auto", "a share in (0, 1]")


def add_model_options(p: argparse.ArgumentParser) -> None:
    from rnncast.forecaster.presets import PRESETS

    g = p.add_argument_group("model and training")
    g.add_argument("--preset", choices=list(PRESETS), help="a frequency's settings in one flag (normalised, "
                   "deseasonalised, early-stopped ensemble; see rnncast.forecaster.presets); explicit flags still win")
    g.add_argument("--model", choices=["rnn", "lstm", "gru"], default="lstm")
    g.add_argument("--nonlinearity", choices=["tanh", "relu", "sigmoid"], default="tanh",
                   help="rnn only (sigmoid: numpy engine only)")
    g.add_argument("--engine", choices=["torch", "numpy"], default="torch",
                   help="torch (nn.LSTM & co.) or numpy (rnncast.scratch: the equations, BPTT by hand)")
    g.add_argument("--seq-length", type=int, default=7, help="input window length (default 7)")
    g.add_argument("--horizon", type=int, default=1, help="steps ahead to forecast (default 1)")
    g.add_argument("--strategy", choices=["direct", "recursive", "seq2seq"], default="direct",
                   help="multi-step: direct (H outputs), recursive (fed back), seq2seq (many-to-many)")
    g.add_argument("--quantiles", help="e.g. 0.1,0.5,0.9: pinball loss, one output per quantile (direct, torch)")
    g.add_argument("--conformal", help="interval levels in %%, e.g. 80,95: conformal intervals from a backtest"
                                       " of the training data")
    g.add_argument("--hidden-size", type=int, default=10)
    g.add_argument("--num-layers", type=int, default=1)
    g.add_argument("--series-embedding", type=int, default=0,
                   help="size of a learned per-series vector joined to every input step (torch; default 0: none)")
    g.add_argument("--dropout", type=float, default=0.0)
    g.add_argument("--scaler", choices=SCALERS, default="log",
                   help="per series, training rows only (default log: log space for positive columns, standardised;"
                        " log_unscaled: log space, centred only, so relative windows read plain log ratios)")
    g.add_argument("--normalize", choices=["none", "last", "season"], default="last",
                   help="last (default): windows relative to their last row, zero-initialised output (starts at"
                        " naive); season: outputs relative to the seasonal-naive value (starts at seasonal"
                        " naive; direct strategy); none: the lecture's absolute windows")
    g.add_argument("--season-length", type=int, metavar="M",
                   help="the period of --normalize season (default: --season, else from the frequency, e.g. 12"
                        " monthly)")
    g.add_argument("--shrink", type=_share, default=1.0, metavar="ALPHA|auto",
                   help="forecasts keep this share of the learned correction to the naive anchor (default 1;"
                        " auto: chosen on the validation hold-out)")
    g.add_argument("--deseasonalize", nargs="?", type=int, const=True, default=False, metavar="PERIOD",
                   help="remove a significant multiplicative seasonal index first (period: from the frequency)")
    g.add_argument("--ensemble", type=int, default=1,
                   help="N networks differing in cell, loss, input length and seed; their median (default 1)")
    g.add_argument("--loss", choices=["mse", "mae", "mape", "smape"], default="mse",
                   help="training loss (mape, smape: of the forecasts in the data's units; log scaler, direct)")
    g.add_argument("--lr", type=float, default=0.01, help="Adam learning rate (default 0.01)")
    g.add_argument("--iterations", type=int, default=500, help="full-batch steps (default 500)")
    g.add_argument("--epochs", type=int, help="train in mini-batch epochs instead of full-batch iterations")
    g.add_argument("--batch-size", type=int, help="mini-batch size with --epochs")
    g.add_argument("--clip", type=float, help="clip the gradient's global norm to this value")
    g.add_argument("--history", type=int, help="train on each series' last N windows only (default: all)")
    g.add_argument("--val-size", type=_val_size, default=0.2,
                   help="last fraction of each series' windows for validation (default 0.2), or 'horizon':"
                        " the last H values of each series; 0: no early stopping")
    g.add_argument("--patience", type=int, default=50, help="early stop after this many rounds without"
                                                            " improvement (default 50)")
    g.add_argument("--val-metric", choices=["loss", "rmse", "mae", "mape", "smape"], default="loss",
                   help="what early stopping watches: the loss or a metric in the data's units (direct)")
    g.add_argument("--min-delta", type=float, default=0.01,
                   help="a round must beat the best so far (first: the untrained naive net) by this fraction")
    g.add_argument("--refit-best", action=argparse.BooleanOptionalAction, default=True,
                   help="after early stopping, retrain on all windows for the chosen number of rounds (default)")
    g.add_argument("--restore-best", action=argparse.BooleanOptionalAction, default=True,
                   help="with validation, keep the best round's weights (default); --no-restore-best: the last"
                        " round's (the held-out values then only judge, e.g. --shrink auto)")
    g.add_argument("--seed", type=int, default=0)
    e = p.add_argument_group("evaluation and output")
    e.add_argument("--test-size", type=float, default=0.3, help="fraction of rows held out (default 0.3)")
    e.add_argument("--season", type=int, help="season length for seasonal naive (default: from the time column)")
    e.add_argument("--lookahead", action="store_true", help="also show the lecture's look-ahead-scaled RMSE")
    e.add_argument("--out", help="run directory (default runs/<name>); replaces only a run rnncast wrote")
    add_force_option(e)
    e.add_argument("--quiet", action="store_true", help="no progress bar")


def add_force_option(p) -> None:
    """``--force``: the one flag that lets a run directory replace an rnncast run of another kind."""
    p.add_argument("--force", action="store_true",
                   help="also replace an rnncast run of another kind, or one whose files were edited (never a"
                        " file rnncast did not write, nor an input)")


def apply_preset(args, parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Set ``args`` from ``--preset`` for every setting whose flag is not in ``argv`` (explicit flags win)."""
    if not getattr(args, "preset", None):
        return
    from rnncast.forecaster.presets import preset_params

    given = {action.dest for action in _actions(parser, args.command)
             if any(a == o or a.startswith(o + "=") for o in action.option_strings for a in argv)}
    for name, value in preset_params(args.preset, args.horizon).items():
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

    try:
        quantiles = [float(q) for q in split(args.quantiles)] if args.quantiles else None
        conformal = [float(c) for c in split(args.conformal)] if args.conformal else None
    except ValueError:
        raise RnncastError("--quantiles and --conformal take numbers like 0.1,0.9 and 80,95") from None
    return Forecaster(
        model=args.model, seq_length=args.seq_length, horizon=args.horizon, hidden_size=args.hidden_size,
        num_layers=args.num_layers, dropout=args.dropout, nonlinearity=args.nonlinearity, scaler=args.scaler,
        strategy=args.strategy, quantiles=quantiles, calendar=tuple(split(args.calendar) or ()), pad=args.pad,
        series_embedding=args.series_embedding, normalize=args.normalize,
        season_length=args.season_length or getattr(args, "season", None), shrink=args.shrink,
        refit_best=args.refit_best, restore_best=args.restore_best,
        deseasonalize=args.deseasonalize, ensemble=args.ensemble, loss=args.loss, lr=args.lr,
        iterations=args.iterations, epochs=args.epochs, batch_size=args.batch_size, clip=args.clip,
        val_size=args.val_size, patience=args.patience, val_metric=args.val_metric, min_delta=args.min_delta,
        history=args.history,
        seed=args.seed, engine=args.engine, conformal=conformal, **extra)


def announce(args, panel, table=None) -> None:
    """The one line on stderr before training (and what the run did with the input's columns)."""
    for line in input_notes(table, panel) if table is not None else []:
        print(f"rnncast: {line}", file=sys.stderr)  # even with --quiet: nothing is dropped silently
    if args.quiet:
        return
    rows = sum(len(s) for s in panel.series)
    preset = f", preset {args.preset}" if getattr(args, "preset", None) else ""
    print(f"training {args.model} ({args.engine}{preset}) on {args.data} ({len(panel)} series, {rows} rows,"
          f" target {panel.first.target})", file=sys.stderr)
