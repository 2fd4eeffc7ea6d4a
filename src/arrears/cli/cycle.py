"""`arrears cycle`: run the daily servicing cycle up to a business date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from arrears.cli._runtime import _, handles_errors, print_json, stderr, stdout
from arrears.core.parsing import parse_date

EPILOG = """\
Example:

  arrears cycle --through 2026-03-31

  arrears cycle --through 2026-03-31 --json

Each business date runs once: dates already done are skipped, so running again is safe.
"""


def progress_bar(*, disable: bool = False) -> Progress:
    """The progress bar every long command shows on stderr."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=disable,
    )


def run_cycle_with_progress(
    *, through: dt.date, start: dt.date | None = None, quiet: bool = False, clock: Any = None
) -> dict[str, Any]:
    """Run the cycle with a progress bar; returns the summary `cycle --json` prints."""
    from arrears.servicing.services.cycle import last_completed_date, run_cycle

    last = last_completed_date()
    first = start or (last + dt.timedelta(days=1) if last else None)
    total = (through - first).days + 1 if first and through >= first else None
    with progress_bar(disable=quiet) as bar:
        task = bar.add_task(_("Daily cycle"), total=total)

        def progress(day: dt.date, counts: dict[str, dict[str, int]]) -> None:
            bar.update(task, advance=1, description=_("Daily cycle %(day)s") % {"day": day})

        results = run_cycle(through=through, start=start, progress=progress, clock=clock)
    steps: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day in results:
        for step in day.steps:
            if step.skipped:
                continue
            for name, count in step.counts.items():
                steps[step.kind][name] += int(count)
    return {
        "ok": True,
        "through": through,
        "dates_run": sum(1 for day in results if not day.skipped),
        "dates_skipped": sum(1 for day in results if day.skipped),
        "first_date": results[0].business_date if results else None,
        "last_date": results[-1].business_date if results else None,
        "steps": {kind: dict(counts) for kind, counts in steps.items()},
    }


@handles_errors
def cycle(
    through: Annotated[
        str | None, typer.Option(help="Last business date to run, YYYY-MM-DD (default: today).")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            help="First date, only before the cycle has ever run (default: the first "
            "account's opening date)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run the daily cycle (statements, instalments, late fees, ageing, charge-off) to a date."""
    from arrears.cli._runtime import business_today

    day = parse_date("through", through) if through else business_today()
    summary = run_cycle_with_progress(
        through=day, start=parse_date("start", start) if start else None, quiet=as_json
    )
    if as_json:
        print_json(summary)
        return
    stdout.print(
        _("Cycle run through %(through)s: %(run)d dates run, %(skipped)d already done.")
        % {"through": day, "run": summary["dates_run"], "skipped": summary["dates_skipped"]}
    )
    if summary["steps"]:
        table = Table(title=_("What each step did"))
        table.add_column(_("Step"))
        table.add_column(_("Count"))
        table.add_column(_("Total"), justify="right")
        for kind, counts in summary["steps"].items():
            for name, count in sorted(counts.items()):
                table.add_row(kind, name, f"{count:,}")
        stdout.print(table)
