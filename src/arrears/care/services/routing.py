"""Which queue a ticket goes to and which agent takes it (skills, languages, capacity).

Routing: a queue that names the ticket's kind beats one that takes any kind (a complaint goes
to the complaints queue, a hardship request to the hardship queue), and one that names the
ticket's language beats one that takes any; ties go to the queue's order. Assignment: among
the queue's agents with every skill it needs, who speak the ticket's language and are under
their capacity of open tickets, the one with the fewest open tickets (then the lowest id) —
the same answer every time for the same desk.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction

from arrears.care.choices import TicketEventKind
from arrears.care.models import CareAgent, CareQueue, Ticket
from arrears.care.selectors.desk import (
    agents_for,
    open_ticket_counts,
    waiting_tickets,
    work_order,
)
from arrears.care.services.tickets import record_event
from arrears.core.clock import Clock, SystemClock

#: How many of a queue's waiting tickets an agent pulling work looks at (the oldest ones).
TAKE_WINDOW = 200


def queue_for(ticket: Ticket) -> CareQueue | None:
    """The best active queue for the ticket's kind and language (see the module docstring);
    None when no queue takes the kind."""
    best: tuple[tuple[int, int, int, str], CareQueue] | None = None
    for queue in CareQueue.objects.filter(is_active=True).order_by("sort_order", "code"):
        if queue.kinds and ticket.kind not in queue.kinds:
            continue
        if queue.languages and ticket.language not in queue.languages:
            continue
        rank = (0 if queue.kinds else 1, 0 if queue.languages else 1, queue.sort_order, queue.code)
        if best is None or rank < best[0]:
            best = (rank, queue)
    return best[1] if best else None


@transaction.atomic
def assign_next(
    *, ticket: Ticket, at: dt.datetime | None = None, clock: Clock | None = None
) -> CareAgent | None:
    """Give the ticket to the least-loaded able agent of its queue under capacity; None (and
    nothing written) when nobody can take it now."""
    now = at or (clock or SystemClock()).now()
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("queue").get(pk=ticket.pk)
    )
    if ticket.queue is None or ticket.assignee_id is not None:
        return None
    agents = agents_for(ticket.queue, language=ticket.language)
    counts = open_ticket_counts(agents)
    free = [a for a in agents if counts[a.user_id] < a.max_open_tickets]
    if not free:
        return None
    agent = min(free, key=lambda a: (counts[a.user_id], a.pk))
    _assign(ticket, agent, at=now, reason="desk.assigned_by_capacity",
            open_before=counts[agent.user_id])  # fmt: skip
    return agent


@transaction.atomic
def take_next_ticket(
    *, agent: CareAgent, at: dt.datetime | None = None, clock: Clock | None = None
) -> Ticket | None:
    """The agent pulls work: the waiting ticket of their queues whose SLA falls due first
    that they are able to take (skills, language), if they have room. Two agents pulling at
    once never get the same ticket (rows are locked; PostgreSQL skips locked ones)."""
    now = at or (clock or SystemClock()).now()
    if open_ticket_counts([agent])[agent.user_id] >= agent.max_open_tickets:
        return None
    queues = [q for q in agent.queues.filter(is_active=True) if set(q.skills) <= set(agent.skills)]
    candidates = [
        t
        for t in waiting_tickets(queues).order_by("created_at", "pk")[:TAKE_WINDOW]
        if not agent.languages or t.language in agent.languages
    ]
    for candidate in work_order(candidates, now=now):
        ticket = _lock_if_waiting(candidate.pk)
        if ticket is not None:
            _assign(ticket, agent, at=now, reason="desk.taken_by_agent")
            return ticket
    return None


def _lock_if_waiting(ticket_id: int) -> Ticket | None:
    """The ticket locked for this transaction if still unassigned; None if taken or locked."""
    rows = Ticket.objects.filter(pk=ticket_id, assignee__isnull=True)
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    else:
        rows = rows.select_for_update()
    return rows.first()


def _assign(
    ticket: Ticket, agent: CareAgent, *, at: dt.datetime, reason: str, **extra: Any
) -> None:
    ticket.assignee_id = agent.user_id
    ticket.updated_at = at
    ticket.save(update_fields=["assignee", "updated_at"])
    record_event(
        ticket,
        TicketEventKind.ASSIGNED,
        at=at,
        reason=reason,
        params={
            "agent": agent.user.get_username(),
            "queue": ticket.queue.code if ticket.queue else "",
            **extra,
        },
    )
