"""`care_report`: the supervisors' summary of the care desk for a period, in ten queries.

Reads are bulk: the tickets that may count in the period, their status changes, messages and
the outages are read once (`reading`) and measured in Python on the queues' calendars; the
line, callbacks, surveys, the backlog now and the active accounts are aggregates in the
database (`desk`). The result is plain dataclasses (`figures`) the API and CLI serialise.
"""

from __future__ import annotations

import datetime as dt

from arrears.care.selectors.reports import desk, tickets
from arrears.care.selectors.reports.figures import CareReport, ContactRate, OriginRate
from arrears.care.selectors.reports.period import ReportScope, report_scope
from arrears.care.selectors.reports.reading import read_tickets
from arrears.care.selectors.sla import active_sla_book
from arrears.core.clock import Clock, SystemClock


def care_report(
    *,
    start_on: dt.date,
    end_on: dt.date,
    queue: str | None = None,
    agent: str | None = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> CareReport:
    """The desk's figures for the local dates [start_on, end_on), filtered by queue code and
    agent username; `at` (default: the clock's now) is the instant the report is made at."""
    as_of = at or (clock or SystemClock()).now()
    scope = report_scope(start_on=start_on, end_on=end_on, as_of=as_of, queue=queue, agent=agent)
    policies = active_sla_book()
    records = read_tickets(scope)
    first_reply, resolution = tickets.reply_and_resolution_times(scope, records)
    return CareReport(
        period_from=start_on,
        period_to=end_on,
        zone=scope.zone.key,
        queue=queue or None,
        agent=agent or None,
        as_of=as_of,
        backlog_now=desk.backlog_now(scope),
        backlog_by_day=tickets.backlog_by_day(scope, records),
        first_reply=first_reply,
        resolution=resolution,
        sla=tickets.sla_attainment(scope, records, policies),
        contact_rate=contact_rate(scope, tickets.tickets_by_origin(scope, records)),
        line=desk.phone_line(scope),
        complaints=tickets.complaints_by_cause(scope, records, policies),
        satisfaction=desk.satisfaction(scope),
    )


def contact_rate(scope: ReportScope, by_origin: dict[str, int]) -> ContactRate:
    """Tickets opened in the period per 1,000 accounts active in it, overall and by channel."""
    accounts = desk.active_accounts(scope)

    def per_1000(count: int) -> float | None:
        return round(count * 1000 / accounts, 2) if accounts else None

    total = sum(by_origin.values())
    rows = [
        OriginRate(origin=origin, tickets=count, per_1000_accounts=per_1000(count))
        for origin, count in sorted(by_origin.items(), key=lambda item: (-item[1], item[0]))
    ]
    return ContactRate(
        active_accounts=accounts, tickets=total, per_1000_accounts=per_1000(total), by_origin=rows
    )
