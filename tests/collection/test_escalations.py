"""Escalation: letters and legal review need their preconditions and, where the strategy says,
a supervisor; agencies take cases within their caps and are compared on what they collect."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from arrears.collection.choices import ActionStatus, EscalationStatus, OwnerKind
from arrears.collection.models import Placement
from arrears.collection.selectors import agency_performance
from arrears.collection.services import (
    approve_escalation,
    open_case,
    place_with_agency,
    recall_placement,
    reject_escalation,
    request_escalation,
    review_placements,
)
from arrears.core.errors import Conflict, ValidationError
from arrears.engagement.models import OutboxMessage
from arrears.engagement.services import queue_collection_message
from arrears.servicing.services.ageing import age_account
from arrears.servicing.services.payments import post_payment
from tests.collection.conftest import clock_at, overdue_loan
from tests.factories import cny, make_agency

pytestmark = pytest.mark.django_db

#: Monday 21 April 2025: the loan first due on 15 February is 65 days past due.
LATE = dt.date(2025, 4, 21)


def late_case(**loan):
    account = overdue_loan(**loan)
    age_account(account=account, as_of=LATE)
    account.refresh_from_db()
    return open_case(account=account, on=LATE, reason="late", clock=clock_at(LATE, 9))


@pytest.fixture
def case(desk):  # type: ignore[no-untyped-def]
    return late_case()


@pytest.fixture
def supervisor(make_collector):  # type: ignore[no-untyped-def]
    return make_collector("boss", role="collection_supervisor")


@pytest.fixture
def collector(make_collector):  # type: ignore[no-untyped-def]
    return make_collector("li")


def sent(case, kind, days_ago):
    """A notice of `kind` sent on the account `days_ago` days before LATE."""
    day = LATE - dt.timedelta(days=days_ago)
    message, _created = queue_collection_message(
        kind=kind,
        borrower=case.borrower,
        account=case.account,
        variables={
            "amount": cny("100.00"),
            "balance": cny("100.00"),
            "days_past_due": 30,
            "pay_by": day,
            "self_service_url": "https://x",
        },
        idempotency_key=f"sent-{kind}-{days_ago}",
        channel="letter" if kind.endswith("letter") else "sms",
        clock=clock_at(day, 9),
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="sent", sent_at=clock_at(day, 10).now()
    )


def failed(escalation):
    return {c["name"]: c["reason"] for c in escalation.checks if not c["passed"]}


def test_a_lawyers_letter_needs_the_warning_letter_sent_first(case, collector):
    escalation = request_escalation(
        case=case, kind="lawyers_letter", by=collector, clock=clock_at(LATE, 10)
    )

    assert escalation.status == EscalationStatus.NOT_ELIGIBLE
    assert failed(escalation) == {"notice:warning_letter": "escalation.notice_missing"}
    assert not OutboxMessage.objects.filter(kind="lawyers_letter").exists()


def test_a_lawyers_letter_waits_out_the_warning_letters_period(case, collector):
    sent(case, "warning_letter", days_ago=10)

    escalation = request_escalation(
        case=case, kind="lawyers_letter", by=collector, clock=clock_at(LATE, 10)
    )

    assert escalation.status == EscalationStatus.NOT_ELIGIBLE
    (check,) = [c for c in escalation.checks if not c["passed"]]
    assert check["reason"] == "escalation.waiting_period"
    assert check["ready_on"] == (LATE + dt.timedelta(days=5)).isoformat()
    assert check["text_zh"] and check["cite"]["ref"] == "CN-POLICY"


def test_a_lawyers_letter_needs_a_supervisors_approval_then_goes_out_as_a_letter(
    case, collector, supervisor
):
    sent(case, "warning_letter", days_ago=16)
    now = clock_at(LATE, 10)

    escalation = request_escalation(case=case, kind="lawyers_letter", by=collector, clock=now)
    assert escalation.status == EscalationStatus.REQUESTED
    assert escalation.action.status == ActionStatus.AWAITING_APPROVAL
    assert not OutboxMessage.objects.filter(kind="lawyers_letter").exists()

    with pytest.raises(PermissionDenied):
        approve_escalation(escalation=escalation, by=collector, clock=now)

    approve_escalation(escalation=escalation, by=supervisor, reason="checked", clock=now)
    escalation.refresh_from_db()
    assert (escalation.status, escalation.decided_by) == (EscalationStatus.DONE, supervisor)
    letter = OutboxMessage.objects.get(kind="lawyers_letter")
    assert (letter.channel, letter.purpose) == ("letter", "collection")
    assert "律师函" not in letter.body and "诉讼" in letter.body
    action = escalation.action
    action.refresh_from_db()
    assert (action.outbox_message, action.approved_by) == (letter, supervisor)


def test_a_warning_letter_without_approval_goes_out_at_once(case, collector):
    sent(case, "collection_reminder", days_ago=8)

    escalation = request_escalation(
        case=case, kind="warning_letter", by=collector, clock=clock_at(LATE, 10)
    )

    assert escalation.status == EscalationStatus.DONE
    assert OutboxMessage.objects.filter(kind="warning_letter", status="pending").count() == 1


def test_a_dispute_stops_an_escalation(case, collector):
    from arrears.compliance.services import set_hold

    sent(case, "collection_reminder", days_ago=8)
    set_hold(
        borrower=case.borrower,
        account=case.account,
        kind="dispute",
        start_on=LATE,
        review_on=LATE + dt.timedelta(days=30),
        reason="disputed",
        clock=clock_at(LATE, 9),
    )

    escalation = request_escalation(
        case=case, kind="warning_letter", by=collector, clock=clock_at(LATE, 10)
    )

    assert failed(escalation) == {"no_dispute": "escalation.dispute_open"}


def test_a_supervisor_may_reject_with_a_reason(case, collector, supervisor):
    sent(case, "warning_letter", days_ago=20)
    now = clock_at(LATE, 10)
    escalation = request_escalation(case=case, kind="lawyers_letter", by=collector, clock=now)

    with pytest.raises(ValidationError) as error:
        reject_escalation(escalation=escalation, by=supervisor, reason=" ", clock=now)
    assert error.value.field == "reason"

    reject_escalation(escalation=escalation, by=supervisor, reason="talk first", clock=now)
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.REJECTED
    assert escalation.action.status == ActionStatus.CANCELLED
    with pytest.raises(Conflict):
        approve_escalation(escalation=escalation, by=supervisor, clock=now)


def test_an_approved_legal_review_moves_the_case_to_legal(desk, collector, supervisor):
    account = overdue_loan()
    age_account(account=account, as_of=LATE + dt.timedelta(days=40))
    account.refresh_from_db()
    day = LATE + dt.timedelta(days=40)
    case = open_case(account=account, on=day, reason="late", clock=clock_at(day, 9))
    sent(case, "lawyers_letter", days_ago=-5)  # sent 35 days before `day`
    now = clock_at(day, 10)

    escalation = request_escalation(case=case, kind="legal_review", by=collector, clock=now)
    assert escalation.status == EscalationStatus.REQUESTED, escalation.checks
    approve_escalation(escalation=escalation, by=supervisor, clock=now)

    case.refresh_from_db()
    assert case.stage == "legal"


# --- agencies ----------------------------------------------------------------------------------


def agency(code, **fields):
    return make_agency(code, **fields)


def test_placement_respects_the_agencys_cap_on_cases(desk, supervisor):
    capped = agency("north", max_cases=1)
    first, second = late_case(), late_case()
    now = clock_at(LATE, 11)

    place_with_agency(case=first, agency=capped, recall_on=LATE + dt.timedelta(days=90),
                      by=supervisor, clock=now)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        place_with_agency(case=second, agency=capped, recall_on=LATE + dt.timedelta(days=90),
                          by=supervisor, clock=now)  # fmt: skip

    assert error.value.field == "agency"
    assert Placement.objects.count() == 1
    first.refresh_from_db()
    assert (first.owner_kind, first.agency, first.stage) == (OwnerKind.AGENCY, capped, "agency")


def test_placement_respects_the_agencys_share_of_the_placed_balance(desk, supervisor):
    big, small = agency("big"), agency("small", max_balance_share_bp=4000)
    now = clock_at(LATE, 11)
    recall = LATE + dt.timedelta(days=90)
    place_with_agency(case=late_case(), agency=big, recall_on=recall, clock=now)

    # equal balances: a second one with `small` would be half of all placed, above its 40 %
    with pytest.raises(ValidationError):
        place_with_agency(case=late_case(), agency=small, recall_on=recall, clock=now)
    # a third of the placed balance is within its 40 %
    place_with_agency(case=late_case(), agency=big, recall_on=recall, clock=now)
    placed = place_with_agency(case=late_case(), agency=small, recall_on=recall, clock=now)
    assert placed.agency == small


def test_what_an_agency_collects_is_counted_and_agencies_compare_on_it(desk, supervisor):
    north, south = agency("north", commission_bp=2000), agency("south")
    now = clock_at(LATE, 11)
    recall = LATE + dt.timedelta(days=90)
    one = place_with_agency(case=late_case(), agency=north, recall_on=recall, clock=now)
    place_with_agency(case=late_case(), agency=south, recall_on=recall, clock=now)
    post_payment(
        account=one.case.account,
        amount=cny("1000.00"),
        received_on=LATE + dt.timedelta(days=3),
        idempotency_key="agency-pay",
    )

    review_placements(on=LATE + dt.timedelta(days=5), clock=now)
    review_placements(on=LATE + dt.timedelta(days=5), clock=now)

    one.refresh_from_db()
    assert one.collected_minor == 100_000
    table = agency_performance(start_on=LATE, end_on=LATE)
    assert [row.agency.code for row in table] == ["north", "south"]
    assert table[0].collected == cny("1000.00") and table[0].commission == cny("200.00")
    assert table[0].liquidation_rate == (cny("1000.00").amount / table[0].placed.amount).quantize(
        table[0].liquidation_rate
    )
    assert table[1].collected == cny("0.00")


def test_a_recalled_case_comes_back_to_the_lenders_queues(desk, supervisor, early_queue):
    north = agency("north")
    now = clock_at(LATE, 11)
    placement = place_with_agency(
        case=late_case(), agency=north, recall_on=LATE + dt.timedelta(days=30), clock=now
    )

    recall_placement(placement=placement, on=LATE + dt.timedelta(days=10), reason="poor results",
                     by=supervisor, clock=now)  # fmt: skip

    placement.refresh_from_db()
    case = placement.case
    case.refresh_from_db()
    assert placement.status == "recalled"
    assert (case.owner_kind, case.agency, case.stage) == (OwnerKind.QUEUE, None, "late")
    with pytest.raises(Conflict):
        recall_placement(placement=placement, on=LATE, reason="again", clock=now)


def test_a_placement_is_recalled_on_its_recall_date(desk):
    north = agency("north")
    now = clock_at(LATE, 11)
    recall = LATE + dt.timedelta(days=30)
    placement = place_with_agency(case=late_case(), agency=north, recall_on=recall, clock=now)

    review_placements(on=recall, clock=now)

    placement.refresh_from_db()
    assert (placement.status, placement.ended_on) == ("recalled", recall)


def test_the_collection_night_recalls_a_placement_on_its_recall_date(desk):
    from arrears.collection.batch import run_collection_night

    north = agency("north")
    recall = LATE + dt.timedelta(days=30)
    placement = place_with_agency(
        case=late_case(), agency=north, recall_on=recall, clock=clock_at(LATE, 11)
    )

    before = run_collection_night(business_date=recall - dt.timedelta(days=1),
                                  clock=clock_at(recall, 1))  # fmt: skip
    placement.refresh_from_db()
    assert placement.status == "placed"
    night = run_collection_night(business_date=recall, clock=clock_at(recall, 23))

    placement.refresh_from_db()
    assert (placement.status, placement.ended_on) == ("recalled", recall)
    assert night.counts["placements.recalled"] == 1
    assert "placements.recalled" not in before.counts


def test_an_approved_agency_placement_places_the_case_with_the_agency_named(
    case, collector, supervisor
):
    north = agency("north")
    sent(case, "collection_reminder", days_ago=8)
    now = clock_at(LATE, 10)
    escalation = request_escalation(case=case, kind="agency_placement", by=collector, clock=now)
    assert escalation.status == EscalationStatus.REQUESTED

    approve_escalation(
        escalation=escalation,
        by=supervisor,
        agency=north,
        recall_on=LATE + dt.timedelta(days=90),
        clock=now,
    )

    escalation.refresh_from_db()
    escalation.action.refresh_from_db()
    assert (escalation.status, escalation.action.status) == (EscalationStatus.DONE, "done")
    placement = Placement.objects.get()
    assert (placement.agency, placement.commission_bp, placement.case) == (north, 1500, case)
    assert placement.placed_minor > 0
