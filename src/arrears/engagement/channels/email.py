"""E-mail over SMTP, through Django's e-mail backends.

Each message carries `Message-ID: <{idempotency key}@{ARREARS_EMAIL_MESSAGE_ID_DOMAIN}>`, the
same on every retry of one outbox message, so a receiver (or our own bounce handling) can tell
a re-sent copy from a new message. SMTP itself has no idempotency: see docs/engagement-channels.md
for the residual risk after a crash and how it is bounded.

A refusal by the server of the recipient (5xx) is permanent; anything else that stops the
hand-over (connection refused, timeout, 4xx) is transient and the dispatcher tries again later.
"""

from __future__ import annotations

import smtplib
import uuid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.translation import gettext as _

from arrears.compliance.choices import Channel
from arrears.core.clock import Clock
from arrears.engagement.channels.base import (
    ChannelAdapter,
    Delivery,
    DeliveryFailed,
    OutboundMessage,
)


def message_id_for(key: str) -> str:
    """The Message-ID header of the message with this idempotency key."""
    domain = getattr(settings, "ARREARS_EMAIL_MESSAGE_ID_DOMAIN", "") or "arrears.invalid"
    return f"<{key}@{domain}>"


class EmailAdapter(ChannelAdapter):
    """Sends through the configured Django e-mail backend (SMTP by default)."""

    channel = Channel.EMAIL

    def __init__(self, *, clock: Clock | None = None, **connection: Any) -> None:
        super().__init__(clock=clock)
        self.connection_options = connection or _connection_from_settings()

    def deliver(self, message: OutboundMessage, *, permit_id: uuid.UUID) -> Delivery:
        key = message.idempotency_key or str(permit_id)
        message_id = message_id_for(key)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.ARREARS_EMAIL_FROM,
            to=[message.address],
            headers={
                **message.headers,
                "Message-ID": message_id,
                "X-Arrears-Outbox": key,
                "Content-Language": message.language,
            },
            connection=get_connection(**self.connection_options),
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _text in refused.recipients.values()]
            raise DeliveryFailed(
                _("The mail server refused the address %(address)s (%(codes)s).")
                % {"address": message.address, "codes": ", ".join(map(str, codes))},
                transient=all(400 <= code < 500 for code in codes),
            ) from refused
        except smtplib.SMTPResponseException as error:
            raise DeliveryFailed(
                _("The mail server answered %(code)s: %(text)s")
                % {"code": error.smtp_code, "text": _text_of(error.smtp_error)},
                transient=not 500 <= error.smtp_code < 600,
            ) from error
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(
                _("The mail server could not be reached: %(error)s") % {"error": error},
                transient=True,
            ) from error
        return Delivery(
            permit_id=permit_id,
            channel=self.channel,
            address=message.address,
            provider_ref=message_id,
            delivered_at=self.clock.now(),
        )


def _text_of(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _connection_from_settings() -> dict[str, Any]:
    return {
        "backend": settings.ARREARS_EMAIL_BACKEND,
        "host": settings.ARREARS_EMAIL_HOST,
        "port": settings.ARREARS_EMAIL_PORT,
        "username": settings.ARREARS_EMAIL_USER or None,
        "password": settings.ARREARS_EMAIL_PASSWORD or None,
        "use_tls": settings.ARREARS_EMAIL_USE_TLS,
        "use_ssl": settings.ARREARS_EMAIL_USE_SSL,
        "timeout": settings.ARREARS_EMAIL_TIMEOUT,
    }
