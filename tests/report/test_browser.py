"""The panel report in a real browser (headless Chromium): no console error, no network request, the series
picker switches the chart, the table sorts; a screenshot is kept in build/screenshots/.

Skipped where no Chromium is installed, unless RNNCAST_REQUIRE_BROWSER=1 (set by .ci/run, which installs
Debian's ``chromium``): there a missing browser fails the test instead.
"""

import os
from pathlib import Path

import pytest

from rnncast.cli.commands import main
from rnncast.report.browser import Browser, find_chromium

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

if find_chromium() is None:
    if os.environ.get("RNNCAST_REQUIRE_BROWSER") == "1":
        raise RuntimeError("RNNCAST_REQUIRE_BROWSER=1 but no Chromium is installed (apt-get install chromium)")
    pytest.skip("no Chromium installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def panel_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "run"
    assert main(["train", "tourism_quarterly", "--preset", "quarterly", "--horizon", "8", "--epochs", "2",
                 "--ensemble", "1", "--conformal", "80", "--quiet", "--out", str(out)]) == 0
    return out / "report.html"


def chart(page) -> str:
    return page.evaluate("document.getElementById('series-chart').innerHTML")


def test_the_panel_report_works_offline_and_the_picker_switches_series(panel_report):
    with Browser() as page:
        page.open(panel_report.as_uri())
        page.wait_for("document.body.dataset.ready === '1'")
        first_id, first = page.evaluate("document.getElementById('pick').value"), chart(page)
        assert first_id and "polyline" in first and "polygon" in first  # history, paths, the interval band
        ids = page.evaluate("DATA.series.map(s => s.id)")
        other = ids[-1] if ids[-1] != first_id else ids[0]
        page.evaluate(f"const p = document.getElementById('pick'); p.value = {other!r};"
                      " p.dispatchEvent(new Event('change'))")
        assert chart(page) != first and other in page.evaluate("document.getElementById('series-title').textContent")
        page.evaluate("document.getElementById('worst').click()")
        worst = page.evaluate("document.getElementById('pick').value")
        skills = page.evaluate("DATA.series.map(s => [s.id, s.skill])")
        assert worst == min((s for s in skills if s[1] is not None), key=lambda s: s[1])[0]
        rows = "[...document.querySelectorAll('#table tbody tr')].map(r => r.dataset.id)"
        before = page.evaluate(rows)
        page.evaluate("document.querySelector('#table th[data-key=id]').click()")
        assert page.evaluate(rows) == sorted(before) and len(before) == len(ids) == 24
        for holder in ("horizon-chart", "skill-chart", "train-curve"):
            assert page.evaluate(f"document.getElementById('{holder}').querySelector('svg') !== null"), holder
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = page.screenshot()
        (SCREENSHOTS / "panel-report.png").write_bytes(shot)
        assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000
        assert page.errors == [] and page.requests == []


def test_the_watcher_sees_console_errors_and_network_requests(tmp_path):
    """The checks above can fail: a page that logs an error and asks the network for an image is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><img src="http://127.0.0.1:9/x.png"><script>console.error("boom");'
                   "undefined_function();</script>")
    with Browser() as page:
        page.open(bad.as_uri())
        page.settle(0.3)
        assert any("boom" in e for e in page.errors) and any("undefined_function" in e for e in page.errors)
        assert page.requests == ["http://127.0.0.1:9/x.png"]


def test_a_series_the_page_does_not_draw_is_found_by_id(tmp_path, monkeypatch):
    import numpy as np
    import pandas as pd

    import rnncast
    from rnncast.data.panel import to_panel
    from rnncast.evaluation.holdout import holdout
    from rnncast.report import panel_page

    frames = [pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2020-01-01", periods=40, freq="D"),
                            "y": 10 + k + np.sin(np.arange(40.0))}) for k, uid in enumerate(["a", "b", "c"])]
    panel = to_panel(pd.concat(frames, ignore_index=True))
    f = rnncast.Forecaster(horizon=3, seq_length=5, hidden_size=4, iterations=3)
    ev = holdout(f, panel, test_size=6)
    monkeypatch.setattr(panel_page, "MAX_SERIES", 1)
    data = panel_page.evaluation_data("t", ev, panel.series, f.history_, "training loss", None, "iteration", [], "y")
    page_file = tmp_path / "page.html"
    page_file.write_text(panel_page.page(data))
    hidden = data["others"]["ids"][0]
    with Browser() as page:
        page.open(page_file.as_uri())
        page.wait_for("document.body.dataset.ready === '1'")
        page.evaluate(f"const p = document.getElementById('pick'); p.value = {hidden!r};"
                      " p.dispatchEvent(new Event('change'))")
        title = page.evaluate("document.getElementById('series-title').textContent")
        assert hidden in title and "not drawn on this page" in title and "skill vs naive" in title
        assert page.errors == [] and page.requests == []


def likelihood_run(tmp_path, command: str, values, *options: str):
    """``rnncast <command>`` of a small likelihood model on three daily series ``values(k)``; the run folder."""
    import pandas as pd

    df = pd.concat([pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2018-01-01", periods=len(y), freq="D"),
                                  "y": y}) for k, y in enumerate(values(k) for k in range(3))])
    data = tmp_path / "data.csv"
    df.to_csv(data, index=False)
    assert main([command, str(data), "--num-samples", "30", "--horizon", "3", "--hidden-size", "8", "--epochs", "2",
                 "--quiet", *options, "--out", str(tmp_path / "run")]) == 0
    return tmp_path / "run"


def test_a_likelihood_models_report_draws_its_sampled_interval(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    run = likelihood_run(tmp_path, "train", lambda k: rng.negative_binomial(2, 2 / (2 + 5 + k), 50),
                         "--likelihood", "negbin", "--seq-length", "10", "--batch-size", "64")
    with Browser() as page:
        page.open((run / "report.html").as_uri())
        page.wait_for("document.body.dataset.ready === '1'")
        assert "polygon" in chart(page)  # the 95% interval of the sample paths, as a band
        text = page.evaluate("document.body.innerText")
        assert "95% interval" in text and "CRPS" in text and "negbin sample paths" in text
        assert page.errors == [] and page.requests == []


def test_a_backtest_report_shows_each_windows_coverage(tmp_path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    run = likelihood_run(tmp_path, "backtest", lambda k: 40 + k + rng.normal(0, 2, 40).cumsum(),
                         "--likelihood", "gaussian", "--seq-length", "8", "--n-windows", "3")
    with Browser() as page:
        page.open((run / "report.html").as_uri())
        page.wait_for("document.body.dataset.ready === '1'")
        text = page.evaluate("document.body.innerText")
        line = next(part for part in text.splitlines() if part.startswith("Coverage by window"))
        cutoffs = pd.read_csv(run / "predictions.csv")["cutoff"].unique()
        assert len(cutoffs) == 3 and all(f"{c} " in line for c in cutoffs) and line.count(" / ") == 1 + 3
        assert page.errors == [] and page.requests == []
