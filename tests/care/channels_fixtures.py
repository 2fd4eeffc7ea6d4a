"""What the e-mail and SMS tests share: a Shanghai borrower with the bundled profiles and notice
templates, the desk's clock (Wednesday 15 January 2025, 10:00 in Shanghai), the desk's own SMTP
server (aiosmtpd + `CareMailHandler` on a free port), an outgoing SMTP sink, and mail builders.

Import into a test module with `from tests.care.channels_fixtures import *`.
"""

from __future__ import annotations

import email.message
import email.utils
import smtplib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.compliance.conftest import CN_MORNING, cn_clock, mobile_of, profiles
from tests.engagement.channel_support import SmtpRecorder, smtp_server

__all__ = [
    "CN_MORNING",
    "DeskMail",
    "borrower_loan",
    "cn_clock",
    "desk_mail",
    "mail",
    "mobile_of",
    "profiles",
    "smtp_server",
    "templates",
]

DESK_ADDRESS = "care@lender.example"


@pytest.fixture
def templates(profiles):  # type: ignore[no-untyped-def]
    """The bundled notice templates (care replies among them), active."""
    from arrears.engagement.services import load_templates

    return load_templates()


@pytest.fixture
def borrower_loan(templates):  # type: ignore[no-untyped-def]
    """A CNY loan of a Shanghai borrower with a mobile number and an e-mail address."""
    from tests.factories import make_loan_account

    return make_loan_account()


def mail(
    *,
    sender: str,
    subject: str,
    body: str,
    message_id: str,
    in_reply_to: str = "",
    charset: str = "utf-8",
    headers: dict[str, str] | None = None,
) -> email.message.EmailMessage:
    """A plain-text mail to the desk, its text in `charset`, its subject RFC 2047-encoded."""
    message = email.message.EmailMessage()
    message["From"] = sender
    message["To"] = DESK_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = email.utils.format_datetime(CN_MORNING)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, charset=charset)
    return message


@dataclass
class DeskMail:
    """The desk's SMTP server under test: send to it, read what it took in."""

    host: str
    port: int
    handler: Any

    def send(self, message: email.message.EmailMessage | bytes, *, sender: str = "") -> None:
        with smtplib.SMTP(self.host, self.port, timeout=10) as client:
            if isinstance(message, bytes):
                client.sendmail(sender, [DESK_ADDRESS], message)
            else:
                client.send_message(message, to_addrs=[DESK_ADDRESS])


@pytest.fixture
def desk_mail(cn_clock) -> Iterator[DeskMail]:  # type: ignore[no-untyped-def]
    """The care mail server on 127.0.0.1 (a free port), taking mail in on the desk's clock."""
    from arrears.care.mail_server import CareMailHandler

    handler = CareMailHandler(clock=cn_clock)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield DeskMail("127.0.0.1", port, handler)
    finally:
        controller.stop()


# keep the imported fixtures visible to the modules that star-import this one
_FIXTURES = (cn_clock, mobile_of, profiles, smtp_server, SmtpRecorder)
