"""Help in the portal: knowledge-base search, a ticket opened and answered, the borrower's own
tickets with their place in the queue, callbacks in the borrower's own time, and the chat
(care's calls) — nobody reaches another borrower's ticket."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from arrears.care.models import Callback, CareQueue, Ticket
from arrears.care.services.desk import load_default_desk
from arrears.care.services.knowledge import load_bundled_articles
from arrears.care.services.tickets import reply_to_ticket
from tests.factories import make_borrower, make_borrower_login, make_staff_user

URL = reverse("portal:help")


@pytest.fixture
def desk(db):  # type: ignore[no-untyped-def]
    load_default_desk()
    load_bundled_articles()
    CareQueue.objects.update(line_agents=3)  # people on the phones: callback slots have room


@pytest.fixture
def borrower(db):  # type: ignore[no-untyped-def]
    return make_borrower(preferred_language="en", full_name="Amy Lee")


@pytest.fixture
def client_en(borrower):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_borrower_login(borrower))
    client.cookies["django_language"] = "en"
    return client


def test_the_help_page_shows_search_chat_hours_in_the_borrowers_time_and_tickets(desk, client_en):
    response = client_en.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for words in (
        "Find an answer",
        "Chat with us",
        "Opening hours",
        "Write to us",
        "Book a callback",
        "Your questions and requests",
    ):
        assert words in page
    assert "Asia/Shanghai" in page  # the borrower's zone: every time is theirs
    assert "09:00–12:00" in page  # the desk's weekday morning, in Shanghai time
    assert 'src="/static/portal/help.js"' in page


def test_hours_are_shown_in_a_borrower_abroad_in_their_own_time(desk, db):
    abroad = make_borrower(preferred_language="en", time_zone="Europe/London")
    client = Client()
    client.force_login(make_borrower_login(abroad))
    client.cookies["django_language"] = "en"
    page = client.get(URL).content.decode()
    assert "Europe/London" in page
    assert "01:00–04:00" in page  # 09:00–12:00 in Shanghai is 01:00–04:00 in London in winter


def test_the_knowledge_base_answers_a_question(desk, client_en):
    response = client_en.get(
        reverse("portal:help-search"), {"q": "repayment"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="search-results"' in page
    assert "<details" in page
    assert "<html" not in page  # an htmx partial


def test_an_empty_search_names_the_field(desk, client_en):
    response = client_en.get(reverse("portal:help-search"), {"q": ""})
    assert response.status_code == 422
    assert 'id="id_q-error"' in response.content.decode()


def test_a_borrower_opens_a_ticket_reads_the_answer_and_replies(desk, client_en, borrower):
    response = client_en.post(
        reverse("portal:ticket-new"),
        {"kind": "inquiry", "subject": "Statement date", "body": "When is my statement?"},
    )
    ticket = Ticket.objects.get(borrower=borrower)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", args=[ticket.reference])
    assert ticket.origin == "portal" and ticket.kind == "inquiry" and ticket.language == "en"
    agent = make_staff_user("agent")
    reply_to_ticket(ticket=ticket, body="On the 5th of each month.", by=agent)
    page = client_en.get(response["Location"]).content.decode()
    assert "When is my statement?" in page and "On the 5th of each month." in page
    replied = client_en.post(response["Location"], {"body": "Thank you"})
    assert replied.status_code == 302
    assert ticket.messages.filter(direction="inbound").count() == 2
    listed = client_en.get(URL).content.decode()
    assert ticket.reference in listed


def test_a_waiting_ticket_shows_its_place_in_the_queue(desk, client_en, borrower):
    client_en.post(
        reverse("portal:ticket-new"),
        {"kind": "inquiry", "subject": "Question", "body": "Hello"},
    )
    page = client_en.get(URL).content.decode()
    assert re.search(r"No\. 1", page)


def test_a_ticket_without_a_subject_is_refused_by_name_and_nothing_is_written(desk, client_en):
    response = client_en.post(reverse("portal:ticket-new"), {"kind": "inquiry", "body": "Hi"})
    assert response.status_code == 422
    assert 'id="id_subject-error"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_another_borrowers_ticket_is_not_found(desk, client_en, db):
    other = make_borrower()
    other_client = Client()
    other_client.force_login(make_borrower_login(other))
    other_client.post(
        reverse("portal:ticket-new"), {"kind": "complaint", "subject": "Mine", "body": "Private"}
    )
    ticket = Ticket.objects.get(borrower=other)
    url = reverse("portal:ticket", args=[ticket.reference])
    assert client_en.get(url).status_code == 404
    assert client_en.post(url, {"body": "hijack"}).status_code == 404
    assert ticket.messages.count() == 1


def test_a_callback_is_booked_in_an_offered_slot(desk, client_en, borrower):
    page = client_en.get(URL).content.decode()
    slot = re.search(r'name="slot" value="([^"]+)"', page)
    if slot is None:
        pytest.skip("the desk offers no callback slot in the coming week at this hour")
    response = client_en.post(reverse("portal:callback"), {"slot": slot.group(1)})
    assert response.status_code == 302, response.content.decode()[:3000]
    callback = Callback.objects.get(borrower=borrower)
    assert callback.slot_start == dt.datetime.fromisoformat(slot.group(1))


def test_a_callback_outside_the_offered_slots_is_refused_by_name(desk, client_en, borrower):
    response = client_en.post(reverse("portal:callback"), {"slot": "2020-01-01T03:00:00+00:00"})
    assert response.status_code == 422
    assert 'id="id_slot-error"' in response.content.decode()
    assert not Callback.objects.exists()


def test_a_borrower_starts_a_chat_and_when_nobody_is_online_it_is_kept_as_a_ticket(
    desk, client_en, borrower
):
    response = client_en.post(
        reverse("care:chat-start"),
        data={"message": "Can I move my due date?", "language": "en"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "left_as_ticket"
    assert body["ticket"] in body["notice"]
    assert Ticket.objects.get(borrower=borrower).origin == "chat"


def test_staff_cannot_open_help(desk):
    staff = Client()
    staff.force_login(make_staff_user("agent"))
    assert staff.get(URL).status_code == 403


def test_the_help_page_keeps_to_its_query_budget(desk, client_en, django_assert_max_num_queries):
    """Tickets cost a query or so each, not a queue's work order each; the compliance gate
    reads the borrower's records once for every callback slot offered (163 queries before)."""
    for n in range(4):
        client_en.post(
            reverse("portal:ticket-new"), {"kind": "inquiry", "subject": f"Q{n}", "body": "?"}
        )
    with django_assert_max_num_queries(30):
        assert client_en.get(URL).status_code == 200
