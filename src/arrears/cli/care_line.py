"""`arrears care line` and `arrears care incident …`: the phone line 热线 from the command line.

`line` shows what a caller joining the queue now would hear (open or closed, callers waiting,
the wait as a band, an outage notice) without logging a call. `incident start|end|show` is the
incident switch: a notice on every channel, and callbacks booked into the outage moved after.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table

from arrears.cli._runtime import _, handles_errors, print_json, stdout, user_language
from arrears.core.clock import SystemClock

LINE_EPILOG = """\
Example:

  arrears care line --queue hotline

  arrears care line --queue hotline --json

Open or closed (with the next opening in the desk's zone), callers waiting, agents busy, the
wait for a caller joining now (Erlang A on the last hour's calls and the queue's staffing) as
the band the IVR announces, and any outage notice. Nothing is logged.
"""

START_EPILOG = """\
Example:

  arrears care incident start --title-en "Card system down" --title-zh "信用卡系统故障" \\
      --notice-en "Our card system is down; your payments are safe." \\
      --notice-zh "信用卡系统暂时故障，您的还款不受影响。"

Every channel shows the notice first until the incident ends. Only one is open at a time.
"""

END_EPILOG = """\
Example:

  arrears care incident end

  arrears care incident end --id 12 --json

Ends the open incident (or --id) and moves every callback booked into the outage to the next
slots staffing can honour, earliest caller first. Run twice, it moves nothing the second time.
"""

SHOW_EPILOG = """\
Example:

  arrears care incident show --json

The incident open now, else the latest one.
"""

incident_app = typer.Typer(
    help="The incident switch 故障开关: start, end, show.",
    epilog="Example:\n\n  arrears care incident show",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def register(app: typer.Typer) -> None:
    """Add `arrears care line` and `arrears care incident …` to `arrears care`."""
    app.command("line", epilog=LINE_EPILOG)(line)
    incident_app.command("start", epilog=START_EPILOG)(start)
    incident_app.command("end", epilog=END_EPILOG)(end)
    incident_app.command("show", epilog=SHOW_EPILOG)(show)
    app.add_typer(incident_app, name="incident")


@handles_errors
def line(
    queue: Annotated[str, typer.Option(help="The queue's code.")],
    as_json: JsonOption = False,
) -> None:
    """The line now: open or closed, callers waiting and the wait a new caller would hear."""
    from arrears.care.selectors import line as lines
    from arrears.core.care.callbacks import when_line_opens
    from arrears.core.care.labels import label

    at = SystemClock().now()
    care_queue = lines.queue_by_code(queue)
    report: dict[str, Any] = lines.queue_wait(care_queue, at=at)
    hours = lines.line_hours(care_queue, at=at)
    opening = when_line_opens(hours, at, hours.zone.key)
    report["opens"] = {
        "at": opening.opens_at,
        "local": opening.local,
        "words_en": label(opening.key, "en", dict(opening.params)),
        "words_zh": label(opening.key, "zh", dict(opening.params)),
    }
    report["incident"] = _incident_document(lines.current_incident(at))
    if as_json:
        print_json(report)
        return
    stdout.print(_line_table(report))


def _line_table(report: dict[str, Any]) -> Table:
    zh = user_language().startswith("zh")
    table = Table(title=_("The phone line of %(queue)s") % {"queue": report["queue"]})
    table.add_column(_("Figure"))
    table.add_column(_("Value"), justify="right")
    incident = report["incident"]
    if incident:
        table.add_row(_("Incident"), incident["notice_zh" if zh else "notice_en"])
    table.add_row(_("Open now"), _("yes") if report["open"] else _("no"))
    if not report["open"]:
        table.add_row(_("Opens"), report["opens"]["words_zh" if zh else "words_en"])
    table.add_row(_("Agents on the phones"), str(report["agents"]))
    table.add_row(_("Agents on a call"), str(report["busy_agents"]))
    table.add_row(_("Callers waiting"), str(report["callers_waiting"]))
    table.add_row(_("Calls in the last hour"), str(report["calls_last_hour"]))
    table.add_row(_("Wait to announce"), report["words_zh" if zh else "words_en"])
    return table


@handles_errors
def start(
    title_en: Annotated[str, typer.Option(help="The title in English.")],
    title_zh: Annotated[str, typer.Option(help="The title in Chinese.")],
    notice_en: Annotated[str, typer.Option(help="What every channel tells people, in English.")],
    notice_zh: Annotated[str, typer.Option(help="The same in Chinese.")],
    as_json: JsonOption = False,
) -> None:
    """Switch an outage notice on for every channel."""
    from arrears.care.services.incidents import start_incident

    incident = start_incident(
        title_en=title_en,
        title_zh=title_zh,
        notice_en=notice_en,
        notice_zh=notice_zh,
        at=SystemClock().now(),
    )
    _print_incident(incident, as_json)


@handles_errors
def end(
    incident_id: Annotated[
        int | None, typer.Option("--id", help="The incident's id (default: the open one).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """End the incident and move the callbacks booked into the outage."""
    from arrears.care.models import Incident
    from arrears.care.services.incidents import end_incident
    from arrears.core.errors import NotFound

    found = Incident.objects.filter(
        **({"pk": incident_id} if incident_id else {"ended_at__isnull": True})
    ).first()
    if found is None:
        raise NotFound(_("No incident to end."))
    _print_incident(end_incident(incident=found, at=SystemClock().now()), as_json)


@handles_errors
def show(as_json: JsonOption = False) -> None:
    """The incident open now, else the latest one."""
    from arrears.care.models import Incident
    from arrears.care.selectors.line import current_incident

    incident = current_incident(SystemClock().now()) or Incident.objects.first()
    if incident is None:
        if as_json:
            print_json({"incident": None})
        else:
            stdout.print(_("No incident has been recorded."))
        return
    _print_incident(incident, as_json)


def _incident_document(incident: Any) -> dict[str, Any] | None:
    if incident is None:
        return None
    return {
        "id": incident.pk,
        "title_en": incident.title_en,
        "title_zh": incident.title_zh,
        "notice_en": incident.notice_en,
        "notice_zh": incident.notice_zh,
        "started_at": incident.started_at,
        "ended_at": incident.ended_at,
        "callbacks_swept_at": incident.callbacks_swept_at,
    }


def _print_incident(incident: Any, as_json: bool) -> None:
    document = _incident_document(incident)
    assert document is not None
    if as_json:
        print_json({"incident": document})
        return
    table = Table(title=_("Incident %(id)s") % {"id": incident.pk})
    table.add_column(_("Field"))
    table.add_column(_("Value"))
    for name, value in document.items():
        table.add_row(name, value.isoformat() if isinstance(value, dt.datetime) else str(value))
    stdout.print(table)
