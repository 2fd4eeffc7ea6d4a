"""Web chat's HTTP calls: who may start, read, write, take and end a chat."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from arrears.care import chat_views
from arrears.care.choices import ChatStatus
from arrears.care.models import CareAgent, ChatSession
from arrears.core.clock import FixedClock
from tests.care.chat_fixtures import (
    ROUND_THE_CLOCK,
    make_care_agent,
    make_chat_queue,
    make_portal_borrower,
)

pytestmark = pytest.mark.django_db

#: Wednesday 15 January 2025, 10:00 in Shanghai.
WEDNESDAY_MORNING = dt.datetime(2025, 1, 15, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    clock = FixedClock(WEDNESDAY_MORNING)
    monkeypatch.setattr(chat_views, "clock", lambda: clock)
    return clock


@pytest.fixture
def queue():  # type: ignore[no-untyped-def]
    return make_chat_queue(ROUND_THE_CLOCK)


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def read_stream(response) -> str:  # type: ignore[no-untyped-def]
    """The whole body of a (finished) event stream."""

    async def collect() -> list[bytes]:
        return [chunk async for chunk in response.streaming_content]

    return b"".join(async_to_sync(collect)()).decode()


def start(client: Client, message: str = "你好", **extra: object):  # type: ignore[no-untyped-def]
    return post(client, "/care/chats", {"message": message, **extra})


def test_a_signed_in_borrower_starts_a_chat_and_an_agent_takes_it(queue):
    agent = make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    borrower = make_portal_borrower()

    started = start(signed_in(borrower.user), queue=queue.code)
    accepted = post(signed_in(agent.user), f"/care/chats/{started.json()['id']}/accept")

    assert started.status_code == 201
    assert started.json()["status"] == "waiting" and started.json()["notice"] == ""
    assert started.json()["events_url"] == f"/care/chats/{started.json()['id']}/events"
    assert accepted.status_code == 200 and accepted.json()["status"] == "live"


def test_with_nobody_online_the_borrower_is_told_the_ticket_at_once(queue):
    borrower = make_portal_borrower(preferred_language="en")

    started = start(signed_in(borrower.user), "Where is my statement?", queue=queue.code)

    assert started.status_code == 201
    document = started.json()
    assert document["status"] == ChatStatus.LEFT_AS_TICKET
    assert document["ticket"] in document["notice"]
    assert document["desk_opens_at"] == WEDNESDAY_MORNING.isoformat()


def test_only_a_borrower_can_start_a_chat(queue):
    agent = make_care_agent(queue, online_at=WEDNESDAY_MORNING)

    assert start(Client()).status_code == 401
    assert start(signed_in(agent.user)).status_code == 403
    assert not ChatSession.objects.exists()


def test_bad_input_names_the_field(queue):
    client = signed_in(make_portal_borrower().user)

    empty = start(client, "  ")
    unknown_queue = start(client, "hi", queue="nope")
    not_json = client.post("/care/chats", "{", content_type="application/json")

    assert (empty.status_code, empty.json()["field"]) == (422, "first_message")
    assert (unknown_queue.status_code, unknown_queue.json()["field"]) == (422, "queue")
    assert (not_json.status_code, not_json.json()["field"]) == (422, "body")


def test_a_borrower_may_not_read_or_write_another_borrowers_chat(queue):
    make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    owner, other = make_portal_borrower(), make_portal_borrower()
    chat_id = start(signed_in(owner.user), queue=queue.code).json()["id"]
    intruder = signed_in(other.user)

    assert intruder.get(f"/care/chats/{chat_id}/events").status_code == 403
    assert post(intruder, f"/care/chats/{chat_id}/messages", {"body": "hi"}).status_code == 403
    assert post(intruder, f"/care/chats/{chat_id}/end").status_code == 403
    assert Client().get(f"/care/chats/{chat_id}/events").status_code == 401
    assert signed_in(owner.user).get("/care/chats/999999/events").status_code == 404
    assert ChatSession.objects.get(pk=chat_id).status == ChatStatus.WAITING


def test_a_borrower_cannot_take_a_chat_as_an_agent(queue):
    make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    borrower = make_portal_borrower()
    client = signed_in(borrower.user)
    chat_id = start(client, queue=queue.code).json()["id"]

    assert post(client, f"/care/chats/{chat_id}/accept").status_code == 403
    assert post(client, "/care/agent/presence", {"online": True}).status_code == 403


def test_the_agents_console_heartbeat_puts_them_online(queue, fixed_clock):
    agent = make_care_agent(queue)

    answer = post(signed_in(agent.user), "/care/agent/presence", {"online": True})
    bad = post(signed_in(agent.user), "/care/agent/presence", {"online": "yes"})

    assert answer.status_code == 200 and answer.json()["online"] is True
    agent = CareAgent.objects.get(pk=agent.pk)
    assert agent.is_online and agent.last_seen_at == WEDNESDAY_MORNING
    assert (bad.status_code, bad.json()["field"]) == (422, "online")


def test_a_finished_chats_stream_replays_it_and_ends(queue):
    """A chat already over (here: kept as a ticket) streams its messages, then `ended`."""
    borrower = make_portal_borrower(preferred_language="en")
    client = signed_in(borrower.user)
    chat_id = start(client, "Is my payment in?", queue=queue.code).json()["id"]

    response = client.get(f"/care/chats/{chat_id}/events")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    text = read_stream(response)
    blocks = [block for block in text.split("\n\n") if block]
    assert blocks[0] == "retry: 2000"
    message_id = ChatSession.objects.get(pk=chat_id).ticket.messages.get().pk
    assert blocks[1].startswith(f"id: {message_id}\nevent: message\ndata: ")
    assert json.loads(blocks[1].split("data: ", 1)[1])["body"] == "Is my payment in?"
    assert blocks[2].startswith("event: ended\ndata: ")
    ended = json.loads(blocks[2].split("data: ", 1)[1])
    assert ended["status"] == "left_as_ticket" and ended["ticket"] in ended["notice"]


def test_a_stream_resumes_after_the_last_event_id(queue):
    borrower = make_portal_borrower()
    client = signed_in(borrower.user)
    chat_id = start(client, queue=queue.code).json()["id"]
    message_id = ChatSession.objects.get(pk=chat_id).ticket.messages.get().pk

    response = client.get(
        f"/care/chats/{chat_id}/events", headers={"Last-Event-ID": str(message_id)}
    )
    bad = client.get(f"/care/chats/{chat_id}/events", headers={"Last-Event-ID": "abc"})

    text = read_stream(response)
    assert "event: message" not in text and "event: ended" in text
    assert bad.status_code == 422


def test_a_post_without_the_csrf_token_is_refused(queue):
    """The chat calls ride on the session cookie, so a forged cross-site post must fail."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_portal_borrower().user)

    refused = start(browser, "hi", queue=queue.code)

    assert refused.status_code == 403
    assert not ChatSession.objects.exists()


def test_a_long_stream_closes_without_ending_the_chat_so_the_browser_reconnects(
    queue, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(chat_views, "LONGEST_STREAM_SECONDS", 0.0)
    make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    client = signed_in(make_portal_borrower().user)
    chat_id = start(client, queue=queue.code).json()["id"]

    text = read_stream(client.get(f"/care/chats/{chat_id}/events"))

    assert text == "retry: 2000\n\n"
    assert ChatSession.objects.get(pk=chat_id).status == ChatStatus.WAITING
