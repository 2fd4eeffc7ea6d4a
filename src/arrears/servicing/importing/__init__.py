"""Importing borrowers, accounts and payments from CSV or Parquet files (docs/import.md).

All or nothing: every row is checked first, and one bad row means nothing is written. The
writes then go through the same services as the API, in one transaction; if a service still
refuses a row, that row is reported and the whole import is rolled back. Payments carry an
idempotency key, so importing the same file twice posts each payment once.

Row numbers: row 1 is the first row under the header (in a spreadsheet, line 2); an error with
no row concerns the whole file (a missing or unknown column).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.core.errors import ArrearsError, ValidationError
from arrears.servicing.importing.cells import Cells, RowError
from arrears.servicing.importing.kinds import KINDS, Column, ImportKind, Record
from arrears.servicing.importing.reading import UnreadableFile, read_table

__all__ = ["KINDS", "Column", "ImportResult", "RowError", "import_file"]

Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    written: int = 0
    skipped: int = 0  # rows already imported before (payments with a known idempotency key)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "kind": self.kind,
            "rows": self.rows,
            "written": self.written,
            "skipped": self.skipped,
            "errors": [error.as_json() for error in self.errors],
        }


class _RollBack(Exception):
    pass


def import_file(*, kind: str, path: Path, progress: Progress | None = None) -> ImportResult:
    """Check every row of the file, then write them all, or write nothing and say why."""
    if kind not in KINDS:
        raise ValidationError("kind", _("must be one of %(kinds)s") % {"kinds": ", ".join(KINDS)})
    importer = KINDS[kind]()
    result = ImportResult(kind=kind)
    try:
        table = read_table(path)
    except UnreadableFile as error:
        result.errors.append(RowError(None, None, str(error)))
        return result
    result.rows = len(table.rows)
    result.errors.extend(_header_errors(importer, table.columns, table.float_columns))
    if result.errors:
        return result
    records = _check_rows(importer, table.rows, result.errors, progress)
    if result.errors:
        return result
    _write(importer, records, result, progress)
    return result


def _header_errors(
    importer: ImportKind, columns: tuple[str, ...], float_columns: frozenset[str]
) -> list[RowError]:
    known = {column.name: column for column in importer.columns}
    errors = [
        RowError(None, column.name, _("required column is missing from the file"))
        for column in importer.columns
        if column.required and column.name not in columns
    ]
    for name in columns:
        if name not in known:
            errors.append(
                RowError(
                    None,
                    name,
                    _("unknown column; the columns are: %(names)s") % {"names": ", ".join(known)},
                )
            )
        elif known[name].money and name in float_columns:
            errors.append(
                RowError(
                    None,
                    name,
                    _(
                        "amounts stored as floating point are inexact; store "
                        'them as text ("1234.56") or as a decimal column'
                    ),
                )
            )
    duplicates = {name for name in columns if columns.count(name) > 1}
    errors.extend(
        RowError(None, name, _("the column appears more than once")) for name in sorted(duplicates)
    )
    return errors


def _check_rows(
    importer: ImportKind,
    rows: list[dict[str, str | None]],
    errors: list[RowError],
    progress: Progress | None,
) -> list[Record]:
    importer.look_up(rows)
    records: list[Record] = []
    for number, values in enumerate(rows, start=1):
        record = importer.check(Cells(number, values, errors))
        if record is not None:
            records.append(record)
        if progress is not None and (number % 500 == 0 or number == len(rows)):
            progress("check", number, len(rows))
    return records


def _write(
    importer: ImportKind, records: list[Record], result: ImportResult, progress: Progress | None
) -> None:
    try:
        with transaction.atomic():
            for done, record in enumerate(records, start=1):
                if record.skip:
                    result.skipped += 1
                else:
                    try:
                        importer.write(record)
                    except ValidationError as error:
                        column = importer.column_for(error.field)
                        result.errors.append(RowError(record.row, column, error.reason))
                        raise _RollBack from None
                    except ArrearsError as error:
                        result.errors.append(RowError(record.row, None, error.message))
                        raise _RollBack from None
                    result.written += 1
                if progress is not None and (done % 200 == 0 or done == len(records)):
                    progress("write", done, len(records))
    except _RollBack:
        result.written = 0
        result.skipped = 0
