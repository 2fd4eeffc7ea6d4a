"""A real dispatcher process, killed with SIGKILL in the middle of a batch and started again.

No hooks, no exceptions raised inside the dispatcher: `arrears notices dispatch` runs as its own
process against a database file (SQLite) or a scratch database (PostgreSQL), and hands the
messages over real sockets to a local SMS provider (HTTP) or a local SMTP server (aiosmtpd).
Both answer slowly (50 ms a message). When the provider has *taken* the K-th message — and
before it answers — the test kills the process: the worst moment, after the hand-over and
before the dispatcher's commit. Once the lease has run out a second process finishes the batch.

- SMS: the provider dedupes on `Idempotency-Key`, so every text reaches the phone exactly once
  (the K-th is asked for twice and answered with the message already taken).
- E-mail: SMTP has no such key. The K-th e-mail is handed over twice, with the same Message-ID:
  at least once, at most one duplicate per kill, and the receiver can tell it is one.

Every process's clock is the real clock moved to a Shanghai weekday morning, so the compliance
gate's contact hours allow the messages whatever time the tests run.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import email
import email.policy
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parents[2]
#: Messages in the batch, and the one the provider has taken when the dispatcher is killed.
MESSAGES = 12
KILLED_AT = 5
#: How long a provider takes to answer; the lease after which a dead run's rows are taken up.
ANSWER_DELAY = 0.05
LEASE_SECONDS = 1
#: Wednesday 15 January 2025, 10:00 in Shanghai: inside every contact window of the CN profile.
SHANGHAI_MORNING = dt.datetime(2025, 1, 15, 2, 0, tzinfo=dt.UTC)

#: Run first in every child process: the real clock, moved to the Shanghai morning.
SHIFTED_CLOCK = """\
import datetime as dt, os
from arrears.core import clock as _clock
_offset = dt.timedelta(seconds=float(os.environ["TEST_CLOCK_OFFSET_SECONDS"]))
_real_now = _clock.SystemClock.now
_clock.SystemClock.now = lambda self: _real_now(self) + _offset
"""
#: A child that runs this module's functions, and one that runs the `arrears` command.
DJANGO = "import django\ndjango.setup()\nfrom tests.engagement import test_dispatcher_killed as t\n"
DISPATCHER = (
    "import sys\nfrom arrears.cli import main\nsys.argv = ['arrears', *sys.argv[1:]]\nmain()\n"
)


# --- what the child processes run -------------------------------------------------------------
def seed_accounts(count: int) -> None:
    """`count` Shanghai borrowers, each with a loan, a mobile number and an e-mail address."""
    from tests.factories import make_loan_account

    for _ in range(count):
        make_loan_account()


def seed_outbox(channel: str) -> None:
    """One message on `channel` to every borrower, due now."""
    from arrears.core.clock import SystemClock
    from arrears.servicing.models import Account
    from tests.engagement.channel_support import make_outbox

    clock = SystemClock()
    for account in Account.objects.select_related("borrower").order_by("pk"):
        make_outbox(account, channel=channel, clock=clock)


def report() -> None:
    """Print every outbox row with its permit and the contacts recorded on it, as JSON."""
    from django.db.models import Count

    from arrears.compliance.models import ContactAttempt
    from arrears.engagement.models import OutboxMessage

    contacts = dict(
        ContactAttempt.objects.values("permit_id")
        .annotate(n=Count("id"))
        .values_list("permit_id", "n")
    )
    rows = [
        {
            "id": str(row.pk),
            "status": row.status,
            "provider_ref": row.provider_ref,
            "permit_used": row.permit is not None and row.permit.used_at is not None,
            "contacts": contacts.get(row.permit_id, 0),
        }
        for row in OutboxMessage.objects.select_related("permit").order_by("created_at", "pk")
    ]
    print(json.dumps({"rows": rows, "contacts": ContactAttempt.objects.count()}))


# --- the databases ------------------------------------------------------------------------------
def child_environment(**overrides: str) -> dict[str, str]:
    """What a child process runs with: the dev settings, a one-second lease, the shifted clock."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ARREARS_", "DJANGO_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="arrears.config.settings.dev",
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "src")]),
        ARREARS_LANGUAGE="en",
        ARREARS_LOG_LEVEL="ERROR",
        ARREARS_OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
        TEST_CLOCK_OFFSET_SECONDS=str((SHANGHAI_MORNING - dt.datetime.now(dt.UTC)).total_seconds()),
    )
    env.update(overrides)
    return env


def run_child(code: str, env: dict[str, str], *args: str) -> str:
    """Run Python `code` in a child process; its stdout (it must succeed)."""
    done = subprocess.run(
        [sys.executable, "-c", SHIFTED_CLOCK + code, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _postgres_url() -> str | None:
    """The PostgreSQL server the tests run on, if they do."""
    from django.conf import settings

    engine = str(settings.DATABASES["default"].get("ENGINE", ""))
    return os.environ.get("ARREARS_DATABASE_URL") if "postgresql" in engine else None


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _admin_sql(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(server, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


class PreparedDatabase:
    """One database made ready by `arrears init` plus the borrowers; each test gets a copy.

    SQLite: a file in a temporary folder, copied with SQLite's backup. PostgreSQL: a scratch
    database named after the test database, cloned with `CREATE DATABASE … TEMPLATE`; every
    database made here is dropped at the end.
    """

    def __init__(self, home: Path) -> None:
        self.home = home
        self.server = _postgres_url()
        self.base = (urlsplit(self.server).path.lstrip("/") or "arrears") if self.server else ""
        self.made: list[str] = []
        self.environment = child_environment(ARREARS_HOME=str(home))
        if self.server:
            self.template = self._create()
            self.environment["ARREARS_DATABASE_URL"] = _with_database(self.server, self.template)

    def _create(self, template: str = "") -> str:
        assert self.server is not None
        name = f"{self.base}_killed_{uuid.uuid4().hex[:12]}"
        clone = f' TEMPLATE "{template}"' if template else ""
        _admin_sql(self.server, f'CREATE DATABASE "{name}"{clone}')
        self.made.append(name)
        return name

    def copy_to(self, folder: Path) -> dict[str, str]:
        """A copy for one test (its files in `folder`); the environment that points at it."""
        if self.server:
            return {
                "ARREARS_DATABASE_URL": _with_database(self.server, self._create(self.template))
            }
        source = sqlite3.connect(self.home / "arrears.sqlite3")
        target = sqlite3.connect(folder / "arrears.sqlite3")
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return {}

    def drop_all(self) -> None:
        for name in reversed(self.made):
            _admin_sql(self.server or "", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreparedDatabase]:
    database = PreparedDatabase(tmp_path_factory.mktemp("prepared"))
    try:
        run_child(
            "from arrears.cli import main\nimport sys\nsys.argv = ['arrears', 'init']\n"
            "try:\n    main()\nexcept SystemExit as done:\n    assert not done.code\n",
            database.environment,
        )
        run_child(DJANGO + f"t.seed_accounts({MESSAGES})\n", database.environment)
        yield database
    finally:
        database.drop_all()


@pytest.fixture
def scratch(prepared: PreparedDatabase, tmp_path: Path) -> dict[str, str]:
    """The environment of this test's own copy of the prepared database."""
    return child_environment(ARREARS_HOME=str(tmp_path), **prepared.copy_to(tmp_path))


# --- the providers ------------------------------------------------------------------------------
class KillSwitch:
    """Set by a provider once it has taken the `KILLED_AT`-th message; it then holds its answer
    until the test has killed the dispatcher (`released`)."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()
        self.held_key = ""


class SlowSmsProvider:
    """A Twilio-style provider: takes a text at once, answers 50 ms later, dedupes by key."""

    account = "AC-killed"
    token = "secret-token"

    def __init__(self) -> None:
        self.requests: list[str] = []  # the Idempotency-Key of every request, in order
        self.sent: dict[str, dict[str, str]] = {}  # Idempotency-Key → the message taken
        self.lock = threading.Lock()
        self.switch = KillSwitch()
        self.hold_at = KILLED_AT  # 0: hold nothing

    def take(self, key: str, form: dict[str, str]) -> tuple[int, dict[str, str], bool]:
        """(status, answer, hold the answer until the dispatcher is dead)."""
        with self.lock:
            self.requests.append(key)
            if key in self.sent:
                return 200, self.sent[key], False
            self.sent[key] = {"sid": f"SM{uuid.uuid4().hex}", "status": "queued", **form}
            hold = len(self.sent) == self.hold_at
            if hold:
                self.switch.held_key = key
            return 201, self.sent[key], hold


@pytest.fixture
def sms_provider() -> Iterator[tuple[SlowSmsProvider, dict[str, str]]]:
    provider = SlowSmsProvider()
    expected = "Basic " + base64.b64encode(f"{provider.account}:{provider.token}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.headers.get("Authorization") != expected:
                status, answer, hold = 401, {"message": "bad credentials"}, False
            else:
                status, answer, hold = provider.take(self.headers["Idempotency-Key"], form)
            if hold:
                provider.switch.reached.set()
                provider.switch.released.wait(30)
            else:
                time.sleep(ANSWER_DELAY)
            body = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the dispatcher is dead: nobody reads the answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/2010-04-01/Accounts/AC/Messages.json"
    try:
        yield (
            provider,
            {
                "ARREARS_SMS_PROVIDER": "http",
                "ARREARS_SMS_URL": url,
                "ARREARS_SMS_ACCOUNT": provider.account,
                "ARREARS_SMS_TOKEN": provider.token,
                "ARREARS_SMS_FROM": "+8610690000",
                "ARREARS_SMS_TIMEOUT": "30",
            },
        )
    finally:
        provider.switch.released.set()
        server.shutdown()
        server.server_close()


class SlowMailServer:
    """An SMTP server (aiosmtpd) that keeps every message it accepts and answers 50 ms later."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.switch = KillSwitch()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message_id = str(parsed["Message-ID"])
        new = message_id not in self.message_ids
        self.message_ids.append(message_id)
        if new and len(set(self.message_ids)) == KILLED_AT:
            self.switch.held_key = message_id
            self.switch.reached.set()
            while not self.switch.released.is_set():
                await asyncio.sleep(0.01)
        else:
            await asyncio.sleep(ANSWER_DELAY)
        return "250 Message accepted for delivery"


@pytest.fixture
def mail_server() -> Iterator[tuple[SlowMailServer, dict[str, str]]]:
    server = SlowMailServer()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield (
            server,
            {
                "ARREARS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "ARREARS_EMAIL_HOST": "127.0.0.1",
                "ARREARS_EMAIL_PORT": str(port),
                "ARREARS_EMAIL_FROM": "Arrears <notices@lender.example>",
                "ARREARS_EMAIL_MESSAGE_ID_DOMAIN": "lender.example",
                "ARREARS_EMAIL_TIMEOUT": "30",
            },
        )
    finally:
        server.switch.released.set()
        controller.stop()


# --- the dispatcher process ---------------------------------------------------------------------
def start_dispatcher(env: dict[str, str], workdir: Path) -> subprocess.Popen[str]:
    log = (workdir / "killed-dispatcher.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-c", SHIFTED_CLOCK + DISPATCHER, "notices", "dispatch", "--json"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )


def kill_when_taken(process: subprocess.Popen[str], switch: KillSwitch, workdir: Path) -> None:
    """SIGKILL the dispatcher once the provider holds the K-th message, then let it answer."""
    while not switch.reached.wait(0.05):
        if process.poll() is not None:
            log = (workdir / "killed-dispatcher.log").read_text()
            pytest.fail(f"the dispatcher ended before it was killed ({process.returncode}):\n{log}")
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    switch.released.set()
    time.sleep(LEASE_SECONDS + 0.2)  # the dead run's lease runs out


def dispatch_again(env: dict[str, str]) -> dict[str, int]:
    """Restart the dispatcher; the counts it prints."""
    return json.loads(run_child(DISPATCHER, env, "notices", "dispatch", "--json"))


def outbox(env: dict[str, str]) -> dict[str, Any]:
    return json.loads(run_child(DJANGO + "t.report()\n", env))


# --- the tests ----------------------------------------------------------------------------------
def test_a_killed_dispatcher_restarted_sends_every_text_exactly_once(
    scratch, sms_provider, tmp_path
):
    provider, sms_settings = sms_provider
    env = {**scratch, **sms_settings}
    run_child(DJANGO + "t.seed_outbox('sms')\n", env)

    kill_when_taken(start_dispatcher(env, tmp_path), provider.switch, tmp_path)
    taken_before_restart = len(provider.sent)
    restarted = dispatch_again(env)

    # killed mid-batch: the provider had K texts, K − 1 were committed as sent, the K-th was not
    assert taken_before_restart == KILLED_AT < MESSAGES
    assert restarted["claimed"] == MESSAGES - KILLED_AT + 1
    assert restarted["sent"] == restarted["claimed"]
    state = outbox(env)
    rows = state["rows"]
    assert len(rows) == MESSAGES
    assert {row["status"] for row in rows} == {"sent"}
    assert all(row["permit_used"] and row["contacts"] == 1 for row in rows)
    assert state["contacts"] == MESSAGES
    # each text reached the provider exactly once; the one caught by the kill was asked for
    # again with the same key and answered with the message already taken
    assert sorted(provider.sent) == sorted(row["id"] for row in rows)
    asked = Counter(provider.requests)
    assert asked[provider.switch.held_key] == 2
    assert sorted(asked.values()) == [1] * (MESSAGES - 1) + [2]
    assert {row["provider_ref"] for row in rows} == {t["sid"] for t in provider.sent.values()}


def test_a_killed_dispatcher_restarted_repeats_at_most_the_one_email_in_flight(
    scratch, mail_server, tmp_path
):
    server, mail_settings = mail_server
    env = {**scratch, **mail_settings}
    run_child(DJANGO + "t.seed_outbox('email')\n", env)

    kill_when_taken(start_dispatcher(env, tmp_path), server.switch, tmp_path)
    restarted = dispatch_again(env)

    assert restarted["claimed"] == MESSAGES - KILLED_AT + 1
    state = outbox(env)
    rows = state["rows"]
    assert {row["status"] for row in rows} == {"sent"}
    assert all(row["permit_used"] and row["contacts"] == 1 for row in rows)
    # SMTP has no idempotency key: the e-mail taken by the server when the dispatcher died went
    # out again — at least once, at most one duplicate per kill, and with the same Message-ID
    received = Counter(server.message_ids)
    assert set(received) == {f"<{row['id']}@lender.example>" for row in rows}
    assert received[server.switch.held_key] == 2
    assert sorted(received.values()) == [1] * (MESSAGES - 1) + [2]
    assert {row["provider_ref"] for row in rows} == set(received)


def test_a_looping_dispatcher_finishes_its_batch_when_told_to_stop(scratch, sms_provider, tmp_path):
    provider, sms_settings = sms_provider
    provider.hold_at = 0
    env = {**scratch, **sms_settings}
    run_child(DJANGO + "t.seed_outbox('sms')\n", env)
    command = ["notices", "dispatch", "--loop", "--interval", "0.2", "--json"]
    process = subprocess.Popen(
        [sys.executable, "-c", SHIFTED_CLOCK + DISPATCHER, *command],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while len(provider.sent) < MESSAGES and process.poll() is None:
        time.sleep(0.02)

    process.send_signal(signal.SIGTERM)  # as the last text is in flight, or just after
    output, errors = process.communicate(timeout=60)

    assert process.returncode == 0, errors
    counts = json.loads(output)
    assert (counts["claimed"], counts["sent"]) == (MESSAGES, MESSAGES)
    assert counts["batches"] >= 1
    assert {row["status"] for row in outbox(env)["rows"]} == {"sent"}
    assert sorted(Counter(provider.requests).values()) == [1] * MESSAGES


def test_the_dispatch_command_explains_itself_with_an_example():
    from typer.testing import CliRunner

    from arrears.cli import app

    result = CliRunner().invoke(app, ["notices", "dispatch", "--help"])

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout and "--loop" in result.stdout
