"""The ticket admin: lists, filters and searches tickets, shows their messages and history
read-only, and solves or closes through the service (a refused move is reported)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from arrears.care.models import SlaAlert, Ticket
from arrears.care.services.tickets import add_note, change_status
from tests.care.ticket_fixtures import *  # noqa: F403
from tests.care.ticket_fixtures import at, new_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db) -> Client:  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(user)
    return client


def test_the_ticket_list_filters_and_searches(root, borrower_loan):
    inquiry = new_ticket(borrower_loan, subject="提前还款咨询")
    new_ticket(kind="complaint", subject="催收电话太多", requester_name="韩梅梅")
    url = reverse("admin:care_ticket_changelist")

    assert root.get(url).status_code == 200
    assert inquiry.reference in root.get(url, {"status__exact": "new", "kind__exact": "inquiry"}
                                         ).content.decode()  # fmt: skip
    found = root.get(url, {"q": "韩梅梅"}).content.decode()
    assert "催收电话太多" in found and "提前还款咨询" not in found


def test_a_ticket_shows_its_messages_and_history_and_nothing_is_editable(root, staff):
    ticket = new_ticket()
    add_note(ticket=ticket, body="内部备注：已核实", by=staff, at=at(10))

    page = root.get(reverse("admin:care_ticket_change", args=[ticket.pk])).content.decode()

    assert "内部备注：已核实" in page and "ticket.note_added" in page
    assert 'name="subject"' not in page and 'name="_save"' not in page
    assert root.get(reverse("admin:care_ticket_add")).status_code == 403
    assert root.post(reverse("admin:care_ticket_delete", args=[ticket.pk])).status_code == 403


def test_closing_from_the_admin_goes_through_the_service(root):
    open_one, closed = new_ticket(), new_ticket()
    change_status(ticket=closed, status="closed", at=at(10))
    url = reverse("admin:care_ticket_changelist")

    chosen = {"action": "mark_solved", "_selected_action": [open_one.pk, closed.pk]}
    response = root.post(url, chosen, follow=True)

    open_one.refresh_from_db()
    assert open_one.status == "solved"
    assert open_one.events.filter(kind="status_changed", by__username="root").exists()
    assert Ticket.objects.get(pk=closed.pk).status == "closed"
    assert f"{closed.reference}: status" in response.content.decode()  # the refusal, reported


def test_sla_alerts_are_read_only(root):
    ticket = new_ticket()
    alert = SlaAlert.objects.create(
        ticket=ticket, metric="first_reply", kind="breach", raised_at=at(12),
        due_at=at(11) - dt.timedelta(minutes=1),
    )  # fmt: skip

    assert root.get(reverse("admin:care_slaalert_changelist")).status_code == 200
    page = root.get(reverse("admin:care_slaalert_change", args=[alert.pk])).content.decode()
    assert 'name="_save"' not in page
    assert root.get(reverse("admin:care_slaalert_add")).status_code == 403
