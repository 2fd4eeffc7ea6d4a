"""The life of a ticket 工单: open, receive, reply, note, status, priority, kind, link, assign.

Every change writes a `TicketEvent` (who, when, why); status changes carry `status_from` and
`status_to`, which is the timeline the SLA clocks run on. A message from the borrower on a
closed ticket opens a follow-up ticket instead of reopening it (the two point at each other and
both say so in their history). Replies are delivered by `services.delivery.deliver_reply` on the
ticket's channel (through the compliance gate); internal notes never leave the desk. A dispute
or hardship request is passed to collection (`services.handoff`) when opened, when a ticket's
kind becomes one, and when accounts are linked to it later.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
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
from arrears.care.models import CareQueue, Ticket, TicketMessage
from arrears.care.services.ticket_support import (
    ALLOWED_MOVES,
    COLLECTION_KINDS,
    OPEN_STATUSES,
    accounts_of,
    check_choice,
    check_move,
    locked,
    now_of,
    record_event,
    text_of,
    touch,
    writable,
)
from arrears.compliance.choices import AttemptOutcome, Channel, Direction, Purpose
from arrears.compliance.models import ContactAttempt
from arrears.compliance.services.records import record_contact_attempt
from arrears.core.clock import Clock, FixedClock
from arrears.core.errors import ValidationError
from arrears.servicing.models import Account, Borrower

__all__ = [
    "ALLOWED_MOVES",
    "OPEN_STATUSES",
    "add_note",
    "change_status",
    "open_ticket",
    "receive_message",
    "record_event",
    "reply_to_ticket",
]

LANGUAGES = ("zh-hans", "en")
MAX_BODY = 20_000
MAX_NOTE = 500


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
    now = now_of(at, clock)
    check_choice("kind", kind, TicketKind)
    check_choice("origin", origin, Origin)
    check_choice("priority", priority, Priority)
    if cause:
        from arrears.care.choices import ComplaintCause

        check_choice("cause", cause, ComplaintCause)
    subject = text_of("subject", subject, max_length=300)
    body = text_of("body", body, max_length=MAX_BODY, required=False)
    requester_name = text_of("requester_name", requester_name, max_length=200, required=False)
    requester_address = text_of(
        "requester_address", requester_address, max_length=200, required=False
    )
    language = language or (borrower.preferred_language if borrower else LANGUAGES[0])
    if language not in LANGUAGES:
        raise ValidationError("language", _("must be one of %(values)s") % {"values": LANGUAGES})
    accounts = accounts_of(borrower, accounts)
    ticket = Ticket.objects.create(
        reference=f"tmp-{uuid.uuid4().hex[:16]}",
        kind=kind,
        subject=subject,
        origin=origin,
        priority=priority,
        language=language,
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
    params = {"origin": origin, "queue": ticket.queue.code if ticket.queue else ""}
    if follow_up_of is not None:
        params["follow_up_of"] = follow_up_of.reference
    record_event(
        ticket,
        TicketEventKind.CREATED,
        at=now,
        by=by,
        reason="ticket.opened",
        params=params,
        status_to=TicketStatus.NEW,
    )
    if body:
        direction = (
            MessageDirection.INTERNAL if origin == Origin.AGENT else MessageDirection.INBOUND
        )
        _add_message(ticket, body=body, direction=direction, channel=origin, author=by, at=now)
    if kind in COLLECTION_KINDS:
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
    if (
        direction == MessageDirection.INBOUND
        and channel == Origin.PORTAL
        and ticket.borrower is not None
        and fields.get("contact_attempt") is None
    ):
        fields["contact_attempt"] = _portal_contact(ticket, at)
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


def _portal_contact(ticket: Ticket, at: dt.datetime) -> ContactAttempt:
    """A borrower writing from the portal contacted us: it goes in the shared contact history
    (as an in-app contact), like a mail, a text, a chat or a call (their channels record theirs)."""
    assert ticket.borrower is not None
    return record_contact_attempt(
        borrower=ticket.borrower,
        channel=Channel.IN_APP,
        address=f"portal:{ticket.borrower_id}",
        outcome=AttemptOutcome.DELIVERED,
        direction=Direction.INBOUND,
        purpose=Purpose.SERVICING,
        started_at=at,
        by="borrower",
        clock=FixedClock(at),
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
    now = now_of(at, clock)
    body = text_of("body", body, max_length=MAX_BODY)
    check_choice("channel", channel, Origin)
    ticket = locked(ticket)
    while ticket.merged_into_id:  # a merged ticket's messages belong to the one it joined
        ticket = locked(ticket.merged_into_id)
    if ticket.status == TicketStatus.CLOSED:
        ticket = _follow_up(ticket, channel=channel, at=now)
    message = _add_message(
        ticket, body=body, direction=MessageDirection.INBOUND, channel=channel, at=now, **fields
    )
    record_event(
        ticket,
        TicketEventKind.RECEIVED,
        at=now,
        reason="ticket.message_received",
        params={"channel": channel, "message": message.pk},
    )
    if ticket.status in (TicketStatus.PENDING, TicketStatus.SOLVED):
        _move(ticket, TicketStatus.OPEN, at=now, reason="ticket.borrower_replied")
    else:
        touch(ticket, now)
    return message


def _follow_up(closed: Ticket, *, channel: str, at: dt.datetime) -> Ticket:
    """A new ticket for a message on a closed one; both histories say so."""
    follow_up = open_ticket(
        kind=closed.kind,
        subject=closed.subject,
        origin=channel,
        borrower=closed.borrower,
        accounts=closed.accounts.all(),
        requester_name=closed.requester_name,
        requester_address=closed.requester_address,
        priority=closed.priority,
        language=closed.language,
        queue=closed.queue,
        cause=closed.cause,
        follow_up_of=closed,
        at=at,
    )
    record_event(
        closed,
        TicketEventKind.FOLLOW_UP_OPENED,
        at=at,
        reason="ticket.follow_up_opened",
        params={"follow_up": follow_up.reference},
    )
    record_event(
        follow_up,
        TicketEventKind.FOLLOW_UP_OPENED,
        at=at,
        reason="ticket.follow_up_of",
        params={"follow_up_of": closed.reference},
    )
    return follow_up


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
    now = now_of(at, clock)
    body = text_of("body", body, max_length=MAX_BODY)
    if channel is not None:
        check_choice("channel", channel, Origin)
    if status is not None:
        check_choice("status", status, TicketStatus)
    ticket = writable(ticket)
    channel = channel or ticket.origin
    target = status or (TicketStatus.OPEN if ticket.status == TicketStatus.NEW else None)
    if target and target != ticket.status:
        check_move(ticket.status, target)
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
    if final_response and ticket.final_response_at is None:
        ticket.final_response_at = now
        fields.append("final_response_at")
    ticket.updated_at = now
    ticket.save(update_fields=fields)
    record_event(
        ticket,
        TicketEventKind.FINAL_RESPONSE if final_response else TicketEventKind.REPLIED,
        at=now,
        by=by,
        reason="ticket.final_response" if final_response else "ticket.replied",
        params={"channel": channel, "message": message.pk},
    )
    if target and target != ticket.status:
        _move(ticket, target, at=now, by=by, reason="ticket.replied")
    from arrears.care.services.delivery import deliver_reply

    deliver_reply(message=message, at=now)
    return message


@transaction.atomic
def add_note(
    *, ticket: Ticket, body: str, by: Any, at: dt.datetime | None = None, clock: Clock | None = None
) -> TicketMessage:
    """An internal note: seen by the desk, never sent to the borrower (no delivery is asked)."""
    now = now_of(at, clock)
    body = text_of("body", body, max_length=MAX_BODY)
    ticket = locked(ticket)
    message = _add_message(
        ticket,
        body=body,
        direction=MessageDirection.INTERNAL,
        channel=Origin.AGENT,
        author=by,
        at=now,
    )
    record_event(
        ticket,
        TicketEventKind.NOTE_ADDED,
        at=now,
        by=by,
        reason="ticket.note_added",
        params={"message": message.pk},
    )
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
    """Move the ticket to `status` if the move is allowed (a closed ticket stays closed).

    `reason` is the agent's own words, kept in the event's details."""
    now = now_of(at, clock)
    check_choice("status", status, TicketStatus)
    note = text_of("reason", reason, max_length=MAX_NOTE, required=False)
    ticket = locked(ticket)
    if status == ticket.status:
        return ticket
    check_move(ticket.status, status)
    _move(ticket, status, at=now, by=by, reason="ticket.status_set", note=note)
    return ticket


def _move(
    ticket: Ticket, status: str, *, at: dt.datetime, by: Any = None, reason: str, note: str = ""
) -> None:
    old = ticket.status
    ticket.status = status
    fields = ["status"]
    if status == TicketStatus.SOLVED:
        ticket.solved_at = at
        fields.append("solved_at")
    elif status == TicketStatus.CLOSED:
        ticket.closed_at = at
        fields.append("closed_at")
    touch(ticket, at, *fields)
    record_event(
        ticket,
        TicketEventKind.STATUS_CHANGED,
        at=at,
        by=by,
        reason=reason,
        params={"note": note} if note else None,
        status_from=old,
        status_to=status,
    )
    if status == TicketStatus.SOLVED:
        from arrears.care.services.surveys import after_solve

        after_solve(ticket=ticket, at=at)
