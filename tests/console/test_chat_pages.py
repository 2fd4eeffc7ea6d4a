"""The agent console's live chat: going online, the waiting chats, taking one, replying, ending
it, and who is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from arrears.care.choices import ChatStatus, MessageDirection
from arrears.care.models import CareAgent, ChatSession, TicketMessage
from arrears.care.services.chat import agent_online, start_chat
from arrears.compliance.models import PersonalDataAccess
from tests.console.desk_fixtures import *  # noqa: F403
from tests.console.desk_fixtures import make_desk_agent
from tests.factories import make_borrower, make_borrower_login, make_staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(desk):
    user = make_desk_agent(desk, "li.agent")
    agent_online(agent=user.care_agent, online=True, at=dt.datetime.now(dt.UTC))
    return user


@pytest.fixture
def chat(desk, agent):
    borrower = make_borrower(full_name="Wang Fang")
    make_borrower_login(borrower)
    started = start_chat(
        borrower=borrower, first_message="Can I change my due date?", queue=desk, language="en"
    )
    assert started.waiting_for_agent
    return started.session


def test_an_agent_goes_online_and_offline(client, desk):
    user = make_desk_agent(desk, "wu.agent")
    client.force_login(user)
    client.post(reverse("console:chat-presence"), {"online": "1"})
    assert CareAgent.objects.get(user=user).is_online
    client.post(reverse("console:chat-presence"), {"online": "0"})
    assert not CareAgent.objects.get(user=user).is_online


def test_a_waiting_chat_is_listed_and_the_agent_takes_it(client, agent, chat):
    client.force_login(agent)
    page = client.get(reverse("console:chats")).content.decode()
    assert "Wang Fang" in page and "Can I change my due date?" in page
    assert 'hx-trigger="every 10s"' in page
    response = client.post(reverse("console:chat-take", args=[chat.pk]))
    assert response["Location"] == reverse("console:chat", args=[chat.pk])
    chat.refresh_from_db()
    assert chat.status == ChatStatus.LIVE and chat.agent == agent


def test_the_chat_page_shows_the_transcript_and_subscribes_to_the_stream(client, agent, chat):
    client.force_login(agent)
    client.post(reverse("console:chat-take", args=[chat.pk]))
    response = client.get(reverse("console:chat", args=[chat.pk]))
    page = response.content.decode()
    assert "Can I change my due date?" in page
    assert f'data-events-url="/care/chats/{chat.pk}/events"' in page
    assert 'data-testid="chat-form"' in page
    assert PersonalDataAccess.objects.filter(user=agent, borrower=chat.borrower).exists()


def test_the_agents_reply_is_a_public_message_on_the_chats_ticket(client, agent, chat):
    client.force_login(agent)
    client.post(reverse("console:chat-take", args=[chat.pk]))
    response = client.post(
        reverse("console:chat-send", args=[chat.pk]),
        {"body": "Yes, from the portal's settings."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    reply = TicketMessage.objects.get(ticket=chat.ticket, direction=MessageDirection.OUTBOUND)
    assert reply.body == "Yes, from the portal's settings." and reply.channel == "chat"


def test_an_empty_message_is_refused_next_to_the_field(client, agent, chat):
    client.force_login(agent)
    client.post(reverse("console:chat-take", args=[chat.pk]))
    response = client.post(reverse("console:chat-send", args=[chat.pk]), {"body": " "})
    assert response.status_code == 422
    assert 'id="id_body-error"' in response.content.decode()


def test_a_message_in_a_chat_not_taken_is_refused_and_writes_nothing(client, agent, chat):
    client.force_login(agent)
    response = client.post(reverse("console:chat-send", args=[chat.pk]), {"body": "Hello"})
    assert response.status_code == 409
    assert "Only the agent who took the chat" in response.content.decode()
    assert not TicketMessage.objects.filter(ticket=chat.ticket, direction="outbound").exists()


def test_the_agent_ends_the_chat_and_the_ticket_stays(client, agent, chat):
    client.force_login(agent)
    client.post(reverse("console:chat-take", args=[chat.pk]))
    client.post(reverse("console:chat-end", args=[chat.pk]))
    chat = ChatSession.objects.get(pk=chat.pk)
    assert chat.status == ChatStatus.ENDED
    assert chat.ticket.status != "closed"


def test_a_chat_another_agent_took_cannot_be_taken_again(client, desk, agent, chat):
    other = make_desk_agent(desk, "zhao.agent")
    client.force_login(other)
    client.post(reverse("console:chat-take", args=[chat.pk]))
    client.force_login(agent)
    response = client.post(reverse("console:chat-take", args=[chat.pk]), follow=True)
    assert "no longer waiting" in response.content.decode()
    chat.refresh_from_db()
    assert chat.agent == other


def test_the_chat_list_reads_a_fixed_number_of_queries(
    client,
    desk,
    agent,
    django_assert_max_num_queries,
):
    for _ in range(6):
        borrower = make_borrower()
        start_chat(borrower=borrower, first_message="Hello", queue=desk, language="en")
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("console:chats"))
    assert response.content.decode().count('data-testid="take-chat"') == 6


def test_a_borrower_login_is_refused_the_agent_chat_pages(client, chat):
    client.force_login(chat.borrower.user)
    assert client.get(reverse("console:chats")).status_code == 403
    assert client.get(reverse("console:chat", args=[chat.pk])).status_code == 403
    assert client.post(reverse("console:chat-take", args=[chat.pk])).status_code == 403
    chat.refresh_from_db()
    assert chat.status == ChatStatus.WAITING


def test_staff_without_a_desk_profile_are_refused_chats(client, chat):
    client.force_login(make_staff_user("supervisor", "zhou.supervisor"))
    assert client.get(reverse("console:chats")).status_code == 403
    assert client.post(reverse("console:chat-take", args=[chat.pk])).status_code == 403
    client.force_login(make_staff_user("collector", "chen.collector"))
    assert client.get(reverse("console:chats")).status_code == 403


def test_ending_a_chat_returns_the_agent_to_their_chats_saying_the_ticket_stays(
    client, agent, chat
):
    client.force_login(agent)
    client.post(reverse("console:chat-take", args=[chat.pk]))

    response = client.post(reverse("console:chat-end", args=[chat.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("console:chats")
    page = client.get(response["Location"]).content.decode()
    assert "The chat has ended; its ticket stays for what is left to do." in page
    assert ChatSession.objects.get(pk=chat.pk).status == ChatStatus.ENDED


def test_an_agent_cannot_end_a_chat_another_agent_took(client, desk, agent, chat):
    client.force_login(agent)
    client.post(reverse("console:chat-take", args=[chat.pk]))
    other = make_desk_agent(desk, "zhao.agent")
    client.force_login(other)

    response = client.post(reverse("console:chat-end", args=[chat.pk]))

    assert response["Location"] == reverse("console:chat", args=[chat.pk])
    page = client.get(reverse("console:chats")).content.decode()
    assert "Only the agent who took the chat can end it." in page
    assert ChatSession.objects.get(pk=chat.pk).status == ChatStatus.LIVE


def test_a_chat_that_does_not_exist_is_not_found(client, agent, chat):
    client.force_login(agent)
    missing = chat.pk + 1000
    for name in ("console:chat-take", "console:chat-end", "console:chat-send"):
        assert client.post(reverse(name, args=[missing]), {"body": "Hello"}).status_code == 404
    assert ChatSession.objects.get(pk=chat.pk).status == ChatStatus.WAITING


def test_staff_without_a_desk_profile_cannot_end_or_answer_a_chat(client, chat):
    client.force_login(make_staff_user("agent", "no.desk"))
    for name in ("console:chat-end", "console:chat-send"):
        response = client.post(reverse(name, args=[chat.pk]), {"body": "Hello"})
        assert response.status_code == 403
        assert "Only a service agent can answer chats." in response.content.decode()
    assert ChatSession.objects.get(pk=chat.pk).status == ChatStatus.WAITING
