"""Changes to what a ticket is about: its priority, its kind, its borrower and accounts, and
who works it. Each writes a `TicketEvent`; a ticket that becomes (or already is) a dispute or a
hardship request and gains accounts is passed to collection again (`services.handoff`, which
does nothing twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.choices import Priority, TicketEventKind, TicketKind
from arrears.care.models import Ticket
from arrears.care.services.ticket_support import (
    COLLECTION_KINDS,
    accounts_of,
    check_choice,
    now_of,
    record_event,
    touch,
    writable,
)
from arrears.core.clock import Clock
from arrears.core.errors import ValidationError
from arrears.servicing.models import Account, Borrower


@transaction.atomic
def set_priority(
    *,
    ticket: Ticket,
    priority: str,
    by: Any = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> Ticket:
    """Raise or lower the ticket's priority (its SLA targets follow the new priority)."""
    now = now_of(at, clock)
    check_choice("priority", priority, Priority)
    ticket = writable(ticket)
    if ticket.priority == priority:
        return ticket
    old, ticket.priority = ticket.priority, priority
    touch(ticket, now, "priority")
    record_event(
        ticket,
        TicketEventKind.PRIORITY_CHANGED,
        at=now,
        by=by,
        reason="ticket.priority_changed",
        params={"priority_from": old, "priority": priority},
    )
    return ticket


@transaction.atomic
def change_kind(
    *,
    ticket: Ticket,
    kind: str,
    by: Any = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> Ticket:
    """Say what the ticket really is; a ticket that turns out to be a dispute or a hardship
    request is passed to collection at once, as if it had been opened as one."""
    now = now_of(at, clock)
    check_choice("kind", kind, TicketKind)
    ticket = writable(ticket)
    if ticket.kind == kind:
        return ticket
    old, ticket.kind = ticket.kind, kind
    touch(ticket, now, "kind")
    record_event(
        ticket,
        TicketEventKind.KIND_CHANGED,
        at=now,
        by=by,
        reason="ticket.kind_changed",
        params={"kind_from": old, "kind": kind},
    )
    if kind in COLLECTION_KINDS:
        from arrears.care.services.handoff import pass_to_collection

        pass_to_collection(ticket=ticket, at=now)
    return ticket


@transaction.atomic
def link_ticket(
    *,
    ticket: Ticket,
    borrower: Borrower | None = None,
    accounts: Iterable[Account] = (),
    by: Any = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> Ticket:
    """Say whose ticket it is and which accounts it is about (added to those already linked).

    A ticket's borrower, once known, does not change; accounts must be that borrower's."""
    now = now_of(at, clock)
    ticket = writable(ticket)
    if borrower is not None and ticket.borrower_id not in (None, borrower.pk):
        raise ValidationError("borrower", _("the ticket already belongs to another borrower"))
    owner = borrower or ticket.borrower
    wanted = accounts_of(owner, accounts)
    known = set(ticket.accounts.values_list("pk", flat=True))
    added = [a for a in wanted if a.pk not in known]
    newly_known = borrower is not None and ticket.borrower_id is None
    if not newly_known and not added:
        return ticket
    if newly_known:
        ticket.borrower = borrower
        touch(ticket, now, "borrower")
    else:
        touch(ticket, now)
    ticket.accounts.add(*added)
    record_event(
        ticket,
        TicketEventKind.LINKED,
        at=now,
        by=by,
        reason="ticket.linked",
        params={
            "borrower": owner.pk if owner is not None and newly_known else None,
            "accounts": [a.number for a in added],
        },
    )
    if ticket.kind in COLLECTION_KINDS:
        from arrears.care.services.handoff import pass_to_collection

        pass_to_collection(ticket=ticket, at=now)
    return ticket


@transaction.atomic
def assign_ticket(
    *,
    ticket: Ticket,
    to: Any,
    by: Any = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> Ticket:
    """Give the ticket to an agent (`to`), or back to its queue (`to=None`)."""
    now = now_of(at, clock)
    if to is not None and not getattr(to, "is_active", False):
        raise ValidationError("to", _("is not an active user"))
    ticket = writable(ticket)
    if ticket.assignee_id == (to.pk if to is not None else None):
        return ticket
    old = ticket.assignee.get_username() if ticket.assignee is not None else None
    ticket.assignee = to
    touch(ticket, now, "assignee")
    record_event(
        ticket,
        TicketEventKind.ASSIGNED,
        at=now,
        by=by,
        reason="ticket.assigned" if to is not None else "ticket.unassigned",
        params={"assignee_from": old, "assignee": to.get_username() if to else None},
    )
    return ticket
