"""Care desk API: channels — mail that a provider POSTs instead of delivering by SMTP.

`POST /api/v1/care/inbound-email` takes the raw RFC 5322 message as the request body
(`Content-Type: message/rfc822`, or any type: the body is read as bytes) from a caller with an
API token whose user may add ticket messages (`care.add_ticketmessage`): a mail provider's
inbound-parse webhook, or a relay. The answer says what became of it, exactly as the mail
server's would: a new ticket (201), threaded onto one, a duplicate, or set aside and why (200).
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Header, Router, Schema, Status

from arrears.care.services.mail import OPENED, receive_email
from arrears.common.permissions import require_permissions
from arrears.common.problems import error_responses

router = Router(tags=["care"])

RECEIVE_MAIL = "care.add_ticketmessage"
EnvelopeFrom = Annotated[
    str | None,
    Header(
        alias="Envelope-From", max_length=300, description='the SMTP MAIL FROM ("<>": a bounce)'
    ),
]


class InboundEmailOut(Schema):
    """What became of a mail."""

    outcome: str  # opened | threaded | duplicate | ignored
    ticket: str | None  # the ticket's reference, T0000123
    message: int | None  # the ticket message's id
    reason: str  # why it was set aside: bounce, auto_submitted, auto_reply, bulk, from_ourselves


_RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/inbound-email",
    response={200: InboundEmailOut, 201: InboundEmailOut, **error_responses(401, 403, 422)},
    openapi_extra=_RAW_BODY,
)
def post_inbound_email(
    request: HttpRequest,
    envelope_from: EnvelopeFrom = None,
) -> Status[InboundEmailOut]:
    """Take in one raw e-mail (RFC 5322 bytes as the body): it threads onto its ticket by
    In-Reply-To/References or "[T0000123]" in the subject, else opens an inquiry; a duplicate
    Message-ID is taken once; bounces and auto-replies are set aside with the reason. The
    optional `Envelope-From` header is the SMTP MAIL FROM ("<>" marks a bounce)."""
    require_permissions(request, RECEIVE_MAIL)
    receipt = receive_email(request.body, envelope_from=envelope_from)
    body = InboundEmailOut(**receipt.as_dict())  # type: ignore[arg-type]
    return Status(201 if receipt.outcome == OPENED else 200, body)
