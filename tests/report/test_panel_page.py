"""The panel page's data: windows placed where their targets are, ids that cannot break out of the page."""

import json
import re

import numpy as np
import pandas as pd

import rnncast
from rnncast.data.panel import to_panel
from rnncast.evaluation.holdout import holdout
from rnncast.report import panel_page


def _evaluation(ids):
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2020-01-01", periods=40 + 5 * k, freq="D"),
                            "y": 10 + k + np.sin(np.arange(40 + 5 * k)) + rng.normal(0, 0.1, 40 + 5 * k)})
              for k, uid in enumerate(ids)]
    panel = to_panel(pd.concat(frames, ignore_index=True))
    f = rnncast.Forecaster(horizon=3, seq_length=5, hidden_size=4, iterations=3, conformal=(80,))
    return panel, f, holdout(f, panel, test_size=6)


def test_each_window_starts_at_its_first_target_and_carries_the_band():
    panel, f, ev = _evaluation(["a", "b"])
    data = panel_page.evaluation_data("t", ev, panel.series, f.history_, "training loss", None, "iteration", [], "y")
    for s, frame in zip(data["series"], panel.series, strict=True):
        assert s["y"] == panel_page._round(frame.y) and s["train_end"] == len(frame) - 6
        assert [w["origin"] for w in s["windows"]] == list(range(len(frame) - 6, len(frame) - 3 + 1))
        part = ev.predictions[ev.predictions.unique_id == s["id"]]
        first = part[part.cutoff == part.cutoff.min()].sort_values("h")
        assert s["windows"][0]["paths"]["lstm"] == panel_page._round(first["lstm"])
        assert s["windows"][0]["lo"] == panel_page._round(first["lstm-lo-80"])
    assert data["band_label"] == "80% interval" and set(data["by_horizon"]) >= {"lstm", "naive"}


def test_an_id_with_markup_stays_data():
    panel, f, ev = _evaluation(["x</script><script>alert(1)</script>", "y"])
    data = panel_page.evaluation_data("<b>title</b>", ev, panel.series, f.history_, "training loss", None,
                                      "iteration", ["a <note>"], "y")
    page = panel_page.page(data)
    assert page.count("</script>") == 2  # the data's and the program's own closing tags only
    assert "<b>title</b>" not in page and "&lt;b&gt;title&lt;/b&gt;" in page
    payload = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(payload)["series"][0]["id"] == "x</script><script>alert(1)</script>"


def test_a_large_panel_shows_the_best_the_worst_and_a_sample():
    per_series = {f"s{k}": {"lstm": {"mae": float(k)}, "naive": {"mae": 100.0}} for k in range(100)}
    shown = panel_page.shown_series(per_series, "lstm", limit=20)
    assert len(shown) == 20
    assert {"s0", "s1"} <= shown and {"s98", "s99"} <= shown  # best skill: lowest MAE; worst: highest
    assert panel_page.shown_series(per_series, "lstm", limit=100) == set(per_series)


def test_series_the_page_does_not_draw_stay_searchable(monkeypatch):
    panel, f, ev = _evaluation(["a", "b", "c"])
    monkeypatch.setattr(panel_page, "MAX_SERIES", 1)
    data = panel_page.evaluation_data("t", ev, panel.series, f.history_, "training loss", None, "iteration", [], "y")
    assert len(data["series"]) == 1 and len(data["others"]["ids"]) == 2
    assert {data["series"][0]["id"], *data["others"]["ids"]} == {"a", "b", "c"}
    assert "The page shows 1 of 3 series" in data["notes"][-1]
    assert panel_page.shown_series({f"s{k}": {"lstm": {"mae": 1.0}, "naive": {"mae": 2.0}} for k in range(5)},
                                   "lstm", limit=3) <= {f"s{k}" for k in range(5)}


def test_the_table_shows_the_methods_a_blend_put_beside_the_network():
    rng = np.random.default_rng(3)
    frames = [pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2015-01-01", periods=36, freq="MS"),
                            "y": 50 + k + np.arange(36) * 0.5 + rng.normal(0, 1, 36)}) for k in range(3)]
    panel = to_panel(pd.concat(frames, ignore_index=True))
    f = rnncast.Forecaster(horizon=3, seq_length=6, hidden_size=4, iterations=3, ets_share=0.5)
    ev = holdout(f, panel, test_size=6)
    data = panel_page.evaluation_data("t", ev, panel.series, f.history_, "training loss", None, "iteration", [], "y")
    assert [c["key"] for c in data["table_columns"]].count("mase_ets") == 1
    assert "mase_theta" not in [c["key"] for c in data["table_columns"]]  # only what was blended in
    for s in data["series"]:
        assert s["row"]["mase_ets"] == ev.metrics["per_series"][s["id"]]["ets"]["mase"]
