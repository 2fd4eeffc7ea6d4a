"""The SLA sweep: each warning, breach, escalation and regulatory alert raised once, recorded on
the ticket, and escalations acted on up the chain to the head-office complaints team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.care.models import CareQueue, SlaAlert, Team, Ticket, TicketEvent
from arrears.care.services.sla import sweep_sla
from arrears.care.services.tickets import reply_to_ticket
from arrears.care.tasks import sweep_sla_task
from tests.care.desk_fixtures import *  # noqa: F403
from tests.care.desk_fixtures import beijing, open_at
from tests.factories import make_borrower

pytestmark = pytest.mark.django_db

MONDAY_0900 = beijing(2026, 3, 9, 9)


@pytest.fixture
def notified_teams(default_desk):  # type: ignore[no-untyped-def]
    for code in ("team_lead", "desk_manager", "head_office_complaints"):
        Team.objects.filter(code=code).update(notify_address=f"{code}@lender.example")


def complaint_in_the_general_queue():  # type: ignore[no-untyped-def]
    """A complaint an agent filed in the general queue (no borrower known: no outer limit)."""
    general = CareQueue.objects.get(code="general_zh")
    return open_at(MONDAY_0900, kind="complaint", queue=general, subject="催收电话太多")


def events(ticket, kind):  # type: ignore[no-untyped-def]
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind).order_by("at", "id"))


def test_a_breach_escalates_once_up_the_chain_to_head_office_each_step_recorded(
    notified_teams, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = complaint_in_the_general_queue()

    with django_capture_on_commit_callbacks(execute=True):
        first = sweep_sla(now=beijing(2026, 3, 9, 11, 30))
    assert (first.alerts, first.escalations) == (4, 1)  # warnings at 50 % and 75 %, breach, L1
    assert [e.reason for e in events(ticket, "sla_warning")] == ["sla.warning", "sla.warning"]
    assert [e.reason for e in events(ticket, "sla_breach")] == ["sla.breach"]
    assert [m.to for m in mailoutbox] == [["team_lead@lender.example"]]

    with django_capture_on_commit_callbacks(execute=True):
        second = sweep_sla(now=beijing(2026, 3, 9, 15))
    ticket.refresh_from_db()
    assert (second.escalations, second.priorities_raised) == (1, 1)
    assert ticket.priority == "high"
    assert ticket.queue.code == "general_zh"

    with django_capture_on_commit_callbacks(execute=True):
        third = sweep_sla(now=beijing(2026, 3, 9, 17))
    ticket.refresh_from_db()
    assert (third.escalations, third.moved) == (1, 1)
    assert ticket.queue.code == "complaints"  # the head-office complaints team's queue

    with django_capture_on_commit_callbacks(execute=True):
        again = sweep_sla(now=beijing(2026, 3, 9, 17))
    assert again.alerts == 0

    escalated = events(ticket, "escalated")
    assert [e.params["notify"] for e in escalated] == [
        "team_lead", "desk_manager", "head_office_complaints",
    ]  # fmt: skip
    assert [e.params["due_at"] for e in escalated] == [
        beijing(2026, 3, 9, 11).astimezone(dt.UTC).isoformat(),
        beijing(2026, 3, 9, 14, 30).astimezone(dt.UTC).isoformat(),
        beijing(2026, 3, 9, 16, 30).astimezone(dt.UTC).isoformat(),
    ]
    moved = events(ticket, "queue_changed")
    assert [(e.params["from"], e.params["to"]) for e in moved] == [("general_zh", "complaints")]
    raised = events(ticket, "priority_changed")
    assert [(e.params["from"], e.params["to"]) for e in raised] == [("normal", "high")]
    levels = SlaAlert.objects.filter(ticket=ticket, kind="escalation").order_by("level")
    assert [a.level for a in levels] == [1, 2, 3]
    assert [m.to[0] for m in mailoutbox] == [
        "team_lead@lender.example", "desk_manager@lender.example",
        "head_office_complaints@lender.example",
    ]  # fmt: skip
    assert ticket.reference in mailoutbox[-1].subject


def test_a_complaint_without_a_final_response_raises_the_regulatory_alert(
    notified_teams, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = open_at(MONDAY_0900, kind="complaint", borrower=make_borrower())
    reply_to_ticket(ticket=ticket, body="已收到您的投诉。", by=None, at=beijing(2026, 3, 9, 10))

    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla(now=beijing(2026, 3, 26, 10))

    breach = SlaAlert.objects.get(ticket=ticket, kind="regulatory", level=100)
    assert breach.reason == "sla.regulatory_breach"
    assert breach.notify == "head_office_complaints"
    assert breach.params["jurisdiction"] == "CN"
    assert breach.due_at == beijing(2026, 3, 25)
    assert events(ticket, "sla_breach")[-1].reason == "sla.regulatory_breach"
    assert any("head_office_complaints@" in m.to[0] for m in mailoutbox)


def test_a_complaint_answered_in_writing_in_time_raises_no_regulatory_alert(notified_teams):
    ticket = open_at(MONDAY_0900, kind="complaint", borrower=make_borrower())
    reply_to_ticket(ticket=ticket, body="最终答复……", by=None, final_response=True,
                    at=beijing(2026, 3, 10, 10))  # fmt: skip

    sweep_sla(now=beijing(2026, 3, 26, 10))

    assert not SlaAlert.objects.filter(ticket=ticket, kind="regulatory").exists()


def test_a_solved_complaint_still_owed_its_final_response_is_swept(notified_teams):
    from arrears.care.services.tickets import change_status

    ticket = open_at(MONDAY_0900, kind="complaint", borrower=make_borrower())
    change_status(ticket=ticket, status="solved", at=beijing(2026, 3, 9, 10))

    sweep_sla(now=beijing(2026, 3, 26, 10))

    assert SlaAlert.objects.filter(ticket=ticket, kind="regulatory", level=100).exists()


def test_the_sweep_reads_many_tickets_in_a_fixed_number_of_queries(default_desk):
    for _ in range(3):
        open_at(MONDAY_0900)
    with CaptureQueriesContext(connection) as three:
        sweep_sla(now=beijing(2026, 3, 9, 9, 10))
    for _ in range(6):
        open_at(MONDAY_0900)
    with CaptureQueriesContext(connection) as nine:
        result = sweep_sla(now=beijing(2026, 3, 9, 9, 10))

    assert result.tickets == 9
    assert len(nine) == len(three)
    assert len(nine) <= 10


def test_the_sweep_task_sweeps_at_the_given_instant(default_desk):
    ticket = open_at(MONDAY_0900)

    result = sweep_sla_task.enqueue(beijing(2026, 3, 9, 17).isoformat())

    assert result.return_value["alerts"] == 3  # the first reply's 75 % warning, breach, L1
    kinds = SlaAlert.objects.filter(ticket=ticket).values_list("kind", "level")
    assert sorted(kinds) == [("breach", 0), ("escalation", 1), ("warning", 75)]


def test_closed_and_merged_tickets_are_not_swept(default_desk):
    from arrears.care.services.tickets import change_status

    ticket = open_at(MONDAY_0900)
    change_status(ticket=ticket, status="closed", at=beijing(2026, 3, 9, 9, 30))

    assert sweep_sla(now=beijing(2026, 3, 20, 9)).tickets == 0
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"
