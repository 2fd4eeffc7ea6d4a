"""A ticket's life at the desk: statuses with meaning, follow-ups after closing, the borrower's
replies reopening it, replies and notes, priority, kind, borrower and accounts, assignee.

Every change is in the ticket's history; bad input names its field and writes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.care.choices import TicketEventKind, TicketStatus
from arrears.care.models import Ticket, TicketEvent, TicketMessage
from arrears.care.services.ticket_changes import (
    assign_ticket,
    change_kind,
    link_ticket,
    set_priority,
)
from arrears.care.services.tickets import (
    ALLOWED_MOVES,
    add_note,
    change_status,
    open_ticket,
    receive_message,
    reply_to_ticket,
)
from arrears.core.errors import Conflict, ValidationError
from arrears.engagement.models import OutboxMessage
from tests.care.ticket_fixtures import *  # noqa: F403
from tests.care.ticket_fixtures import at, new_ticket
from tests.conftest import rolled_back

pytestmark = pytest.mark.django_db

STATUSES = list(TicketStatus.values)
ALLOWED = [(old, new) for old in STATUSES for new in sorted(ALLOWED_MOVES[old])]
REFUSED = [
    (old, new)
    for old, new in itertools.product(STATUSES, STATUSES)
    if old != new and new not in ALLOWED_MOVES[old]
]


def in_status(ticket: Ticket, status: str) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    return ticket


def status_events(ticket: Ticket) -> list[tuple[str, str, str]]:
    return list(
        ticket.events.filter(kind=TicketEventKind.STATUS_CHANGED)
        .order_by("at", "id")
        .values_list("status_from", "status_to", "reason")
    )


# --- statuses ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_every_allowed_status_move_is_made_and_kept_in_the_history(db, old, new):
    ticket = in_status(new_ticket(), old)

    change_status(ticket=ticket, status=new, reason="customer called", at=at(10))

    ticket.refresh_from_db()
    assert ticket.status == new
    event = ticket.events.get(kind=TicketEventKind.STATUS_CHANGED)
    assert (event.status_from, event.status_to, event.reason) == (old, new, "ticket.status_set")
    assert event.params == {"note": "customer called"}
    if new == TicketStatus.SOLVED:
        assert ticket.solved_at == at(10)
    if new == TicketStatus.CLOSED:
        assert ticket.closed_at == at(10)


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_every_refused_status_move_names_the_status_and_writes_nothing(db, old, new):
    ticket = in_status(new_ticket(), old)
    events = ticket.events.count()

    with pytest.raises(ValidationError) as refused:
        change_status(ticket=ticket, status=new, at=at(10))

    assert refused.value.field == "status"
    ticket.refresh_from_db()
    assert ticket.status == old and ticket.events.count() == events


def test_an_unknown_status_is_refused_by_name(db):
    with pytest.raises(ValidationError) as refused:
        change_status(ticket=new_ticket(), status="parked", at=at(10))

    assert refused.value.field == "status"


def test_a_closed_ticket_stays_closed(db):
    ticket = new_ticket()
    change_status(ticket=ticket, status="closed", at=at(10))

    for status in ("new", "open", "pending", "on_hold", "solved"):
        with pytest.raises(ValidationError):
            change_status(ticket=ticket, status=status, at=at(11))
    with pytest.raises(Conflict):
        reply_to_ticket(ticket=ticket, body="还在吗？", by=None, at=at(11))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(requests=st.lists(st.sampled_from(STATUSES), max_size=8))
def test_the_status_timeline_always_joins_up_and_closed_is_final(db, requests):
    with rolled_back():
        ticket = new_ticket()
        for minute, status in enumerate(requests):
            with contextlib.suppress(ValidationError):
                change_status(ticket=ticket, status=status, at=at(10, minute))
        ticket.refresh_from_db()
        timeline = status_events(ticket)
        current = TicketStatus.NEW
        for old, new, _reason in timeline:
            assert old == current and new in ALLOWED_MOVES[old]
            current = new
        assert ticket.status == current
        if TicketStatus.CLOSED in [new for _o, new, _r in timeline]:
            assert timeline[-1][1] == TicketStatus.CLOSED


# --- the borrower writes -----------------------------------------------------------------------
def test_a_message_after_closing_opens_a_follow_up_linked_both_ways(borrower_loan):
    closed = new_ticket(borrower_loan)
    change_status(ticket=closed, status="closed", at=at(10))

    message = receive_message(ticket=closed, body="我又有一个问题", channel="email", at=at(11))

    follow_up = message.ticket
    assert follow_up.pk != closed.pk and follow_up.follow_up_of == closed
    assert list(closed.follow_ups.all()) == [follow_up]
    assert follow_up.status == TicketStatus.NEW
    assert (follow_up.borrower, list(follow_up.accounts.all())) == (
        closed.borrower,
        [borrower_loan],
    )
    closed.refresh_from_db()
    assert closed.status == TicketStatus.CLOSED
    assert closed.events.get(kind=TicketEventKind.FOLLOW_UP_OPENED).params == {
        "follow_up": follow_up.reference
    }
    assert follow_up.events.get(kind=TicketEventKind.FOLLOW_UP_OPENED).params == {
        "follow_up_of": closed.reference
    }


@pytest.mark.parametrize("waiting", ["pending", "solved"])
def test_a_borrower_reply_puts_a_pending_or_solved_ticket_back_to_open(db, waiting):
    ticket = in_status(new_ticket(), waiting)

    receive_message(ticket=ticket, body="还是不行", channel="email", at=at(10))

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert status_events(ticket) == [(waiting, "open", "ticket.borrower_replied")]


@pytest.mark.parametrize("status", ["new", "open", "on_hold"])
def test_a_borrower_reply_leaves_other_statuses_as_they_are(db, status):
    ticket = in_status(new_ticket(), status)

    receive_message(ticket=ticket, body="补充一下", channel="sms", at=at(10))

    ticket.refresh_from_db()
    assert ticket.status == status and status_events(ticket) == []
    assert ticket.updated_at == at(10)


def test_an_empty_message_is_refused_and_nothing_is_written(db):
    ticket = new_ticket()

    with pytest.raises(ValidationError) as refused:
        receive_message(ticket=ticket, body="   ", channel="email", at=at(10))

    assert refused.value.field == "body"
    assert ticket.messages.count() == 1


# --- replies and notes -------------------------------------------------------------------------
def test_the_first_reply_opens_a_new_ticket_and_its_time_is_kept_once(desk, borrower_loan, staff):
    ticket = new_ticket(borrower_loan)

    reply_to_ticket(ticket=ticket, body="您好，可以在App中提前还款。", by=staff, at=at(10))
    reply_to_ticket(ticket=ticket, body="还有其他问题吗？", by=staff, at=at(11))

    ticket.refresh_from_db()
    assert ticket.first_replied_at == at(10)
    assert ticket.status == TicketStatus.OPEN
    assert status_events(ticket) == [("new", "open", "ticket.replied")]
    assert ticket.events.filter(kind=TicketEventKind.REPLIED, reason="ticket.replied").count() == 2


def test_a_public_reply_goes_to_the_outbox_and_a_note_never_does(desk, borrower_loan, staff):
    ticket = new_ticket(borrower_loan)

    note = add_note(ticket=ticket, body="客户情绪激动，注意语气", by=staff, at=at(10))
    assert not OutboxMessage.objects.exists()
    reply = reply_to_ticket(ticket=ticket, body="您好，已为您查询。", by=staff, at=at(11))

    note.refresh_from_db()
    reply.refresh_from_db()
    assert (note.direction, note.outbox_message) == ("internal", None)
    assert reply.outbox_message is not None
    assert list(OutboxMessage.objects.all()) == [reply.outbox_message]
    assert ticket.events.filter(kind=TicketEventKind.NOTE_ADDED).count() == 1


def test_a_final_response_is_marked_once(desk, borrower_loan, staff):
    ticket = new_ticket(borrower_loan, kind="complaint")

    reply_to_ticket(ticket=ticket, body="最终答复：……", by=staff, final_response=True, at=at(10))
    reply_to_ticket(ticket=ticket, body="补充答复", by=staff, final_response=True, at=at(12))

    ticket.refresh_from_db()
    assert ticket.final_response_at == at(10)
    assert ticket.events.filter(kind=TicketEventKind.FINAL_RESPONSE).count() == 2


def test_a_reply_that_would_make_a_refused_move_writes_nothing(db, staff):
    ticket = in_status(new_ticket(), "open")

    with pytest.raises(ValidationError) as refused:
        reply_to_ticket(ticket=ticket, body="好的", by=staff, status="new", at=at(10))

    assert refused.value.field == "status"
    assert ticket.messages.count() == 1 and ticket.events.count() == 1


def test_a_reply_may_leave_the_ticket_pending_on_the_borrower(desk, borrower_loan, staff):
    ticket = new_ticket(borrower_loan)

    reply_to_ticket(ticket=ticket, body="请提供流水截图", by=staff, status="pending", at=at(10))

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING


# --- opening -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": "  "}, "subject"),
        ({"subject": "x" * 301}, "subject"),
        ({"kind": "praise"}, "kind"),
        ({"origin": "fax"}, "origin"),
        ({"priority": "asap"}, "priority"),
        ({"language": "fr"}, "language"),
        ({"cause": "weather"}, "cause"),
        ({"at": dt.datetime(2025, 3, 3, 9)}, "at"),
    ],
)
def test_opening_with_bad_input_names_the_field_and_writes_nothing(db, changes, field):
    with pytest.raises(ValidationError) as refused:
        new_ticket(**changes)

    assert refused.value.field == field
    assert not Ticket.objects.exists() and not TicketMessage.objects.exists()


def test_a_ticket_cannot_name_accounts_of_someone_else(borrower_loan, other_loan):
    with pytest.raises(ValidationError) as refused:
        open_ticket(kind="inquiry", subject="账单", origin="phone", at=at(9),
                    borrower=borrower_loan.borrower, accounts=[other_loan])  # fmt: skip

    assert refused.value.field == "accounts"
    assert not Ticket.objects.exists()


def test_an_opened_ticket_has_a_reference_a_first_message_and_a_created_event(db):
    ticket = new_ticket(requester_name="李雷", requester_address="lilei@example.com")

    assert ticket.reference == f"T{ticket.pk:07d}"
    assert [m.body for m in ticket.messages.all()] == ["请问如何提前还款？"]
    assert ticket.messages.get().direction == "inbound"
    created = ticket.events.get()
    assert (created.kind, created.reason, created.status_to) == ("created", "ticket.opened", "new")


# --- priority, kind, borrower and accounts, assignee --------------------------------------------
def test_a_priority_change_is_recorded_once(db, staff):
    ticket = new_ticket()

    set_priority(ticket=ticket, priority="urgent", by=staff, at=at(10))
    set_priority(ticket=ticket, priority="urgent", by=staff, at=at(11))

    ticket.refresh_from_db()
    assert ticket.priority == "urgent"
    event = ticket.events.get(kind=TicketEventKind.PRIORITY_CHANGED)
    assert (event.params, event.by) == ({"priority_from": "normal", "priority": "urgent"}, staff)
    with pytest.raises(ValidationError) as refused:
        set_priority(ticket=ticket, priority="now!", at=at(12))
    assert refused.value.field == "priority"


def test_the_kind_of_a_ticket_can_be_corrected(db, staff):
    ticket = new_ticket()

    change_kind(ticket=ticket, kind="complaint", by=staff, at=at(10))

    ticket.refresh_from_db()
    assert ticket.kind == "complaint"
    assert ticket.events.get(kind=TicketEventKind.KIND_CHANGED).params == {
        "kind_from": "inquiry",
        "kind": "complaint",
    }


def test_a_sender_becomes_a_known_borrower_with_their_accounts(borrower_loan, staff):
    ticket = new_ticket(requester_address="someone@example.com")

    link_ticket(ticket=ticket, borrower=borrower_loan.borrower, accounts=[borrower_loan],
                by=staff, at=at(10))  # fmt: skip
    link_ticket(ticket=ticket, accounts=[borrower_loan], by=staff, at=at(11))

    ticket.refresh_from_db()
    assert ticket.borrower == borrower_loan.borrower
    assert list(ticket.accounts.all()) == [borrower_loan]
    event = ticket.events.get(kind=TicketEventKind.LINKED)
    assert event.params == {
        "borrower": borrower_loan.borrower_id,
        "accounts": [borrower_loan.number],
    }


def test_linking_refuses_another_borrowers_accounts_and_another_borrower(borrower_loan, other_loan):
    ticket = new_ticket(borrower_loan)

    with pytest.raises(ValidationError) as wrong_account:
        link_ticket(ticket=ticket, accounts=[other_loan], at=at(10))
    with pytest.raises(ValidationError) as wrong_borrower:
        link_ticket(ticket=ticket, borrower=other_loan.borrower, at=at(10))

    assert (wrong_account.value.field, wrong_borrower.value.field) == ("accounts", "borrower")
    assert list(ticket.accounts.all()) == [borrower_loan]
    assert not ticket.events.filter(kind=TicketEventKind.LINKED).exists()


def test_a_ticket_without_a_borrower_takes_no_accounts(other_loan):
    ticket = new_ticket()

    with pytest.raises(ValidationError) as refused:
        link_ticket(ticket=ticket, accounts=[other_loan], at=at(10))

    assert refused.value.field == "accounts"


def test_assigning_a_ticket_says_who_has_it_and_handing_it_back(db, staff):
    from django.contrib.auth import get_user_model

    lead = get_user_model().objects.create_user(username="desk.lead")
    ticket = new_ticket()

    assign_ticket(ticket=ticket, to=staff, by=lead, at=at(10))
    assign_ticket(ticket=ticket, to=staff, by=lead, at=at(10, 30))
    assign_ticket(ticket=ticket, to=None, by=lead, at=at(11))

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert list(ticket.events.filter(kind="assigned").values_list("reason", "params")) == [
        ("ticket.assigned", {"assignee_from": None, "assignee": "wang.fang"}),
        ("ticket.unassigned", {"assignee_from": "wang.fang", "assignee": None}),
    ]


def test_an_inactive_user_cannot_be_given_a_ticket(db, staff):
    staff.is_active = False
    staff.save()

    with pytest.raises(ValidationError) as refused:
        assign_ticket(ticket=new_ticket(), to=staff, at=at(10))

    assert refused.value.field == "to"
    assert not TicketEvent.objects.filter(kind="assigned").exists()


def test_a_borrower_writing_from_the_portal_is_in_the_shared_contact_history(borrower_loan):
    from arrears.compliance.models import ContactAttempt

    ticket = new_ticket(borrower_loan, origin="portal")
    receive_message(ticket=ticket, body="补充一下：我想下个月提前还清", channel="portal", at=at(10))

    attempts = ContactAttempt.objects.filter(borrower=borrower_loan.borrower).order_by("started_at")
    assert [(a.channel, a.direction, a.by, a.started_at) for a in attempts] == [
        ("in_app", "inbound", "borrower", at(9)),
        ("in_app", "inbound", "borrower", at(10)),
    ]
    linked = TicketMessage.objects.filter(ticket=ticket).values_list("contact_attempt", flat=True)
    assert sorted(linked) == sorted(a.pk for a in attempts)
