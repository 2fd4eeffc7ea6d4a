"""Reads for SLA clocks: the active policy book, a ticket's facts, its clocks at `now`.

Clocks are computed on read (`core.care.sla`) from the ticket's history: the status timeline
is its events with a `status_to`, replies are its outbound messages, the borrower's messages
its inbound ones. Many tickets are read in a fixed handful of queries (`slas_of`), so the
sweep and the work queues cost the same whether they look at ten tickets or ten thousand.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from arrears.care.choices import MessageDirection
from arrears.care.models import SlaPolicySet, Ticket, TicketEvent, TicketMessage
from arrears.care.services.calendars import (
    calendar_hours,
    default_calendar,
    outage_spans,
    with_closed_spans,
)
from arrears.compliance.services.gate import jurisdiction_of
from arrears.core.care.hours import BusinessHours
from arrears.core.care.sla import ClockState, StatusChange, TicketFacts, TicketSla, ticket_sla
from arrears.core.care.sla_policy import (
    Priority,
    SlaPolicyBook,
    TicketKind,
    TicketStatus,
    bundled_sla_policies,
    sla_policies_from_yaml,
)
from arrears.core.errors import ValidationError


def active_sla_book() -> SlaPolicyBook:
    """The active SLA policy version (the bundled policies when none is active yet)."""
    row = SlaPolicySet.objects.filter(is_active=True).values_list("version", "yaml_text").first()
    if row is None:
        return _bundled()
    return _parsed_book(row[0], row[1])


@functools.lru_cache(maxsize=16)
def _parsed_book(version: str, yaml_text: str) -> SlaPolicyBook:
    """One parse per version (the text is part of the key, so an edited version re-parses)."""
    return sla_policies_from_yaml(yaml_text)


@functools.cache
def _bundled() -> SlaPolicyBook:
    return bundled_sla_policies()


def ticket_facts(ticket: Ticket) -> TicketFacts:
    """What the SLA clocks need to know about one ticket."""
    return facts_for([ticket])[ticket.pk]


def facts_for(tickets: Sequence[Ticket]) -> dict[int, TicketFacts]:
    """The facts of many tickets in two queries (events, messages) besides the tickets'."""
    ids = [ticket.pk for ticket in tickets]
    history: dict[int, list[StatusChange]] = defaultdict(list)
    events = (
        TicketEvent.objects.filter(ticket_id__in=ids)
        .exclude(status_to="")
        .order_by("at", "id")
        .values_list("ticket_id", "at", "status_to")
    )
    for ticket_id, at, status in events:
        history[ticket_id].append(StatusChange(at, TicketStatus(status)))
    replies: dict[int, list[dt.datetime]] = defaultdict(list)
    asked: dict[int, list[dt.datetime]] = defaultdict(list)
    messages = (
        TicketMessage.objects.filter(ticket_id__in=ids)
        .exclude(direction=MessageDirection.INTERNAL)
        .order_by("created_at", "id")
        .values_list("ticket_id", "direction", "created_at")
    )
    for ticket_id, direction, at in messages:
        (replies if direction == MessageDirection.OUTBOUND else asked)[ticket_id].append(at)
    return {
        ticket.pk: TicketFacts(
            kind=TicketKind(ticket.kind),
            priority=Priority(ticket.priority),
            created_at=ticket.created_at,
            history=tuple(history[ticket.pk]) or _history_from_row(ticket),
            agent_replies=tuple(replies[ticket.pk]),
            borrower_messages=tuple(asked[ticket.pk]),
            final_response_at=ticket.final_response_at,
            jurisdiction=jurisdiction_of_ticket(ticket),
        )
        for ticket in tickets
    }


def _history_from_row(ticket: Ticket) -> tuple[StatusChange, ...]:
    """A ticket written without events (an import): new at creation, its status since."""
    changes = [StatusChange(ticket.created_at, TicketStatus.NEW)]
    if ticket.status != TicketStatus.NEW:
        changes.append(StatusChange(max(ticket.updated_at, ticket.created_at),
                                    TicketStatus(ticket.status)))  # fmt: skip
    return tuple(changes)


def jurisdiction_of_ticket(ticket: Ticket) -> str | None:
    """The ticket's own jurisdiction, else the borrower's compliance profile, else unknown."""
    if ticket.jurisdiction:
        return ticket.jurisdiction
    borrower = ticket.borrower if ticket.borrower_id else None
    if borrower is None:
        return None
    try:
        return jurisdiction_of(borrower)
    except ValidationError:
        return None


def ticket_sla_of(ticket: Ticket, *, now: dt.datetime) -> TicketSla:
    """The ticket's SLA clocks and alerts at `now` (the console's timers)."""
    return slas_of([ticket], now=now)[ticket.pk]


def slas_of(
    tickets: Sequence[Ticket], *, now: dt.datetime, book: SlaPolicyBook | None = None
) -> dict[int, TicketSla]:
    """The SLA of many tickets at `now`: facts, policy book, outages and calendars read once.

    Pass tickets with `select_related("queue__calendar", "borrower")` to keep it that way.
    """
    if not tickets:
        return {}
    book = book or active_sla_book()
    facts = facts_for(tickets)
    hours = hours_by_calendar(tickets, now=now)
    result: dict[int, TicketSla] = {}
    for ticket in tickets:
        fact = facts[ticket.pk]
        policy = book.policy_for(fact.kind, fact.priority)
        calendar_id = ticket.queue.calendar_id if ticket.queue_id and ticket.queue else None
        result[ticket.pk] = ticket_sla(fact, policy=policy, hours=hours[calendar_id], now=now)
    return result


def hours_by_calendar(
    tickets: Iterable[Ticket], *, now: dt.datetime
) -> Mapping[int | None, BusinessHours]:
    """The hours of each calendar the tickets' queues use (None: the default desk's), with
    every outage cut out; outages are read once."""
    spans = outage_spans(now=now)
    found: dict[int | None, BusinessHours] = {}
    for ticket in tickets:
        queue = ticket.queue if ticket.queue_id else None
        key = queue.calendar_id if queue is not None else None
        if key not in found:
            calendar = queue.calendar if queue is not None else default_calendar()
            found[key] = with_closed_spans(calendar_hours(calendar), spans)
    return found


def next_due(sla: TicketSla) -> dt.datetime | None:
    """When the ticket's earliest clock still to be met falls due (breached ones first)."""
    dues = [clock.due_at for clock in sla.clocks if clock.state is not ClockState.MET]
    return min(dues) if dues else None
