"""Reading an import file (CSV or Parquet) into rows of text cells, with Polars.

Every cell comes back as text (or None when empty), so amounts are never parsed through a
float: CSV is read with no type inference at all, and Parquet columns are cast to text —
except floating-point columns holding money, which are refused outright, because the file has
already lost the exact amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

CSV_SUFFIXES = (".csv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[dict[str, str | None]]
    float_columns: frozenset[str]  # Parquet columns stored as floating point


class UnreadableFile(Exception):
    """The file cannot be read at all (missing, wrong format, malformed CSV)."""


def read_table(path: Path) -> Table:
    """The file's header and rows as text; raises UnreadableFile with a reason."""
    if not path.is_file():
        raise UnreadableFile(f"{path} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
            float_columns: frozenset[str] = frozenset()
        elif suffix in PARQUET_SUFFIXES:
            frame = pl.read_parquet(path)
            float_columns = frozenset(
                name for name, dtype in frame.schema.items() if dtype.is_float()
            )
            frame = frame.with_columns(
                _as_text(name, dtype) for name, dtype in frame.schema.items()
            )
        else:
            raise UnreadableFile(f"{path.name}: use a .csv or .parquet file")
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as error:
        raise UnreadableFile(f"{path.name}: {str(error).splitlines()[0]}") from None
    columns = tuple(name.strip().lstrip("\ufeff") for name in frame.columns)
    rows = [
        {name: _clean(value) for name, value in zip(columns, row, strict=True)}
        for row in frame.iter_rows()
    ]
    return Table(columns=columns, rows=rows, float_columns=float_columns)


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if isinstance(dtype, pl.Decimal):
        # a Decimal column pads every value to its scale ("12.50" at scale 2, "12.500" at 3);
        # the padding is the column's format, not the writer's digits, so it is dropped
        text = column.cast(pl.String)
        return (
            pl.when(text.str.contains(r"\."))
            .then(text.str.strip_chars_end("0").str.strip_chars_end("."))
            .otherwise(text)
            .alias(name)
        )
    return column.cast(pl.String).alias(name)


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
