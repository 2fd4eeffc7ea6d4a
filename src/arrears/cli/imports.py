"""`arrears import`: borrowers, accounts or payments from a CSV or Parquet file."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from arrears.cli._runtime import EXIT_BAD_INPUT, _, handles_errors, print_json, stderr, stdout

EPILOG = """\
Example:

  arrears import borrowers borrowers.csv

  arrears import payments payments-2026-03-31.parquet --json

Columns, column by column, are in docs/import.md. Row 1 is the first row under the header
(line 2 in a spreadsheet). A file with any bad row writes nothing and exits 2.
"""


class Kind(enum.StrEnum):
    borrowers = "borrowers"
    accounts = "accounts"
    payments = "payments"


@handles_errors
def import_file(
    kind: Annotated[Kind, typer.Argument(help="What the file holds.")],
    file: Annotated[
        Path, typer.Argument(help="A .csv (UTF-8, header row) or .parquet file.", dir_okay=False)
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {ok, rows, written, skipped, errors} as JSON.")
    ] = False,
) -> None:
    """Import borrowers, accounts or payments: all rows are checked first; all or nothing."""
    from arrears.servicing.importing import import_file as run_import

    with Progress(console=stderr, transient=True, disable=as_json) as bar:
        task = bar.add_task(_("Checking"), total=None)

        def progress(phase: str, done: int, total: int) -> None:
            label = _("Checking") if phase == "check" else _("Writing")
            bar.update(task, description=label, completed=done, total=total)

        result = run_import(kind=kind.value, path=file, progress=progress)
    if as_json:
        print_json(result.as_json())
    elif result.ok:
        stdout.print(
            _(
                "Imported %(kind)s from %(file)s: %(rows)d rows, %(written)d written, "
                "%(skipped)d already imported."
            )
            % {
                "kind": kind.value,
                "file": file.name,
                "rows": result.rows,
                "written": result.written,
                "skipped": result.skipped,
            }
        )
    else:
        table = Table(
            title=_("Nothing was imported: %(n)d problems in %(file)s")
            % {"n": len(result.errors), "file": file.name}
        )
        table.add_column(_("Row"), justify="right")
        table.add_column(_("Line"), justify="right")
        table.add_column(_("Column"))
        table.add_column(_("Reason"))
        for error in result.errors:
            table.add_row(
                str(error.row) if error.row is not None else "—",
                str(error.row + 1) if error.row is not None else "—",
                error.column or "—",
                error.reason,
            )
        stderr.print(table)
    if not result.ok:
        raise typer.Exit(EXIT_BAD_INPUT)
