"""to_frame: time column, ordering, target/feature choice and the clear errors."""

import numpy as np
import pandas as pd
import pytest

from rnncast.data.frame import to_frame
from rnncast.data.io import parse_text, read_table
from rnncast.errors import RnncastError


def test_stock_daily_is_read_oldest_first_with_close_as_target():
    frame = to_frame(read_table("stock_daily"))
    assert frame.columns == ["Open", "High", "Low", "Volume", "Close"]
    assert frame.target == "Close" and frame.values.shape == (732, 5)
    assert frame.values[0, 4] == pytest.approx(558.462551)  # the file's last row comes first
    assert frame.values[-1, 4] == pytest.approx(831.659973)
    assert frame.timestamps is None


def test_ncsoft_weekly_finds_the_date_column():
    frame = to_frame(read_table("ncsoft_weekly"))
    assert frame.time_col == "date" and frame.target == "stock_price"
    assert frame.columns == ["num_search", "stock_price"]
    assert str(frame.next_timestamp())[:10] == "2021-08-29"


def test_rows_are_sorted_by_time_and_target_is_an_input():
    table = parse_text("ds,a,y\n2021-01-03,3,30\n2021-01-01,1,10\n2021-01-02,2,20\n")
    frame = to_frame(table, target="a", features=["y"])
    assert frame.columns == ["y", "a"]
    np.testing.assert_array_equal(frame.y, [1, 2, 3])


def test_integer_time_index_works():
    frame = to_frame(pd.DataFrame({"time": [3, 1, 2], "v": [3.0, 1.0, 2.0]}))
    np.testing.assert_array_equal(frame.y, [1, 2, 3])
    assert frame.next_timestamp() == 4


def test_text_columns_are_not_default_features():
    frame = to_frame(pd.DataFrame({"name": ["a", "b"], "v": [1.0, 2.0]}))
    assert frame.columns == ["v"]


@pytest.mark.parametrize("fill, expected", [("ffill", [1, 1, 3]), ("interpolate", [1, 2, 3]), ("drop", [1, 3])])
def test_fill_methods(fill, expected):
    frame = to_frame(pd.DataFrame({"v": [1.0, np.nan, 3.0]}), fill=fill)
    np.testing.assert_array_equal(frame.y, expected)


def test_missing_values_message_counts_and_names_first_row():
    table = parse_text("a,b\n1,2\n3,\n5,inf\n")
    with pytest.raises(RnncastError, match=r"2 missing or infinite.*column 'b' row 2.*--fill"):
        to_frame(table)


def test_non_numeric_cell_names_column_and_row():
    table = parse_text("a,b\n1,2\n3,4\n5,x7\n6,8\n")
    with pytest.raises(RnncastError, match=r"column 'b' row 3: 'x7' is not a number"):
        to_frame(table)


def test_duplicate_timestamps_are_refused():
    table = parse_text("date,v\n2021-01-01,1\n2021-01-02,2\n2021-01-02,3\n")
    with pytest.raises(RnncastError, match="duplicate timestamps"):
        to_frame(table)


def test_unknown_columns_list_the_columns():
    table = parse_text("a,b\n1,2\n")
    with pytest.raises(RnncastError, match="columns are: a, b"):
        to_frame(table, target="c")
    with pytest.raises(RnncastError, match="columns are: a, b"):
        to_frame(table, time_col="when")
