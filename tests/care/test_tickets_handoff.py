"""A dispute or hardship request raised at the desk reaches collection at once: a dispute hold
stops collection contact and takes the account out of every work queue; a hardship request
flags the case and pauses its treatment. Passing a ticket twice does nothing new."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.care.choices import TicketEventKind
from arrears.care.services.handoff import DISPUTE_REVIEW_DAYS, pass_to_collection
from arrears.care.services.ticket_changes import change_kind, link_ticket
from arrears.care.services.tickets import change_status, open_ticket, receive_message
from arrears.collection.selectors import work_queue
from arrears.collection.services import open_case, schedule_call, take_next_action
from arrears.compliance.choices import HoldKind
from arrears.compliance.models import Hold
from arrears.compliance.services import next_permitted
from arrears.core.clock import FixedClock
from tests.care.ticket_fixtures import *  # noqa: F403
from tests.care.ticket_fixtures import MONDAY, new_ticket, overdue_loan, shanghai
from tests.collection.conftest import clock_at, primary_mobile

pytestmark = pytest.mark.django_db
RAISED = shanghai(MONDAY, 9, 30)


@pytest.fixture
def collector(make_collector, early_queue):  # type: ignore[no-untyped-def]
    return make_collector("li", queues=[early_queue], languages=["zh-hans"])


@pytest.fixture
def case(desk, collector):  # type: ignore[no-untyped-def]
    """An overdue loan's open case in the collector's queue, with a call queued for 09:00."""
    case = open_case(account=overdue_loan(), on=MONDAY, reason="overdue", clock=clock_at(MONDAY, 8))
    schedule_call(case=case, at=shanghai(MONDAY, 9), number=primary_mobile(case.account),
                  key=f"call-{case.pk}", reason="a call", now=shanghai(MONDAY, 9),
                  clock=clock_at(MONDAY, 9))  # fmt: skip
    return case


def raise_ticket(kind, case, **fields):  # type: ignore[no-untyped-def]
    values = {"accounts": [case.account], "subject": "这笔欠款不是我的", **fields}
    return open_ticket(kind=kind, origin="phone", borrower=case.borrower, at=RAISED, **values)


def in_queue(collector):  # type: ignore[no-untyped-def]
    return [i.action.case for i in work_queue(collector, now=shanghai(MONDAY, 10)).ready]


def handoffs(ticket):  # type: ignore[no-untyped-def]
    return list(ticket.events.filter(kind=TicketEventKind.SENT_TO_COLLECTION))


def test_a_disputed_account_leaves_every_work_queue_at_once(case, collector):
    assert in_queue(collector) == [case]

    ticket = raise_ticket("dispute", case)

    view = work_queue(collector, now=shanghai(MONDAY, 10))
    assert view.ready == [] and view.later == []
    assert take_next_action(agent=collector, clock=clock_at(MONDAY, 10)) is None
    hold = Hold.objects.get(account=case.account)
    assert (hold.kind, hold.start_on, hold.end_on, hold.lifted_at) == (
        "dispute",
        MONDAY,
        None,
        None,
    )
    assert hold.review_on == MONDAY + dt.timedelta(days=DISPUTE_REVIEW_DAYS)
    assert ticket.reference in hold.reason
    (event,) = handoffs(ticket)
    assert (event.reason, event.params["holds"], event.params["accounts"]) == (
        "handoff.dispute_hold",
        [hold.pk],
        [case.account.number],
    )


def test_the_gate_refuses_collection_contact_on_a_disputed_account(case):
    raise_ticket("dispute", case)

    ten = shanghai(MONDAY, 10)
    when = next_permitted(borrower=case.borrower, account=case.account, channel="call",
                          address=primary_mobile(case.account), purpose="collection",
                          at=ten, clock=FixedClock(ten))  # fmt: skip

    assert when is None


def test_a_dispute_without_accounts_holds_every_account_of_the_borrower(case, collector):
    assert in_queue(collector) == [case]
    ticket = raise_ticket("dispute", case, accounts=[])

    hold = Hold.objects.get(borrower=case.borrower)
    assert (hold.account, hold.kind) == (None, HoldKind.DISPUTE)
    assert work_queue(collector, now=shanghai(MONDAY, 10)).ready == []
    assert handoffs(ticket)[0].params["accounts"] == [None]


def test_passing_a_dispute_twice_sets_no_second_hold(case):
    ticket = raise_ticket("dispute", case)

    pass_to_collection(ticket=ticket, at=RAISED + dt.timedelta(hours=1))
    change_status(ticket=ticket, status="closed", at=RAISED + dt.timedelta(hours=2))
    receive_message(ticket=ticket, body="还有一笔也不对", channel="email",
                    at=RAISED + dt.timedelta(hours=3))  # fmt: skip

    assert Hold.objects.count() == 1
    assert len(handoffs(ticket)) == 1


def test_solving_the_dispute_ticket_leaves_the_hold_for_the_lender_to_lift(case, collector):
    assert in_queue(collector) == [case]
    ticket = raise_ticket("dispute", case)

    change_status(ticket=ticket, status="solved", at=RAISED + dt.timedelta(hours=1))
    change_status(ticket=ticket, status="closed", at=RAISED + dt.timedelta(hours=2))

    hold = Hold.objects.get()
    assert hold.lifted_at is None
    assert work_queue(collector, now=shanghai(MONDAY, 12)).ready == []


def test_a_hardship_request_flags_the_case_and_pauses_its_treatment(case, collector):
    assert in_queue(collector) == [case]
    ticket = raise_ticket("hardship_request", case, subject="失业了，暂时还不上")

    case.refresh_from_db()
    assert case.hardship is True
    assert case.paused_until == MONDAY + dt.timedelta(days=30)
    assert work_queue(collector, now=shanghai(MONDAY, 10)).ready == []
    (event,) = handoffs(ticket)
    assert event.reason == "handoff.hardship_flagged"
    assert event.params["cases"] == [{"case": case.pk, "account": case.account.number,
                                      "paused_until": "2025-04-02"}]  # fmt: skip
    assert not Hold.objects.exists()


def test_passing_a_hardship_request_twice_does_nothing_new(case):
    ticket = raise_ticket("hardship_request", case)
    later = RAISED + dt.timedelta(days=3)

    pass_to_collection(ticket=ticket, at=later)

    case.refresh_from_db()
    assert case.paused_until == MONDAY + dt.timedelta(days=30)
    assert len(handoffs(ticket)) == 1
    assert case.events.filter(kind="paused").count() == 1


def test_a_hardship_request_without_an_open_case_is_noted_once(borrower_loan):
    ticket = new_ticket(borrower_loan, kind="hardship_request")
    pass_to_collection(ticket=ticket, at=RAISED)

    (event,) = handoffs(ticket)
    assert (event.reason, event.params) == (
        "handoff.no_open_case",
        {"accounts": [borrower_loan.number]},
    )


@pytest.mark.parametrize("kind", ["dispute", "hardship_request"])
def test_a_ticket_that_turns_out_to_be_a_dispute_or_hardship_is_passed_then(case, kind):
    ticket = raise_ticket("inquiry", case)
    assert handoffs(ticket) == [] and not Hold.objects.exists()

    change_kind(ticket=ticket, kind=kind, at=RAISED + dt.timedelta(minutes=5))

    case.refresh_from_db()
    assert len(handoffs(ticket)) == 1
    assert Hold.objects.exists() == (kind == "dispute")
    assert case.hardship == (kind == "hardship_request")


def test_a_dispute_from_an_unknown_sender_is_passed_once_the_account_is_linked(case):
    ticket = open_ticket(kind="dispute", subject="我没有借过这笔钱", origin="email",
                         requester_address="who@example.com", at=RAISED)  # fmt: skip
    assert handoffs(ticket) == []

    link_ticket(ticket=ticket, borrower=case.borrower, accounts=[case.account],
                at=RAISED + dt.timedelta(minutes=5))  # fmt: skip

    assert Hold.objects.get().account == case.account
    assert len(handoffs(ticket)) == 1


def test_merging_a_ticket_into_a_dispute_holds_the_accounts_it_brings(case):
    from arrears.care.services.merge import merge_tickets
    from tests.factories import make_loan_account

    card = make_loan_account(borrower=case.borrower)
    dispute = raise_ticket("dispute", case)
    about_card = open_ticket(kind="inquiry", subject="另一笔", origin="email",
                             borrower=case.borrower, accounts=[card], at=RAISED)  # fmt: skip

    merge_tickets(source=about_card, target=dispute, at=RAISED + dt.timedelta(minutes=5))

    assert set(Hold.objects.values_list("account", flat=True)) == {case.account.pk, card.pk}
    assert [e.params["accounts"] for e in handoffs(dispute)] == [
        [case.account.number],
        [card.number],
    ]


def test_a_hardship_request_without_accounts_pauses_every_open_case_of_the_borrower(case):
    ticket = raise_ticket("hardship_request", case, accounts=[])

    case.refresh_from_db()
    assert case.hardship is True
    assert [c["case"] for c in handoffs(ticket)[0].params["cases"]] == [case.pk]
