"""``rnncast tune DATA [--preset P] --trials N [--budget SECONDS]``: settings searched on validation origins.

The settings the options describe (a preset, ``--config``, flags) are trial 0; Optuna's TPE sampler tries
others (``rnncast.forecaster.tuning``), each fitted on the rows before ``--origins`` validation origins that
lie before the test part ``rnncast train`` would score, which is never read. Prints each trial, then the
tuned and the given settings beside naive and seasonal naive on the same origins, and writes a tuning run:
``config.json`` (the tuned settings, which ``rnncast train DATA --config DIR`` and
``Forecaster.from_config`` read, and a summary of the study) and ``trials.csv``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rnncast import atomic, outputs


def add_command(sub, add_data_options, add_model_options) -> None:
    tune = sub.add_parser("tune", help="search settings on validation origins (Optuna; pip install 'rnncast[tune]')",
                          description=__doc__.split("\n\n")[0])
    tune.add_argument("data", help="CSV/TSV/Parquet file or a bundled data set name")
    add_data_options(tune)
    add_model_options(tune)
    t = tune.add_argument_group("tuning")
    t.add_argument("--trials", type=int, default=20, help="settings to try, the given ones first (default 20)")
    t.add_argument("--budget", type=float, metavar="SECONDS", help="stop starting trials after this many seconds")
    t.add_argument("--origins", type=int, default=3,
                   help="validation origins, H steps apart, before each series' test part (default 3)")
    t.add_argument("--metric", default="smape", choices=["smape", "mape", "mase", "mae", "rmse"],
                   help="what the trials are judged on: per series, then the mean over series (default smape)")


def run_tune(args) -> int:
    from rnncast.cli.options import announce, forecaster_from, read_panel
    from rnncast.forecaster import tuning
    from rnncast.forecaster.persist import FORMAT_VERSION
    from rnncast.forecaster.settings import to_config
    from rnncast.version import __version__

    out = Path(args.out or f"runs/{Path(str(args.data)).stem}-tuned")
    inputs = [args.data] + ([args.config] if args.config else [])
    atomic.check_target(out, outputs.TUNING, inputs, args.force)
    tuning.import_optuna()  # before reading: without Optuna the command ends here, with how to install it
    forecaster = forecaster_from(args, progress=False)
    table, panel = read_panel(args)
    announce(args, panel, table, verb="tuning")
    report = None if args.quiet else (lambda line: print(f"rnncast: {line}", file=sys.stderr, flush=True))
    result = tuning.tune(forecaster, panel, args.trials, args.budget, args.origins, args.metric, args.test_size,
                         args.seed, args.season, report)
    for line in summary_lines(result, forecaster.model):
        print(line)
    config = {"format_version": FORMAT_VERSION, "rnncast_version": __version__,
              "settings": to_config(result.params), "tuning": result.summary(),
              "data_source": {"path": str(args.data)}}
    with atomic.directory(out, outputs.TUNING, inputs, args.force) as stage:
        stage.write_text("trials.csv", result.trials.to_csv(index=False))
        stage.write_config(config)
    print(f"\ntuning written to {out}/ (config.json, trials.csv); train with it: rnncast train {args.data}"
          f" --config {out}")
    return 0


def summary_lines(result, model: str) -> list[str]:
    """The tuned and the given settings beside the baselines on the same validation origins, the changes,
    and whether the tuned settings beat the baselines there."""
    trials = result.trials
    best = int(trials.loc[trials["value"].idxmin(), "number"])
    lines = [f"\nValidation {result.metric} ({result.n_origins} origins before the test part; each series, then"
             f" the mean over series); {len(trials)} trials, {int((trials['state'] == 'PRUNED').sum())} pruned,"
             f" {result.seconds:.0f} s:"]
    rows = [(f"{model} tuned (trial {best})", result.value)] if best else []
    if result.given is not None:
        rows.append((f"{model} as given (trial 0{', kept' if not best else ''})", result.given))
    rows += list(result.baselines.items())
    width = max(len(name) for name, _ in rows)
    lines += [f"  {name:<{width}}  {value:.4g}" for name, value in rows]
    if result.changed:
        lines.append("Changed: " + ", ".join(f"{k} {_show(c['from'])} -> {_show(c['to'])}"
                                             for k, c in result.changed.items()))
    else:
        lines.append("Changed: nothing; no trial beat the settings as given.")
    beaten = [name for name, value in result.baselines.items() if value <= result.value]
    if beaten:
        lines.append(f"The tuned {model} does not beat {' and '.join(beaten)} on the validation origins.")
    else:
        lines.append(f"The tuned {model} beats {' and '.join(result.baselines)} on the validation origins.")
    return lines


def _show(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
