"""Real local servers for the channel tests: an SMTP server (aiosmtpd) and a stub SMS provider,
plus helpers to write outbox rows. Test modules import the fixtures they use from here."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.message
import email.policy
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller

from tests.compliance.conftest import CN_MORNING, cn_clock, cn_loan, mobile_of, profiles

__all__ = [
    "CN_MORNING",
    "cn_clock",
    "cn_loan",
    "letter_dir",
    "mobile_of",
    "profiles",
    "sms_provider",
    "smtp_server",
]


class SmtpRecorder:
    """Keeps every message the server accepted; refuses recipients at `bounce.invalid`."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@bounce.invalid"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpRecorder]:  # type: ignore[no-untyped-def]
    """A real SMTP server on 127.0.0.1 (random port); the settings point the adapter at it."""
    recorder = SmtpRecorder()
    with socket.socket() as probe:  # a free port (aiosmtpd cannot report the one it was given)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.ARREARS_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.ARREARS_EMAIL_HOST = "127.0.0.1"
    settings.ARREARS_EMAIL_PORT = port
    settings.ARREARS_EMAIL_FROM = "Arrears <notices@lender.example>"
    settings.ARREARS_EMAIL_MESSAGE_ID_DOMAIN = "lender.example"
    try:
        yield recorder
    finally:
        controller.stop()


class SmsProvider:
    """A Twilio-style provider: POST form To/From/Body, basic auth, deduped by Idempotency-Key."""

    account = "AC123"
    token = "secret-token"

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.sent: dict[str, dict[str, Any]] = {}  # Idempotency-Key → message
        self.fail_next: list[int] = []  # statuses to answer with before accepting
        self.lock = threading.Lock()

    def texts(self) -> list[dict[str, Any]]:
        return list(self.sent.values())


@pytest.fixture
def sms_provider(settings) -> Iterator[SmsProvider]:  # type: ignore[no-untyped-def]
    provider = SmsProvider()
    expected_auth = (
        "Basic " + base64.b64encode(f"{provider.account}:{provider.token}".encode()).decode()
    )

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            key = self.headers.get("Idempotency-Key", "")
            auth = self.headers.get("Authorization")
            with provider.lock:
                provider.requests.append({"form": form, "key": key, "auth": auth})
                if auth != expected_auth:
                    status, answer = 401, {"message": "bad credentials"}
                elif provider.fail_next:
                    status, answer = provider.fail_next.pop(0), {"message": "try later"}
                elif key in provider.sent:
                    status, answer = 200, provider.sent[key]
                else:
                    answer = {"sid": f"SM{uuid.uuid4().hex}", "status": "queued", **form}
                    provider.sent[key or answer["sid"]] = answer
                    status = 201
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    settings.ARREARS_SMS_PROVIDER = "http"
    settings.ARREARS_SMS_URL = (
        f"http://127.0.0.1:{port}/2010-04-01/Accounts/{provider.account}/Messages.json"
    )
    settings.ARREARS_SMS_ACCOUNT = provider.account
    settings.ARREARS_SMS_TOKEN = provider.token
    settings.ARREARS_SMS_FROM = "+8610690000"
    settings.ARREARS_SMS_TIMEOUT = 5
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def letter_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.ARREARS_LETTER_DIR = tmp_path / "letters"
    settings.ARREARS_LENDER_NAME = "示例消费金融有限公司"
    settings.ARREARS_LAW_FIRM_NAME = "示例律师事务所"
    return tmp_path / "letters"


def address_for(channel: str, borrower) -> str:  # type: ignore[no-untyped-def]
    """The address a message on `channel` goes to for this borrower."""
    if channel == "sms":
        return mobile_of(borrower)
    if channel == "email":
        return borrower.email
    if channel == "letter":
        return f"{borrower.address_line}, {borrower.city} {borrower.postal_code}"
    return f"borrower:{borrower.reference}"


def make_outbox(account, *, channel: str, clock, **fields):  # type: ignore[no-untyped-def]
    """An outbox row due now, as a producer writes it."""
    from arrears.engagement.models import OutboxMessage

    borrower = account.borrower
    values: dict[str, Any] = {
        "idempotency_key": f"test:{uuid.uuid4().hex}:{channel}",
        "borrower": borrower,
        "account": account,
        "kind": "due_reminder",
        "purpose": "servicing",
        "channel": channel,
        "address": address_for(channel, borrower),
        "language": "zh-hans",
        "subject": "还款提醒" if channel != "sms" else "",
        "body": "您的还款日为1月20日，应还¥1,000.00。回复TD退订",
        "next_attempt_at": clock.now(),
        "created_at": clock.now(),
    }
    values.update(fields)
    return OutboxMessage.objects.create(**values)


def advance(clock, **delta: float) -> None:  # type: ignore[no-untyped-def]
    clock.advance(dt.timedelta(**delta))
