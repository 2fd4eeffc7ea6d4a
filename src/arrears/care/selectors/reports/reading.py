"""One bulk read of the tickets a report needs, with the SLA reads' own definitions.

The tickets are those that may have done something in the period: opened before its end and
not closed before its start (a closed ticket is final, so one closed earlier can neither be
in the backlog nor decide an SLA target in the period). Their facts — the status timeline
(every event with a `status_to`; a merge closes the merged ticket), the lender's public
replies, the borrower's messages, the jurisdiction — come from `selectors.sla.facts_for` and
their business hours from `selectors.sla.hours_by_calendar` (the queue's calendar with every
outage cut out), exactly as the SLA sweep sees them. Four queries, whatever the period's size.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from arrears.care.choices import TicketStatus
from arrears.care.models import Ticket
from arrears.care.selectors.reports.period import ReportScope
from arrears.care.selectors.sla import facts_for, hours_by_calendar
from arrears.core.care.hours import BusinessHours
from arrears.core.care.sla import TicketFacts
from arrears.core.care.sla_policy import DONE_STATUSES

OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.OPEN,
    TicketStatus.PENDING,
    TicketStatus.ON_HOLD,
)


@dataclass(slots=True)
class TicketRecord:
    """A ticket as the report sees it: where it sits, its SLA facts and its business hours."""

    pk: int
    kind: str
    priority: str
    origin: str
    cause: str
    queue_code: str
    assignee: str
    facts: TicketFacts
    hours: BusinessHours

    @property
    def created_at(self) -> dt.datetime:
        return self.facts.created_at

    @property
    def final_response_at(self) -> dt.datetime | None:
        return self.facts.final_response_at

    @property
    def jurisdiction(self) -> str | None:
        return self.facts.jurisdiction

    def status_at(self, at: dt.datetime) -> str:
        """The status just before `at` (a ticket is new until its first change)."""
        history = self.facts.history
        index = bisect.bisect_left([change.at for change in history], at)
        return history[index - 1].status.value if index else TicketStatus.NEW

    def first_reply_at(self, until: dt.datetime) -> dt.datetime | None:
        """The first public reply at or after opening, if one was sent before `until`."""
        return next((r for r in self.facts.agent_replies if self.created_at <= r < until), None)

    def resolved_at(self, until: dt.datetime) -> dt.datetime | None:
        """When the ticket was last solved or closed, if it still was at `until`."""
        known = [change for change in self.facts.history if change.at < until]
        if not known or known[-1].status not in DONE_STATUSES:
            return None
        resolved = known[-1].at
        for change in reversed(known):
            if change.status not in DONE_STATUSES:
                break
            resolved = change.at
        return resolved


def read_tickets(scope: ReportScope) -> list[TicketRecord]:
    """The tickets that may count in the period, with their facts and hours (four queries:
    tickets, events, messages, outages)."""
    tickets = list(
        Ticket.objects.filter(scope.ticket_filter(), created_at__lt=scope.end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=scope.start))
        .select_related("queue__calendar", "assignee", "borrower")
        .order_by("pk")
    )
    if not tickets:
        return []
    facts = facts_for(tickets)
    hours = hours_by_calendar(tickets, now=scope.as_of)
    return [
        TicketRecord(
            pk=ticket.pk,
            kind=ticket.kind,
            priority=ticket.priority,
            origin=ticket.origin,
            cause=ticket.cause,
            queue_code=ticket.queue.code if ticket.queue else "",
            assignee=ticket.assignee.get_username() if ticket.assignee else "",
            facts=facts[ticket.pk],
            hours=hours[ticket.queue.calendar_id if ticket.queue else None],
        )
        for ticket in tickets
    ]
