"""Long tables as panels: splitting by id, per-series checks, gaps, calendar features, bad panels."""

import numpy as np
import pandas as pd
import pytest

from rnncast.data.panel import calendar_features, future_stamps, to_panel
from rnncast.errors import RnncastError


def long_table(n=20, ids=("a", "b")):
    parts = [pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
                           "y": np.arange(n, dtype=float) + 100 * k}) for k, uid in enumerate(ids)]
    return pd.concat(parts, ignore_index=True)


def test_long_table_splits_by_unique_id_and_orders_by_time():
    table = long_table().sample(frac=1.0, random_state=0)
    panel = to_panel(table)
    assert panel.ids == ["b", "a"] or panel.ids == ["a", "b"]
    for frame in panel.series:
        assert np.all(np.diff(frame.y) == 1.0)
    assert panel.freq == "D" and panel.gaps == {}


def test_wide_table_is_one_series_named_after_its_target():
    panel = to_panel(pd.DataFrame({"x": [1.0, 2.0], "Close": [3.0, 4.0]}))
    assert panel.ids == ["Close"] and len(panel) == 1


def test_a_panel_with_one_series_works():
    panel = to_panel(long_table(ids=("only",)))
    assert panel.ids == ["only"]


def test_duplicated_id_ds_pairs_name_the_series():
    table = pd.concat([long_table(), long_table(ids=("b",)).iloc[:1]], ignore_index=True)
    with pytest.raises(RnncastError, match="series 'b': duplicate timestamps"):
        to_panel(table)


def test_mixed_id_types_are_refused():
    table = long_table()
    table["unique_id"] = table["unique_id"].astype(object)
    table.loc[0, "unique_id"] = 7
    with pytest.raises(RnncastError, match="mixes types"):
        to_panel(table)


def test_gaps_are_reported_and_freq_can_be_given():
    table = long_table().drop(index=[3, 4])
    panel = to_panel(table)
    assert panel.gaps == {"a": 1}
    assert to_panel(long_table(), freq="2D").gaps == {"a": 19, "b": 19}


def test_future_rows_of_known_covariates():
    table = long_table(n=10, ids=("a",))
    table["promo"] = np.arange(10.0)
    table.loc[7:, "y"] = np.nan  # three future rows
    frame = to_panel(table, known=["promo"]).first
    assert len(frame) == 7 and frame.n_future == 3 and frame.known.shape == (10, 1)
    assert str(future_stamps(frame, "D", 2)[0])[:10] == "2024-01-08"


def test_calendar_features_are_sin_cos_pairs():
    stamps = pd.date_range("2024-01-01", periods=7, freq="D").to_numpy()
    cal = calendar_features(stamps, ["dayofweek"])
    assert cal.shape == (7, 2)
    np.testing.assert_allclose(cal[:, 0] ** 2 + cal[:, 1] ** 2, 1.0)
    with pytest.raises(RnncastError, match="unknown calendar feature"):
        calendar_features(stamps, ["weekofmoon"])


def test_series_shorter_than_min_rows_are_left_out_before_any_work():
    table = pd.DataFrame({"unique_id": ["a", "b", "b", "c", "c", "c"], "y": [1.0, 2, 3, 4, 5, 6]})
    panel = to_panel(table, min_rows=2)
    assert panel.ids == ["b", "c"] and panel.too_short == ["a"]
    with pytest.raises(RnncastError, match="every one of the 3 series has fewer than 4 rows"):
        to_panel(table, min_rows=4)


@pytest.mark.parametrize("freq", ["y", "bogus", "3x"])
def test_a_frequency_pandas_cannot_read_is_one_line(freq):
    with pytest.raises(RnncastError, match="is not a pandas frequency"):
        to_panel(pd.DataFrame({"y": [1.0, 2.0, 3.0]}), freq=freq)
