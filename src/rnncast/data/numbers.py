"""Numbers written for people: ``"1,234.50"``, ``"$12"``, ``"12.5%"``, ``"(300)"``, ``"1.234,5"``.

Spreadsheet exports often write numbers this way. rnncast does what ``pandas.read_csv`` does by
default, and what its ``thousands=``/``decimal=`` options change: such cells are not numbers unless
the user says how to read them. A column of them is never dropped silently: it is refused with one
line naming the column, one example cell and the flag that parses it (``--numbers formatted`` or
``--numbers decimal-comma``); with the flag the run parses it and says so.

Styles (``NUMBER_STYLES``):

- ``plain``: what Python reads (``1234.5``, ``-3e2``); nothing else.
- ``formatted``: ``,`` separates thousands and ``.`` is the decimal point.
- ``decimal-comma``: ``.`` (or a space) separates thousands and ``,`` is the decimal point.

Both parsing styles also drop a currency sign (``$ € £ ¥ ₩``) and a percent sign (the value stays in
percent points: ``"12.5%"`` is 12.5, the number the user sees), and read ``(300)`` as ``-300``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NUMBER_STYLES = ("plain", "formatted", "decimal-comma")
CURRENCY = "$€£¥₩"
SAMPLE = 1000  # cells looked at to tell what a text column holds


def parse(column: pd.Series, style: str) -> pd.Series:
    """The column's cells as float64 under ``style`` (NaN where a cell is not a number that way)."""
    text = column.astype("string").str.strip()
    if style == "plain":
        return pd.to_numeric(text, errors="coerce").astype("float64")
    negative = text.str.match(r"^\(.*\)$").fillna(False)
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    text = text.str.replace(f"[{CURRENCY}%\\s]", "", regex=True)
    if style == "formatted":
        ok = text.str.fullmatch(r"[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?([eE][-+]?\d+)?").fillna(False)
        text = text.str.replace(",", "", regex=False)
    else:
        ok = text.str.fullmatch(r"[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d*)?").fillna(False)
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    values = pd.to_numeric(text.where(ok), errors="coerce").astype("float64")
    return values.where(~negative, -values)


def detect(column: pd.Series) -> tuple[str, str] | None:
    """``(style, example cell)`` when a text column holds numbers written for people, else None.

    Looks at up to ``SAMPLE`` non-empty cells: most must fail as plain numbers and read under one style.
    ``"1,234"`` reads both ways; the thousands separator (``formatted``) is the reading suggested then,
    unless some cell shows a decimal comma (``"12,5"``, ``"1.234,56"``).
    """
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return None
    present = column.dropna()
    present = present[present.astype(str).str.strip() != ""].head(SAMPLE)
    if len(present) == 0:
        return None
    plain = parse(present, "plain").notna()
    reads = {style: parse(present, style).notna() & ~plain for style in NUMBER_STYLES[1:]}  # only that way
    scores = {style: read.mean() for style, read in reads.items()}
    style = max(scores, key=scores.get)
    if scores["decimal-comma"] >= scores["formatted"] and scores["decimal-comma"] > 0:
        style = "decimal-comma" if (~reads["formatted"] & ~plain).any() else "formatted"
    if scores[style] + plain.mean() <= 0.5 or scores[style] == 0:
        return None
    return style, str(present[reads[style]].iloc[0]).strip()


def parse_columns(table: pd.DataFrame, style: str) -> dict[str, str]:
    """Parse every text column of ``table`` that holds numbers in ``style``, in place.

    Returns ``{column: example cell}`` of the columns parsed, for the run to say so.
    """
    parsed = {}
    if style == "plain":
        return parsed
    for name in list(table.columns):
        column = table[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        values = parse(column, style)
        present = column.notna() & (column.astype("string").str.strip() != "").fillna(False)
        if present.any() and values[present].notna().mean() > 0.5:
            example = column[present & parse(column, "plain").isna()]
            if len(example):
                parsed[str(name)] = str(example.iloc[0]).strip()
                table[name] = np.where(present & values.isna(), column, values) if values[present].isna().any() \
                    else values
    return parsed
