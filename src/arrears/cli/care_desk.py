"""`arrears care …` commands: the desk — SLA sweep and a ticket's clocks, the queues' load.

`arrears care sla sweep` raises every SLA warning, breach, escalation and regulatory alert due
(each once; the task `sweep_sla_task` does the same on a schedule); `arrears care sla show`
prints a ticket's clocks; `arrears care queues` the load on each queue; `arrears care desk-load`
loads the bundled desk (calendar, teams, queues, SLA policies) as `arrears init` does.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table

from arrears.cli._runtime import _, handles_errors, pgettext, print_json, stdout, user_language
from arrears.core.errors import ValidationError

SLA_EPILOG = """\
Example:

  arrears care sla sweep --at 2026-03-09T17:00:00+08:00 --json

  arrears care sla show T0000042
"""

SWEEP_EPILOG = """\
Example:

  arrears care sla sweep

  arrears care sla sweep --at 2026-03-09T17:00:00+08:00 --json

Raises every SLA warning, breach, escalation and regulatory alert due by --at (default: now)
that is not yet recorded, each once: running it again changes nothing. An escalation notifies
its team by e-mail and, if its level says so, moves the ticket to that team's queue or raises
its priority.
"""

SHOW_EPILOG = """\
Example:

  arrears care sla show T0000042 --at 2026-03-09T17:00:00+08:00 --json

Each clock of the ticket (first reply, next reply per cycle, resolution, final response): time
counted in business hours, when it falls due, and whether it is running, paused, met or
breached; then the alerts due so far.
"""

QUEUES_EPILOG = """\
Example:

  arrears care queues --json

Per active queue: tickets waiting for an agent, assigned, pending on the borrower, the oldest
waiting since, tickets with a breach, agents and their capacity in open tickets.
"""

DESK_LOAD_EPILOG = """\
Example:

  arrears care desk-load --json

Loads the bundled desk: the China desk calendar, the teams escalations notify, the complaints,
hardship, disputes and general queues, and the bundled SLA policies. Rows already there stay
as they are.
"""

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="The instant, ISO 8601 with its offset (default: now)."),
]

sla_app = typer.Typer(
    help="SLA clocks and the sweep that raises alerts and escalates.",
    epilog=SLA_EPILOG,
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add this area's commands to `arrears care`."""
    app.add_typer(sla_app, name="sla")
    app.command("queues", epilog=QUEUES_EPILOG)(queues)
    app.command("desk-load", epilog=DESK_LOAD_EPILOG)(desk_load)


def _instant(text: str | None) -> dt.datetime:
    from django.utils import timezone

    if text is None:
        return timezone.now()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("at", _("is not an ISO 8601 instant")) from None
    if value.tzinfo is None:
        raise ValidationError("at", _("needs its UTC offset, e.g. +08:00"))
    return value.astimezone(dt.UTC)


@sla_app.command("sweep", epilog=SWEEP_EPILOG)
@handles_errors
def sweep(at: AtOption = None, as_json: JsonOption = False) -> None:
    """Raise the SLA alerts due and act on escalations (idempotent)."""
    from arrears.care.services.sla import sweep_sla

    now = _instant(at)
    counts = sweep_sla(now=now).as_dict()
    if as_json:
        print_json({"at": now, "counts": counts})
        return
    table = Table(title=_("SLA sweep at %(at)s") % {"at": f"{now:%Y-%m-%d %H:%M} UTC"})
    table.add_column(_("What"))
    table.add_column(_("How many"), justify="right")
    for name, count in counts.items():
        table.add_row(name, str(count))
    stdout.print(table)


@sla_app.command("show", epilog=SHOW_EPILOG)
@handles_errors
def show(
    reference: Annotated[str, typer.Argument(help="The ticket's reference, e.g. T0000042.")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """A ticket's SLA clocks and alerts."""
    from arrears.care.models import Ticket
    from arrears.care.selectors.sla import ticket_sla_of
    from arrears.core.errors import NotFound

    now = _instant(at)
    ticket = Ticket.objects.select_related("queue__calendar").filter(reference=reference).first()
    if ticket is None:
        raise NotFound(_("No ticket %(reference)s.") % {"reference": reference})
    report = sla_report(ticket, ticket_sla_of(ticket, now=now), now=now)
    if as_json:
        print_json(report)
    else:
        _print_sla(report)


def sla_report(ticket: Any, sla: Any, *, now: dt.datetime) -> dict[str, Any]:
    """The documented JSON shape of `sla show` (durations in seconds, instants in UTC)."""
    from arrears.core.care.labels import label

    language = "zh" if user_language().startswith("zh") else "en"
    return {
        "reference": ticket.reference,
        "at": now,
        "policy": sla.policy,
        "breached": sla.breached,
        "clocks": [
            {
                "metric": c.metric.value,
                "cycle": c.cycle,
                "state": c.state.value,
                "elapsed_seconds": int(c.elapsed.total_seconds()),
                "target_seconds": int(c.target.total_seconds()),
                "due_at": c.due_at,
                "regulatory_due_at": c.regulatory_due_at,
            }
            for c in sla.clocks
        ],
        "alerts": [
            {
                "kind": a.kind.value,
                "metric": a.metric.value,
                "cycle": a.cycle,
                "at": a.at,
                "level": a.level,
                "notify": a.notify,
                "reason": a.reason,
                "text": label(a.reason, language, dict(a.params)),
            }
            for a in sla.alerts
        ],
    }


def _print_sla(report: dict[str, Any]) -> None:
    from arrears.core.care.labels import label

    language = "zh" if user_language().startswith("zh") else "en"
    table = Table(title=_("SLA of %(reference)s (%(policy)s)") % report)
    for heading in (_("Measure"), _("State"), _("Counted"), _("Target"), _("Due (UTC)")):
        table.add_column(heading)
    for clock in report["clocks"]:
        name = label(f"metric.{clock['metric']}", language)
        if clock["metric"] == "next_reply":
            name = f"{name} #{clock['cycle']}"
        table.add_row(
            name,
            label(f"state.{clock['state']}", language),
            _hours(clock["elapsed_seconds"]),
            _hours(clock["target_seconds"]),
            f"{clock['due_at']:%Y-%m-%d %H:%M}",
        )
    stdout.print(table)
    for alert in report["alerts"]:
        stdout.print(f"{alert['at']:%Y-%m-%d %H:%M} UTC  {alert['text']}", highlight=False)


def _hours(seconds: int) -> str:
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


@handles_errors
def queues(as_json: JsonOption = False) -> None:
    """The load on each active queue (waiting, assigned, breached, capacity)."""
    from dataclasses import asdict

    from arrears.care.selectors.desk import queue_load

    rows = [asdict(row) for row in queue_load()]
    if as_json:
        print_json({"queues": rows})
        return
    zh = user_language().startswith("zh")
    table = Table(title=_("Care queues"))
    headings = (
        _("Queue"),
        _("Waiting"),
        _("Assigned"),
        pgettext("ticket status", "Pending"),
        _("Breached"),
        _("Agents"),
        _("Capacity"),
    )
    for heading in headings:
        table.add_column(heading)
    columns = ("waiting", "assigned", "pending_on_borrower", "breached", "agents", "capacity")
    for row in rows:
        name = row["name_zh"] if zh else row["name_en"]
        table.add_row(name, *(str(row[column]) for column in columns))
    stdout.print(table)


@handles_errors
def desk_load(as_json: JsonOption = False) -> None:
    """Load the bundled desk: calendar, teams, queues, SLA policies (idempotent)."""
    from django.db import transaction

    from arrears.care.services.desk import load_default_desk

    with transaction.atomic():
        added = load_default_desk()
    if as_json:
        print_json({"ok": True, "added": added})
        return
    stdout.print(
        _("Desk loaded: %(calendars)d calendars, %(teams)d teams, %(queues)d queues added.") % added
    )
