"""SMS through a Twilio-style HTTP API, and the signature of the provider's webhooks.

`HttpSmsAdapter` POSTs a form (`To`, `From`, `Body`, `StatusCallback`) to `ARREARS_SMS_URL` with
HTTP basic auth (`ARREARS_SMS_ACCOUNT` / `ARREARS_SMS_TOKEN`) and an `Idempotency-Key` header:
the outbox message's key, the same on every retry, so a provider that has the message already
answers with it instead of sending it twice (this is what makes a re-send after a crash safe).
The provider's message id (`sid`) is the delivery's `provider_ref`; its status webhooks name it.

A 4xx answer (bad number, refused content) is permanent; a 429, a 5xx or no answer is transient.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from arrears.compliance.choices import Channel
from arrears.core.clock import Clock
from arrears.engagement.channels.base import (
    ChannelAdapter,
    Delivery,
    DeliveryFailed,
    OutboundMessage,
)

SIGNATURE_HEADER = "X-Arrears-Signature"


def sign(body: bytes, secret: str) -> str:
    """The signature a webhook must carry: hex HMAC-SHA256 of the raw request body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_is_valid(body: bytes, signature: str, secret: str) -> bool:
    """Constant-time check of a webhook signature (a `sha256=` prefix is allowed)."""
    if not secret or not signature:
        return False
    given = signature.strip().removeprefix("sha256=")
    return hmac.compare_digest(sign(body, secret), given)


class HttpSmsAdapter(ChannelAdapter):
    """Hands texts to the configured HTTP provider."""

    channel = Channel.SMS

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        url: str | None = None,
        account: str | None = None,
        token: str | None = None,
        sender: str | None = None,
        status_callback: str | None = None,
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.url = url or settings.ARREARS_SMS_URL
        self.auth = (
            account if account is not None else settings.ARREARS_SMS_ACCOUNT,
            token if token is not None else settings.ARREARS_SMS_TOKEN,
        )
        self.sender = sender if sender is not None else settings.ARREARS_SMS_FROM
        self.status_callback = (
            status_callback if status_callback is not None else settings.ARREARS_SMS_STATUS_CALLBACK
        )
        self.timeout = timeout if timeout is not None else settings.ARREARS_SMS_TIMEOUT
        self.transport = transport

    def deliver(self, message: OutboundMessage, *, permit_id: uuid.UUID) -> Delivery:
        key = message.idempotency_key or str(permit_id)
        form: dict[str, str] = {"To": message.address, "From": self.sender, "Body": message.body}
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(
                    self.url, data=form, auth=self.auth, headers={"Idempotency-Key": key}
                )
        except httpx.HTTPError as error:
            raise DeliveryFailed(
                _("The SMS provider could not be reached: %(error)s") % {"error": error},
                transient=True,
            ) from error
        if response.status_code >= 400:
            raise DeliveryFailed(
                _("The SMS provider refused the text (%(status)s): %(text)s")
                % {"status": response.status_code, "text": response.text[:200]},
                transient=response.status_code in (408, 409, 425, 429)
                or response.status_code >= 500,
            )
        answer: dict[str, Any] = _json(response)
        sid = str(answer.get("sid") or answer.get("id") or "")
        if not sid:
            raise DeliveryFailed(
                _("The SMS provider did not say which message it took."), transient=True
            )
        return Delivery(
            permit_id=permit_id,
            channel=self.channel,
            address=message.address,
            provider_ref=sid,
            delivered_at=self.clock.now(),
        )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
