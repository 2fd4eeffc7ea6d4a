"""The life of a ticket: open, receive, reply, note, status, assign.

Every change writes a `TicketEvent` (who, when, why); status changes carry `status_from` and
`status_to`, which is the timeline the SLA clocks run on. A message from the borrower on a
closed ticket opens a follow-up ticket instead of reopening it. Replies are delivered by
`services.delivery.deliver_reply` on the ticket's channel (through the compliance gate).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.choices import (
    MessageDirection,
    Origin,
    Priority,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from arrears.care.models import CareQueue, Ticket, TicketEvent, TicketMessage
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


def _now(at: dt.datetime | None, clock: Clock | None) -> dt.datetime:
    return at or (clock or SystemClock()).now()


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


@transaction.atomic
def open_ticket(
    *,
    kind: str,
    subject: str,
    origin: str,
    body: str = "",
    borrower: Borrower | None = None,
    accounts: Iterable[Account] = (),
    requester_name: str = "",
    requester_address: str = "",
    priority: str = Priority.NORMAL,
    language: str | None = None,
    queue: CareQueue | None = None,
    cause: str = "",
    follow_up_of: Ticket | None = None,
    by: Any = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> Ticket:
    """Open a ticket (status new), route it to a queue, keep the first message if any.

    A dispute or hardship request is passed to collection at once (`services.handoff`).
    """
    now = _now(at, clock)
    _check_choice("kind", kind, TicketKind)
    _check_choice("origin", origin, Origin)
    _check_choice("priority", priority, Priority)
    subject = subject.strip()
    if not subject:
        raise ValidationError("subject", _("is required"))
    accounts = list(accounts)
    for account in accounts:
        if borrower is None or account.borrower_id != borrower.pk:
            raise ValidationError("accounts", _("must belong to the ticket's borrower"))
    ticket = Ticket.objects.create(
        reference=f"tmp-{uuid.uuid4().hex[:16]}",
        kind=kind,
        subject=subject[:300],
        origin=origin,
        priority=priority,
        language=language or (borrower.preferred_language if borrower else "zh-hans"),
        borrower=borrower,
        requester_name=requester_name,
        requester_address=requester_address,
        cause=cause,
        follow_up_of=follow_up_of,
        created_at=now,
        updated_at=now,
        created_by=by,
    )
    ticket.reference = f"T{ticket.pk:07d}"
    from arrears.care.services.routing import queue_for

    ticket.queue = queue or queue_for(ticket)
    ticket.save(update_fields=["reference", "queue"])
    if accounts:
        ticket.accounts.set(accounts)
    record_event(
        ticket,
        TicketEventKind.CREATED,
        at=now,
        by=by,
        reason="ticket.opened",
        params={"origin": origin, "queue": ticket.queue.code if ticket.queue else ""},
        status_to=TicketStatus.NEW,
    )
    if body.strip():
        direction = (
            MessageDirection.INTERNAL if origin == Origin.AGENT else MessageDirection.INBOUND
        )
        _add_message(ticket, body=body, direction=direction, channel=origin, author=by, at=now)
    if kind in (TicketKind.DISPUTE, TicketKind.HARDSHIP_REQUEST):
        from arrears.care.services.handoff import pass_to_collection

        pass_to_collection(ticket=ticket, at=now)
    return ticket


def _add_message(
    ticket: Ticket,
    *,
    body: str,
    direction: str,
    channel: str,
    at: dt.datetime,
    author: Any = None,
    **fields: Any,
) -> TicketMessage:
    return TicketMessage.objects.create(
        ticket=ticket,
        body=body,
        direction=direction,
        channel=channel,
        author=author,
        language=ticket.language,
        created_at=at,
        **fields,
    )


@transaction.atomic
def receive_message(
    *,
    ticket: Ticket,
    body: str,
    channel: str,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
    **fields: Any,
) -> TicketMessage:
    """A message from the borrower: on a closed ticket it opens a follow-up; a pending or
    solved ticket goes back to open. `fields`: email_message_id, in_reply_to, contact_attempt."""
    now = _now(at, clock)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.merged_into_id:
        ticket = Ticket.objects.select_for_update().get(pk=ticket.merged_into_id)
    if ticket.status == TicketStatus.CLOSED:
        follow_up = open_ticket(
            kind=ticket.kind,
            subject=ticket.subject,
            origin=channel,
            borrower=ticket.borrower,
            accounts=ticket.accounts.all(),
            requester_name=ticket.requester_name,
            requester_address=ticket.requester_address,
            priority=ticket.priority,
            language=ticket.language,
            queue=ticket.queue,
            follow_up_of=ticket,
            at=now,
        )
        record_event(
            ticket,
            TicketEventKind.FOLLOW_UP_OPENED,
            at=now,
            reason="ticket.follow_up_opened",
            params={"follow_up": follow_up.reference},
        )
        ticket = follow_up
    message = _add_message(
        ticket, body=body, direction=MessageDirection.INBOUND, channel=channel, at=now, **fields
    )
    record_event(ticket, TicketEventKind.RECEIVED, at=now, params={"channel": channel})
    if ticket.status in (TicketStatus.PENDING, TicketStatus.SOLVED):
        _move(ticket, TicketStatus.OPEN, at=now, reason="ticket.borrower_replied")
    ticket.updated_at = now
    ticket.save(update_fields=["updated_at"])
    return message


@transaction.atomic
def reply_to_ticket(
    *,
    ticket: Ticket,
    body: str,
    by: Any,
    channel: str | None = None,
    status: str | None = None,
    final_response: bool = False,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> TicketMessage:
    """A public reply: kept on the ticket, delivered on `channel` (default: the ticket's
    origin) through the compliance gate; `status` moves the ticket (default: new → open)."""
    now = _now(at, clock)
    if not body.strip():
        raise ValidationError("body", _("is required"))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(_("The ticket is closed; a new message opens a follow-up."))
    if ticket.merged_into_id:
        raise Conflict(_("The ticket was merged; reply on the ticket it was merged into."))
    channel = channel or ticket.origin
    _check_choice("channel", channel, Origin)
    message = _add_message(
        ticket,
        body=body,
        direction=MessageDirection.OUTBOUND,
        channel=channel,
        author=by,
        at=now,
        is_final_response=final_response,
    )
    fields = ["updated_at"]
    if ticket.first_replied_at is None:
        ticket.first_replied_at = now
        fields.append("first_replied_at")
    if final_response:
        ticket.final_response_at = ticket.final_response_at or now
        fields.append("final_response_at")
    ticket.updated_at = now
    ticket.save(update_fields=fields)
    record_event(
        ticket,
        TicketEventKind.FINAL_RESPONSE if final_response else TicketEventKind.REPLIED,
        at=now,
        by=by,
        params={"channel": channel, "message": message.pk},
    )
    target = status or (TicketStatus.OPEN if ticket.status == TicketStatus.NEW else None)
    if target and target != ticket.status:
        _move(ticket, target, at=now, by=by, reason="ticket.replied")
    from arrears.care.services.delivery import deliver_reply

    deliver_reply(message=message, at=now)
    return message


@transaction.atomic
def add_note(
    *, ticket: Ticket, body: str, by: Any, at: dt.datetime | None = None, clock: Clock | None = None
) -> TicketMessage:
    """An internal note: seen by the desk, never sent to the borrower."""
    now = _now(at, clock)
    if not body.strip():
        raise ValidationError("body", _("is required"))
    message = _add_message(
        ticket,
        body=body,
        direction=MessageDirection.INTERNAL,
        channel=Origin.AGENT,
        author=by,
        at=now,
    )
    record_event(ticket, TicketEventKind.NOTE_ADDED, at=now, by=by, params={"message": message.pk})
    return message


@transaction.atomic
def change_status(
    *,
    ticket: Ticket,
    status: str,
    by: Any = None,
    reason: str = "",
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> Ticket:
    """Move the ticket to `status` if the move is allowed (a closed ticket stays closed)."""
    now = _now(at, clock)
    _check_choice("status", status, TicketStatus)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if status == ticket.status:
        return ticket
    if status not in ALLOWED_MOVES[ticket.status]:
        raise ValidationError(
            "status",
            _("cannot go from %(old)s to %(new)s") % {"old": ticket.status, "new": status},
        )
    _move(ticket, status, at=now, by=by, reason=reason or "ticket.status_set")
    return ticket


def _move(ticket: Ticket, status: str, *, at: dt.datetime, by: Any = None, reason: str) -> None:
    old = ticket.status
    ticket.status = status
    fields = ["status", "updated_at"]
    if status == TicketStatus.SOLVED:
        ticket.solved_at = at
        fields.append("solved_at")
    elif status == TicketStatus.CLOSED:
        ticket.closed_at = at
        fields.append("closed_at")
    ticket.updated_at = at
    ticket.save(update_fields=fields)
    record_event(
        ticket,
        TicketEventKind.STATUS_CHANGED,
        at=at,
        by=by,
        reason=reason,
        status_from=old,
        status_to=status,
    )
    if status == TicketStatus.SOLVED:
        from arrears.care.services.surveys import after_solve

        after_solve(ticket=ticket, at=at)


def _check_choice(field: str, value: str, choices: Any) -> None:
    if value not in choices.values:
        raise ValidationError(field, _("is not one of %(values)s") % {"values": choices.values})
