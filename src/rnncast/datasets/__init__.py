"""Bundled sample data sets, usable by name wherever a path is accepted.

- ``stock_daily``: 732 trading days of one company's Open, High, Low, Volume, Close (USD); the file's
  header is a ``#`` line and rows run newest first with no dates, so it is read with ``reverse=True``.
  It is the data of the PyTorch stock-prediction tutorial that the seed lecture's code comes from.
- ``ncsoft_weekly``: the lecture's table: 23 weeks of NCSoft search counts and closing price (KRW).
"""

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Dataset:
    name: str
    filename: str
    description: str
    reverse: bool = False  # rows are stored newest first

    @property
    def path(self) -> Path:
        return HERE / self.filename


DATASETS = {
    d.name: d
    for d in [
        Dataset(
            "stock_daily",
            "stock_daily.csv",
            "732 trading days of Open, High, Low, Volume, Close (USD); newest first, no dates",
            reverse=True,
        ),
        Dataset(
            "ncsoft_weekly",
            "ncsoft_weekly.csv",
            "23 weeks of NCSoft search counts and closing price (KRW), 2021-03-21..2021-08-22",
        ),
    ]
}


def names() -> list[str]:
    return list(DATASETS)


def get(name: str) -> Dataset | None:
    """The bundled data set called ``name``, or None when it is not a bundled name."""
    return DATASETS.get(name)
