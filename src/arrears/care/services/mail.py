"""E-mail into the desk: each mail threads onto its ticket or opens one.

`receive_email(raw)` reads the mail (`mail_text.parse_email`) and:

1. drops a mail already received (same Message-ID — ours included, so a loop stops here);
2. sets aside a mail no person wrote (a bounce, an auto-reply, bulk mail), with the reason: a
   bounce report is handed to engagement (`record_bounce_report`: the reply is marked bounced,
   a hard bounce marks the address invalid); when it threads onto a ticket, the ticket's
   history says it came and why it was set aside;
3. threads by `In-Reply-To`/`References` (a Message-ID of one of the ticket's e-mails, or the
   ticket's thread key), else by "[T0000123]" in the subject — the subject only when the sender
   is the ticket's requester or its borrower, so a guessed reference cannot write into someone
   else's ticket. The ticket goes back to open if it was pending or solved; a closed one opens a
   follow-up (`services.tickets.receive_message`);
4. else opens an inquiry ticket (origin e-mail) for the one borrower with that e-mail address
   among their contact points, or for the sender's address alone (no borrower, or several).

A mail from a borrower is an inbound `ContactAttempt` (purpose servicing), linked to the
ticket's message, so collection and care share one contact history.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from arrears.care.choices import Origin, TicketEventKind, TicketKind
from arrears.care.models import Ticket, TicketMessage
from arrears.care.services.mail_text import ParsedMail, language_of, parse_email
from arrears.care.services.ticket_support import now_of, record_event
from arrears.care.services.tickets import MAX_BODY, open_ticket, receive_message
from arrears.compliance.choices import AttemptOutcome, Channel, Direction, Purpose
from arrears.compliance.models import ContactAttempt
from arrears.compliance.services import record_contact_attempt
from arrears.core.clock import Clock, FixedClock
from arrears.core.errors import ValidationError
from arrears.engagement.services.deliveries import record_bounce_report
from arrears.servicing.models import Borrower
from arrears.servicing.selectors.contacts import borrowers_reached_at

logger = logging.getLogger(__name__)

OPENED = "opened"
THREADED = "threaded"
DUPLICATE = "duplicate"
IGNORED = "ignored"


@dataclasses.dataclass(frozen=True)
class MailReceipt:
    """What became of a mail: opened a ticket, threaded onto one, a duplicate, or set aside."""

    outcome: str
    ticket: Ticket | None = None
    message: TicketMessage | None = None
    #: Why a mail was set aside: bounce, auto_submitted, auto_reply, bulk, from_ourselves.
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "outcome": self.outcome,
            "ticket": self.ticket.reference if self.ticket else None,
            "message": self.message.pk if self.message else None,
            "reason": self.reason,
        }


@transaction.atomic
def receive_email(
    raw: bytes,
    *,
    envelope_from: str | None = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> MailReceipt:
    """Take one raw RFC 5322 mail into the desk (see the module's doc for the rules)."""
    now = now_of(at, clock)
    if not raw or not raw.strip():
        raise ValidationError("raw", _("the mail is empty"))
    mail = parse_email(raw, envelope_from=envelope_from)
    known = TicketMessage.objects.filter(email_message_id=mail.message_id).first()
    if known is not None:
        return MailReceipt(DUPLICATE, ticket=known.ticket, message=known)
    ticket = _thread_of(mail)
    reason = mail.automatic or _from_ourselves(mail)
    if reason:
        return _set_aside(mail, raw, ticket=ticket, reason=reason, at=now)
    body = mail.body[:MAX_BODY] or _("(no text)")
    try:
        with transaction.atomic():
            if ticket is None:
                return _open(mail, body=body, at=now)
            message = receive_message(
                ticket=ticket,
                body=body,
                channel=Origin.EMAIL,
                at=now,
                email_message_id=mail.message_id,
                in_reply_to=mail.in_reply_to[0] if mail.in_reply_to else "",
            )
    except IntegrityError:  # the same mail, taken in by a concurrent delivery since the check
        known = TicketMessage.objects.get(email_message_id=mail.message_id)
        return MailReceipt(DUPLICATE, ticket=known.ticket, message=known)
    _record_contact(message, mail, at=now)
    return MailReceipt(THREADED, ticket=message.ticket, message=message)


def _thread_of(mail: ParsedMail) -> Ticket | None:
    """The ticket the mail answers (by its thread headers, else the subject's reference)."""
    ids = mail.thread_ids()
    if ids:
        hit = (
            TicketMessage.objects.filter(email_message_id__in=ids)
            .select_related("ticket")
            .order_by("-created_at", "-pk")
            .first()
        )
        if hit is not None:
            return hit.ticket
        keyed = Ticket.objects.filter(thread_key__in=ids).order_by("-created_at").first()
        if keyed is not None:
            return keyed
    reference = mail.ticket_reference()
    if reference:
        ticket = Ticket.objects.filter(reference=reference).first()
        if ticket is not None and _may_write_to(ticket, mail.from_address):
            return ticket
    return None


def _may_write_to(ticket: Ticket, address: str) -> bool:
    """The sender is the ticket's requester, or has the address among its borrower's."""
    if not address:
        return False
    if ticket.requester_address.strip().lower() == address:
        return True
    borrower = ticket.borrower
    return borrower is not None and borrower.contact_points.filter(value__iexact=address).exists()


def _from_ourselves(mail: ParsedMail) -> str:
    _name, ours = _address_of(settings.ARREARS_EMAIL_FROM)
    return "from_ourselves" if ours and mail.from_address == ours else ""


def _address_of(value: str) -> tuple[str, str]:
    name, address = email.utils.parseaddr(value or "")
    return name, address.strip().lower()


def _open(mail: ParsedMail, *, body: str, at: dt.datetime) -> MailReceipt:
    """A new inquiry for the one borrower with this address, else for the address alone."""
    found = borrowers_reached_at(mail.from_address) if mail.from_address else []
    borrower = found[0] if len(found) == 1 else None
    ticket = open_ticket(
        kind=TicketKind.INQUIRY,
        subject=(mail.subject or _("(no subject)"))[:300],
        origin=Origin.EMAIL,
        body=body,
        borrower=borrower,
        requester_name=mail.from_name[:200],
        requester_address=mail.from_address[:200],
        language=None if borrower else language_of(f"{mail.subject} {body}"),
        at=at,
    )
    message = ticket.messages.order_by("pk").first()
    if message is None:  # open_ticket keeps a non-empty body; never None in practice
        raise ValidationError("body", _("the mail has no text"))
    message.email_message_id = mail.message_id
    message.in_reply_to = mail.in_reply_to[0] if mail.in_reply_to else ""
    message.save(update_fields=["email_message_id", "in_reply_to"])
    if len(found) > 1:
        record_event(
            ticket,
            TicketEventKind.RECEIVED,
            at=at,
            reason="mail.several_borrowers",
            params={"borrowers": [b.pk for b in found], "address": mail.from_address},
        )
    _record_contact(message, mail, at=at)
    return MailReceipt(OPENED, ticket=ticket, message=message)


def _record_contact(message: TicketMessage, mail: ParsedMail, *, at: dt.datetime) -> None:
    """The borrower's mail into the shared contact history, linked to the ticket message."""
    borrower: Borrower | None = message.ticket.borrower
    if borrower is None or not mail.from_address:
        return
    attempt: ContactAttempt = record_contact_attempt(
        borrower=borrower,
        channel=Channel.EMAIL,
        address=mail.from_address,
        outcome=AttemptOutcome.DELIVERED,
        direction=Direction.INBOUND,
        purpose=Purpose.SERVICING,
        started_at=at,
        by="borrower",
        clock=FixedClock(at),
    )
    message.contact_attempt = attempt
    message.save(update_fields=["contact_attempt"])


def _set_aside(
    mail: ParsedMail, raw: bytes, *, ticket: Ticket | None, reason: str, at: dt.datetime
) -> MailReceipt:
    """Keep a robot's mail off the ticket (no reopening, no SLA clock), saying why."""
    if mail.is_bounce_report:
        bounced = record_bounce_report(report=raw)
        reply = TicketMessage.objects.filter(outbox_message__in=bounced).first()
        ticket = ticket or (reply.ticket if reply is not None else None)
    if ticket is not None:
        record_event(
            ticket,
            TicketEventKind.RECEIVED,
            at=at,
            reason=f"mail.set_aside.{reason}",
            params={"message_id": mail.message_id, "from": mail.from_address, "kept": False},
        )
    logger.info("mail %s from %s set aside: %s", mail.message_id, mail.from_address, reason)
    return MailReceipt(IGNORED, ticket=ticket, reason=reason)
