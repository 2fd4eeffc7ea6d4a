"""Delivering a public reply on its channel: through the outbox, so the compliance gate decides.

A reply is written to the engagement outbox as a `care_reply` notice (purpose servicing) under
the key `care-reply-<message id>`; the dispatcher asks the gate for a permit at send time, as
for every message to a borrower. The reply is linked to its outbox row when queued, and to the
contact attempt the channel writes once it is sent (`link_sent_reply`, an engagement sent
listener) — so a reply the gate holds back is on the ticket but not in the contact history.

Channels: e-mail → e-mail, SMS → SMS, portal and chat → the in-app inbox; a reply given on the
phone was said on the call and is not sent again; a ticket opened by an agent or the API is
answered on the borrower's own first reachable channel. An e-mail reply threads: it carries
`Message-ID <outbox id@domain>` (kept on the message, and on the ticket as its thread key),
`In-Reply-To` the borrower's last e-mail and `References` the ticket's e-mails, and its subject
"[T0000123] Re: …". Nothing reaches someone who is not a borrower (the gate decides only for
borrowers): a ticket without one keeps the reply, "not sent: no borrower", until an agent links
the borrower and replies again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from arrears.care.choices import MessageDirection, Origin, TicketEventKind
from arrears.care.models import Ticket, TicketMessage
from arrears.care.services.ticket_support import record_event
from arrears.compliance.choices import Purpose
from arrears.compliance.models import ContactAttempt
from arrears.core.clock import FixedClock
from arrears.core.errors import ValidationError
from arrears.engagement.channels.email import message_id_for
from arrears.engagement.choices import NoticeChannel, NoticeKind
from arrears.engagement.models import OutboxMessage
from arrears.engagement.services.collection_messages import queue_collection_message

#: The outbox channel a reply on each ticket channel goes out on (None: the borrower's own).
REPLY_CHANNEL: Mapping[str, str | None] = {
    Origin.EMAIL: NoticeChannel.EMAIL,
    Origin.SMS: NoticeChannel.SMS,
    Origin.PORTAL: NoticeChannel.IN_APP,
    Origin.CHAT: NoticeChannel.IN_APP,
    Origin.AGENT: None,
    Origin.API: None,
}
#: How many earlier e-mails of the thread `References` names (the first and the latest).
MAX_REFERENCES = 10


def reply_key(message: TicketMessage) -> str:
    """The outbox idempotency key of a reply: one outbox row per reply, whatever retries."""
    return f"care-reply-{message.pk}"


def deliver_reply(*, message: TicketMessage, at: dt.datetime) -> OutboxMessage | None:
    """Queue a public reply for its channel; None (and an event saying why) if it is not sent.

    Called by `services.tickets.reply_to_ticket` in its transaction; a reply the borrower cannot
    be reached with on that channel stays on the ticket, marked not sent.
    """
    if message.direction != MessageDirection.OUTBOUND:
        return None
    ticket = message.ticket
    if message.channel == Origin.PHONE:
        _not_sent(message, at, "reply.not_sent.said_on_the_phone")
        return None
    if ticket.borrower is None:
        _not_sent(message, at, "reply.not_sent.no_borrower")
        return None
    try:
        outbox, _created = queue_collection_message(
            kind=NoticeKind.CARE_REPLY,
            borrower=ticket.borrower,
            account=None,
            variables={
                "ticket_reference": ticket.reference,
                "subject": ticket.subject,
                "reply_body": message.body,
            },
            idempotency_key=reply_key(message),
            channel=REPLY_CHANNEL.get(message.channel),
            purpose=Purpose.SERVICING,
            clock=FixedClock(at),
        )
    except ValidationError as refused:  # no address or no template on that channel
        _not_sent(message, at, "reply.not_sent.unreachable", detail=str(refused))
        return None
    _link(message, outbox)
    return outbox


def _link(message: TicketMessage, outbox: OutboxMessage) -> None:
    """Tie the reply to its outbox row; an e-mail reply also gets its place in the thread."""
    message.outbox_message = outbox
    fields = ["outbox_message"]
    if outbox.channel == NoticeChannel.EMAIL:
        message.email_message_id = message_id_for(str(outbox.pk))
        message.in_reply_to = _parent_of(message)
        fields += ["email_message_id", "in_reply_to"]
        ticket = message.ticket
        if not ticket.thread_key:
            Ticket.objects.filter(pk=ticket.pk).update(thread_key=message.email_message_id)
            ticket.thread_key = message.email_message_id
    message.save(update_fields=fields)


def _parent_of(message: TicketMessage) -> str:
    """The e-mail a reply answers: the borrower's last one, else our own last e-mail."""
    earlier = (
        TicketMessage.objects.filter(
            ticket_id=message.ticket_id, created_at__lte=message.created_at
        )
        .exclude(pk=message.pk)
        .exclude(email_message_id=None)
        .exclude(email_message_id="")
        .order_by("-created_at", "-pk")
    )
    theirs = earlier.filter(direction=MessageDirection.INBOUND).first()
    parent = theirs or earlier.first()
    return parent.email_message_id or "" if parent is not None else ""


def thread_references(message: TicketMessage) -> list[str]:
    """The Message-IDs of the ticket's e-mails before this one, oldest first (at most
    `MAX_REFERENCES`: the first, then the latest), ending with the one it answers."""
    ids = [
        found
        for found in TicketMessage.objects.filter(
            ticket_id=message.ticket_id, created_at__lte=message.created_at
        )
        .exclude(pk=message.pk)
        .exclude(email_message_id=None)
        .order_by("created_at", "pk")
        .values_list("email_message_id", flat=True)
        if found
    ]
    if message.in_reply_to and message.in_reply_to not in ids:
        ids.append(message.in_reply_to)
    if message.in_reply_to in ids:  # the parent comes last, as RFC 5322 §3.6.4 has it
        ids.remove(message.in_reply_to)
        ids.append(message.in_reply_to)
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return ids


def reply_headers(outbox: OutboxMessage) -> dict[str, str]:
    """`In-Reply-To` and `References` of a care reply's e-mail (an engagement header provider)."""
    if outbox.kind != NoticeKind.CARE_REPLY:
        return {}
    message = TicketMessage.objects.filter(outbox_message=outbox).first()
    if message is None:
        return {}
    headers = {"References": " ".join(thread_references(message))}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    return headers


def link_sent_reply(outbox: OutboxMessage) -> None:
    """Once a care reply is sent, link it to the contact attempt the channel wrote (an
    engagement sent listener)."""
    if outbox.kind != NoticeKind.CARE_REPLY or outbox.permit_id is None:
        return
    attempt = ContactAttempt.objects.filter(permit_id=outbox.permit_id).order_by("-pk").first()
    if attempt is not None:
        TicketMessage.objects.filter(outbox_message=outbox, contact_attempt=None).update(
            contact_attempt=attempt
        )


def _not_sent(message: TicketMessage, at: dt.datetime, reason: str, **params: Any) -> None:
    """Say on the ticket that the reply did not leave, and why (a `replied` event)."""
    record_event(
        message.ticket,
        TicketEventKind.REPLIED,
        at=at,
        by=message.author,
        reason=reason,
        params={
            "message": message.pk,
            "channel": message.channel,
            "sent": False,
            "why": _not_sent_words(reason),
            **params,
        },
    )


def _not_sent_words(reason: str) -> str:
    words = {
        "reply.not_sent.said_on_the_phone": _("Not sent: the reply was given on the phone."),
        "reply.not_sent.no_borrower": _(
            "Not sent: no borrower is linked to the ticket, and the compliance gate permits "
            "contact with borrowers only. Link the borrower and reply again."
        ),
        "reply.not_sent.unreachable": _(
            "Not sent: the borrower cannot be reached on this channel."
        ),
    }
    return str(words[reason])
