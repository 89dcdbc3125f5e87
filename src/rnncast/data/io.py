"""Read a table of time-ordered observations from CSV, TSV or Parquet (or a bundled data set by name).

Only reading happens here: text → ``pandas.DataFrame`` in file order (flipped with ``reverse``).
Choosing columns, parsing the time column and ordering rows by time is ``data/frame.py``'s job, so
that a DataFrame handed to the Python API goes through exactly the same checks as a file.

Accepted text: UTF-8, comma / tab / semicolon separated, a header row. A first line ``# a,b,c`` is a
header too (the lecture's ``stock_daily`` file is written that way). Every failure is an
``RnncastError`` with one line that names the file and the problem.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from rnncast import datasets
from rnncast.data.numbers import NUMBER_STYLES, parse_columns
from rnncast.errors import RnncastError

PARQUET_SUFFIXES = {".parquet", ".pq"}
BLOCK = 16 << 20  # bytes read at a time; also the longest line accepted


def resolve_source(source: str | Path) -> tuple[Path, bool]:
    """The file behind ``source`` and whether its rows are stored newest first.

    ``source`` is a path, or the name of a bundled data set (a real file of that name wins).
    """
    path = Path(source)
    if path.exists():
        if path.is_dir():
            raise RnncastError(f"{source} is a directory, not a data file")
        return path, False
    bundled = datasets.get(str(source))
    if bundled is not None:
        if bundled.kind != "table":
            command = "text" if bundled.kind == "text" else "tag"
            raise RnncastError(f"{source} is a {bundled.kind} data set (for rnncast {command}), not a table")
        return bundled.path, bundled.reverse
    tables = [d.name for d in datasets.DATASETS.values() if d.kind == "table"]
    raise RnncastError(f"no such file: {source} (bundled tables: {', '.join(tables)})")


def read_table(source: str | Path, reverse: bool | None = None, numbers: str = "plain") -> pd.DataFrame:
    """Read ``source`` into a DataFrame in file order; ``reverse=True`` flips it (oldest row first).

    ``reverse=None`` takes the bundled data set's own setting (False for user files).
    The index holds each row's 1-based position in the file, so later errors can name the row.
    ``numbers`` (``data/numbers.py``): how to read numbers written for people; the columns parsed are in
    ``table.attrs["parsed_numbers"]`` (column -> an example cell as written).
    """
    if numbers not in NUMBER_STYLES:
        raise RnncastError(f"unknown --numbers style {numbers!r}; choose one of {', '.join(NUMBER_STYLES)}")
    path, stored_newest_first = resolve_source(source)
    if reverse is None:
        reverse = stored_newest_first
    if path.suffix.lower() in PARQUET_SUFFIXES:
        table = _read_parquet(path)
    else:
        table = parse_text(_read_text(path), name=str(source), tab=path.suffix.lower() == ".tsv")
    table.index = pd.RangeIndex(1, len(table) + 1, name="row")
    parsed = parse_columns(table, numbers)
    table = table.iloc[::-1] if reverse else table
    table.attrs["parsed_numbers"] = parsed
    return table


def _read_text(path: Path) -> str:
    """The file's text, after one pass in blocks that refuses binary data and absurd lines early.

    A table's line is at most a few MB (100,000 numeric columns: about 1 MB); a block of ``BLOCK``
    bytes without a line break means a line longer than that, so the file is refused before it is
    decoded (a 1 GB file of one repeated byte ends in milliseconds, not gigabytes).
    """
    try:
        with open(path, "rb") as f:
            blocks, seen_text = [], False
            while block := f.read(BLOCK):
                seen_text = seen_text or bool(block.strip())
                if b"\x00" in block:
                    raise RnncastError(f"{path} looks like a binary file, not CSV text")
                if len(block) == BLOCK and b"\n" not in block and b"\r" not in block:
                    raise RnncastError(f"{path} has a line longer than {BLOCK >> 20} MiB: not a table rnncast"
                                       " reads (a CSV line holds one time step)")
                if seen_text:  # blank blocks before the first text are dropped: parse_text skips them anyway
                    blocks.append(block)
    except OSError as exc:
        raise RnncastError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not seen_text:
        raise RnncastError(f"{path} is empty")
    raw = b"".join(blocks)
    del blocks
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RnncastError(f"{path} is not UTF-8 text (bad byte at offset {exc.start})") from None


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_parquet(path)
    except ImportError:
        raise RnncastError("reading Parquet needs pyarrow: pip install pyarrow") from None
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise RnncastError(f"cannot read {path} as Parquet: {_first_line(exc)}") from None
    if table.shape[1] == 0:
        raise RnncastError(f"{path} has no columns")
    if len(table) == 0:
        raise RnncastError(f"{path} has a header but no data rows")
    return table.reset_index(drop=True)


def parse_text(text: str, name: str = "<text>", tab: bool = False) -> pd.DataFrame:
    """Parse CSV/TSV text (header row, or a ``# a,b,c`` first line) into a DataFrame."""
    start = re.match(r"\s*", text).end()  # blank lines before the header (no list of every line, no copy)
    if start == len(text):
        raise RnncastError(f"{name} is empty")
    start = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    header = text[start:end].rstrip("\r")
    if header.lstrip().startswith("#"):
        header = header.lstrip()[1:]
    sep = "\t" if tab else _guess_separator(header)
    body = header + text[end:]
    try:
        table = pd.read_csv(io.StringIO(body), sep=sep, skipinitialspace=True, skip_blank_lines=True)
    except pd.errors.EmptyDataError:
        raise RnncastError(f"{name} is empty") from None
    except (pd.errors.ParserError, ValueError, csv_error()) as exc:
        raise RnncastError(f"cannot parse {name} as a table: {_first_line(exc)}") from None
    table.columns = [str(c).strip() for c in table.columns]
    if any(c == "" or c.startswith("Unnamed:") for c in table.columns):
        raise RnncastError(f"{name}: the header has an empty column name: {header.strip()!r}")
    if len(table) == 0:
        raise RnncastError(f"{name} has a header but no data rows")
    return table


def _guess_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def csv_error() -> type[Exception]:
    import csv

    return csv.Error


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
