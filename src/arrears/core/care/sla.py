"""SLA clocks (服务时效计时), computed on read from a ticket's status history and replies.

A clock counts business time (the queue's `BusinessHours`) while the ticket is new or open;
it pauses while the ticket waits on the borrower (pending) or a third party (on hold), as
the policy says, and stops while the ticket is solved or closed (a reopen starts it again).
Everything derives from the same thresholds of counted time: a warning at 75 % of the
target, the breach at 100 %, escalation level n once `after` more business time has been
counted since the breach. Pauses therefore delay every one of them, and computing on read
means a calendar edit or a late status change recomputes correctly.

The shell records each `Alert` once (keyed by ticket, metric, cycle, kind and level) and
notifies the team named in it; nothing here sends anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from arrears.core.care.hours import ZERO, BusinessHours, require_aware
from arrears.core.care.sla_policy import (
    DONE_STATUSES,
    HEAD_OFFICE_COMPLAINTS,
    EscalationLevel,
    Metric,
    Priority,
    RegulatoryLimit,
    SlaPolicy,
    Target,
    TicketKind,
    TicketStatus,
)
from arrears.core.errors import ValidationError

Params = Mapping[str, str]


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


class AlertKind(StrEnum):
    WARNING = "warning"
    BREACH = "breach"
    ESCALATION = "escalation"
    REGULATORY_WARNING = "regulatory_warning"
    REGULATORY_BREACH = "regulatory_breach"


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The ticket entered `status` at `at` (the first change is usually `new` at creation)."""

    at: datetime
    status: TicketStatus


@dataclass(frozen=True, slots=True)
class Alert:
    """A warning, breach or escalation that fell due at `at`, with its reason key and params."""

    kind: AlertKind
    metric: Metric
    at: datetime
    reason: str
    params: Params
    cycle: int = 1
    level: int | None = None
    notify: str | None = None


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One metric's clock for one ticket (next-reply clocks have one per borrower message cycle).

    `elapsed` is business time counted up to `now` (or fulfilment); `due_at` is when the target
    is used up — while paused, when it would be if work resumed now (it moves later while the
    pause lasts). `regulatory_due_at` is a complaint's outer limit from receipt, never paused.
    """

    metric: Metric
    cycle: int
    started_at: datetime
    fulfilled_at: datetime | None
    target: timedelta
    elapsed: timedelta
    due_at: datetime
    state: ClockState
    status: TicketStatus
    alerts: tuple[Alert, ...]
    regulatory_due_at: datetime | None = None
    regulatory_limit: RegulatoryLimit | None = None

    @property
    def remaining(self) -> timedelta:
        return self.target - self.elapsed


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What the SLA needs to know about a ticket, as the shell read it."""

    kind: TicketKind
    priority: Priority
    created_at: datetime
    history: tuple[StatusChange, ...]
    agent_replies: tuple[datetime, ...] = ()  # public replies by the lender
    borrower_messages: tuple[datetime, ...] = ()  # the borrower's messages after the first
    final_response_at: datetime | None = None  # a complaint's written final response
    jurisdiction: str | None = None


@dataclass(frozen=True, slots=True)
class TicketSla:
    policy: str
    clocks: tuple[SlaClock, ...]
    alerts: tuple[Alert, ...] = field(default=())

    @property
    def breached(self) -> bool:
        return any(c.state is ClockState.BREACHED for c in self.clocks)

    def clock(self, metric: Metric, cycle: int = 1) -> SlaClock | None:
        return next((c for c in self.clocks if c.metric is metric and c.cycle == cycle), None)


# --- the one clock ---------------------------------------------------------------------------


class _Timeline:
    """The counting segments of one clock: when the status let business time count."""

    def __init__(
        self,
        history: Sequence[StatusChange],
        *,
        start: datetime,
        until: datetime,
        pause: frozenset[TicketStatus],
    ) -> None:
        self.segments: list[tuple[datetime, datetime]] = []
        status = TicketStatus.NEW
        for change in history:
            if change.at <= start:
                status = change.status
        cursor = start
        for change in history:
            if start < change.at < until:
                self._add(cursor, change.at, status, pause)
                cursor, status = change.at, change.status
        self._add(cursor, until, status, pause)
        for change in history:
            if start < change.at <= until:
                status = change.status
        self.status_at_until = status
        self.counting_at_until = _counts(status, pause)

    def _add(
        self, start: datetime, end: datetime, status: TicketStatus, pause: frozenset[TicketStatus]
    ) -> None:
        if end > start and _counts(status, pause):
            self.segments.append((start, end))


def _counts(status: TicketStatus, pause: frozenset[TicketStatus]) -> bool:
    return status not in pause and status not in DONE_STATUSES


def run_clock(
    *,
    metric: Metric,
    target: Target,
    escalation: Sequence[EscalationLevel],
    history: Sequence[StatusChange],
    started_at: datetime,
    fulfilled_at: datetime | None,
    hours: BusinessHours,
    now: datetime,
    pause_statuses: frozenset[TicketStatus],
    cycle: int = 1,
    regulatory_limit: RegulatoryLimit | None = None,
) -> SlaClock:
    """One metric's clock from the status history; `fulfilled_at` stops it (a reply, a solve)."""
    for name, value in (("started_at", started_at), ("now", now)):
        require_aware(name, value)
    started_at, now = started_at.astimezone(UTC), now.astimezone(UTC)
    if fulfilled_at is not None:
        require_aware("fulfilled_at", fulfilled_at)
        fulfilled_at = fulfilled_at.astimezone(UTC)
        if fulfilled_at < started_at:
            raise ValidationError("fulfilled_at", "is before the clock started")
        if fulfilled_at > now:
            fulfilled_at = None  # not known yet at `now`
    until = fulfilled_at or now
    ordered = sorted((StatusChange(c.at.astimezone(UTC), c.status) for c in history),
                     key=lambda c: c.at)  # fmt: skip
    timeline = _Timeline(ordered, start=started_at, until=max(until, started_at),
                         pause=pause_statuses)  # fmt: skip
    elapsed = sum((hours.business_time_between(a, b) for a, b in timeline.segments), ZERO)

    def crossing(threshold: timedelta) -> datetime | None:
        """The instant counted time reached `threshold` before `until`, else None."""
        seen = ZERO
        for a, b in timeline.segments:
            available = hours.business_time_between(a, b)
            if seen + available >= threshold:
                return hours.add_business_time(a, threshold - seen)
            seen += available
        return None

    due_observed = crossing(target.within)
    if due_observed is not None:
        due_at = due_observed
    else:
        due_at = hours.add_business_time(until, target.within - elapsed)
    breached = due_observed is not None and due_observed < until
    if breached:
        state = ClockState.BREACHED
    elif fulfilled_at is not None:
        state = ClockState.MET
    else:
        state = ClockState.RUNNING if timeline.counting_at_until else ClockState.PAUSED
    alerts = list(_alerts(metric, target, escalation, crossing, until=until, cycle=cycle))
    regulatory_due_at = None
    if regulatory_limit is not None:
        regulatory_due_at = regulatory_limit.due_at(started_at, hours.zone)
        alerts.extend(_regulatory_alerts(metric, target, regulatory_limit, started_at,
                                         regulatory_due_at, until=until, cycle=cycle))  # fmt: skip
        if regulatory_due_at < until:
            state = ClockState.BREACHED
    return SlaClock(
        metric=metric,
        cycle=cycle,
        started_at=started_at,
        fulfilled_at=fulfilled_at,
        target=target.within,
        elapsed=elapsed,
        due_at=due_at,
        state=state,
        status=timeline.status_at_until,
        alerts=tuple(sorted(alerts, key=lambda a: a.at)),
        regulatory_due_at=regulatory_due_at,
        regulatory_limit=regulatory_limit,
    )


def _alerts(
    metric: Metric,
    target: Target,
    escalation: Sequence[EscalationLevel],
    crossing: Callable[[timedelta], datetime | None],
    *,
    until: datetime,
    cycle: int,
) -> Iterator[Alert]:
    """Every threshold of counted time that was passed before `until`."""
    for percent in target.warn_at_percents:
        at = crossing(target.within * percent / 100)
        if at is not None and at < until:
            params = {"metric": metric.value, "percent": str(percent)}
            yield Alert(AlertKind.WARNING, metric, at, "sla.warning", _frozen(params), cycle)
    breach = crossing(target.within)
    if breach is None or not breach < until:
        return
    yield Alert(AlertKind.BREACH, metric, breach, "sla.breach",
                _frozen({"metric": metric.value}), cycle)  # fmt: skip
    for level in escalation:
        at = crossing(target.within + level.after)
        if at is not None and at < until:
            params = {"metric": metric.value, "level": str(level.level), "notify": level.notify}
            yield Alert(AlertKind.ESCALATION, metric, at, "sla.escalation", _frozen(params),
                        cycle, level.level, level.notify)  # fmt: skip


def _regulatory_alerts(
    metric: Metric,
    target: Target,
    limit: RegulatoryLimit,
    received_at: datetime,
    due_at: datetime,
    *,
    until: datetime,
    cycle: int,
) -> Iterator[Alert]:
    """The outer limit is calendar time from receipt: warn at the same percents, then breach."""
    params = {"metric": metric.value, "jurisdiction": limit.jurisdiction,
              "days": str(limit.days), "day_kind": limit.day_kind.value}  # fmt: skip
    for percent in target.warn_at_percents:
        at = received_at + (due_at - received_at) * percent / 100
        if at < until:
            yield Alert(AlertKind.REGULATORY_WARNING, metric, at, "sla.regulatory_warning",
                        _frozen({**params, "percent": str(percent)}), cycle,
                        notify=HEAD_OFFICE_COMPLAINTS)  # fmt: skip
    if due_at < until:
        yield Alert(AlertKind.REGULATORY_BREACH, metric, due_at, "sla.regulatory_breach",
                    _frozen(params), cycle, notify=HEAD_OFFICE_COMPLAINTS)  # fmt: skip


def _frozen(params: dict[str, str]) -> Params:
    return MappingProxyType(params)


# --- a ticket's clocks -----------------------------------------------------------------------


def ticket_sla(
    ticket: TicketFacts, *, policy: SlaPolicy, hours: BusinessHours, now: datetime
) -> TicketSla:
    """Every clock the policy sets for the ticket, and every alert due by `now`, oldest first.

    first reply: from creation to the first public reply. next reply: from each borrower
    message that follows a reply (the earliest still unanswered) to the next public reply; one
    clock per such cycle. resolution: from creation until the ticket is solved or closed (it
    runs again after a reopen). final response (complaints): from receipt to the written final
    response, with the regulator's outer limit for the ticket's jurisdiction.
    """
    require_aware("created_at", ticket.created_at)
    replies = sorted(r.astimezone(UTC) for r in ticket.agent_replies if r <= now)
    messages = sorted(m.astimezone(UTC) for m in ticket.borrower_messages if m <= now)

    def clock(metric: Metric, start: datetime, done: datetime | None, cycle: int = 1) -> SlaClock:
        limit = policy.regulatory_limit(ticket.jurisdiction)
        return run_clock(
            metric=metric,
            target=policy.targets[metric],
            escalation=policy.escalation,
            history=ticket.history,
            started_at=start,
            fulfilled_at=done,
            hours=hours,
            now=now,
            pause_statuses=policy.pause_statuses,
            cycle=cycle,
            regulatory_limit=limit if metric is Metric.FINAL_RESPONSE else None,
        )

    clocks: list[SlaClock] = []
    if Metric.FIRST_REPLY in policy.targets:
        first = next((r for r in replies if r >= ticket.created_at), None)
        clocks.append(clock(Metric.FIRST_REPLY, ticket.created_at, first))
    if Metric.NEXT_REPLY in policy.targets and replies:
        for cycle, (asked, answered) in enumerate(_reply_cycles(replies, messages), start=1):
            clocks.append(clock(Metric.NEXT_REPLY, asked, answered, cycle))
    if Metric.RESOLUTION in policy.targets:
        clocks.append(clock(Metric.RESOLUTION, ticket.created_at, _solved_at(ticket, now)))
    if Metric.FINAL_RESPONSE in policy.targets:
        clocks.append(clock(Metric.FINAL_RESPONSE, ticket.created_at, ticket.final_response_at))
    alerts = sorted((a for c in clocks for a in c.alerts), key=lambda a: a.at)
    return TicketSla(policy=policy.key, clocks=tuple(clocks), alerts=tuple(alerts))


def _reply_cycles(
    replies: Sequence[datetime], messages: Sequence[datetime]
) -> Iterator[tuple[datetime, datetime | None]]:
    """(first borrower message after a reply, the next reply or None) for each cycle."""
    cursor = replies[0]
    while True:
        asked = next((m for m in messages if m > cursor), None)
        if asked is None:
            return
        answered = next((r for r in replies if r >= asked), None)
        yield asked, answered
        if answered is None:
            return
        cursor = answered


def _solved_at(ticket: TicketFacts, now: datetime) -> datetime | None:
    """When the ticket was last solved or closed, if it still is at `now`."""
    known = sorted((c for c in ticket.history if c.at <= now), key=lambda c: c.at)
    if not known or known[-1].status not in DONE_STATUSES:
        return None
    solved = known[-1].at
    for change in reversed(known):
        if change.status not in DONE_STATUSES:
            break
        solved = change.at
    return solved
