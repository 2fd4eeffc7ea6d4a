"""`arrears collection run`: the collection night alone, for one business date.

The daily cycle (`arrears cycle`) runs the collection night as its last steps; this command runs
it on its own — after fixing a strategy, or to share a night between task workers (`--enqueue`).
Each shard of account ids is done once (recorded), so running it again is safe: finished shards
are skipped and nothing is scheduled twice.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from arrears.cli._runtime import _, handles_errors, print_json, stdout

app = typer.Typer(
    help="Collection: run the nightly batch (cases, strategy, contacts, queues).",
    epilog="Example:\n\n  arrears collection run --date 2026-03-31",
    no_args_is_help=True,
)

RUN_EPILOG = """\
Example:

  arrears collection run --date 2026-03-31

  arrears collection run --date 2026-03-31 --shard-size 100000 --json

  arrears collection run --date 2026-03-31 --enqueue     # one task per shard, for the workers

Opens and closes cases, evaluates the active strategy, proposes the contacts of the steps due,
asks the compliance gate for all of them at once, and writes the actions: messages to the
outbox, calls to the work queues. Shards already done for the date are skipped.
"""


@app.command("run", epilog=RUN_EPILOG)
@handles_errors
def run(
    date: Annotated[str, typer.Option("--date", metavar="DATE", help="Business date YYYY-MM-DD.")],
    shard_size: Annotated[
        int | None,
        typer.Option(
            "--shard-size",
            min=1,
            help="Account ids per shard (default ARREARS_COLLECTION_SHARD_SIZE).",
        ),
    ] = None,
    enqueue: Annotated[
        bool, typer.Option("--enqueue", help="Enqueue one task per shard instead of running.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Run the collection night for a business date (idempotent; resumes where it stopped)."""
    from django.db import transaction

    from arrears.collection.batch import run_collection_night
    from arrears.collection.tasks import enqueue_collection_night
    from arrears.core.parsing import parse_date

    day = parse_date("date", date)
    if enqueue:
        with transaction.atomic():
            shards = enqueue_collection_night(business_date=day, size=shard_size)
        result = {"business_date": day.isoformat(), "enqueued_shards": shards}
        if as_json:
            print_json(result)
        else:
            stdout.print(Text(_("%(n)d shards enqueued for %(day)s") % {"n": shards, "day": day}))
        return
    night = run_collection_night(business_date=day, size=shard_size)
    summary = {"business_date": day.isoformat(), "counts": night.counts, "seconds": night.timings}
    if as_json:
        print_json(summary)
        return
    table = Table(title=_("Collection night %(day)s") % {"day": day})
    table.add_column(_("What"))
    table.add_column(_("How many"), justify="right")
    for name, count in night.counts.items():
        table.add_row(Text(name), Text(str(count)))
    stdout.print(table)
