"""The agent console's tickets: the queue with SLA timers, take next, the ticket page and its
actions (reply through the outbox, note, status and priority), and who is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from arrears.care.choices import MessageDirection, TicketStatus
from arrears.care.models import Ticket, TicketMessage
from arrears.compliance.models import PersonalDataAccess
from arrears.engagement.models import OutboxMessage
from tests.console.desk_fixtures import *  # noqa: F403
from tests.console.desk_fixtures import make_desk_agent, open_desk_ticket
from tests.factories import (
    make_borrower,
    make_borrower_login,
    make_loan_account,
    make_staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(desk):
    return make_desk_agent(desk, "li.agent")


def signed_in(client, user):
    client.force_login(user)
    return client


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_lists_the_agents_queue_tickets_with_requester_and_sla_timer(
    client,
    desk,
    agent,
):
    borrower = make_borrower(full_name="Wang Fang")
    ticket = open_desk_ticket(desk, borrower=borrower, subject="When is my due date?")
    response = signed_in(client, agent).get(reverse("console:tickets"))
    assert response.status_code == 200
    page = response.content.decode()
    assert ticket.reference in page
    assert "When is my due date?" in page
    assert "Wang Fang" in page
    assert "first reply" in page  # the SLA timer names its clock
    assert 'data-shortcut="n"' in page
    assert 'hx-trigger="every 30s"' in page


def test_an_old_unanswered_ticket_shows_its_sla_breached_and_comes_first(
    client,
    desk,
    agent,
):
    fresh = open_desk_ticket(desk, subject="Fresh question")
    old = open_desk_ticket(
        desk, subject="Old question", at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    )
    page = signed_in(client, agent).get(reverse("console:tickets")).content.decode()
    assert page.index(old.reference) < page.index(fresh.reference)
    assert "Breached" in page


def test_the_queue_filters_by_kind_and_status(client, desk, agent):
    inquiry = open_desk_ticket(desk, subject="An inquiry")
    complaint = open_desk_ticket(desk, kind="complaint", subject="A complaint")
    url = reverse("console:tickets")
    page = signed_in(client, agent).get(url, {"kind": "complaint"}).content.decode()
    assert complaint.reference in page and inquiry.reference not in page
    page = client.get(url, {"status": "solved"}).content.decode()
    assert inquiry.reference not in page and complaint.reference not in page


def test_another_queues_ticket_is_not_in_an_agents_queue(client, desk, agent):
    from arrears.care.models import CareQueue

    elsewhere = open_desk_ticket(CareQueue.objects.get(code="general_en"), subject="Elsewhere")
    page = signed_in(client, agent).get(reverse("console:tickets")).content.decode()
    assert elsewhere.reference not in page


def test_the_htmx_refresh_returns_only_the_rows(client, desk, agent):
    open_desk_ticket(desk)
    response = signed_in(client, agent).get(reverse("console:tickets"), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.startswith('<div id="ticket-rows"')
    assert "<html" not in page


def test_the_queue_reads_a_fixed_number_of_queries_however_many_tickets(
    client,
    desk,
    agent,
    django_assert_max_num_queries,
):
    for number in range(25):
        open_desk_ticket(desk, borrower=make_borrower(), subject=f"Question {number}")
    signed_in(client, agent)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("console:tickets"))
    assert response.content.decode().count("Question ") == 25


def test_take_next_gives_the_agent_the_most_urgent_waiting_ticket(
    client,
    desk,
    agent,
):
    open_desk_ticket(desk, subject="Fresh")
    old = open_desk_ticket(desk, subject="Old", at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    response = signed_in(client, agent).post(reverse("console:ticket-take-next"))
    assert response.status_code == 302
    assert response["Location"] == reverse("console:ticket", args=[old.reference])
    old.refresh_from_db()
    assert old.assignee == agent


def test_take_next_with_nothing_waiting_says_so(client, desk, agent):
    response = signed_in(client, agent).post(reverse("console:ticket-take-next"), follow=True)
    assert "No ticket is waiting" in response.content.decode()


def test_a_supervisor_without_a_desk_profile_cannot_take_next(client, desk):
    supervisor = make_staff_user("supervisor", "zhou.supervisor")
    response = signed_in(client, supervisor).post(reverse("console:ticket-take-next"))
    assert response.status_code == 403


# --- the ticket page ---------------------------------------------------------------------------


def test_the_ticket_page_shows_thread_borrower_accounts_canned_replies_and_suggestions(
    client,
    desk,
    agent,
    products,
):
    borrower = make_borrower(full_name="Wang Fang")
    account = make_loan_account(borrower=borrower)
    ticket = open_desk_ticket(
        desk, borrower=borrower, accounts=[account], subject="How do I repay early?"
    )
    response = signed_in(client, agent).get(reverse("console:ticket", args=[ticket.reference]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "I want to pay off my loan early" in page
    assert f"/console/accounts/{account.pk}/" in page
    assert 'id="canned-replies"' in page  # the filled-in replies for desk.js
    assert "Early repayment" in page or "early" in page.lower()  # a suggested article
    assert PersonalDataAccess.objects.filter(user=agent, borrower=borrower).count() == 1


def test_an_agent_replies_and_the_reply_is_queued_in_the_outbox(
    client,
    desk,
    agent,
):
    borrower = make_borrower(full_name="Wang Fang")
    make_borrower_login(borrower)  # a portal ticket's reply goes to the in-app inbox
    ticket = open_desk_ticket(desk, borrower=borrower)
    url = reverse("console:ticket-reply", args=[ticket.reference])
    response = signed_in(client, agent).post(url, {"reply-body": "Yes, from the portal."})
    assert response.status_code == 302
    reply = TicketMessage.objects.get(ticket=ticket, direction=MessageDirection.OUTBOUND)
    assert reply.body == "Yes, from the portal." and reply.author == agent
    assert reply.outbox_message is not None
    assert OutboxMessage.objects.filter(pk=reply.outbox_message_id).exists()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_an_empty_reply_is_refused_next_to_the_field_and_writes_nothing(
    client,
    desk,
    agent,
):
    ticket = open_desk_ticket(desk, borrower=make_borrower())
    url = reverse("console:ticket-reply", args=[ticket.reference])
    response = signed_in(client, agent).post(url, {"reply-body": "  "})
    assert response.status_code == 422
    assert 'id="id_reply-body-error"' in response.content.decode()
    assert not TicketMessage.objects.filter(ticket=ticket, direction="outbound").exists()


def test_a_note_stays_internal(client, desk, agent):
    ticket = open_desk_ticket(desk, borrower=make_borrower())
    url = reverse("console:ticket-note", args=[ticket.reference])
    signed_in(client, agent).post(url, {"note-body": "Called the branch."})
    note = TicketMessage.objects.get(ticket=ticket, direction=MessageDirection.INTERNAL)
    assert note.body == "Called the branch." and note.outbox_message is None


def test_a_refused_status_move_shows_why_and_changes_nothing(client, desk, agent):
    ticket = open_desk_ticket(desk, borrower=make_borrower())
    signed_in(client, agent)
    client.post(
        reverse("console:ticket-status", args=[ticket.reference]), {"status-status": "closed"}
    )
    response = client.post(
        reverse("console:ticket-status", args=[ticket.reference]), {"status-status": "open"}
    )
    assert response.status_code == 422
    assert "action-refusals" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_an_allowed_status_move_and_priority_change_are_recorded(
    client,
    desk,
    agent,
):
    ticket = open_desk_ticket(desk, borrower=make_borrower())
    signed_in(client, agent)
    client.post(
        reverse("console:ticket-status", args=[ticket.reference]),
        {"status-status": "pending", "status-reason": "asked for a statement"},
    )
    client.post(
        reverse("console:ticket-priority", args=[ticket.reference]), {"priority-priority": "high"}
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.priority) == ("pending", "high")
    page = client.get(reverse("console:ticket", args=[ticket.reference])).content.decode()
    assert "asked for a statement" in page or "Pending" in page


def test_a_merged_tickets_messages_show_on_the_target(client, desk, agent):
    from arrears.care.services.merge import merge_tickets

    borrower = make_borrower()
    target = open_desk_ticket(desk, borrower=borrower, body="First mail")
    source = open_desk_ticket(desk, borrower=borrower, body="Second mail, same thing")
    merge_tickets(source=source, target=target)
    page = (
        signed_in(client, agent)
        .get(reverse("console:ticket", args=[target.reference]))
        .content.decode()
    )
    assert "First mail" in page and "Second mail, same thing" in page
    assert f"from {source.reference}" in page


def test_an_unknown_ticket_is_404(client, desk, agent):
    response = signed_in(client, agent).get(reverse("console:ticket", args=["T9999999"]))
    assert response.status_code == 404


# --- who is refused ----------------------------------------------------------------------------


def test_a_borrower_login_is_refused_the_ticket_pages(client, desk):
    ticket = open_desk_ticket(desk)
    signed_in(client, make_borrower_login(make_borrower()))
    assert client.get(reverse("console:tickets")).status_code == 403
    assert client.get(reverse("console:ticket", args=[ticket.reference])).status_code == 403
    response = client.post(
        reverse("console:ticket-reply", args=[ticket.reference]), {"reply-body": "hi"}
    )
    assert response.status_code == 403
    assert not TicketMessage.objects.filter(ticket=ticket, direction="outbound").exists()


def test_a_collector_without_care_permissions_is_refused(client, desk):
    collector = make_staff_user("collector", "chen.collector")
    assert signed_in(client, collector).get(reverse("console:tickets")).status_code == 403


def test_compliance_reads_tickets_but_cannot_reply(client, desk):
    ticket = open_desk_ticket(desk, borrower=make_borrower())
    officer = make_staff_user("compliance", "sun.compliance")
    signed_in(client, officer)
    page = client.get(reverse("console:ticket", args=[ticket.reference]))
    assert page.status_code == 200
    assert 'data-testid="reply-form"' not in page.content.decode()
    response = client.post(
        reverse("console:ticket-reply", args=[ticket.reference]), {"reply-body": "hi"}
    )
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, desk):
    response = client.get(reverse("console:tickets"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- what it is, and merging -------------------------------------------------------------------


def test_an_agent_says_the_ticket_is_a_complaint(client, desk, agent):
    ticket = open_desk_ticket(desk, borrower=make_borrower())
    signed_in(client, agent)

    response = client.post(
        reverse("console:ticket-kind", args=[ticket.reference]), {"kind-kind": "complaint"}
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.kind == "complaint"
    page = client.get(reverse("console:ticket", args=[ticket.reference])).content.decode()
    assert "The ticket&#x27;s kind is changed." in page or "The ticket's kind is changed." in page


def test_an_agent_merges_a_second_mail_into_the_first(client, desk, agent):
    borrower = make_borrower()
    first = open_desk_ticket(desk, borrower=borrower, body="First mail")
    second = open_desk_ticket(desk, borrower=borrower, body="Second mail, same thing")
    signed_in(client, agent)

    response = client.post(
        reverse("console:ticket-merge", args=[second.reference]),
        {"merge-target": first.reference.lower()},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("console:ticket", args=[first.reference])
    second.refresh_from_db()
    assert (second.merged_into_id, second.status) == (first.pk, TicketStatus.CLOSED)
    page = client.get(response["Location"]).content.decode()
    assert "Second mail, same thing" in page and f"Merged into {first.reference}." in page


@pytest.mark.parametrize(
    ("target", "words"),
    [("T9999999", "there is no ticket with this reference"), ("self", "into itself")],
)
def test_a_refused_merge_names_the_reference_and_changes_nothing(
    client, desk, agent, target, words
):
    ticket = open_desk_ticket(desk, borrower=make_borrower())
    signed_in(client, agent)

    response = client.post(
        reverse("console:ticket-merge", args=[ticket.reference]),
        {"merge-target": ticket.reference if target == "self" else target},
    )

    assert response.status_code == 422
    assert words in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None and ticket.status != TicketStatus.CLOSED


def test_tickets_of_two_borrowers_are_not_merged(client, desk, agent):
    mine = open_desk_ticket(desk, borrower=make_borrower())
    theirs = open_desk_ticket(desk, borrower=make_borrower())
    signed_in(client, agent)

    response = client.post(
        reverse("console:ticket-merge", args=[mine.reference]), {"merge-target": theirs.reference}
    )

    assert response.status_code in (409, 422)
    mine.refresh_from_db()
    assert mine.merged_into_id is None


def test_compliance_cannot_change_or_merge_a_ticket(client, desk):
    ticket = open_desk_ticket(desk, borrower=make_borrower())
    signed_in(client, make_staff_user("compliance"))
    page = client.get(reverse("console:ticket", args=[ticket.reference])).content.decode()
    assert 'data-testid="merge-form"' not in page

    assert (
        client.post(
            reverse("console:ticket-merge", args=[ticket.reference]), {"merge-target": "T0000001"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("console:ticket-kind", args=[ticket.reference]), {"kind-kind": "complaint"}
        ).status_code
        == 403
    )
