"""The run directory: everything one training run produced, written atomically.

    runs/<name>/
      config.json         settings, columns, scaler, last window, data source, rnncast version
      model.safetensors   the weights (torch parameter names)
      metrics.json        {"test": {"<model>": {rmse, mae, mape, smape, mase}, "naive": {...}, ...},
                           "train_seconds", "iterations", "final_train_loss", ...}
      predictions.csv     unique_id, ds, cutoff, h, y, <model>, naive, [seasonal_naive], drift, mean over the test
                          period (from 1,000 series: predictions.parquet, and metrics_per_series.parquet
                          beside a metrics.json without the per-series part; ``--tables``)
      forecast.png        original vs prediction (and naive) over the test period
      loss.png            training loss per iteration / epoch
      report.html         one self-contained page: settings, table, verdict, both figures embedded

The directory is built under a temporary name and renamed into place at the end (``atomic``).
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import pandas as pd

from rnncast import atomic, outputs
from rnncast.errors import RnncastError
from rnncast.evaluation.holdout import Evaluation, range_note
from rnncast.forecaster.persist import LARGE_SERIES
from rnncast.metrics import NAMES
from rnncast.report import plots


def format_table(table: dict[str, dict], model: str) -> str:
    """The metrics of the network and every baseline as an aligned text table."""
    header = f"{'model':<16}" + "".join(f"{m:>11}" for m in NAMES)
    lines = [header, "-" * len(header)]
    for name, row in table.items():
        cells = "".join(f"{_fmt(row[m]):>11}" for m in NAMES)
        lines.append(f"{name + (' *' if name == model else ''):<16}{cells}")
    return "\n".join(lines)


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:.4f}" if abs(value) < 1000 else f"{value:.4g}"


def notes(evaluation: Evaluation, panel, forecaster=None) -> list[str]:
    """The verdict line, its significance, then the why, the look-ahead figure and the notes on early
    stopping, shrinking, seasonal naive, skipped series and irregular time stamps, when they apply.
    ``forecaster``, the fitted one: its training history, its ``normalize`` (what an untrained network
    forecasts) and the share of the learned correction each member's forecasts keep (ModelSpec.shrink)."""
    history = None if forecaster is None else forecaster.history_
    normalize = "last" if forecaster is None else forecaster.normalize
    shares = [] if forecaster is None else [model.shrink for model, _, _ in forecaster.members_]

    lines = [evaluation.verdict(), evaluation.significance_note()]
    for note in (_interval_note(evaluation, forecaster), _window_coverage_note(evaluation)):
        if note:
            lines.append(note)
    beaten = not evaluation.beats_naive()
    first = panel.first
    why = range_note(first, evaluation.train_sizes[first.uid]) if len(panel) == 1 else None
    if beaten and why:
        lines.append(f"Why: {why}")
    if history is not None and history.best_step == 0:
        what = {"last": ": it reads windows relative to their last value with a zero output layer, so it is the"
                        " naive forecast",
                "season": ": each output sits on its seasonal-naive value with a zero output layer, so it is the"
                          " seasonal naive forecast",
                "auto": ": each output sits on its seasonal-naive value (series that passed the seasonality test) or"
                        " the last value (the others) with a zero output layer"}.get(normalize, "")
        lines.append(f"Early stopping kept the untrained network (round 0){what}; no round of training beat it on"
                     " the validation windows by --min-delta.")
    if any(share != 1.0 for share in shares):
        anchor = {"season": "seasonal-naive", "auto": "seasonal-naive or naive"}.get(normalize, "naive")
        lines.append(f"Shrink: forecasts keep {', '.join(f'{100 * s:.0f}%' for s in shares)} (per network) of the"
                     f" learned correction to the {anchor} forecast.")
    note = None if forecaster is None else _averaging_note(forecaster)
    if note:
        lines.append(note)
    if forecaster is not None and (forecaster.theta_share or forecaster.ets_share):
        lines.append(_blend_note(evaluation, forecaster.theta_share, forecaster.ets_share))
    if evaluation.lookahead_rmse is not None:
        lines.append(
            f"For teaching: scaled the lecture's way (the test period rescaled with its own min/max, which"
            f" peeks at the future) the same network scores RMSE {evaluation.lookahead_rmse:.4g}; that figure"
            f" is not a real forecast."
        )
    if evaluation.season is None:
        lines.append("Seasonal naive left out: no season given (--season m) or inferable from the time column.")
    if evaluation.skipped:
        shown = ", ".join(evaluation.skipped[:10]) + (" ..." if len(evaluation.skipped) > 10 else "")
        lines.append(f"Skipped {len(evaluation.skipped)} series too short for the window and test split: {shown}")
    if panel.gaps:
        shown = ", ".join(f"{uid} ({n})" for uid, n in list(panel.gaps.items())[:10])
        lines.append(f"Irregular time stamps (steps that are not one {panel.freq or 'step'} apart) in"
                     f" {len(panel.gaps)} series: {shown}; rows are used as consecutive steps.")
    lines += [f"Input: {line[:1].upper()}{line[1:]}." for line in getattr(panel, "notes", [])]
    return lines



def _averaging_note(forecaster) -> str | None:
    """What ``swa`` did: the rounds whose weights each network ends on the mean of, or that early stopping
    kept a round of its own (``TrainResult.averaged_rounds``; a loaded run has no histories: no note)."""
    histories = [h for h in forecaster.histories_ or [] if h is not None]
    if not forecaster.swa or not histories:
        return None
    unit = "epoch" if forecaster.epochs else "iteration"
    kept = [h for h in histories if h.averaged_rounds]
    if not kept:
        return (f"Weight averaging (--swa {forecaster.swa:g}) was not kept: on the validation windows the mean of"
                f" the last {unit}s' weights did not beat the best {unit} (or the run stopped before them).")
    spans = ", ".join(f"{a}-{b}" for a, b in sorted({(len(h.losses) - h.averaged_rounds + 1, len(h.losses))
                                                      for h in kept}))
    who = "the network ends on the mean of its" if len(histories) == 1 else \
        f"{len(kept)} of {len(histories)} networks end on the mean of their"
    return f"Weight averaging (--swa {forecaster.swa:g}): {who} weights at the end of {unit}s {spans}."


def _blend_note(evaluation, theta: float, ets: float) -> str:
    """What ``theta_share`` and ``ets_share`` mixed in, and how each method alone scores on the same targets
    (the table's rows theta and ets)."""
    parts = [(name, flag, w) for name, flag, w in (("Theta", "theta", theta), ("ETS", "ets", ets)) if w]
    given = " ".join(f"--{flag}-share {w:g}" for _, flag, w in parts)
    mix = " and ".join(f"{100 * w:.0f}% {name}'s" for name, _, w in parts)
    line = f"Statistical blend ({given}): each forecast is {100 * (1 - theta - ets):.0f}% the network's and {mix}"
    net = evaluation.table.get(evaluation.model, {})
    alone = []
    for name, flag, _ in parts:
        row = evaluation.table.get(flag)
        scores = [k for k in ("mase", "smape", "rmse") if row and row.get(k) is not None and net.get(k) is not None]
        if scores:
            alone.append(f"{name} alone scores " + ", ".join(f"{k.upper()} {row[k]:.4g}" for k in scores[:2]))
    if not alone:
        return line + "."
    keys = [k for k in ("mase", "smape", "rmse") if net.get(k) is not None][:2]
    blend = ", ".join(f"{k.upper()} {net[k]:.4g}" for k in keys)
    return f"{line}; {'; '.join(alone)} on the same targets (the blend: {blend})."


def _coverage_levels(keys) -> dict[str, str]:
    """``{"coverage_80": "80", "coverage_95": "95"}``: the interval coverages among ``keys``, in order of level."""
    levels = {k: k.split("_", 1)[1] for k in keys if k.startswith("coverage_")}
    return dict(sorted(levels.items(), key=lambda item: float(item[1])))


def _window_coverage_note(evaluation, shown: int = 12) -> str | None:
    """A backtest's interval coverage window by window (None with fewer than two windows or no intervals).

    One period's coverage moves with how much that period moved: on M1 and Tourism a forecaster calibrated on
    its past covered its 80% interval anywhere from 59% to 89% from one period to the next (BENCHMARKS.md,
    ``benchmarks/coverage_spread.py``), so an interval is judged over several windows, not on one."""
    windows = evaluation.metrics.get("windows") or {}
    rows = [(cutoff, table.get(evaluation.model) or {}) for cutoff, table in windows.items()]
    keys = _coverage_levels({k for _, row in rows for k in row if row[k] is not None})
    if len(rows) < 2 or not keys:
        return None
    levels = " / ".join(f"{level}%" for level in keys.values())
    cells = [f"{cutoff} " + " / ".join("n/a" if row.get(k) is None else f"{100 * row[k]:.1f}" for k in keys)
             for cutoff, row in rows]
    more = f"; ... ({len(cells) - shown} more in metrics.json)" if len(cells) > shown else ""
    return (f"Coverage by window ({levels} intervals, %): {'; '.join(cells[:shown])}{more}. One period's coverage"
            f" moves with that period; judge the intervals over the windows together.")


def _interval_note(evaluation, forecaster) -> str | None:
    """The quantile, interval or distribution scores of the network, on one line (None without any)."""
    extra = {k: v for k, v in evaluation.table[evaluation.model].items() if k not in NAMES and v is not None}
    if not extra:
        return None
    parts = [f"pinball loss {extra['pinball']:.4g}"] if "pinball" in extra else []
    if "coverage" in extra:
        parts.append(f"{100 * extra['coverage']:.1f}% of targets inside the outer quantiles"
                     f" (nominal {100 * extra['nominal_coverage']:.0f}%)")
    sampled = forecaster is not None and forecaster.likelihood
    kind = f"interval of the {forecaster.likelihood} sample paths" if sampled else "conformal interval"
    recalibrated = getattr(forecaster, "recalibrated_", None) if sampled else None
    if recalibrated:
        kind += f" (recalibrated on {recalibrated['n_values']} held-out values per step)"
    # the baseline distribution (seasonal naive or naive with bootstrapped residuals), scored the same way
    base_name, base = next(((name, row) for name, row in evaluation.table.items()
                            if name != evaluation.model and row.get("crps") is not None), (None, {}))
    for key, label in (("crps", "CRPS"), ("quantile_score", "quantile score")):
        if key in extra:
            versus = f" vs {base[key]:.4g} for {base_name} with bootstrapped residuals" if key in base else ""
            parts.append(f"{label} {extra[key]:.4g}{versus}")
    parts += [f"{100 * extra[k]:.1f}% inside the {level}% {kind}" for k, level in _coverage_levels(extra).items()]
    return ("Distribution: " if sampled else "Intervals: ") + "; ".join(parts) + " (scores: lower is better)."


def metrics_document(evaluation: Evaluation, history) -> dict:
    doc = {"test": evaluation.table, "per_series": evaluation.metrics["per_series"]}
    if "windows" in evaluation.metrics:  # a backtest: each window's table
        doc["windows"] = evaluation.metrics["windows"]
    if evaluation.across_series is not None:
        doc["across_series"] = evaluation.across_series
    doc.update(
        model=evaluation.model,
        verdict=evaluation.verdict(),
        beats_naive=evaluation.beats_naive(),
        n_test=len(evaluation.predictions),
        n_series=len(evaluation.metrics["per_series"]),
        skipped_series=evaluation.skipped,
        season=evaluation.season,
        train_seconds=history.seconds,
        iterations=history.steps,
        final_train_loss=history.losses[-1] if history.losses else None,
        best_iteration=history.best_step,
        stopped_early=history.stopped_early,
        lookahead_rmse=evaluation.lookahead_rmse,
        significance_vs_naive=evaluation.significance(),
        initial_val_loss=history.initial_val_loss,
    )
    return doc


def loss_name(forecaster) -> str:
    """The loss the (first) network trained on: pinball with quantiles, else its ``loss``."""
    model, window, train = forecaster.members_[0]
    return "pinball" if window.quantiles else train.loss


PER_SERIES_FILE = "metrics_per_series.parquet"


def table_files(tables: str, n_series: int) -> str:
    """``csv``: predictions.csv and the per-series metrics inside metrics.json (small runs, the lecture's
    demo); ``parquet``: predictions.parquet (float32 where the data were float32) and
    metrics_per_series.parquet beside a small metrics.json.
    ``auto`` picks Parquet from ``LARGE_SERIES`` series on."""
    if tables not in outputs.TABLE_FORMATS:
        raise RnncastError(f"--tables: expected one of {', '.join(outputs.TABLE_FORMATS)}, got {tables!r}")
    return ("parquet" if n_series >= LARGE_SERIES else "csv") if tables == "auto" else tables


def per_series_table(per_series: dict) -> pd.DataFrame:
    """The per-series metrics as a long table: ``unique_id, method, rmse, mae, mape, smape, mase``."""
    rows = [(uid, method, *(m[k] for k in NAMES)) for uid, methods in per_series.items()
            for method, m in methods.items()]
    table = pd.DataFrame(rows, columns=["unique_id", "method", *NAMES])
    return table.astype({k: "float64" for k in NAMES})


def _as_float32(table: pd.DataFrame) -> pd.DataFrame:
    """The float64 columns as float32: data read as float32 hold no more digits than that."""
    return table.astype({c: "float32" for c in table.columns if table[c].dtype == "float64"})


def _parquet_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def write_run(run_dir: str | Path, forecaster, evaluation: Evaluation, panel, data_source: dict,
              title: str, inputs=(), force: bool = False, tables: str = "auto") -> Path:
    """Write the whole run directory atomically; returns its path.

    It replaces only a forecasting run rnncast wrote (``atomic.directory``); ``inputs`` are never touched.
    ``tables`` (``table_files``): CSV, or Parquet for large runs.
    """
    fmt = table_files(tables, len(evaluation.metrics["per_series"]))
    history = forecaster.history_
    unit = "epoch" if forecaster.epochs else "iteration"
    preds = evaluation.predictions
    forecast_png = plots.forecast_png(preds, forecaster.model, panel.first.target, title)
    train = forecaster.members_[0][2]  # the first member's training: the one history_ holds
    loss_png = plots.loss_png(history.losses, history.val_losses, unit, history.best_step, loss_name(forecaster),
                              train.val_metric)
    doc = metrics_document(evaluation, history)
    if fmt == "parquet":
        doc["per_series"] = PER_SERIES_FILE  # the table beside it, not 100,000 small JSON objects
    lines = notes(evaluation, panel, forecaster)
    with atomic.directory(run_dir, outputs.FORECAST_RUN, inputs, force) as stage:
        forecaster.write_files(stage, extra_config={"data_source": data_source})
        stage.write_text("metrics.json", json.dumps(doc, indent=2) + "\n")
        if fmt == "parquet":
            stage.write_bytes("predictions.parquet", _parquet_bytes(_as_float32(preds) if panel.float32 else preds))
            stage.write_bytes(PER_SERIES_FILE, _parquet_bytes(per_series_table(evaluation.metrics["per_series"])))
        else:
            stage.write_text("predictions.csv", preds.to_csv(index=False))
        stage.write_bytes("forecast.png", forecast_png)
        stage.write_bytes("loss.png", loss_png)
        if evaluation.across_series is not None:
            stage.write_text("report.html", _panel_html(title, forecaster, evaluation, panel, lines))
        else:
            stage.write_text("report.html", _html(title, forecaster, evaluation, doc, lines, forecast_png, loss_png))
    return Path(run_dir)


def _panel_html(title, forecaster, evaluation, panel, lines) -> str:
    """The many-series page (``report.panel_page``)."""
    from rnncast.report import panel_page

    loss = loss_name(forecaster)
    val_metric = forecaster.members_[0][2].val_metric
    units = "of the forecasts" if loss in ("mape", "smape") else "scaled units"
    val_label = (f"validation loss ({loss.upper()}, {units})" if val_metric == "loss"
                 else f"validation {val_metric.upper()} of the forecasts (data units)")
    data = panel_page.evaluation_data(title, evaluation, panel.series, forecaster.history_,
                                      f"training loss ({loss.upper()}, {units})", val_label,
                                      "epoch" if forecaster.epochs else "iteration", lines, panel.first.target)
    return panel_page.page(data)


def format_by_horizon(evaluation) -> str | None:
    """MASE at each step ahead for the network and naive / seasonal naive (many series only)."""
    by_h = (evaluation.across_series or {}).get("by_horizon") or {}
    names = [n for n in (evaluation.model, "naive", "seasonal_naive") if n in by_h]
    if not names or len(by_h[names[0]]["mase"]) < 2:
        return None
    H = len(by_h[names[0]]["mase"])
    lines = [f"{'MASE by step h':<16}" + "".join(f"{h:>8}" for h in range(1, H + 1))]
    for n in names:
        lines.append(f"{n:<16}" + "".join(f"{_fmt_short(v):>8}" for v in by_h[n]["mase"]))
    return "\n".join(lines)


def _fmt_short(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _html(title, forecaster, evaluation, doc, lines, forecast_png, loss_png) -> str:
    def img(data: bytes, alt: str) -> str:
        return f'<img alt="{alt}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'

    rows = "".join(
        "<tr{}><td>{}</td>{}</tr>".format(
            ' class="model"' if name == evaluation.model else "", html.escape(name),
            "".join(f"<td>{_fmt(row[m])}</td>" for m in NAMES),
        )
        for name, row in evaluation.table.items()
    )
    settings = {k: v for k, v in vars(forecaster).items() if not k.endswith("_") and k != "progress"}
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 10px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}tr.model{{font-weight:bold;background:#eef}}
img{{max-width:100%}}code{{background:#f4f4f4}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Test period: {doc['n_test']} forecasts ({forecaster.horizon}-step horizon, {doc['n_series']} series),
metrics in the data's original units (MASE: relative to the in-sample naive error).</p>
<table><tr><th>model</th>{''.join(f'<th>{m}</th>' for m in NAMES)}</tr>{rows}</table>
{''.join(f'<p>{html.escape(line)}</p>' for line in lines)}
{img(forecast_png, 'forecast over the test period')}
<h2>Training</h2>
<p>{doc['iterations']} optimizer steps in {doc['train_seconds']:.2f} s; final training loss
{doc['final_train_loss']:.6g} ({loss_name(forecaster).upper()} on scaled data).</p>
{img(loss_png, 'training loss')}
<h2>Settings</h2><pre>{html.escape(json.dumps(settings, indent=2, default=str))}</pre>
</body></html>
"""
