"""Readers: CSV, TSV, Parquet, '#' headers, bundled names, file order and reverse."""

import numpy as np
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


def test_a_line_longer_than_a_block_is_refused_before_it_is_decoded(tmp_path, monkeypatch):
    from rnncast.data import io as data_io

    monkeypatch.setattr(data_io, "BLOCK", 64)
    path = tmp_path / "long.csv"
    path.write_text("ds,y\n1," + "9" * 200 + "\n")
    with pytest.raises(RnncastError, match="line longer than"):
        data_io.read_table(path)
    path.write_bytes(b"\n" * 1000)
    with pytest.raises(RnncastError, match="is empty"):
        data_io.read_table(path)


def test_a_table_wider_than_the_input_limit_is_refused_naming_the_flag(monkeypatch):
    from rnncast.data import frame

    monkeypatch.setattr(frame, "MAX_FEATURES", 3)
    table = pd.DataFrame(np.ones((5, 4)), columns=list("abcd"))
    with pytest.raises(RnncastError, match="4 input columns: rnncast takes at most 3.*--features"):
        frame.to_frame(table)
    assert frame.to_frame(table, features=["a", "b"]).columns == ["a", "b", "d"]
