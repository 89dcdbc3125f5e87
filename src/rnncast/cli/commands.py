"""The ``rnncast`` command: parse arguments, build a Forecaster, call the library. Nothing else.

    rnncast demo [--out DIR]            the lecture's experiment on the bundled stock_daily data
    rnncast train DATA [options]        any table: train, evaluate against baselines, write runs/<name>/
    rnncast backtest DATA [options]     rolling-origin evaluation (statsforecast's cross-validation shape)
    rnncast predict RUN_DIR [DATA]      forecast the next step with a saved run
    rnncast datasets                    list the bundled data sets
    rnncast explain gradients|rnn       gradient flow through time; a net's recurrence and hidden states
    rnncast text train|sample           character-level language model (the lecture's softmax form)
    rnncast tag train|predict           per-token tagger (many-to-many), CoNLL files

Exit status: 0 success, 2 bad input or arguments (one line on stderr), 130 interrupted (Ctrl-C),
1 an internal error (a bug: one line; RNNCAST_DEBUG=1 shows the traceback).
Heavy modules (torch, pandas, matplotlib) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rnncast import atomic, outputs
from rnncast.cli import scale as cli_scale
from rnncast.cli.options import (
    LECTURE,
    add_data_options,
    add_force_option,
    add_model_options,
    add_numbers_option,
    announce,
    apply_preset,
    forecaster_from,
    input_notes,
    read_panel,
)
from rnncast.cli.predict import run_predict
from rnncast.cli.tune import add_command as add_tune_command
from rnncast.cli.tune import run_tune
from rnncast.errors import RnncastError
from rnncast.forecaster.settings import add_option
from rnncast.profiling import phase
from rnncast.training import distributed
from rnncast.training.engines import ENGINES
from rnncast.training.progress import add_options as add_progress_options
from rnncast.training.progress import wanted as progress_wanted


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error on one line and exits 2."""

    def error(self, message: str):
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rnncast", description="Recurrent neural network forecasting: train, evaluate, predict.")
    from rnncast.version import __version__

    parser.add_argument("--version", action="version", version=f"rnncast {__version__}")
    parser.add_argument("--threads", type=int,
                        help="CPU threads for torch and BLAS (default 1, or OMP_NUM_THREADS when set)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_forecasting_commands(sub)
    add_tune_command(sub, add_data_options, add_model_options)
    sub.add_parser("datasets", help="list the bundled data sets")
    from rnncast.text.cli import add_commands as add_text_commands

    add_text_commands(sub, _Parser)
    _add_explain_commands(sub)
    return parser


def _add_forecasting_commands(sub) -> None:
    """demo, train, backtest, predict."""
    demo = sub.add_parser("demo", help="the lecture's LSTM on stock_daily, with baselines and report",
                          description="The lecture's experiment: stock_daily reversed, seq_length 7, LSTM hidden "
                                      "10, 1 layer, Adam lr 0.01, 500 iterations, 70/30 split.")
    demo.add_argument("--out", default="runs/demo", help="run directory (default runs/demo)")
    demo.add_argument("--seed", type=int, default=0)
    add_option(demo, "engine")
    add_progress_options(demo)
    add_force_option(demo)

    train = sub.add_parser("train", help="train on a table and evaluate against baselines")
    train.add_argument("data", help="CSV/TSV/Parquet file or a bundled data set name")
    add_data_options(train)
    add_model_options(train)
    from rnncast.training.checkpoint import add_options as add_checkpoint_options

    add_checkpoint_options(train)
    cli_scale.add_options(train)

    back = sub.add_parser("backtest", help="rolling-origin evaluation over the last windows of each series")
    back.add_argument("data", help="CSV/TSV/Parquet file or a bundled data set name")
    add_data_options(back)
    add_model_options(back)
    cli_scale.add_options(back)
    w = back.add_argument_group("backtest")
    w.add_argument("--n-windows", type=int, default=3, help="forecast windows per series (default 3)")
    w.add_argument("--step-size", type=int, help="steps between window origins (default: the horizon)")
    w.add_argument("--refit", action="store_true", help="train a fresh model (and scalers) for every window")

    predict = sub.add_parser("predict", help="forecast the next step with a saved run")
    predict.add_argument("run_dir")
    predict.add_argument("data", nargs="?", help="data to forecast from (default: the run's training data)")
    predict.add_argument("--reverse", action=argparse.BooleanOptionalAction, default=None)
    predict.add_argument("--fill", choices=["ffill", "interpolate", "drop"])
    add_numbers_option(predict)
    predict.add_argument("--horizon", type=int, help="steps ahead (recursive/seq2seq may differ from training)")
    predict.add_argument("--out", help="write the forecast to this CSV file (replaces only a forecast rnncast wrote)")
    predict.add_argument("--plot", metavar="FILE.html", help="also write a page of every series' recent history and"
                         " forecast (intervals when the run has them), with a series picker; self-contained")
    predict.add_argument("--paths", metavar="FILE.csv", help="also write a likelihood model's sample paths, long:"
                         " unique_id, ds, sample, <model> (replaces only a path table rnncast wrote)")
    predict.add_argument("--engine", choices=ENGINES,
                         help="load the weights into this engine (default: the one that trained the run)")


def _add_explain_commands(sub) -> None:
    """explain gradients, explain rnn."""
    explain = sub.add_parser("explain", help="the lecture's RNN made visible: gradient flow, activations, h_t")
    what = explain.add_subparsers(dest="what", required=True, parser_class=_Parser)
    grads = what.add_parser("gradients", help="how ∂L/∂h_k vanishes or explodes with distance, per cell type",
                            description="Norm of ∂L/∂h_k against the distance T-k for tanh, sigmoid and relu RNNs, "
                                        "LSTM and GRU, at spectral radius of W_hh below, at and above 1; checks "
                                        "the lecture's claims. Also plots σ, tanh, ReLU and their derivatives.")
    grads.add_argument("--length", type=int, default=100, help="sequence length (default 100)")
    grads.add_argument("--hidden-size", type=int, default=32)
    grads.add_argument("--out", default="runs/explain-gradients", help="directory for the PNGs")
    add_force_option(grads)
    rnn = what.add_parser("rnn", help="the recurrence with a trained net's real dimensions + hidden-state heat map")
    rnn.add_argument("source", help="a run directory, or data to train the lecture's LSTM on first")
    rnn.add_argument("--window", type=int, default=-1, help="which input window to show (default: the last)")
    rnn.add_argument("--reverse", action=argparse.BooleanOptionalAction, default=None)
    rnn.add_argument("--out", default="runs/explain-rnn", help="directory for the heat map")
    add_force_option(rnn)


def run_demo(args) -> int:
    args.data, args.target, args.features, args.time_col, args.reverse, args.fill, args.numbers = (
        "stock_daily", None, None, None, None, None, None)
    args.id_col, args.known, args.calendar, args.freq = None, None, None, None
    vars(args).update(LECTURE, preset=None)
    args.test_size, args.season, args.lookahead = 0.3, None, True
    args.device, args.precision, args.tensorboard, args.nproc = "cpu", "fp32", None, 1
    return run_train(args, title="rnncast demo: the lecture's LSTM on stock_daily (next-day Close)")


def _prepare(args):
    """The panel and an unfitted Forecaster from the shared data and model options."""
    from rnncast.training.checkpoint import options_from as checkpoint_options

    if distributed.is_main():  # before any work: a target rnncast may not replace ends the command now
        atomic.check_target(_run_dir(args, args.command), outputs.FORECAST_RUN, _inputs(args), args.force)
    forecaster = forecaster_from(args, progress=progress_wanted(args) and distributed.is_main(), device=args.device,
                                 precision=args.precision, tensorboard=args.tensorboard,
                                 **checkpoint_options(args, _run_dir(args, "train")))
    with phase("read"):
        table, panel = read_panel(args)
    panel.notes = input_notes(table, panel)
    if distributed.is_main():
        announce(args, panel, table)
    return panel, forecaster


def run_train(args, title: str | None = None) -> int:
    from rnncast.data.holdout_split import default_test_size
    from rnncast.evaluation.holdout import holdout

    panel, forecaster = _prepare(args)
    test_size = args.test_size if args.test_size is not None else default_test_size(
        panel, forecaster.horizon, preset=bool(args.preset))
    evaluation = holdout(forecaster, panel, test_size, args.season, lookahead=args.lookahead)
    title = title or f"rnncast: {args.model} on {Path(str(args.data)).name} (target {panel.first.target})"
    return _finish(args, panel, forecaster, evaluation, title, "train")


def run_backtest(args) -> int:
    from rnncast.evaluation.backtest import backtest

    panel, forecaster = _prepare(args)
    evaluation = backtest(forecaster, panel, args.n_windows, args.step_size, args.refit, args.season)
    title = (f"rnncast backtest: {args.model} on {Path(str(args.data)).name}, {args.n_windows} windows"
             f"{' (refit)' if args.refit else ''}")
    code = _finish(args, panel, forecaster, evaluation, title, "backtest")
    from rnncast.report.run import format_table

    for cutoff, table in evaluation.metrics["windows"].items():
        print(f"\nwindow with cutoff {cutoff}:")
        print(format_table(table, forecaster.model))
    return code


def _inputs(args) -> list[str]:
    """The files a command reads: its output may never be one of them or contain one."""
    from rnncast.data.io import resolve_source

    try:
        return [str(resolve_source(args.data)[0])]
    except RnncastError:
        return []  # reported when the data are read


def _run_dir(args, kind: str) -> Path:
    return Path(args.out or f"runs/{Path(str(args.data)).stem}-{args.model}{'-backtest' if kind == 'backtest' else ''}")


def _finish(args, panel, forecaster, evaluation, title, kind) -> int:
    from rnncast.report.run import format_by_horizon, format_table, notes, write_run

    if not distributed.is_main():
        return 0  # under torchrun only rank 0 writes the run and prints

    out = _run_dir(args, kind)
    source = {"path": str(args.data), "reverse": args.reverse, "fill": args.fill, "numbers": args.numbers,
              "input_notes": panel.notes}
    with phase("write"):
        write_run(out, forecaster, evaluation, panel, source, title, _inputs(args), args.force,
                  getattr(args, "tables", "auto"))
    n = len(evaluation.predictions)
    print(f"{title}\n{n} forecasts ({forecaster.horizon}-step horizon) over {len(evaluation.metrics['per_series'])}"
          f" series, original units; * = the network\n")
    print(format_table(evaluation.table, forecaster.model))
    print()
    by_horizon = format_by_horizon(evaluation)
    if by_horizon:
        print(by_horizon + "\n")
    for line in notes(evaluation, panel, forecaster):
        print(line)
    tables = sorted(p.name for p in out.iterdir() if p.suffix in (".csv", ".parquet"))
    print(f"\nrun written to {out}/ (report.html, forecast.png, metrics.json, {', '.join(tables)})")
    return 0


def run_datasets(args) -> int:
    from rnncast import datasets

    for d in datasets.DATASETS.values():
        print(f"{d.name:<16}{d.description}")
    return 0


def run_explain(args) -> int:
    from rnncast.explain import gradients as explain

    inputs = [getattr(args, "source", None)]
    atomic.check_target(args.out, outputs.EXPLAIN, inputs, args.force)
    if args.what == "gradients":
        if args.length < 1 or args.hidden_size < 1:
            raise RnncastError("--length and --hidden-size must be positive")
        result = explain.gradient_flow(length=args.length, hidden_size=args.hidden_size)
        with atomic.directory(args.out, outputs.EXPLAIN, inputs, args.force) as stage:
            stage.write_bytes("gradients.png", explain.gradient_png(result))
            stage.write_bytes("activations.png", explain.activations_png())
        print(explain.gradient_table(result))
        print()
        for line in explain.gradient_claims(result):
            print(line)
        print(f"\nfigures written to {args.out}/ (gradients.png, activations.png)")
        return 0

    forecaster, frame = _forecaster_for(args.source, args.reverse)
    L = forecaster.seq_length
    n_windows = len(frame) - L + 1
    index = args.window if args.window >= 0 else n_windows + args.window
    if not 0 <= index < n_windows:
        raise RnncastError(f"--window must lie in [{-n_windows}, {n_windows - 1}], got {args.window}")
    rows = forecaster.series_input_rows(frame, forecaster.scalings_[frame.uid])
    window = rows[index : index + L]  # (L, F + K) as the net sees it
    names = frame.columns + frame.known_columns + [f"{c}:{f}" for c in forecaster.calendar for f in ("sin", "cos")]
    names += ["mask"] * bool(forecaster.pad) + ["seasonal"] * (forecaster.normalize == "auto") \
        + ["series"] * bool(forecaster.series_embedding)
    states = explain.hidden_states(forecaster.net_, window)
    with atomic.directory(args.out, outputs.EXPLAIN, inputs, args.force) as stage:
        stage.write_bytes("hidden_states.png", explain.hidden_heatmap_png(states, feature_names=names, window=window))
    print(explain.describe_rnn(forecaster.net_, window.shape[1]))
    print(f"\nhidden states of window {index} (rows {index}..{index + L - 1}) written to {args.out}/hidden_states.png")
    return 0


def _forecaster_for(source: str, reverse):
    """A trained forecaster and its data: loaded from a run directory, or the lecture's LSTM fitted on data."""
    from rnncast.data.io import read_table
    from rnncast.data.panel import to_panel
    from rnncast.forecaster.forecaster import Forecaster, load, read_config

    if Path(source).is_dir():
        forecaster = load(source, engine="torch")  # the heat map reads torch's hidden states
        data_source = read_config(Path(source)).get("data_source") or {}
        if "path" not in data_source:
            raise RnncastError(f"{source} does not record its training data")
        table = read_table(data_source["path"], reverse=data_source.get("reverse"))
        return forecaster, forecaster.panel_for(table, data_source.get("fill")).first
    panel = to_panel(read_table(source, reverse=reverse))
    print(f"training the lecture's LSTM on {source} first (500 iterations)", file=sys.stderr)
    return Forecaster(model="lstm", seq_length=7, hidden_size=10).fit_panel(panel), panel.first


def _text_command(args) -> int:
    from rnncast.text.cli import COMMANDS as TEXT_COMMANDS

    return TEXT_COMMANDS[args.command](args)


COMMANDS = {"demo": run_demo, "train": run_train, "backtest": run_backtest, "predict": run_predict, "tune": run_tune,
            "datasets": run_datasets, "explain": run_explain, "text": _text_command, "tag": _text_command}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    apply_preset(args, parser, sys.argv[1:] if argv is None else argv)
    _set_threads(args.threads)
    if cli_scale.should_launch(args):
        return cli_scale.launch(args, sys.argv[1:] if argv is None else argv, _prepare)
    if not distributed.is_main():
        sys.stdout = open(os.devnull, "w")  # other ranks print nothing; rank 0 reports
    return COMMANDS[args.command](args)


def _set_threads(threads: int | None) -> None:
    """One CPU thread by default, before torch or numpy load their thread pools.

    rnncast's networks are small: on a 2-core machine with anything else running, torch's and
    OpenBLAS's spinning thread pools made the demo 14x slower with 2 threads than with 1 (197 s vs
    14 s, measured under load). ``--threads N`` or ``OMP_NUM_THREADS`` choose otherwise.
    """
    if threads is not None:
        if threads < 1:
            raise RnncastError(f"--threads must be a positive whole number, got {threads}")
        value = str(threads)
    else:
        value = os.environ.get("OMP_NUM_THREADS", "1")
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if threads is not None or name not in os.environ:
            os.environ[name] = value
    if "torch" in sys.modules:  # already loaded (e.g. main() called from Python): set it directly
        sys.modules["torch"].set_num_threads(int(value))


def app(argv: list[str] | None = None) -> None:
    """Console entry point: run ``main`` and turn errors into one line and an exit status."""
    try:
        code = main(argv)
    except RnncastError as exc:
        sys.stderr.write(f"rnncast: error: {exc}\n")
        code = 2
    except KeyboardInterrupt:
        sys.stderr.write("\nrnncast: interrupted; nothing was written\n")
        code = 130
    except OSError as exc:
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        sys.stderr.write(f"rnncast: error: cannot write or read{where}: {exc.strerror or exc}\n")
        code = 2
    except Exception as exc:  # a bug, not bad input: one line, and the traceback on request
        if os.environ.get("RNNCAST_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        sys.stderr.write(f"rnncast: internal error: {type(exc).__name__}: {first}"
                         f" (run with RNNCAST_DEBUG=1 for the traceback, and please report it)\n")
        code = 1
    raise SystemExit(code)
