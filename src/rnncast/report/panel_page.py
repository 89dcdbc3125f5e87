"""report.html for many series: one self-contained page (no network request) with a series picker.

The page holds its data as JSON and draws every chart as SVG with ``panel_page.js`` (ours, inlined):

- a picker (search by id; previous/next; the best and worst series by skill vs naive one click away), and
  for the chosen series its history with the actual values and every window's forecast path (network,
  and naive / seasonal naive on request), the interval band when the run has one;
- error by horizon (MAE scaled by each series' in-sample naive MAE) for the network and the baselines;
- the distribution of per-series skill vs naive, 1 - MAE(network) / MAE(naive);
- a sortable per-series table (click a row to see the series), with the MASE of Theta and ETS alone where
  the run blends them in;
- training and validation curves on their own axes, named by the loss and the metric actually used.

``forecast_page`` is the same page for ``rnncast predict --plot``: each series' recent history and its
forecast. Numbers are written with 6 significant digits, which keeps a 1,000-series page small.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from rnncast.data.panel import stamp_text

SCRIPT = Path(__file__).with_name("panel_page.js")
MAX_SERIES = 1000  # series drawn on one page (see shown_series)
PATHS = ("naive", "seasonal_naive")  # baselines whose forecast paths the page can draw beside the network's
BLENDED = ("theta", "ets")  # methods blended into the network's forecasts (theta_share, ets_share): a MASE column each
STYLE = """body{font-family:system-ui,sans-serif;max-width:980px;margin:1.5em auto;color:#222;padding:0 1em}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
.verdict{background:#f3f6fb;padding:.6em .9em;border-left:4px solid #1f5fbf}
.picker{display:flex;gap:.5em;align-items:center;flex-wrap:wrap;margin:.6em 0}.picker input[type=text]{width:16em}
.bad{outline:2px solid #c33}button{cursor:pointer}svg .tick{font-size:11px;fill:#555}svg .axis{font-size:12px;fill:#333}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}th{cursor:pointer;background:#f5f5f5}th.sorted{background:#dde6f5}
tr.current{background:#fff4cc}tbody tr{cursor:pointer}.scroll{max-height:420px;overflow:auto;display:inline-block}
.small{color:#555;font-size:.9em}"""


def _round(values) -> list:
    """JSON numbers with 6 significant digits (None for NaN/inf)."""
    out = []
    for v in np.asarray(values, dtype=np.float64).tolist():
        out.append(float(f"{v:.6g}") if np.isfinite(v) else None)
    return out


def _band_columns(columns, model: str) -> tuple[str | None, str | None, str | None]:
    """The widest interval (conformal level, else the outermost quantiles) as (lo, hi, label)."""
    lows = sorted((c for c in columns if c.startswith(f"{model}-lo-")), key=lambda c: float(c.rsplit("-", 1)[1]))
    if lows:
        level = lows[-1].rsplit("-lo-", 1)[1]
        return lows[-1], f"{model}-hi-{level}", f"{level}% interval"  # conformal, or of sample paths
    qs = sorted((c for c in columns if c.startswith(f"{model}-q-")), key=lambda c: float(c.rsplit("-q-", 1)[1]))
    if len(qs) >= 2:
        return qs[0], qs[-1], f"quantiles {qs[0].rsplit('-q-', 1)[1]}–{qs[-1].rsplit('-q-', 1)[1]}"
    return None, None, None


def _windows(frame, part: pd.DataFrame, model: str, band) -> list[dict]:
    """Each forecast window of one series: its origin (position of its first target) and paths."""
    ds = frame.ds()
    position = np.searchsorted(ds, part["ds"].to_numpy(dtype=ds.dtype))
    part = part.assign(_pos=position)
    names = [model] + [p for p in PATHS if p in part.columns]
    windows = []
    for _, w in part.groupby("cutoff", sort=True):
        w = w.sort_values("h")
        item = {"origin": int(w["_pos"].iloc[0]), "paths": {n: _round(w[n]) for n in names}}
        if band[0] is not None:
            item["lo"], item["hi"] = _round(w[band[0]]), _round(w[band[1]])
        windows.append(item)
    return windows


def _with_rows(frames: list, table: pd.DataFrame):
    """Each series that has rows in ``table`` (long, ``unique_id``), with those rows."""
    groups = dict(iter(table.groupby("unique_id", sort=False)))
    return [(frame, groups[frame.uid]) for frame in frames if frame.uid in groups]


def skill_vs_naive(metrics: dict, model: str) -> float | None:
    """1 - MAE(network) / MAE(naive) of one series' metrics (None where either is missing or naive's is 0)."""
    net, naive = metrics[model]["mae"], metrics["naive"]["mae"]
    return None if not naive or net is None else 1.0 - net / naive


def shown_series(per_series: dict, model: str, limit: int = MAX_SERIES) -> set[str]:
    """At most ``limit`` series for the page: all of them, or the ``limit // 10`` best and worst by skill vs
    naive and an evenly spaced sample of the rest (a page of 20,000 histories would weigh tens of MB)."""
    if len(per_series) <= limit:
        return set(per_series)

    def skill(uid):
        value = skill_vs_naive(per_series[uid], model)
        return -np.inf if value is None else value

    ranked = sorted(per_series, key=skill)
    ends = limit // 10
    chosen = set(ranked[:ends]) | set(ranked[len(ranked) - ends :])
    middle = ranked[ends : len(ranked) - ends]
    picks = np.linspace(0, len(middle) - 1, limit - len(chosen)).round().astype(int)
    return chosen | {middle[i] for i in picks}


def evaluation_data(title: str, evaluation, series: list, history, loss_label: str, val_label: str | None,
                    unit: str, notes: list[str], target: str) -> dict:
    """The page's JSON for a run on many series: ``series`` are the frames as read (unpadded)."""
    model, preds = evaluation.model, evaluation.predictions
    per_series, table = evaluation.metrics["per_series"], evaluation.table
    band = _band_columns(preds.columns, model)
    shown = shown_series(per_series, model, MAX_SERIES)
    if len(shown) < len(per_series):
        notes = [*notes, f"The page shows {len(shown):,} of {len(per_series):,} series: the {MAX_SERIES // 10} best"
                         f" and {MAX_SERIES // 10} worst by skill vs naive and an even sample of the rest"
                         " (every id can be searched; the run's per-series metrics hold every series)."]
    blended = [name for name in BLENDED if name in table]  # the statistical methods a blend put beside the net
    out_series = []
    for frame, part in _with_rows([s for s in series if s.uid in shown], preds):
        m = per_series[frame.uid]
        skill = skill_vs_naive(m, model)
        ds = frame.ds()
        row = {"id": frame.uid, "skill": skill, "mase": m[model]["mase"], "mase_naive": m["naive"]["mase"],
               "mase_snaive": (m.get("seasonal_naive") or {}).get("mase"), "smape": m[model]["smape"],
               "smape_naive": m["naive"]["smape"], **{f"mase_{k}": (m.get(k) or {}).get("mase") for k in blended}}
        out_series.append({
            "id": frame.uid, "y": _round(frame.y), "start": stamp_text(ds[0]), "end": stamp_text(ds[-1]),
            "train_end": int(evaluation.train_sizes.get(frame.uid, len(frame))),
            "windows": _windows(frame, part, model, band), "skill": skill, "row": row,
            "metrics": {k: {"mase": v["mase"], "smape": v["smape"]} for k, v in m.items() if k in (model, *PATHS)},
        })
    across = evaluation.across_series or {}
    curves = {"train-curve": {"y": _round(history.losses), "label": loss_label, "short": loss_label.split(" (")[0],
                              "unit": unit, "best": history.best_step}}
    if val_label and history.val_losses:
        curves["val-curve"] = {"y": _round(history.val_losses), "label": val_label, "unit": unit,
                               "short": val_label.split(" (")[0], "best": history.best_step}
    columns = [("id", "series"), ("skill", "skill vs naive"), ("mase", f"MASE {model}"), ("mase_naive", "MASE naive"),
               ("mase_snaive", "MASE s.naive"), *((f"mase_{k}", f"MASE {k}") for k in blended),
               ("smape", f"sMAPE {model}"), ("smape_naive", "sMAPE naive")]
    return {"mode": "evaluation", "title": title, "model": model, "target": target, "series": out_series,
            "by_horizon": {k: {"mase": v["mase"]} for k, v in (across.get("by_horizon") or {}).items()
                           if k in (model, *PATHS)},
            "band_label": band[2], "curves": curves, "notes": notes, "overall": table,
            "table_columns": [{"key": k, "label": label} for k, label in columns],
            "others": _others(per_series, model, shown)}


def _others(per_series: dict, model: str, shown: set[str]) -> dict:
    """The series not drawn, searchable by id: their skill vs naive and MASE (two numbers each)."""
    ids = [uid for uid in per_series if uid not in shown]
    return {"ids": ids, "skill": _round([_nan(skill_vs_naive(per_series[u], model)) for u in ids]),
            "mase": _round([_nan(per_series[u][model]["mase"]) for u in ids])}


def _nan(value) -> float:
    return np.nan if value is None else value


def forecast_data(title: str, forecast: pd.DataFrame, frames: list, model: str, target: str,
                  history_steps: int) -> dict:
    """The page's JSON for ``rnncast predict --plot``: each series' last ``history_steps`` values and forecast."""
    band = _band_columns(forecast.columns, model)
    out = []
    for frame, part in _with_rows(frames, forecast):
        y = frame.y[-history_steps:]
        window = {"origin": len(y), "paths": {model: _round(part[model])}}
        if band[0] is not None:
            window["lo"], window["hi"] = _round(part[band[0]]), _round(part[band[1]])
        ds = frame.ds()[-history_steps:]
        out.append({"id": frame.uid, "y": _round(y), "start": stamp_text(ds[0]),
                    "end": stamp_text(part["ds"].iloc[-1]), "train_end": len(y), "windows": [window]})
    return {"mode": "forecast", "title": title, "model": model, "target": target, "series": out,
            "band_label": band[2], "notes": []}


def forecast_page(title: str, forecast: pd.DataFrame, frames: list, model: str, target: str, horizon: int) -> str:
    """The page ``rnncast predict --plot`` writes (marked as its output, so that it may replace it later)."""
    from rnncast.outputs import PAGE_MARKER

    data = forecast_data(title, forecast, frames, model, target, history_steps=max(48, 4 * horizon))
    return page(data, generator=PAGE_MARKER)


def page(data: dict, generator: str = "") -> str:
    """The self-contained HTML page for ``data`` (from ``evaluation_data`` or ``forecast_data``);
    ``generator``: a ``<meta>`` line that says which command wrote it."""
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    model = html.escape(data["model"])
    checks = "".join(f'<label><input type="checkbox" id="show-{p}"> {p.replace("_", " ")}</label>'
                     for p in PATHS if any(p in w["paths"] for s in data["series"][:1] for w in s["windows"]))
    parts = [f"<h1>{html.escape(data['title'])}</h1>"]
    parts += [f'<p class="{"verdict" if i == 0 else "small"}">{html.escape(line)}</p>'
              for i, line in enumerate(data.get("notes", []))]
    parts.append(f"""<h2>Series</h2><div class="picker"><label>series <input type="text" id="pick" list="ids"
autocomplete="off"></label><datalist id="ids"></datalist><button id="prev">◀</button><button id="next">▶</button>
<button id="best">best vs naive</button><button id="worst">worst vs naive</button>{checks}</div>
<div id="series-title" class="small"></div><div id="series-chart"></div>
<div id="series-metrics" class="small"></div>""")
    if data["mode"] == "evaluation":
        head = "".join(f'<th data-key="{c["key"]}">{html.escape(c["label"])}</th>'
                       for c in data["table_columns"])
        parts.append(f"""<h2>Error by horizon</h2><div id="horizon-chart"></div>
<h2>Skill vs naive across series</h2><div id="skill-chart"></div>
<h2>Per series ({len(data['series'])})</h2><p class="small">Click a column to sort, a row to show the series.</p>
<div class="scroll"><table id="table"><thead><tr>{head}</tr></thead><tbody></tbody></table></div>
<h2>Training</h2><div id="train-curve"></div><div id="val-curve"></div>""")
    script = SCRIPT.read_text(encoding="utf-8")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(data['title'])}</title>
{generator}<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body data-model="{model}">{''.join(parts)}
<script type="application/json" id="data">{payload}</script>
<script>{script}</script></body></html>
"""
