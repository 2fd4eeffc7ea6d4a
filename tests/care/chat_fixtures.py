"""Fixtures for web chat tests: a desk, its agents, portal borrowers, and a real ASGI server.

`chat_server` serves `arrears.config.asgi:application` with uvicorn in a background thread, the
way pytest-django's `live_server` serves WSGI: the test's rows are committed (`transactional_db`)
so the server's threads see them. On SQLite the test database lives in memory and a new
connection would see an empty database, so — as Django's `LiveServerThread` does — every thread
shares the test's one connection while the server runs. On PostgreSQL each server thread opens
its own connection; `CONN_MAX_AGE` is 0 meanwhile so each closes when its request ends.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client

from arrears.care.models import CareAgent, CareQueue, DeskCalendar
from tests.factories import make_borrower, next_number

__all__ = ["chat_server", "shared_test_connection"]

#: How long a test waits on the server before calling it hung (not a timing assertion: a busy
#: machine may be slow, a broken stream must not hang the suite).
HANG_GUARD_SECONDS = 60.0

#: Monday to Friday 09:00–18:00 in Shanghai, with China's public holidays.
OFFICE_HOURS = {
    "zone": "Asia/Shanghai",
    "country": "CN",
    "weekly": {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
}
#: Open round the clock, every day (the live-stream tests run at whatever time it is).
ROUND_THE_CLOCK = {
    "zone": "Asia/Shanghai",
    "weekly": {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


def make_chat_queue(hours: dict[str, Any] | None = None, **overrides: Any) -> CareQueue:
    """A queue taking chats in any language, on the given calendar (office hours by default)."""
    code = f"chat{next_number()}"
    calendar = DeskCalendar.objects.create(
        code=f"cal-{code}",
        name_en=code,
        name_zh=code,
        hours=hours or OFFICE_HOURS,
        saved_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    fields: dict[str, Any] = {"name_en": code, "name_zh": code, "calendar": calendar}
    fields.update(overrides)
    return CareQueue.objects.create(code=code, **fields)


def make_care_agent(
    queue: CareQueue, *, online_at: dt.datetime | None = None, max_chats: int = 3
) -> CareAgent:
    """A staff user with a service-agent profile in `queue`; online (seen at `online_at`)."""
    user = get_user_model().objects.create_user(username=f"agent{next_number()}", is_staff=True)
    agent = CareAgent.objects.create(
        user=user,
        max_chats=max_chats,
        is_online=online_at is not None,
        last_seen_at=online_at,
    )
    agent.queues.add(queue)
    return agent


def make_portal_borrower(**overrides: Any) -> Any:
    """A borrower who signs in to the portal (a Django user linked to the borrower)."""
    borrower = make_borrower(**overrides)
    borrower.user = get_user_model().objects.create_user(username=f"portal{next_number()}")
    borrower.save(update_fields=["user"])
    return borrower


def signed_in_cookies(user: Any) -> dict[str, str]:
    """Session and CSRF cookies of `user`, for an HTTP client outside Django's test client."""
    client = Client()
    client.force_login(user)
    csrf = "c" * 32  # a CSRF secret: sent as cookie and header, as a browser would
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}


# --- the real server ---------------------------------------------------------------------------


@dataclass
class ChatServer:
    url: str

    def client(self, user: Any) -> httpx.Client:
        """An HTTP client signed in as `user`, sending the CSRF header on every call."""
        cookies = signed_in_cookies(user)
        return httpx.Client(
            base_url=self.url,
            cookies=cookies,
            headers={"X-CSRFToken": cookies["csrftoken"]},
            timeout=httpx.Timeout(HANG_GUARD_SECONDS),
        )


@dataclass
class EventReader:
    """Reads server-sent events off an open httpx stream, one at a time."""

    response: httpx.Response
    lines: Iterator[str] = field(init=False)

    def __post_init__(self) -> None:
        self.lines = self.response.iter_lines()

    def next_event(self) -> dict[str, Any]:
        """The next event (comments and the `retry:` hint skipped): id, event, data (JSON)."""
        fields: dict[str, Any] = {}
        for line in self.lines:
            if not line:
                if "event" in fields:
                    return fields
                fields = {}
                continue
            if line.startswith(":"):
                continue
            name, _sep, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                fields["data"] = json.loads(value)
            elif name == "id":
                fields["id"] = int(value)
            elif name == "event":
                fields["event"] = value
        raise AssertionError("the stream closed before the next event")


@pytest.fixture
def shared_test_connection(transactional_db: None) -> Iterator[None]:
    """Every thread uses the test's database connection (in-memory SQLite only)."""
    connection = connections["default"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        max_age = connection.settings_dict.get("CONN_MAX_AGE", 0)
        connection.settings_dict["CONN_MAX_AGE"] = 0
        yield
        connection.settings_dict["CONN_MAX_AGE"] = max_age
        return
    connection.inc_thread_sharing()
    per_thread = connections._connections  # type: ignore[attr-defined]
    connections._connections = types.SimpleNamespace(default=connection)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connections._connections = per_thread  # type: ignore[attr-defined]
        connection.dec_thread_sharing()


@pytest.fixture
def chat_server(shared_test_connection: None) -> Iterator[ChatServer]:
    """uvicorn serving the ASGI app on a free local port, stopped after the test."""
    from django.urls import get_resolver

    from arrears.config.asgi import application

    get_resolver().url_patterns  # import every view now, not while a request waits  # noqa: B018
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        application, lifespan="off", log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(int(HANG_GUARD_SECONDS / 0.05)):
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.05)
    assert server.started, "the ASGI server did not start"
    try:
        yield ChatServer(url=f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
