"""The collections desk from the command line: promises and placements reviewed for a date, a
collector's queue, the load on the queues, how the agencies compare, the dispositions.

These commands join `arrears collection` (`register(app)`); each prints a table, or JSON with
`--json`, and says what went wrong with the field named (exit 2) on bad input.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from arrears.cli._runtime import _, handles_errors, print_json, stdout

PROMISES_EPILOG = """\
Example:

  arrears collection review-promises --date 2026-03-31

Matches the posted payments to every live promise to pay: kept, partly kept or broken (a broken
promise resumes the case's treatment on the day it broke), then queues tomorrow's reminders.
The collection night runs this itself; running it again for a date changes nothing.
"""

PLACEMENTS_EPILOG = """\
Example:

  arrears collection review-placements --date 2026-03-31 --json

Refreshes what each case placed with an agency has collected (payments posted since it was
placed) and recalls the placements whose recall date has come.
"""

QUEUE_EPILOG = """\
Example:

  arrears collection queue li.wei

  arrears collection queue li.wei --limit 50 --json

The calls the compliance gate allows now for this collector, by the expected value of a call
now; below, those it allows later, with when.
"""

LOAD_EPILOG = """\
Example:

  arrears collection load --json
"""

AGENCIES_EPILOG = """\
Example:

  arrears collection agencies --from 2026-01-01 --to 2026-03-31

Placed, collected, liquidation rate and commission per agency, for the placements made in the
period (best rate first).
"""

DISPOSITIONS_EPILOG = """\
Example:

  arrears collection dispositions --load
"""


def register(app: typer.Typer) -> None:
    """Add the desk's commands to `arrears collection`."""
    app.command("review-promises", epilog=PROMISES_EPILOG)(review_promises)
    app.command("review-placements", epilog=PLACEMENTS_EPILOG)(review_placements)
    app.command("queue", epilog=QUEUE_EPILOG)(queue)
    app.command("load", epilog=LOAD_EPILOG)(load)
    app.command("agencies", epilog=AGENCIES_EPILOG)(agencies)
    app.command("dispositions", epilog=DISPOSITIONS_EPILOG)(dispositions)


DateOption = Annotated[
    str, typer.Option("--date", metavar="DATE", help="Business date YYYY-MM-DD.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _counts(title: str, counts: dict[str, int], as_json: bool, day: Any) -> None:
    if as_json:
        print_json({"business_date": day, "counts": counts})
        return
    table = Table(title=title)
    table.add_column(_("What"))
    table.add_column(_("How many"), justify="right")
    for name, count in sorted(counts.items()):
        table.add_row(Text(name), Text(str(count)))
    stdout.print(table)


@handles_errors
def review_promises(date: DateOption, as_json: JsonOption = False) -> None:
    """Judge the live promises to pay on a date and queue the next day's reminders."""
    from arrears.collection.services import review_promises as review
    from arrears.core.parsing import parse_date

    day = parse_date("date", date)
    counts = review(on=day).as_dict()
    _counts(_("Promises to pay on %(day)s") % {"day": day}, counts, as_json, day)


@handles_errors
def review_placements(date: DateOption, as_json: JsonOption = False) -> None:
    """Refresh what agency placements collected; recall those due back."""
    from arrears.collection.services import review_placements as review
    from arrears.core.parsing import parse_date

    day = parse_date("date", date)
    counts = review(on=day)
    _counts(_("Agency placements on %(day)s") % {"day": day}, counts, as_json, day)


@handles_errors
def queue(
    username: Annotated[str, typer.Argument(help="The collector's user name.")],
    limit: Annotated[int, typer.Option(min=1, max=200, help="Calls to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """A collector's work queue now: what the gate allows, best first."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from arrears.collection.selectors import work_queue
    from arrears.core.errors import ValidationError

    user = get_user_model()._default_manager.filter(username=username).first()
    if user is None:
        raise ValidationError("username", _("there is no user %(name)s") % {"name": username})
    view = work_queue(user, now=timezone.now(), limit=limit)
    rows = [_item(i, "ready") for i in view.ready] + [_item(i, "later") for i in view.later]
    if as_json:
        print_json({"now": view.now, "calls": rows, "refused": view.refused})
        return
    table = Table(title=_("Work queue of %(name)s") % {"name": username})
    for heading in (_("When"), _("Account"), _("Borrower"), _("Value"), _("Number"), _("Why")):
        table.add_column(heading)
    for row in rows:
        table.add_row(
            Text(_("now") if row["when"] == "ready" else str(row["next_permitted_at"])),
            Text(row["account"]),
            Text(row["borrower"]),
            Text(row["expected_value"] or "-"),
            Text(row["number"]),
            Text(row["reason"][:60]),
        )
    stdout.print(table)


def _item(item: Any, when: str) -> dict[str, Any]:
    action = item.action
    value = item.expected_value
    return {
        "when": when,
        "action": action.pk,
        "account": action.account.number,
        "borrower": action.borrower.full_name,
        "number": action.address,
        "expected_value": str(value) if value is not None else None,
        "next_permitted_at": item.next_permitted_at,
        "reason": action.reason,
    }


@handles_errors
def load(as_json: JsonOption = False) -> None:
    """Calls waiting per queue and per collector, and the oldest."""
    from django.utils import timezone

    from arrears.collection.selectors import queue_load

    found = queue_load(now=timezone.now())
    queues = [
        {
            "queue": q.queue.code if q.queue is not None else None,
            "waiting": q.waiting,
            "ready": q.ready,
            "taken": q.taken,
            "oldest_due_at": q.oldest_due_at,
        }
        for q in found.queues
    ]
    collectors = [
        {
            "collector": c.collector.user.get_username(),
            "open_cases": c.open_cases,
            "capacity": c.capacity,
            "calls_in_hand": c.calls_in_hand,
        }
        for c in found.collectors
    ]
    if as_json:
        print_json({"queues": queues, "collectors": collectors, "by_status": found.by_status})
        return
    table = Table(title=_("Work queues"))
    for heading in (_("Queue"), _("Waiting"), _("Ready"), _("Taken"), _("Oldest due")):
        table.add_column(heading)
    for q in queues:
        table.add_row(*(Text(str(q[k] if q[k] is not None else "-")) for k in q))
    stdout.print(table)
    people = Table(title=_("Collectors"))
    for heading in (_("Collector"), _("Open cases"), _("Capacity"), _("Calls in hand")):
        people.add_column(heading)
    for c in collectors:
        people.add_row(*(Text(str(v)) for v in c.values()))
    stdout.print(people)


@handles_errors
def agencies(
    start: Annotated[str, typer.Option("--from", metavar="DATE", help="First day (placements).")],
    end: Annotated[str, typer.Option("--to", metavar="DATE", help="Last day, inclusive.")],
    as_json: JsonOption = False,
) -> None:
    """How the agencies compare on what they were placed and collected."""
    from arrears.collection.selectors import agency_performance
    from arrears.core.parsing import parse_date

    rows = agency_performance(start_on=parse_date("from", start), end_on=parse_date("to", end))
    found = [
        {
            "agency": r.agency.code,
            "currency": r.currency,
            "placements": r.placements,
            "live": r.live,
            "placed": str(r.placed.amount),
            "collected": str(r.collected.amount),
            "liquidation_rate": str(r.liquidation_rate),
            "commission": str(r.commission.amount),
        }
        for r in rows
    ]
    if as_json:
        print_json(found)
        return
    table = Table(title=_("Agency performance"))
    for heading in (_("Agency"), _("Currency"), _("Placements"), _("Live"), _("Placed"),
                    _("Collected"), _("Liquidation rate"), _("Commission")):  # fmt: skip
        table.add_column(heading)
    for row in found:
        table.add_row(*(Text(str(v)) for v in row.values()))
    stdout.print(table)


@handles_errors
def dispositions(
    load_standard: Annotated[
        bool, typer.Option("--load", help="First load the standard list (idempotent).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """The call results collectors may record, and what each drives."""
    from arrears.collection.selectors import active_dispositions
    from arrears.collection.services import load_dispositions

    if load_standard:
        load_dispositions()
    found: list[dict[str, Any]] = [
        {
            "code": d.code,
            "label_en": d.label_en,
            "label_zh": d.label_zh,
            "right_party": d.right_party,
            "attempt_outcome": d.attempt_outcome,
            "retry_rule": d.retry_rule,
            "effects": list(d.effects or []),
        }
        for d in active_dispositions()
    ]
    if as_json:
        print_json(found)
        return
    table = Table(title=_("Dispositions"))
    for heading in (_("Code"), _("English"), _("Chinese"), _("Retry"), _("Drives")):
        table.add_column(heading)
    for d in found:
        table.add_row(
            Text(d["code"]),
            Text(d["label_en"]),
            Text(d["label_zh"]),
            Text(d["retry_rule"]),
            Text(", ".join(d["effects"])),
        )
    stdout.print(table)
