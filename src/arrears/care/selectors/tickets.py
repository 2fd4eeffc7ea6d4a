"""Reads of tickets: by reference, a borrower's, the desk's list, a ticket's thread and history.

The thread of a ticket is its own messages and those of every ticket merged into it (merged
tickets keep their messages; the target shows them), in the order they were written. The
history is its events, each with the reason in the reader's words (`core.care.labels`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from arrears.care.models import Ticket, TicketEvent, TicketMessage
from arrears.core.care.labels import LABELS, label
from arrears.core.errors import NotFound
from arrears.servicing.models import Borrower

_RELATED = ("queue", "assignee", "borrower", "follow_up_of", "merged_into")


def ticket_by_reference(reference: str) -> Ticket:
    """The ticket with this reference (e.g. T0000042), or `NotFound`."""
    if "\x00" in reference:  # no reference holds a NUL; PostgreSQL refuses to compare one
        raise NotFound(_("There is no ticket %(reference)s.") % {"reference": repr(reference)})
    ticket = (
        Ticket.objects.select_related(*_RELATED)
        .prefetch_related("accounts")
        .filter(reference=reference.strip().upper())
        .first()
    )
    if ticket is None:
        raise NotFound(_("There is no ticket %(reference)s.") % {"reference": reference})
    return ticket


def tickets_for_borrower(borrower: Borrower) -> QuerySet[Ticket]:
    """The borrower's tickets, newest first."""
    return Ticket.objects.filter(borrower=borrower).select_related(*_RELATED)


def desk_tickets(
    *,
    queue: Any = None,
    status: str | Iterable[str] | None = None,
    assignee: Any = None,
    kind: str | None = None,
    priority: str | None = None,
    borrower: Borrower | None = None,
) -> QuerySet[Ticket]:
    """The desk's tickets, newest first, filtered by queue, status (one or several), assignee,
    kind, priority and borrower; merged tickets are left out (their target stands for them)."""
    tickets = Ticket.objects.filter(merged_into__isnull=True)
    if queue is not None:
        tickets = tickets.filter(queue=queue)
    if isinstance(status, str):
        tickets = tickets.filter(status=status)
    elif status is not None:
        tickets = tickets.filter(status__in=list(status))
    if assignee is not None:
        tickets = tickets.filter(assignee=assignee)
    if kind is not None:
        tickets = tickets.filter(kind=kind)
    if priority is not None:
        tickets = tickets.filter(priority=priority)
    if borrower is not None:
        tickets = tickets.filter(borrower=borrower)
    return tickets.select_related(*_RELATED)


def merged_family(ticket: Ticket) -> list[int]:
    """The ticket's id and those of every ticket merged into it, directly or not."""
    family, frontier = [ticket.pk], [ticket.pk]
    while frontier:
        frontier = list(
            Ticket.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        )
        family.extend(frontier)
    return family


def ticket_thread(ticket: Ticket) -> QuerySet[TicketMessage]:
    """Every message of the ticket and of the tickets merged into it, in time order."""
    return (
        TicketMessage.objects.filter(ticket_id__in=merged_family(ticket))
        .select_related("ticket", "author")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class HistoryLine:
    """One event of a ticket's history, with its reason in words."""

    event: TicketEvent
    words: str

    @property
    def at(self) -> dt.datetime:
        return self.event.at


def ticket_history(ticket: Ticket, *, language: str | None = None) -> list[HistoryLine]:
    """The ticket's events, oldest first, each with its reason in `language` (default: the
    active language); an event without a known reason shows its kind."""
    language = language or get_language() or "zh-hans"
    events = ticket.events.select_related("by").order_by("at", "id")
    return [HistoryLine(e, _words(e, language)) for e in events]


def _words(event: TicketEvent, language: str) -> str:
    if event.reason not in LABELS:
        return str(event.get_kind_display())
    params: dict[str, Any] = dict(event.params or {})
    if event.status_to:
        params.setdefault("status", event.status_to)
        params.setdefault("status_from", event.status_from)
    return label(event.reason, language, _in_words(params, language))


def _in_words(params: Mapping[str, Any], language: str) -> dict[str, str]:
    """Codes in words (a channel, a status, a kind, the value before a change); lists joined."""
    words: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, list | tuple):
            words[name] = ", ".join(str(v) for v in value if v is not None) or "-"
            continue
        base = name.removesuffix("_from")
        base = "channel" if base == "origin" else base
        key = f"{base}.{value}"
        words[name] = label(key, language) if key in LABELS else str(value)
    return words
