"""What the channels report after the hand-over: delivery status, bounces, inbound replies.

- `record_delivery_status`: the SMS provider's status webhook (delivered / failed) on the outbox
  message it names by its reference; a status never goes backwards.
- `record_bounce` / `record_bounce_report`: an e-mail bounce (a DSN, RFC 3464): the message is
  `bounced`, and after a hard (5.x.x) bounce the address is marked invalid.
- `record_inbound_sms`: a reply, threaded to the borrower with that number and stored as an
  inbound contact; STOP / 退订 / TD / unsubscribe opts that number out of SMS at once — only SMS,
  only that number.
"""

from __future__ import annotations

import dataclasses
import email
import email.message
import email.policy
import re
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.compliance.choices import AttemptOutcome, Channel, Direction
from arrears.compliance.services import record_contact_attempt, record_opt_out_if_stop
from arrears.core.clock import Clock, SystemClock
from arrears.engagement import hooks
from arrears.engagement.choices import OutboxStatus
from arrears.engagement.inbox import InboundMessage
from arrears.engagement.models import OutboxMessage
from arrears.servicing.selectors.contacts import borrowers_reached_at
from arrears.servicing.services.borrowers import mark_contact_point_invalid

_FINAL = {OutboxStatus.DELIVERED, OutboxStatus.BOUNCED}
_DELIVERED = {"delivered", "read"}
_FAILED = {"failed", "undelivered", "rejected", "expired"}


@transaction.atomic
def record_delivery_status(
    *, provider_ref: str, status: str, error: str = "", clock: Clock | None = None
) -> OutboxMessage | None:
    """Apply a provider's status to the message it names; None if no message has that reference.

    `delivered` → delivered; `failed` / `undelivered` → failed; interim statuses (queued, sent)
    change nothing. A delivered or bounced message stays so.
    """
    message = (
        OutboxMessage.objects.select_for_update().filter(provider_ref=provider_ref).first()
        if provider_ref
        else None
    )
    if message is None:
        return None
    status = status.strip().lower()
    if message.status in _FINAL:
        return message
    if status in _DELIVERED:
        message.status = OutboxStatus.DELIVERED
        message.save(update_fields=["status"])
    elif status in _FAILED:
        message.status = OutboxStatus.FAILED
        message.last_error = _("The provider reports %(status)s %(error)s") % {
            "status": status,
            "error": error,
        }
        message.save(update_fields=["status", "last_error"])
    return message


@dataclasses.dataclass(frozen=True)
class Bounce:
    """One recipient's failure in a delivery status notification."""

    message_id: str
    recipient: str
    status: str  # the enhanced status code, e.g. "5.1.1"
    diagnostic: str

    @property
    def hard(self) -> bool:
        return self.status.startswith("5")


def outbox_id_of(message_id: str) -> uuid.UUID | None:
    """The outbox message a Message-ID (`<uuid@domain>`) was sent for."""
    found = re.search(r"<?([0-9a-fA-F-]{36})@", message_id or "")
    if not found:
        return None
    try:
        return uuid.UUID(found.group(1))
    except ValueError:
        return None


def parse_bounce_report(report: bytes) -> list[Bounce]:
    """The failed recipients of a DSN (multipart/report; report-type=delivery-status)."""
    parsed = email.message_from_bytes(report, policy=email.policy.compat32)
    message_id = ""
    statuses: list[dict[str, str]] = []
    for part in parsed.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "text/rfc822-headers"):
            original = part.get_payload(0) if part.is_multipart() else None
            if isinstance(original, email.message.Message):
                message_id = original.get("Message-ID", "") or message_id
            else:
                text = part.get_payload(decode=True) or b""
                headers = email.message_from_bytes(bytes(text))
                message_id = headers.get("Message-ID", "") or message_id
        elif content_type == "message/delivery-status":
            for block in part.get_payload() or []:
                if isinstance(block, email.message.Message) and block.get("Action"):
                    statuses.append({k.lower(): str(v) for k, v in block.items()})
    if not message_id:
        message_id = parsed.get("X-Original-Message-ID", "")
    bounces = []
    for fields in statuses:
        if fields.get("action", "").strip().lower() not in ("failed", "delayed"):
            continue
        recipient = fields.get("final-recipient", "").split(";")[-1].strip()
        bounces.append(
            Bounce(
                message_id=message_id.strip(),
                recipient=recipient,
                status=fields.get("status", "").strip(),
                diagnostic=fields.get("diagnostic-code", "").strip(),
            )
        )
    return bounces


@transaction.atomic
def record_bounce(
    *, message_id: str, status: str, diagnostic: str = "", clock: Clock | None = None
) -> OutboxMessage | None:
    """An e-mail bounced: the message becomes `bounced`; a hard bounce (5.x.x) also marks the
    address invalid, so notices stop choosing it. None if the message is not ours."""
    outbox_id = outbox_id_of(message_id)
    if outbox_id is None:
        return None
    message = OutboxMessage.objects.select_for_update().filter(pk=outbox_id).first()
    if message is None:
        return None
    message.status = OutboxStatus.BOUNCED
    message.last_error = _("Bounced (%(status)s): %(diagnostic)s") % {
        "status": status,
        "diagnostic": diagnostic,
    }
    message.save(update_fields=["status", "last_error"])
    if status.startswith("5"):
        mark_contact_point_invalid(borrower=message.borrower_id, value=message.address)
    return message


def record_bounce_report(*, report: bytes, clock: Clock | None = None) -> list[OutboxMessage]:
    """Record every failure of a DSN received at the bounce address; returns the messages."""
    recorded = []
    with transaction.atomic():
        for bounce in parse_bounce_report(report):
            if bounce.status.startswith("4"):
                continue  # delayed: the server keeps trying
            message = record_bounce(
                message_id=bounce.message_id,
                status=bounce.status,
                diagnostic=bounce.diagnostic,
                clock=clock,
            )
            if message is not None:
                recorded.append(message)
    return recorded


@transaction.atomic
def record_inbound_sms(
    *,
    from_number: str,
    to_number: str,
    text: str,
    provider_ref: str,
    clock: Clock | None = None,
) -> list[InboundMessage]:
    """Store a text received from `from_number`, threaded to the borrower(s) with that number
    (and to the last message sent there), as an inbound contact; a STOP opts the number out of
    SMS at once. A provider's retry of the same message (same reference) changes nothing.
    Each stored text that is not an opt-out goes to `hooks.inbound_received` (the care desk
    threads it onto a ticket) in this same transaction."""
    now = (clock or SystemClock()).now()
    if InboundMessage.objects.filter(provider_ref__startswith=provider_ref).exists():
        return list(InboundMessage.objects.filter(provider_ref__startswith=provider_ref))
    borrowers = borrowers_reached_at(from_number)
    stored: list[InboundMessage] = []
    for index, borrower in enumerate(borrowers or [None]):
        opted_out = False
        last_sent = None
        if borrower is not None:
            record_contact_attempt(
                borrower=borrower,
                channel=Channel.SMS,
                address=from_number,
                outcome=AttemptOutcome.DELIVERED,
                direction=Direction.INBOUND,
                started_at=now,
                by="borrower",
                clock=clock,
            )
            opted_out = (
                record_opt_out_if_stop(
                    borrower=borrower,
                    channel=Channel.SMS,
                    address=from_number,
                    text=text,
                    clock=clock,
                )
                is not None
            )
            last_sent = (
                OutboxMessage.objects.filter(
                    borrower=borrower, channel=Channel.SMS, address=from_number
                )
                .exclude(sent_at=None)
                .order_by("-sent_at")
                .first()
            )
        inbound = InboundMessage.objects.create(
            channel=Channel.SMS,
            borrower=borrower,
            from_address=from_number,
            to_address=to_number,
            body=text,
            provider_ref=provider_ref if index == 0 else f"{provider_ref}#{index}",
            in_reply_to=last_sent,
            is_opt_out=opted_out,
            received_at=now,
        )
        hooks.inbound_received(inbound)
        stored.append(inbound)
    return stored
