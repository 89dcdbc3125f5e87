"""Readers: CSV, TSV, Parquet, '#' headers, bundled names, file order and reverse."""

import pandas as pd
import pytest

from rnncast.data.io import parse_text, read_table
from rnncast.errors import RnncastError


def test_hash_header_and_reverse(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("# a,b\n1,10\n2,20\n3,30\n")
    assert list(read_table(path).columns) == ["a", "b"]
    assert read_table(path)["a"].tolist() == [1, 2, 3]
    flipped = read_table(path, reverse=True)
    assert flipped["a"].tolist() == [3, 2, 1]
    assert flipped.index.tolist() == [3, 2, 1]  # file row numbers travel with the rows


def test_tsv_and_semicolon(tmp_path):
    tsv = tmp_path / "d.tsv"
    tsv.write_text("a\tb\n1\t2\n")
    assert read_table(tsv)["b"].tolist() == [2]
    assert parse_text("a;b\n1;2\n")["b"].tolist() == [2]


def test_parquet(tmp_path):
    path = tmp_path / "d.parquet"
    pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=3), "y": [1.0, 2.0, 3.0]}).to_parquet(path)
    table = read_table(path)
    assert table["y"].tolist() == [1.0, 2.0, 3.0]


def test_bundled_names_know_their_order():
    assert read_table("stock_daily").shape == (732, 5)
    assert read_table("ncsoft_weekly")["date"].iloc[0] == "2021-03-21"


@pytest.mark.parametrize("text, words", [("", "empty"), ("a,b\n", "no data rows"), ("\n\n", "empty")])
def test_empty_inputs(text, words):
    with pytest.raises(RnncastError, match=words):
        parse_text(text)
