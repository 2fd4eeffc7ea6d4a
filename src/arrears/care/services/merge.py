"""Merging two tickets about the same thing into one (合并工单).

The borrower wrote twice, or called and then e-mailed: the desk keeps one ticket, the target.
The source's messages stay where they were written (history is never rewritten), but the
target's thread shows them (`selectors.tickets.ticket_thread`); the source is closed with the
reason `ticket.merged` and points at the target, and a later message on it lands on the target.
Both tickets say so in their history. The target gains the source's accounts (and its borrower,
when the target's was not yet known).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.choices import TicketEventKind, TicketStatus
from arrears.care.models import Ticket
from arrears.care.services.ticket_support import (
    COLLECTION_KINDS,
    locked,
    now_of,
    record_event,
    touch,
)
from arrears.core.clock import Clock
from arrears.core.errors import ValidationError


@transaction.atomic
def merge_tickets(
    *,
    source: Ticket,
    target: Ticket,
    by: Any = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> Ticket:
    """Merge `source` into `target` and return the target.

    Refused (naming the field): a ticket into itself, a source already merged or closed, a
    target merged or closed, or two tickets of different borrowers."""
    now = now_of(at, clock)
    if source.pk == target.pk:
        raise ValidationError("target", _("cannot merge a ticket into itself"))
    first, second = sorted((source.pk, target.pk))  # lock in one order: no deadlock
    rows = {pk: locked(pk) for pk in (first, second)}
    source, target = rows[source.pk], rows[target.pk]
    _check_mergeable(source, target)
    added = _unite(source, target, now)
    old = source.status
    source.status = TicketStatus.CLOSED
    source.closed_at = now
    source.merged_into = target
    touch(source, now, "status", "closed_at", "merged_into")
    record_event(
        source,
        TicketEventKind.MERGED,
        at=now,
        by=by,
        reason="ticket.merged",
        params={"merged_into": target.reference},
        status_from=old,
        status_to=TicketStatus.CLOSED,
    )
    record_event(
        target,
        TicketEventKind.MERGED,
        at=now,
        by=by,
        reason="ticket.merged_in",
        params={"merged": source.reference, "accounts": added},
    )
    if target.kind in COLLECTION_KINDS:
        from arrears.care.services.handoff import pass_to_collection

        pass_to_collection(ticket=target, at=now)
    return target


def _check_mergeable(source: Ticket, target: Ticket) -> None:
    if source.merged_into_id:
        raise ValidationError("source", _("was already merged into another ticket"))
    if source.status == TicketStatus.CLOSED:
        raise ValidationError("source", _("is closed; a closed ticket is kept as it is"))
    if target.merged_into_id:
        raise ValidationError("target", _("was merged into another ticket; merge into that one"))
    if target.status == TicketStatus.CLOSED:
        raise ValidationError("target", _("is closed; merge into an open ticket"))
    if source.borrower_id and target.borrower_id and source.borrower_id != target.borrower_id:
        raise ValidationError("target", _("belongs to another borrower"))


def _unite(source: Ticket, target: Ticket, now: dt.datetime) -> list[str]:
    """Give the target the source's borrower (if it had none) and accounts; the numbers added."""
    if target.borrower_id is None and source.borrower_id is not None:
        target.borrower_id = source.borrower_id
        touch(target, now, "borrower")
    known = set(target.accounts.values_list("pk", flat=True))
    added = [a for a in source.accounts.order_by("pk") if a.pk not in known]
    target.accounts.add(*added)
    return [a.number for a in added]
