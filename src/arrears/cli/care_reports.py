"""`arrears care report`: the supervisors' report 报表 of the care desk for a period.

Prints rich tables with labels in the user's language, or with `--json` exactly the document
GET /api/v1/care/reports/summary returns (the same schema serialises both).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from arrears.care.choices import ComplaintCause, Origin
from arrears.cli._runtime import _, handles_errors, print_json, stdout

REPORT_EPILOG = """\
Example:

  arrears care report --from 2026-11-01 --to 2026-12-01

  arrears care report --from 2026-11-01 --to 2026-12-01 --queue complaints --json

  arrears care report --from 2026-11-01 --to 2026-11-08 --agent li.na

Dates are days in the desk's zone (the queue's calendar, else the lender's); --to is the day
after the last. Reports the backlog now and at the end of each day, first-reply and resolution
times (median and 90th percentile, business and calendar), SLA attainment per queue and agent,
tickets per 1,000 active accounts by channel, the phone line and callbacks, complaints by cause
and satisfaction. Every measure is defined in docs/care.md, "Reports".
"""


def register(app: typer.Typer) -> None:
    """Add this area's commands to `arrears care`."""
    app.command("report", epilog=REPORT_EPILOG)(report)


@handles_errors
def report(
    start: Annotated[str, typer.Option("--from", metavar="DATE", help="First day (desk's zone).")],
    end: Annotated[str, typer.Option("--to", metavar="DATE", help="The day after the last.")],
    queue: Annotated[str | None, typer.Option(help="Only this queue (its code).")] = None,
    agent: Annotated[str | None, typer.Option(help="Only this agent (username).")] = None,
    at: Annotated[
        str | None,
        typer.Option(metavar="DATETIME", help="Make the report as at this instant (ISO 8601)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The care desk's figures for a period: backlog, times, SLAs, the line, complaints."""
    from arrears.care.schemas.reports import CareReportOut
    from arrears.care.selectors.reports import care_report
    from arrears.core.parsing import parse_date

    found = care_report(
        start_on=parse_date("from", start),
        end_on=parse_date("to", end),
        queue=queue,
        agent=agent,
        at=_instant("at", at) if at else None,
    )
    document = CareReportOut.model_validate(found).model_dump(mode="json")
    if as_json:
        print_json(document)
        return
    for table in report_tables(document):
        stdout.print(table)


def _instant(field: str, text: str) -> Any:
    import datetime as dt

    from arrears.core.errors import ValidationError

    try:
        found = dt.datetime.fromisoformat(text)
    except ValueError:
        message = _("is not a date and time like 2026-12-01T09:00+08:00")
        raise ValidationError(field, message) from None
    if found.tzinfo is None:
        raise ValidationError(field, _("needs a UTC offset, like +08:00"))
    return found


def report_tables(doc: dict[str, Any]) -> list[Table]:
    """The report as tables: summary, backlog by day, SLA attainment, channels, complaints."""
    return [_summary(doc), _backlog(doc), _sla(doc), _channels(doc), _complaints(doc)]


def _summary(doc: dict[str, Any]) -> Table:
    title = _("Care desk report %(start)s – %(end)s (%(zone)s)") % {
        "start": doc["period_from"], "end": doc["period_to"], "zone": doc["zone"]
    }  # fmt: skip
    table = _table(title, _("Measure"), _("Value"))
    now, line, survey = doc["backlog_now"], doc["line"], doc["satisfaction"]
    rows = [
        (_("Open tickets now"), str(now["total"])),
        *((_("… status %(status)s") % {"status": k}, str(v)) for k, v in now["by_status"].items()),
        *((_("… age %(band)s") % {"band": _age(k)}, str(v)) for k, v in now["by_age"].items()),
        *_durations(_("First reply"), doc["first_reply"]),
        *_durations(_("Resolution"), doc["resolution"]),
        (_("Calls offered"), str(line["offered"])),
        (_("Calls answered"), str(line["answered"])),
        (_("Calls abandoned"), f"{line['abandoned']} ({_percent(line['abandonment_rate'])})"),
        (_("Average wait (answered)"), _seconds(line["average_wait_seconds"])),
        (_("Answered within 20 s"), _percent(line["service_level"])),
        (_("Callbacks booked"), str(line["callbacks"]["booked"])),
        (_("Callbacks kept"), f"{line['callbacks']['kept']} "
                              f"({_percent(line['callbacks']['kept_share'])})"),
        (_("Callbacks missed"), str(line["callbacks"]["missed"])),
        (_("Surveys sent"), str(survey["sent"])),
        (_("Surveys answered"), f"{survey['answered']} ({_percent(survey['answer_rate'])})"),
        (_("Average score"), "—" if survey["average_score"] is None
                             else f"{survey['average_score']:.2f}"),
        (_("Scored 4–5"), _percent(survey["satisfied_share"])),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, value)
    return table


def _age(band: str) -> str:
    names = {"under_1_day": _("under 1 day"), "1_to_3_days": _("1–3 days"),
             "3_to_7_days": _("3–7 days"), "7_to_30_days": _("7–30 days"),
             "over_30_days": _("over 30 days")}  # fmt: skip
    return names.get(band, band)


def _choice(choices: Any, value: str) -> str:
    """The bilingual label of a stored choice (the value itself when unknown or empty)."""
    return str(choices(value).label) if value in choices.values else (value or "—")


def _durations(name: str, figures: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (_("%(measure)s: tickets measured") % {"measure": name}, str(figures["count"])),
        (
            _("%(measure)s: median (business / calendar)") % {"measure": name},
            f"{_seconds(figures['median_business_seconds'])} / "
            f"{_seconds(figures['median_calendar_seconds'])}",
        ),
        (
            _("%(measure)s: 90th percentile (business / calendar)") % {"measure": name},
            f"{_seconds(figures['p90_business_seconds'])} / "
            f"{_seconds(figures['p90_calendar_seconds'])}",
        ),
    ]


def _backlog(doc: dict[str, Any]) -> Table:
    statuses = list(doc["backlog_now"]["by_status"])
    table = _table(_("Open tickets at the end of each day"), _("Day"), _("Total"), *statuses)
    for day in doc["backlog_by_day"]:
        table.add_row(day["day"], str(day["total"]), *(str(day["by_status"][s]) for s in statuses))
    return table


def _sla(doc: dict[str, Any]) -> Table:
    table = _table(_("SLA attainment"), _("Scope"), _("Queue or agent"), _("Measure"), _("Met"),
                   _("Breached"), _("Met share"))  # fmt: skip
    scopes = {"desk": _("whole desk"), "queue": _("queue"), "agent": _("agent")}
    metrics = {"first_reply": _("First reply"), "resolution": _("Resolution")}
    for row in doc["sla"]:
        key = row["key"] or ("—" if row["scope"] != "desk" else "")
        table.add_row(scopes.get(row["scope"], row["scope"]), key,
                      metrics.get(row["metric"], row["metric"]), str(row["met"]),
                      str(row["breached"]), _percent(row["share_met"]))  # fmt: skip
    return table


def _channels(doc: dict[str, Any]) -> Table:
    rate = doc["contact_rate"]
    title = _("Contact rate: tickets per 1,000 active accounts (%(accounts)s accounts)") % {
        "accounts": rate["active_accounts"]
    }
    table = _table(title, _("Channel"), _("Tickets"), _("Per 1,000 accounts"))
    for row in [*rate["by_origin"], {**rate, "origin": ""}]:
        per_1000 = row["per_1000_accounts"]
        channel = _choice(Origin, row["origin"]) if row["origin"] else _("all")
        shown = "—" if per_1000 is None else f"{per_1000}"
        table.add_row(channel, str(row["tickets"]), shown)
    return table


def _complaints(doc: dict[str, Any]) -> Table:
    headings = (_("Cause"), _("Received"), _("Final responses"),
                _("Median final response (business)"), _("Past the regulatory limit"))  # fmt: skip
    table = _table(_("Complaints by cause"), *headings)
    for row in doc["complaints"]:
        median = row["final_response"]["median_business_seconds"]
        table.add_row(_choice(ComplaintCause, row["cause"]), str(row["received"]),
                      str(row["final_responses"]), _seconds(median),
                      str(row["past_limit"]))  # fmt: skip
    return table


def _table(title: str, *headings: str) -> Table:
    table = Table(title=title)
    for n, heading in enumerate(headings):
        table.add_column(heading, justify="left" if n == 0 else "right")
    return table


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _seconds(value: int | None) -> str:
    """A duration as days, hours and minutes (e.g. 2 d 4 h 30 min); — when nothing was measured."""
    if value is None:
        return "—"
    days, rest = divmod(value, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes else "", f"{seconds} s" if seconds else ""]  # fmt: skip
    return " ".join(p for p in parts if p) or "0 s"
