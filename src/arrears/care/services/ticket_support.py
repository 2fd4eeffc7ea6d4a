"""What every ticket service shares: the clock, the history, locking and input checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from arrears.care.choices import TicketKind, TicketStatus
from arrears.care.models import Ticket, TicketEvent
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.servicing.models import Account, Borrower

# Which status may follow which; `closed` is final (a new message opens a follow-up).
ALLOWED_MOVES: Mapping[str, frozenset[str]] = {
    TicketStatus.NEW: frozenset({"open", "pending", "on_hold", "solved", "closed"}),
    TicketStatus.OPEN: frozenset({"pending", "on_hold", "solved", "closed"}),
    TicketStatus.PENDING: frozenset({"open", "on_hold", "solved", "closed"}),
    TicketStatus.ON_HOLD: frozenset({"open", "pending", "solved", "closed"}),
    TicketStatus.SOLVED: frozenset({"open", "closed"}),
    TicketStatus.CLOSED: frozenset(),
}
OPEN_STATUSES = frozenset({"new", "open", "pending", "on_hold"})
#: Kinds collection must hear of at once (a hold, or the hardship flow).
COLLECTION_KINDS = frozenset({TicketKind.DISPUTE, TicketKind.HARDSHIP_REQUEST})


def now_of(at: dt.datetime | None, clock: Clock | None) -> dt.datetime:
    now = at or (clock or SystemClock()).now()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError("at", _("must carry its UTC offset"))
    return now


def record_event(
    ticket: Ticket,
    kind: str,
    *,
    at: dt.datetime,
    by: Any = None,
    reason: str = "",
    params: Mapping[str, Any] | None = None,
    status_from: str = "",
    status_to: str = "",
) -> TicketEvent:
    """Append one event to the ticket's history (never edited)."""
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        at=at,
        by=by,
        reason=reason,
        params=dict(params or {}),
        status_from=status_from,
        status_to=status_to,
    )


def touch(ticket: Ticket, at: dt.datetime, *fields: str) -> None:
    ticket.updated_at = at
    ticket.save(update_fields=[*fields, "updated_at"])


def locked(ticket: Ticket | int) -> Ticket:
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return Ticket.objects.select_for_update().get(pk=pk)


def writable(ticket: Ticket) -> Ticket:
    """The ticket, locked, refusing one that is closed or merged (409)."""
    ticket = locked(ticket)
    if ticket.merged_into_id:
        raise Conflict(_("The ticket was merged; work on the ticket it was merged into."))
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(_("The ticket is closed; a new message opens a follow-up."))
    return ticket


def check_move(old: str, new: str) -> None:
    if new not in ALLOWED_MOVES[old]:
        raise ValidationError(
            "status", _("cannot go from %(old)s to %(new)s") % {"old": old, "new": new}
        )


def accounts_of(borrower: Borrower | None, accounts: Iterable[Account]) -> list[Account]:
    accounts = list(accounts)
    for account in accounts:
        if borrower is None or account.borrower_id != borrower.pk:
            raise ValidationError("accounts", _("must belong to the ticket's borrower"))
    return accounts


def text_of(field: str, value: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(field, _("is required"))
    if len(value) > max_length:
        raise ValidationError(field, _("must be at most %(n)d characters") % {"n": max_length})
    return value


def check_choice(field: str, value: str, choices: Any) -> None:
    if value not in choices.values:
        raise ValidationError(
            field, _("must be one of %(values)s") % {"values": ", ".join(choices.values)}
        )
