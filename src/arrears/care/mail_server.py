"""The desk's own mail server: an aiosmtpd handler that hands each mail to `receive_email`.

Run by `arrears care mail-server` (behind the MX, or as the target a mail provider forwards
to). The SMTP answer tells the sending server what to do: 250 once the mail is taken in (or
set aside, or a duplicate), 550 for a mail that cannot be read at all (it would fail again),
451 for anything else (the sender keeps the mail and tries later, so nothing is lost while the
database is away). Database work runs off the event loop (`sync_to_async`), on a connection
opened for the mail and closed after it.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connections

from arrears.care.services.mail import MailReceipt, receive_email
from arrears.core.clock import Clock
from arrears.core.errors import ValidationError

logger = logging.getLogger(__name__)


class CareMailHandler:
    """aiosmtpd handler: `Controller(CareMailHandler(), hostname=…, port=…)`."""

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.clock = clock
        self.receipts: list[MailReceipt] = []  # what this server took in (tests, the CLI log)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            receipt = await sync_to_async(self._take_in)(raw, envelope.mail_from)
        except ValidationError as error:
            logger.warning("mail refused: %s", error)
            return f"550 5.6.0 The mail cannot be read ({error.field})"  # ASCII: no SMTPUTF8
        except Exception:
            logger.exception("mail could not be taken in; the sender will try again")
            return "451 4.3.0 Temporary failure, please try again later"
        self.receipts.append(receipt)
        return "250 Message accepted for delivery"

    def _take_in(self, raw: bytes, mail_from: str | None) -> MailReceipt:
        """One mail, on a connection of its own: closed after, so an idle server holds none."""
        try:
            return receive_email(raw, envelope_from=mail_from, clock=self.clock)
        finally:
            connections.close_all()
