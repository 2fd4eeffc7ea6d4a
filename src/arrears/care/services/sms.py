"""A borrower's text message onto the desk: threaded onto their ticket, or a new inquiry.

Engagement stores every inbound text (`engagement.InboundMessage`, from the signed SMS webhook)
and records it as an inbound contact; the desk listens (`engagement.hooks`, registered in
`CareConfig.ready`) for those that are not opt-outs — a STOP is the gate's, never a ticket.

Where a text goes, first match wins:

1. the ticket of the care reply it answers (engagement threads a text to the last message sent
   to that number; when that was a care reply, its ticket);
2. the borrower's ticket, not closed, whose latest reply went out by SMS;
3. the borrower's newest ticket still open (new, open, pending, on hold);
4. else a new inquiry (origin SMS) — for the borrower, or for the number alone when no borrower
   (or several) has it.

A text from a number several borrowers share reaches engagement once per borrower; only the
first copy opens a ticket (for the number alone), the others thread only where they match.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.choices import MessageDirection, Origin, TicketKind, TicketStatus
from arrears.care.models import Ticket, TicketMessage
from arrears.care.services.mail_text import language_of
from arrears.care.services.ticket_support import OPEN_STATUSES
from arrears.care.services.tickets import MAX_BODY, open_ticket, receive_message
from arrears.compliance.choices import Channel, Direction
from arrears.compliance.models import ContactAttempt
from arrears.engagement.inbox import InboundMessage
from arrears.servicing.selectors.contacts import borrowers_reached_at

SUBJECT_LENGTH = 60


@transaction.atomic
def receive_sms(inbound: InboundMessage) -> TicketMessage | None:
    """Put an inbound text on a ticket (see the module's doc); None for an opt-out, an empty
    text, or a second copy of a shared number's text that threads nowhere."""
    if inbound.is_opt_out or inbound.channel != Channel.SMS:
        return None
    body = inbound.body.strip()[:MAX_BODY]
    if not body:
        return None
    ticket = _thread_of(inbound)
    attempt = _attempt_of(inbound)
    if ticket is not None:
        return receive_message(
            ticket=ticket,
            body=body,
            channel=Origin.SMS,
            at=inbound.received_at,
            contact_attempt=attempt,
        )
    if "#" in inbound.provider_ref:  # a shared number's second copy: the first one opened it
        return None
    shared = inbound.borrower is not None and len(borrowers_reached_at(inbound.from_address)) > 1
    borrower = None if shared else inbound.borrower
    opened = open_ticket(
        kind=TicketKind.INQUIRY,
        subject=_subject_of(body),
        origin=Origin.SMS,
        body=body,
        borrower=borrower,
        requester_address=inbound.from_address,
        language=None if borrower else language_of(body),
        at=inbound.received_at,
    )
    message = opened.messages.order_by("pk").first()
    if message is not None and not shared:
        message.contact_attempt = attempt
        message.save(update_fields=["contact_attempt"])
    return message


def _thread_of(inbound: InboundMessage) -> Ticket | None:
    answered = inbound.in_reply_to_id
    if answered is not None:
        reply = (
            TicketMessage.objects.filter(outbox_message_id=answered)
            .select_related("ticket")
            .first()
        )
        if reply is not None:
            return reply.ticket
    tickets = _tickets_of(inbound)
    by_sms = (
        TicketMessage.objects.filter(
            ticket__in=tickets.filter(status__in=[*OPEN_STATUSES, TicketStatus.SOLVED]),
            direction=MessageDirection.OUTBOUND,
            channel=Origin.SMS,
        )
        .order_by("-created_at", "-pk")
        .select_related("ticket")
        .first()
    )
    if by_sms is not None:
        return by_sms.ticket
    return tickets.filter(status__in=OPEN_STATUSES).order_by("-created_at", "-pk").first()


def _tickets_of(inbound: InboundMessage):  # type: ignore[no-untyped-def]
    """The tickets this text may belong to: the borrower's, else the number's own."""
    live = Ticket.objects.filter(merged_into=None)
    if inbound.borrower_id is not None:
        return live.filter(borrower_id=inbound.borrower_id)
    return live.filter(borrower=None, requester_address=inbound.from_address)


def _attempt_of(inbound: InboundMessage) -> ContactAttempt | None:
    """The inbound contact engagement recorded for this text (None without a borrower)."""
    if inbound.borrower_id is None:
        return None
    return (
        ContactAttempt.objects.filter(
            borrower_id=inbound.borrower_id,
            channel=Channel.SMS,
            direction=Direction.INBOUND,
            address=inbound.from_address,
            started_at=inbound.received_at,
        )
        .order_by("-pk")
        .first()
    )


def _subject_of(body: str) -> str:
    line = " ".join(body.split())
    if len(line) <= SUBJECT_LENGTH:
        return line or _("Text message")
    return line[: SUBJECT_LENGTH - 1] + "…"
