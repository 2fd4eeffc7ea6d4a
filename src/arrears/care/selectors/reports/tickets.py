"""Ticket measures over the records read once: backlog by day, reply and resolution times, SLA
attainment, complaints by cause and the contact rate's tickets by channel.

Each SLA target is counted once, in the period in which it was decided: a target that was met
at the instant of the reply or solve that met it, a breached target at the instant its due time
passed (whether the reply came later or not yet). The clocks are `core.care.sla.ticket_sla` —
on the facts and hours `selectors.sla` reads — the same definition the SLA sweep raises its
alerts from, so the report needs no alert rows and a calendar edit recomputes it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

from arrears.care.selectors.reports.bands import AGE_BANDS, age_band
from arrears.care.selectors.reports.figures import (
    Attainment,
    ComplaintCause,
    DayBacklog,
    Durations,
)
from arrears.care.selectors.reports.period import ReportScope, local_midnight
from arrears.care.selectors.reports.reading import OPEN_STATUSES, TicketRecord
from arrears.core.care.sla import ClockState, ticket_sla
from arrears.core.care.sla_policy import Metric, Priority, SlaPolicy, SlaPolicyBook, TicketKind
from arrears.core.errors import ValidationError

#: The SLA targets the report shows attainment for.
REPORTED_METRICS = (Metric.FIRST_REPLY, Metric.RESOLUTION)


def backlog_by_day(scope: ReportScope, records: Sequence[TicketRecord]) -> list[DayBacklog]:
    """Open tickets at the end of each day of the period that has ended by the report's time,
    by status, queue (its queue now) and age band at that instant."""
    days = []
    for day in scope.days():
        end_of_day = local_midnight(day + dt.timedelta(days=1), scope.zone)
        if end_of_day > scope.as_of:
            break
        open_then = [
            (status, record)
            for record in records
            if record.created_at < end_of_day
            and (status := record.status_at(end_of_day)) in OPEN_STATUSES
        ]
        statuses = Counter(status for status, _record in open_then)
        ages = Counter(age_band(end_of_day - record.created_at) for _status, record in open_then)
        days.append(
            DayBacklog(
                day=day,
                total=len(open_then),
                by_status={str(status): statuses.get(status, 0) for status in OPEN_STATUSES},
                by_queue=dict(sorted(Counter(r.queue_code for _s, r in open_then).items())),
                by_age={key: ages.get(key, 0) for key, _days in AGE_BANDS},
            )
        )
    return days


def reply_and_resolution_times(
    scope: ReportScope, records: Iterable[TicketRecord]
) -> tuple[Durations, Durations]:
    """First-reply times of the first replies sent in the period, resolution times of the
    tickets solved (or closed) in it and still so at the end, from opening, both in business
    time on the ticket's queue calendar and in calendar time."""
    reply: tuple[list[int], list[int]] = ([], [])
    resolution: tuple[list[int], list[int]] = ([], [])
    for record in records:
        hours = record.hours
        for done, into in (
            (record.first_reply_at(scope.until), reply),
            (record.resolved_at(scope.until), resolution),
        ):
            if scope.in_period(done):
                assert done is not None
                into[0].append(_seconds(hours.business_time_between(record.created_at, done)))
                into[1].append(_seconds(done - record.created_at))
    return Durations.of(*reply), Durations.of(*resolution)


def sla_attainment(
    scope: ReportScope, records: Iterable[TicketRecord], policies: SlaPolicyBook
) -> list[Attainment]:
    """Targets met and breached in the period: the whole desk, then per queue, per agent."""
    tally: Counter[tuple[str, str, str, bool]] = Counter()
    for record in records:
        if record.created_at >= scope.until:
            continue
        policy = _policy(policies, record)
        if policy is None:
            continue  # no policy covers it: no target to meet
        sla = ticket_sla(record.facts, policy=policy, hours=record.hours, now=scope.until)
        for clock in sla.clocks:
            if clock.metric not in REPORTED_METRICS or clock.cycle != 1:
                continue
            if clock.state is ClockState.MET and scope.in_period(clock.fulfilled_at):
                met = True
            elif clock.state is ClockState.BREACHED and scope.in_period(clock.due_at):
                met = False
            else:
                continue
            for scope_name, key in (
                ("desk", ""),
                ("queue", record.queue_code),
                ("agent", record.assignee),
            ):
                tally[(scope_name, key, clock.metric.value, met)] += 1
    return _attainments(tally)


def _attainments(tally: Counter[tuple[str, str, str, bool]]) -> list[Attainment]:
    order = {"desk": 0, "queue": 1, "agent": 2}
    keys = sorted({k[:3] for k in tally}, key=lambda k: (order[k[0]], k[1], k[2]))
    return [
        Attainment(
            scope=scope_name,
            key=key,
            metric=metric,
            met=tally[(scope_name, key, metric, True)],
            breached=tally[(scope_name, key, metric, False)],
        )
        for scope_name, key, metric in keys
    ]


def complaints_by_cause(
    scope: ReportScope, records: Iterable[TicketRecord], policies: SlaPolicyBook
) -> list[ComplaintCause]:
    """Complaints received in the period by cause, followed up to the report's time (not the
    period's end: a complaint's outcome comes weeks later): written final responses sent, how
    long they took, and how many went past the regulator's outer limit (answered after it, or
    still unanswered when it passed)."""
    grouped: dict[str, list[TicketRecord]] = {}
    for record in records:
        if record.kind == TicketKind.COMPLAINT and scope.in_period(record.created_at):
            grouped.setdefault(record.cause, []).append(record)
    rows = [_complaint_row(scope, cause, found, policies) for cause, found in grouped.items()]
    return sorted(rows, key=lambda row: (-row.received, row.cause))


def _complaint_row(
    scope: ReportScope, cause: str, records: list[TicketRecord], policies: SlaPolicyBook
) -> ComplaintCause:
    business: list[int] = []
    calendar: list[int] = []
    past_limit = 0
    for record in records:
        hours = record.hours
        answered = record.final_response_at
        if answered is not None and answered >= scope.as_of:
            answered = None  # not yet sent when the report is made
        if answered is not None:
            business.append(_seconds(hours.business_time_between(record.created_at, answered)))
            calendar.append(_seconds(answered - record.created_at))
        policy = _policy(policies, record)
        limit = policy.regulatory_limit(record.jurisdiction) if policy else None
        if limit is not None:
            due = limit.due_at(record.created_at, hours.zone)
            if (answered or scope.as_of) > due:
                past_limit += 1
    return ComplaintCause(
        cause=cause,
        received=len(records),
        final_responses=len(calendar),
        final_response=Durations.of(business, calendar),
        past_limit=past_limit,
    )


def _policy(policies: SlaPolicyBook, record: TicketRecord) -> SlaPolicy | None:
    try:
        return policies.policy_for(TicketKind(record.kind), Priority(record.priority))
    except ValidationError:
        return None


def tickets_by_origin(scope: ReportScope, records: Iterable[TicketRecord]) -> Counter[str]:
    """Tickets opened in the period, by channel of origin."""
    return Counter(record.origin for record in records if scope.in_period(record.created_at))


def _seconds(duration: dt.timedelta) -> int:
    """Whole seconds, rounded down (a reply 59.9 s after opening took 59 s)."""
    return int(duration.total_seconds())
