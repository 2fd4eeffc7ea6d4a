"""Web chat in the desk's words: a live chat when an agent is online, a ticket when nobody is."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.care.choices import ChatStatus, MessageDirection, TicketEventKind
from arrears.care.models import ChatSession, Ticket, TicketMessage
from arrears.care.selectors.chat import chat_update, online_agents
from arrears.care.services.chat import (
    accept_chat,
    agent_online,
    end_chat,
    leave_unanswered_chats,
    send_chat_message,
    start_chat,
)
from arrears.care.services.tickets import add_note
from arrears.compliance.models import ContactAttempt
from arrears.core.errors import Conflict, ValidationError
from tests.care.chat_fixtures import make_care_agent, make_chat_queue, make_portal_borrower

pytestmark = pytest.mark.django_db

#: Wednesday 15 January 2025, 10:00 in Shanghai: the desk is open.
WEDNESDAY_MORNING = dt.datetime(2025, 1, 15, 2, 0, tzinfo=dt.UTC)
#: Saturday 18 January 2025, 12:00 in Shanghai: the desk is closed until Monday 09:00.
SATURDAY_NOON = dt.datetime(2025, 1, 18, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def queue():  # type: ignore[no-untyped-def]
    return make_chat_queue()


@pytest.fixture
def borrower():  # type: ignore[no-untyped-def]
    return make_portal_borrower()


def test_a_chat_waits_for_an_agent_when_the_desk_is_open_and_someone_is_online(queue, borrower):
    make_care_agent(queue, online_at=WEDNESDAY_MORNING - dt.timedelta(seconds=30))

    started = start_chat(
        borrower=borrower, first_message="我想问一下还款日", queue=queue, at=WEDNESDAY_MORNING
    )

    assert started.waiting_for_agent and started.kept is None
    ticket = started.session.ticket
    assert (ticket.kind, ticket.origin, ticket.status) == ("inquiry", "chat", "new")
    assert ticket.subject == "我想问一下还款日"
    message = ticket.messages.get()
    assert (message.direction, message.channel, message.body) == (
        "inbound",
        "chat",
        "我想问一下还款日",
    )


def test_every_borrower_chat_message_is_in_the_shared_contact_history(queue, borrower):
    agent = make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    session = start_chat(
        borrower=borrower, first_message="hello", queue=queue, at=WEDNESDAY_MORNING
    ).session
    accept_chat(session=session, agent=agent, at=WEDNESDAY_MORNING)
    send_chat_message(session=session, body="my card was charged twice", at=WEDNESDAY_MORNING)

    attempts = ContactAttempt.objects.filter(borrower=borrower).order_by("pk")
    assert [(a.channel, a.direction, a.purpose, a.by) for a in attempts] == [
        ("in_app", "inbound", "servicing", "borrower"),
        ("in_app", "inbound", "servicing", "borrower"),
    ]
    inbound = TicketMessage.objects.filter(ticket=session.ticket, direction="inbound")
    assert {m.contact_attempt_id for m in inbound} == {a.pk for a in attempts}


def test_nobody_online_leaves_the_chat_as_a_ticket_and_says_when_the_desk_opens(queue):
    london = make_portal_borrower(
        country="GB", preferred_language="en", phones=["+44 20 7946 0018"], region="", city="London"
    )

    started = start_chat(
        borrower=london, first_message="Can I change my due date?", queue=queue, at=SATURDAY_NOON
    )

    assert started.session.status == ChatStatus.LEFT_AS_TICKET
    assert started.session.ended_at == SATURDAY_NOON
    kept = started.kept
    assert kept is not None and not kept.desk_open_now
    # Monday 09:00 in Shanghai is Monday 01:00 in London (GMT in January)
    assert kept.opens_at == dt.datetime(2025, 1, 20, 1, 0, tzinfo=dt.UTC)
    assert kept.opens_local == "Monday, 20 January 2025 01:00"
    ticket = started.session.ticket
    assert ticket.reference in kept.notice
    assert "Monday, 20 January 2025 01:00" in kept.notice
    assert "e-mail or in-app" in kept.notice
    assert ticket.status == "new" and ticket.messages.count() == 1


def test_during_an_outage_the_chat_shows_the_incident_notice_and_promises_no_time(queue):
    from arrears.care.services.incidents import start_incident

    start_incident(
        title_en="Payments down",
        title_zh="还款系统故障",
        notice_en="Our payment system is down; we are fixing it.",
        notice_zh="还款系统暂时故障，正在抢修。",
        by=None,
        at=SATURDAY_NOON - dt.timedelta(hours=1),
    )
    london = make_portal_borrower(
        country="GB", preferred_language="en", phones=["+44 20 7946 0019"], region="", city="London"
    )

    started = start_chat(borrower=london, first_message="Can I pay?", queue=queue, at=SATURDAY_NOON)

    kept = started.kept
    assert started.session.status == ChatStatus.LEFT_AS_TICKET
    assert kept is not None and kept.opens_at is None and kept.opens_local == ""
    assert kept.notice.startswith("Our payment system is down; we are fixing it.")
    assert started.session.ticket.reference in kept.notice


def test_the_kept_as_ticket_notice_is_in_the_borrowers_language(queue, borrower):
    started = start_chat(borrower=borrower, first_message="你好", queue=queue, at=SATURDAY_NOON)

    assert started.kept is not None
    assert started.kept.opens_local == "2025年1月20日星期一 09:00"
    assert started.session.ticket.reference in started.kept.notice
    assert "2025年1月20日星期一 09:00" in started.kept.notice


def test_an_agent_offline_too_long_is_not_counted_as_online(queue, borrower):
    make_care_agent(queue, online_at=WEDNESDAY_MORNING - dt.timedelta(minutes=10))

    started = start_chat(borrower=borrower, first_message="hi", queue=queue, at=WEDNESDAY_MORNING)

    assert started.session.status == ChatStatus.LEFT_AS_TICKET
    assert started.kept is not None and started.kept.desk_open_now


def test_an_agent_at_chat_capacity_is_not_offered_more(queue):
    agent = make_care_agent(queue, online_at=WEDNESDAY_MORNING, max_chats=1)
    first = start_chat(
        borrower=make_portal_borrower(), first_message="a", queue=queue, at=WEDNESDAY_MORNING
    )
    accept_chat(session=first.session, agent=agent, at=WEDNESDAY_MORNING)

    assert online_agents(queue, now=WEDNESDAY_MORNING) == []
    second = start_chat(
        borrower=make_portal_borrower(), first_message="b", queue=queue, at=WEDNESDAY_MORNING
    )
    assert second.session.status == ChatStatus.LEFT_AS_TICKET


def test_accepting_a_chat_makes_it_live_and_assigns_the_ticket(queue, borrower):
    agent = make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    session = start_chat(
        borrower=borrower, first_message="hi", queue=queue, at=WEDNESDAY_MORNING
    ).session

    accept_chat(session=session, agent=agent, at=WEDNESDAY_MORNING + dt.timedelta(seconds=20))

    session.refresh_from_db()
    assert session.status == ChatStatus.LIVE and session.agent_id == agent.user_id
    assert session.answered_at == WEDNESDAY_MORNING + dt.timedelta(seconds=20)
    ticket = Ticket.objects.get(pk=session.ticket_id)
    assert ticket.assignee_id == agent.user_id
    assert ticket.events.filter(kind=TicketEventKind.ASSIGNED, reason="chat.accepted").exists()
    with pytest.raises(Conflict):
        accept_chat(session=session, agent=make_care_agent(queue, online_at=WEDNESDAY_MORNING))


def test_an_agent_of_another_queue_cannot_take_the_chat(queue, borrower):
    make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    stranger = make_care_agent(make_chat_queue(), online_at=WEDNESDAY_MORNING)
    session = start_chat(
        borrower=borrower, first_message="hi", queue=queue, at=WEDNESDAY_MORNING
    ).session

    with pytest.raises(ValidationError) as error:
        accept_chat(session=session, agent=stranger, at=WEDNESDAY_MORNING)
    assert error.value.field == "agent"
    assert ChatSession.objects.get(pk=session.pk).status == ChatStatus.WAITING


def test_the_agents_reply_is_a_public_chat_reply_on_the_ticket(queue, borrower):
    agent = make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    session = start_chat(
        borrower=borrower, first_message="hi", queue=queue, at=WEDNESDAY_MORNING
    ).session
    accept_chat(session=session, agent=agent, at=WEDNESDAY_MORNING)

    reply = send_chat_message(
        session=session, body="您好，请问有什么可以帮您？", by_agent=agent, at=WEDNESDAY_MORNING
    )

    assert (reply.direction, reply.channel, reply.author_id) == ("outbound", "chat", agent.user_id)
    ticket = Ticket.objects.get(pk=session.ticket_id)
    assert ticket.first_replied_at == WEDNESDAY_MORNING and ticket.status == "open"


def test_only_the_agent_who_took_the_chat_writes_in_it(queue, borrower):
    agent = make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    other = make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    session = start_chat(
        borrower=borrower, first_message="hi", queue=queue, at=WEDNESDAY_MORNING
    ).session

    with pytest.raises(Conflict):  # nobody has taken it yet
        send_chat_message(session=session, body="hello", by_agent=agent, at=WEDNESDAY_MORNING)
    accept_chat(session=session, agent=agent, at=WEDNESDAY_MORNING)
    with pytest.raises(Conflict):
        send_chat_message(session=session, body="hello", by_agent=other, at=WEDNESDAY_MORNING)
    assert session.ticket.messages.count() == 1


def test_nothing_more_is_said_in_an_ended_chat(queue, borrower):
    agent = make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    session = start_chat(
        borrower=borrower, first_message="hi", queue=queue, at=WEDNESDAY_MORNING
    ).session
    accept_chat(session=session, agent=agent, at=WEDNESDAY_MORNING)

    ended = end_chat(session=session, at=WEDNESDAY_MORNING + dt.timedelta(minutes=3))
    again = end_chat(session=session, by_agent=agent, at=WEDNESDAY_MORNING + dt.timedelta(hours=1))

    assert ended.status == again.status == ChatStatus.ENDED
    assert again.ended_at == WEDNESDAY_MORNING + dt.timedelta(minutes=3)
    with pytest.raises(Conflict):
        send_chat_message(session=session, body="one more thing", at=WEDNESDAY_MORNING)


def test_an_empty_or_overlong_message_is_refused_and_writes_nothing(queue, borrower):
    with pytest.raises(ValidationError) as empty:
        start_chat(borrower=borrower, first_message="   ", queue=queue, at=WEDNESDAY_MORNING)
    with pytest.raises(ValidationError) as overlong:
        start_chat(borrower=borrower, first_message="x" * 4001, queue=queue, at=WEDNESDAY_MORNING)
    with pytest.raises(ValidationError) as language:
        start_chat(borrower=borrower, first_message="x", language="fr", at=WEDNESDAY_MORNING)

    assert (empty.value.field, overlong.value.field) == ("first_message", "first_message")
    assert language.value.field == "language"
    assert not Ticket.objects.exists() and not ChatSession.objects.exists()


def test_a_chat_nobody_takes_is_left_as_a_ticket_by_the_sweep(queue, borrower):
    make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    session = start_chat(
        borrower=borrower, first_message="hi", queue=queue, at=WEDNESDAY_MORNING
    ).session

    assert leave_unanswered_chats(at=WEDNESDAY_MORNING + dt.timedelta(minutes=1)) == []
    left = leave_unanswered_chats(at=WEDNESDAY_MORNING + dt.timedelta(minutes=6))

    assert [s.pk for s in left] == [session.pk]
    assert ChatSession.objects.get(pk=session.pk).status == ChatStatus.LEFT_AS_TICKET


def test_an_agent_going_offline_leaves_waiting_chats_to_the_sweep(queue, borrower):
    agent = make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    session = start_chat(
        borrower=borrower, first_message="hi", queue=queue, at=WEDNESDAY_MORNING
    ).session

    agent_online(agent=agent, online=False, at=WEDNESDAY_MORNING + dt.timedelta(seconds=30))
    left = leave_unanswered_chats(at=WEDNESDAY_MORNING + dt.timedelta(minutes=1))

    assert [s.pk for s in left] == [session.pk]


def test_the_stream_shows_public_messages_only_never_internal_notes(queue, borrower):
    agent = make_care_agent(queue, online_at=WEDNESDAY_MORNING)
    session = start_chat(
        borrower=borrower, first_message="hi", queue=queue, at=WEDNESDAY_MORNING
    ).session
    accept_chat(session=session, agent=agent, at=WEDNESDAY_MORNING)
    add_note(ticket=session.ticket, body="borrower sounds upset", by=agent.user)
    reply = send_chat_message(session=session, body="hello", by_agent=agent, at=WEDNESDAY_MORNING)

    update = chat_update(session.pk, after_id=0)

    assert [m["body"] for m in update.messages] == ["hi", "hello"]
    assert [m["from"] for m in update.messages] == ["borrower", "agent"]
    assert chat_update(session.pk, after_id=reply.pk).messages == ()
    assert not update.finished
    assert MessageDirection.INTERNAL in set(
        session.ticket.messages.values_list("direction", flat=True)
    )
