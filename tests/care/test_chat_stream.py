"""Chat through the real event stream: uvicorn serving the ASGI app, a borrower listening with
an HTTP client, an agent writing through the JSON calls."""

from __future__ import annotations

import pytest

from arrears.care.models import ChatSession
from arrears.care.services.tickets import add_note
from tests.care.chat_fixtures import *  # noqa: F403 (the chat_server fixture)
from tests.care.chat_fixtures import (
    ROUND_THE_CLOCK,
    ChatServer,
    EventReader,
    make_care_agent,
    make_chat_queue,
    make_portal_borrower,
)

pytestmark = pytest.mark.slow


def test_the_borrower_hears_the_agent_live_resumes_after_a_drop_and_sees_the_end(
    chat_server: ChatServer,
) -> None:
    queue = make_chat_queue(ROUND_THE_CLOCK)
    agent = make_care_agent(queue)
    borrower = make_portal_borrower(preferred_language="en")
    with chat_server.client(borrower.user) as portal, chat_server.client(agent.user) as console:
        assert console.post("/care/agent/presence", json={"online": True}).status_code == 200
        started = portal.post("/care/chats", json={"message": "Hello?", "queue": queue.code})
        assert started.status_code == 201 and started.json()["status"] == "waiting"
        chat = started.json()
        assert console.post(f"/care/chats/{chat['id']}/accept").status_code == 200

        with portal.stream("GET", chat["events_url"]) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = EventReader(stream)
            opening = events.next_event()
            assert (opening["event"], opening["data"]["body"]) == ("message", "Hello?")

            reply = console.post(f"/care/chats/{chat['id']}/messages", json={"body": "您好！"})
            assert reply.status_code == 201
            heard = events.next_event()
            assert heard["id"] == reply.json()["id"]
            assert heard["data"] == reply.json() | {"from": "agent"}

        # the connection drops; meanwhile a note (never shown) and another reply are written
        session = ChatSession.objects.get(pk=chat["id"])
        add_note(ticket=session.ticket, body="internal: check the payment", by=agent.user)
        later = console.post(f"/care/chats/{chat['id']}/messages", json={"body": "Found it."})

        resume = {"Last-Event-ID": str(heard["id"])}
        with portal.stream("GET", chat["events_url"], headers=resume) as stream:
            events = EventReader(stream)
            missed = events.next_event()
            assert (missed["id"], missed["data"]["body"]) == (later.json()["id"], "Found it.")

            assert console.post(f"/care/chats/{chat['id']}/end").status_code == 200
            ended = events.next_event()
            assert ended["event"] == "ended" and ended["data"]["status"] == "ended"
            assert ended["data"]["ticket"] == session.ticket.reference


def test_with_no_agent_online_the_stream_tells_the_borrower_it_became_a_ticket(
    chat_server: ChatServer,
) -> None:
    queue = make_chat_queue(ROUND_THE_CLOCK)
    make_care_agent(queue)  # offline
    borrower = make_portal_borrower(preferred_language="en")
    with chat_server.client(borrower.user) as portal:
        started = portal.post("/care/chats", json={"message": "Anyone there?"}).json()
        assert started["status"] == "left_as_ticket"

        with portal.stream("GET", started["events_url"]) as stream:
            events = EventReader(stream)
            assert events.next_event()["data"]["body"] == "Anyone there?"
            ended = events.next_event()

    assert ended["event"] == "ended" and ended["data"]["status"] == "left_as_ticket"
    assert started["ticket"] in ended["data"]["notice"]
    assert "e-mail or in-app" in ended["data"]["notice"]


def test_the_stream_refuses_another_borrowers_chat(chat_server: ChatServer) -> None:
    queue = make_chat_queue(ROUND_THE_CLOCK)
    owner, other = make_portal_borrower(), make_portal_borrower()
    with chat_server.client(owner.user) as portal, chat_server.client(other.user) as intruder:
        chat = portal.post("/care/chats", json={"message": "hi", "queue": queue.code}).json()
        assert intruder.get(chat["events_url"]).status_code == 403


def test_an_idle_stream_is_kept_alive_with_comments(
    chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arrears.care import chat_views

    monkeypatch.setattr(chat_views, "KEEP_ALIVE_SECONDS", 0.0)  # every poll, not every 15 s
    queue = make_chat_queue(ROUND_THE_CLOCK)
    agent = make_care_agent(queue)
    borrower = make_portal_borrower()
    with chat_server.client(borrower.user) as portal, chat_server.client(agent.user) as console:
        console.post("/care/agent/presence", json={"online": True})
        chat = portal.post("/care/chats", json={"message": "hi", "queue": queue.code}).json()
        with portal.stream("GET", chat["events_url"]) as stream:
            lines = stream.iter_lines()
            assert next(line for line in lines if line.startswith(":")) == ": keep-alive"
