"""Reads of the desk's set-up and load: work order, queue position, queue load, capacity.

The work order of a queue is the one order everyone sees: the ticket whose SLA falls due first
(breached ones first), then the oldest. An agent taking work takes from its head, and the
position a borrower is shown is their place in it among tickets nobody has taken yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet, Sum

from arrears.care.models import CareAgent, CareQueue, Ticket
from arrears.care.selectors.sla import next_due, slas_of

#: Statuses of a ticket the desk still works on (the same as the ticket services').
OPEN_STATUSES = ("new", "open", "pending", "on_hold")
_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def waiting_tickets(queues: Iterable[CareQueue]) -> QuerySet[Ticket]:
    """Open, unassigned, unmerged tickets of the queues, with what their SLA needs."""
    return Ticket.objects.filter(
        queue__in=list(queues),
        status__in=OPEN_STATUSES,
        assignee__isnull=True,
        merged_into__isnull=True,
    ).select_related("queue__calendar", "borrower")


def work_order(tickets: Sequence[Ticket], *, now: dt.datetime) -> list[Ticket]:
    """The tickets in the order the desk should take them: SLA due first, then oldest."""
    slas = slas_of(tickets, now=now)

    def key(ticket: Ticket) -> tuple[dt.datetime, dt.datetime, int]:
        return (next_due(slas[ticket.pk]) or _FAR, ticket.created_at, ticket.pk)

    return sorted(tickets, key=key)


def queue_position(ticket: Ticket, *, now: dt.datetime) -> int | None:
    """The borrower's place (1 = next) among the tickets of its queue nobody has taken yet;
    None once an agent has it, or when it is not waiting in a queue."""
    if ticket.queue_id is None or ticket.assignee_id is not None:
        return None
    if ticket.status not in OPEN_STATUSES or ticket.merged_into_id is not None:
        return None
    queue = CareQueue.objects.get(pk=ticket.queue_id)
    ordered = work_order(list(waiting_tickets([queue])), now=now)
    return next((i for i, t in enumerate(ordered, start=1) if t.pk == ticket.pk), None)


def open_ticket_counts(agents: Iterable[CareAgent]) -> dict[int, int]:
    """Open tickets assigned to each agent's user, by user id (one query)."""
    user_ids = [agent.user_id for agent in agents]
    rows = (
        Ticket.objects.filter(assignee_id__in=user_ids, status__in=OPEN_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    counts = {user_id: 0 for user_id in user_ids}
    counts.update({row["assignee_id"]: row["n"] for row in rows})
    return counts


def agents_for(queue: CareQueue, *, language: str | None = None) -> list[CareAgent]:
    """Active agents of the queue who have every skill it needs and (if given) speak the
    language; an agent who lists no languages is taken to speak any."""
    needed = set(queue.skills)
    found = []
    for agent in CareAgent.objects.filter(queues=queue, user__is_active=True).order_by("pk"):
        if not needed <= set(agent.skills):
            continue
        if language and agent.languages and language not in agent.languages:
            continue
        found.append(agent)
    return found


@dataclass(frozen=True)
class QueueLoad:
    """One queue's load for supervisors: waiting and assigned tickets, breaches, capacity."""

    code: str
    name_en: str
    name_zh: str
    waiting: int
    assigned: int
    pending_on_borrower: int
    oldest_waiting_since: dt.datetime | None
    agents: int
    capacity: int
    breached: int


def queue_load() -> list[QueueLoad]:
    """Every active queue's load, in queue order, in a fixed number of queries."""
    open_here = Q(tickets__status__in=OPEN_STATUSES, tickets__merged_into__isnull=True)
    queues = (
        CareQueue.objects.filter(is_active=True)
        .annotate(
            waiting=Count("tickets", filter=open_here & Q(tickets__assignee__isnull=True)),
            assigned=Count("tickets", filter=open_here & Q(tickets__assignee__isnull=False)),
            pending=Count("tickets", filter=open_here & Q(tickets__status="pending")),
        )
        .order_by("sort_order", "code")
    )
    oldest = dict(
        Ticket.objects.filter(
            status__in=OPEN_STATUSES, assignee__isnull=True, merged_into__isnull=True
        )
        .values("queue_id")
        .annotate(first=Min("created_at"))
        .values_list("queue_id", "first")
    )
    breached = dict(
        Ticket.objects.filter(
            status__in=OPEN_STATUSES, sla_alerts__kind__in=("breach", "regulatory")
        )
        .values("queue_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("queue_id", "n")
    )
    staff = {
        row["queues"]: (row["n"], row["capacity"] or 0)
        for row in CareAgent.objects.filter(user__is_active=True)
        .values("queues")
        .annotate(n=Count("id"), capacity=Sum("max_open_tickets"))
    }
    return [
        QueueLoad(
            code=q.code,
            name_en=q.name_en,
            name_zh=q.name_zh,
            waiting=q.waiting,  # type: ignore[attr-defined]
            assigned=q.assigned,  # type: ignore[attr-defined]
            pending_on_borrower=q.pending,  # type: ignore[attr-defined]
            oldest_waiting_since=oldest.get(q.pk),
            agents=staff.get(q.pk, (0, 0))[0],
            capacity=staff.get(q.pk, (0, 0))[1],
            breached=breached.get(q.pk, 0),
        )
        for q in queues
    ]
