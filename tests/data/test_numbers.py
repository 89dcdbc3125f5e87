"""Numbers written for people: detected, refused with the flag that reads them, or parsed by that flag."""

import numpy as np
import pandas as pd
import pytest

from rnncast.data.frame import to_frame
from rnncast.data.numbers import detect, parse, parse_columns
from rnncast.errors import RnncastError


def test_formatted_cells_parse_with_separators_currency_percent_and_parentheses():
    cells = pd.Series(["1,234.50", "$12", "12.5%", "(300)", " -7 ", "€1,000,000", "abc", "1,23"])
    got = parse(cells, "formatted").to_numpy()
    np.testing.assert_array_equal(got[:6], [1234.5, 12.0, 12.5, -300.0, -7.0, 1e6])
    assert np.isnan(got[6]) and np.isnan(got[7])  # "1,23" is no thousands grouping


def test_decimal_comma_cells_parse():
    got = parse(pd.Series(["1.234,56", "12,5", "(3,0)", "7", "1,2,3"]), "decimal-comma").to_numpy()
    np.testing.assert_array_equal(got[:4], [1234.56, 12.5, -3.0, 7.0])
    assert np.isnan(got[4])


@pytest.mark.parametrize("cells, style", [
    (["1,234", "5,678.9", "12"], "formatted"),
    (["$10", "$12.50", "$9"], "formatted"),
    (["12,5", "13,25", "1.234,5"], "decimal-comma"),
    (["5%", "7.5%", "10%"], "formatted"),
])
def test_detect_names_the_style_that_reads_the_column(cells, style):
    assert detect(pd.Series(cells))[0] == style


@pytest.mark.parametrize("cells", [["a", "b", "c"], ["1", "2", "3"], ["AAPL", "MSFT", "1"]])
def test_detect_leaves_text_and_plain_numbers_alone(cells):
    assert detect(pd.Series(cells)) is None


def test_to_frame_refuses_a_formatted_column_naming_it_an_example_and_the_flag():
    table = pd.DataFrame({"ticker": ["A"] * 4, "Volume": ["1,000", "2,500", "3,000", "4,200"],
                          "Close": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(RnncastError, match=r"column 'Volume' .* \(e.g. '1,000'\): pass --numbers formatted"):
        to_frame(table)
    frame = to_frame(table, features=["Close"])
    assert frame.columns == ["Close"] and frame.ignored == {
        "ticker": "not among the chosen features", "Volume": "not among the chosen features"}
    parsed = parse_columns(table, "formatted")
    assert parsed == {"Volume": "1,000"}
    frame = to_frame(table)
    assert frame.columns == ["Volume", "Close"] and frame.ignored == {"ticker": "text, not numbers"}
    np.testing.assert_array_equal(frame.values[:, 0], [1000, 2500, 3000, 4200])
