"""Property tests for the readers: whatever text or bytes come in, the outcome is a table or one clean error.

``rnncast.data.io.parse_text`` gets arbitrary text and CSV-like text, ``read_table`` gets arbitrary bytes
and text files, and every table that comes back goes on to ``rnncast.data.frame.to_frame``. Each call
must return a DataFrame / SeriesFrame that keeps the documented invariants, or raise ``RnncastError``
whose message is one non-empty line; any other exception fails. Time columns are also checked to come
back exactly (or be refused), never silently wrapped around.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncast.data.frame import SeriesFrame, to_frame
from rnncast.data.io import parse_text, read_table
from rnncast.errors import RnncastError

FILLS = [None, "ffill", "interpolate", "drop"]
SUFFIXES = [".csv", ".tsv", ".txt", ".parquet"]


def assert_one_line(message: str) -> None:
    lines = message.splitlines()
    assert message.strip(), "empty error message"
    assert len(lines) == 1 and lines[0] == message, f"message is not one line: {message!r}"


def outcome(fn, *args, **kwargs):
    """``fn(...)``, or None when it raised an RnncastError with a one-line message; anything else propagates."""
    try:
        return fn(*args, **kwargs)
    except RnncastError as exc:
        assert_one_line(str(exc))
        return None


def check_table(table) -> None:
    assert isinstance(table, pd.DataFrame)
    assert len(table) > 0 and table.shape[1] > 0
    assert all(isinstance(c, str) and c for c in table.columns)


def check_frame(frame) -> None:
    assert isinstance(frame, SeriesFrame)
    assert frame.values.dtype == np.float64 and frame.values.ndim == 2
    assert len(frame) > 0 and frame.values.shape[1] == len(frame.columns)
    assert frame.columns[-1] == frame.target  # the target is always one of the inputs, the last one
    assert np.isfinite(frame.values).all()  # non-finite values are refused or filled, never passed on
    if frame.timestamps is not None:
        assert len(frame.timestamps) == len(frame)
        assert (frame.timestamps[1:] > frame.timestamps[:-1]).all()  # in time order, no duplicates


def table_then_frame(table, fill=None) -> None:
    check_table(table)
    frame = outcome(to_frame, table, fill=fill)
    if frame is not None:
        check_frame(frame)


# -- strategies ------------------------------------------------------------------------------------------

CSV_TOKENS = [
    "0", "1", "7", "42", "-", ".", "e", "1.5", "-3", "1e5", "1e999", "nan", "NaN", "inf", "-inf", "#", " ",
    ",", ",", ",", "\t", ";", "\n", "\n", "\n", "\r\n", '"', "'", '""', "date", "ds", "time", "a", "b", "x",
    "2021-01-01", "2021-01-02T00:00:00+05:00", "2021-01-03 12:00Z", "3000-01-01", "12:00", "True",
    "18446744073709551615", "\u2028", "\x0c",
]
csv_like_text = st.one_of(
    st.lists(st.sampled_from(CSV_TOKENS), max_size=80).map("".join),
    st.text(alphabet="0123456789,\t;\n#-.e\"' naif", max_size=200),
)

CELLS = [
    "0", "1", "2", "-1", "1.5", "1e5", "", " ", "nan", "inf", "-inf", "x", "True", "0x10", '"1,5"', "1e400",
    "2021-01-01", "2021-01-02", "2021-01-03 10:00", "2021-01-01T00:00:00+05:00", "2021-01-02T00:00:00+01:00",
    "2021-01-01 00:00Z", "1/2/2021", "12:00", "2021-13-45", "1500-01-01", "3000-01-01", "NaT",
    "9999999999999999999999", "18446744073709551615",
]
NAMES = ["a", "b", "Close", "x y", "date", "ds", "time", "timestamp", "datetime", "Date ", "1", "nan", '"a\nb"']


@st.composite
def csv_tables(draw):
    """Header plus rows of cells from a menu of numbers, dates, time zones, blanks and junk."""
    sep = draw(st.sampled_from([",", ";", "\t"]))
    n_cols = draw(st.integers(1, 4))
    header = draw(st.lists(st.sampled_from(NAMES), min_size=n_cols, max_size=n_cols))
    rows = draw(st.lists(st.lists(st.sampled_from(CELLS), min_size=n_cols, max_size=n_cols), max_size=10))
    text = "\n".join([sep.join(header)] + [sep.join(row) for row in rows])
    return ("# " if draw(st.booleans()) else "") + text


# -- parse_text ------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), fill=st.sampled_from(FILLS))
def test_parse_text_any_text(text, fill):
    table = outcome(parse_text, text)
    if table is not None:
        table_then_frame(table, fill)


@settings(max_examples=200, deadline=None)
@given(text=csv_like_text, tab=st.booleans(), fill=st.sampled_from(FILLS))
def test_parse_text_csv_like_text(text, tab, fill):
    table = outcome(parse_text, text, name="fuzz.csv", tab=tab)
    if table is not None:
        table_then_frame(table, fill)


@settings(max_examples=200, deadline=None)
@given(text=csv_tables(), fill=st.sampled_from(FILLS))
def test_parse_text_structured_tables(text, fill):
    table = outcome(parse_text, text)
    if table is not None:
        table_then_frame(table, fill)


# -- read_table ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    """One directory for every example (function-scoped tmp_path would not reset between examples)."""
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400), suffix=st.sampled_from(SUFFIXES), reverse=st.booleans())
def test_read_table_any_bytes(fuzz_dir, data, suffix, reverse):
    path = fuzz_dir / f"data{suffix}"
    path.write_bytes(data)
    table = outcome(read_table, path, reverse=reverse)
    if table is not None:
        table_then_frame(table)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(csv_like_text, csv_tables()), bom=st.booleans(), suffix=st.sampled_from([".csv", ".tsv"]))
def test_read_table_text_files_match_parse_text(fuzz_dir, text, bom, suffix):
    path = fuzz_dir / f"text{suffix}"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    table = outcome(read_table, path)
    if "\x00" in text:
        assert table is None
        return
    expected = outcome(parse_text, text, name=str(path), tab=suffix == ".tsv")
    assert (table is None) == (expected is None)
    if table is not None:
        assert list(table.index) == list(range(1, len(table) + 1))  # 1-based file rows, for error messages
        pd.testing.assert_frame_equal(table.reset_index(drop=True), expected.reset_index(drop=True))
        table_then_frame(table)


# -- time columns come back exactly, or are refused ------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(stamps=st.lists(st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
                       min_size=1, max_size=8, unique=True))
def test_dates_are_read_exactly_or_refused(stamps):
    table = parse_text("date,y\n" + "\n".join(f"{s.isoformat()},{i}" for i, s in enumerate(stamps)))
    frame = outcome(to_frame, table)
    if frame is None:
        assert any(not pd.Timestamp.min <= pd.Timestamp(s) <= pd.Timestamp.max for s in stamps)
        return
    order = sorted(range(len(stamps)), key=stamps.__getitem__)
    assert [pd.Timestamp(t) for t in frame.timestamps] == [pd.Timestamp(stamps[i]) for i in order]
    assert frame.y.tolist() == [float(i) for i in order]


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.lists(st.integers(-11, 11), min_size=2, max_size=6),  # < 24 h apart: no two days collide
    base=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 1, 1)),
)
def test_times_with_different_utc_offsets_are_read_as_utc(offsets, base):
    stamps = [base + dt.timedelta(days=i) for i in range(len(offsets))]
    cells = [
        s.replace(tzinfo=dt.timezone(dt.timedelta(hours=h))).isoformat() for s, h in zip(stamps, offsets, strict=True)
    ]
    frame = outcome(to_frame, parse_text("date,y\n" + "\n".join(f"{c},{i}" for i, c in enumerate(cells))))
    assert frame is not None  # a file that spans a daylight-saving change is ordinary data
    utc = sorted(pd.Timestamp(c).tz_convert(None) for c in cells)
    assert [pd.Timestamp(t) for t in frame.timestamps] == utc


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=8, unique=True))
def test_integer_steps_are_read_exactly_or_refused(steps):
    frame = outcome(to_frame, parse_text("t,y\n" + "\n".join(f"{s},{i}" for i, s in enumerate(steps))),
                    time_col="t")
    if frame is None:
        assert max(steps) > 2**63 - 1
        return
    assert frame.timestamps.tolist() == sorted(steps)
