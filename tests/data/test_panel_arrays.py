"""The whole-column split of a long table gives exactly what splitting series by series gives."""

import numpy as np
import pandas as pd
import pytest

from rnncast.data import panel as panel_module
from rnncast.data.panel import to_panel
from rnncast.errors import RnncastError


def _series_by_series(monkeypatch, *args, **kwargs):
    with monkeypatch.context() as m:
        m.setattr(panel_module, "split_arrays", lambda *a: None)
        return to_panel(*args, **kwargs)


def _same(a, b):
    assert [s.uid for s in a.series] == [s.uid for s in b.series]
    assert a.freq == b.freq and a.gaps == b.gaps and a.too_short == b.too_short
    for x, y in zip(a.series, b.series, strict=True):
        np.testing.assert_array_equal(x.values, y.values)
        assert x.columns == y.columns and x.target == y.target and x.time_col == y.time_col
        assert x.ignored == y.ignored and x.known_columns == y.known_columns
        if x.timestamps is None:
            assert y.timestamps is None
        else:
            np.testing.assert_array_equal(x.timestamps, y.timestamps)
            assert x.timestamps.dtype == y.timestamps.dtype


def _table(rng, n=12):
    parts = []
    for k in range(n):
        length = int(rng.integers(3, 30))
        ds = pd.date_range("2020-01-01", periods=length, freq="D")
        parts.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "x": rng.normal(size=length),
                                   "y": rng.normal(10, 1, length)}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("fill", [None, "ffill"])
def test_the_fast_split_equals_the_series_by_series_one(monkeypatch, fill):
    rng = np.random.default_rng(1)
    table = _table(rng)
    table.loc[table.unique_id == "s3", "ds"] = table.loc[table.unique_id == "s3", "ds"].to_numpy()[::-1]  # unsorted
    if fill:
        table.loc[5, "y"] = np.nan  # a missing value: that series goes through to_frame and its --fill
    shuffled = table.sample(frac=1.0, random_state=0).reset_index(drop=True)  # ids not contiguous
    as_text = table.assign(ds=table.ds.dt.strftime("%Y-%m-%d"))
    steps = table.assign(ds=table.groupby("unique_id").cumcount())
    for t in (table, shuffled, as_text, steps, table.drop(columns="ds")):
        for kwargs in ({}, {"features": ["y"]}, {"target": "x"}, {"min_rows": 5}):
            _same(to_panel(t, fill=fill, **kwargs), _series_by_series(monkeypatch, t, fill=fill, **kwargs))


def test_errors_are_the_series_by_series_ones(monkeypatch):
    rng = np.random.default_rng(2)
    table = _table(rng)
    duplicate = table.copy()
    duplicate.loc[duplicate.unique_id == "s4", "ds"] = pd.Timestamp("2020-01-01")
    missing = table.copy()
    missing.loc[7, "x"] = np.inf
    for bad in (duplicate, missing):
        with pytest.raises(RnncastError) as fast:
            to_panel(bad)
        with pytest.raises(RnncastError) as slow:
            _series_by_series(monkeypatch, bad)
        assert str(fast.value) == str(slow.value)


def test_a_plain_numeric_table_takes_the_fast_path(monkeypatch):
    calls = []
    real = panel_module.to_frame
    monkeypatch.setattr(panel_module, "to_frame", lambda *a, **k: calls.append(1) or real(*a, **k))
    to_panel(_table(np.random.default_rng(3)))
    assert calls == []
