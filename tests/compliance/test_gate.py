"""Asking the gate for a permit: every answer is logged with its inputs, and reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.compliance.models import Decision, Permit
from arrears.compliance.services import (
    check_contact,
    jurisdiction_of,
    next_permitted,
    record_contact_attempt,
    request_permit,
)
from arrears.core.clock import FixedClock
from arrears.core.compliance.wire import decision_document, rules_document
from arrears.core.errors import ValidationError
from tests.compliance.conftest import US_MOBILE_E164, mobile_of, utc
from tests.factories import make_borrower

pytestmark = pytest.mark.django_db


def test_an_allowed_contact_gets_a_permit_stored_with_a_snapshot_of_its_inputs(cn_loan, cn_clock):
    # given a Shanghai borrower at 10:00 Beijing time, never contacted
    borrower = cn_loan.borrower
    mobile = mobile_of(borrower)

    # when the lender asks to call about the loan
    decision = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="call",
        address=mobile,
        purpose="collection",
        clock=cn_clock,
    )

    # then the call is allowed under the Chinese profile with the house rules, and logged
    assert decision.allowed is True
    assert decision.profile_code == "CN"
    assert decision.profile_version.startswith("CN@") and "+house@" in decision.profile_version
    assert decision.denied_rules == ""
    assert decision.next_permitted_at == cn_clock.now()
    assert {r["id"] for r in decision.rules} >= {"hours.window", "frequency.daily_connected_voice"}
    # and a permit for that number, valid for 15 minutes from now
    permit = Permit.objects.get(decision=decision)
    assert (permit.borrower, permit.channel, permit.address) == (borrower, "call", mobile)
    assert permit.valid_from == cn_clock.now()
    assert permit.valid_until == cn_clock.now() + dt.timedelta(minutes=15)
    assert permit.used_at is None
    # and the snapshot holds the exact inputs, in the check file's form
    snapshot = Decision.objects.get(pk=decision.pk).snapshot
    assert snapshot["jurisdiction"] == "CN"
    assert snapshot["address"] == mobile
    assert snapshot["debts"] == [cn_loan.number]
    assert snapshot["borrower"]["id"] == borrower.reference
    assert snapshot["borrower"]["addresses"] == [{"time_zone": "Asia/Shanghai"}]
    assert snapshot["now"] == cn_clock.now().isoformat()


def test_a_refused_contact_is_logged_too_with_its_reasons_and_next_permitted_time(
    cn_loan, cn_clock
):
    # given 23:00 Beijing time: inside China's no-collection hours (22:00–08:00)
    late = FixedClock(utc(2025, 1, 15, 15, 0))

    # when the lender asks to call
    decision = request_permit(
        borrower=cn_loan.borrower,
        account=cn_loan,
        channel="call",
        address=mobile_of(cn_loan.borrower),
        purpose="collection",
        clock=late,
    )

    # then it is refused by the contact-hours rule, stored, with no permit
    assert decision.allowed is False
    assert decision.denied_rule_ids == ["hours.window"]
    assert decision.issued_permit is None
    assert not Permit.objects.exists()
    # and it may be made at 08:00 Beijing time the next morning
    assert decision.next_permitted_at == utc(2025, 1, 16, 0, 0)
    refusal = next(r for r in decision.rules if r["id"] == "hours.window")
    assert refusal["outcome"] == "deny"
    assert refusal["reason_en"] and refusal["reason_zh"]
    assert refusal["citation"]["ref"] == "CN-TIME-01"
    assert refusal["next_permitted_at"] == "2025-01-16T00:00:00+00:00"
    assert Decision.objects.filter(allowed=False).count() == 1


def test_a_permit_never_outlives_the_contact_window(cn_loan):
    # given 21:50 Beijing time: ten minutes before the quiet hours start
    clock = FixedClock(utc(2025, 1, 15, 13, 50, 30))

    decision = request_permit(
        borrower=cn_loan.borrower,
        account=cn_loan,
        channel="call",
        address=mobile_of(cn_loan.borrower),
        purpose="collection",
        clock=clock,
    )

    # then the permit ends at 22:00, not 15 minutes later
    assert decision.allowed
    assert decision.issued_permit is not None
    assert decision.issued_permit.valid_until == utc(2025, 1, 15, 14, 0)


def test_a_logged_snapshot_replays_to_the_same_answer(us_card, ny_clock):
    # given a conversation about the debt two days ago (Reg F: no call until day 8)
    borrower = us_card.borrower
    record_contact_attempt(
        borrower=borrower,
        channel="call",
        address=US_MOBILE_E164,
        outcome="conversation",
        accounts=[us_card],
        started_at=ny_clock.now() - dt.timedelta(days=2),
        clock=ny_clock,
    )
    decision = request_permit(
        borrower=borrower,
        account=us_card,
        channel="call",
        address=US_MOBILE_E164,
        purpose="collection",
        clock=ny_clock,
    )
    assert decision.denied_rule_ids == ["frequency.after_conversation"]

    # when the stored inputs are checked again, without the database's records
    replayed = decision_document(check_contact(decision.snapshot))

    # then the answer is the same, rule by rule
    assert replayed["allowed"] is False
    assert replayed["rules"] == rules_document(decision.rules)
    assert decision.next_permitted_at is not None
    assert replayed["next_permitted_at"] == decision.next_permitted_at.isoformat().replace(
        "+00:00", "Z"
    )


def test_a_call_after_a_conversation_about_the_debt_waits_until_day_eight(us_card, ny_clock):
    # given a telephone conversation about the card on Monday 13 January (day 1), New York
    borrower = us_card.borrower
    record_contact_attempt(
        borrower=borrower,
        channel="call",
        address=US_MOBILE_E164,
        outcome="conversation",
        accounts=[us_card],
        started_at=utc(2025, 1, 13, 16, 0),
        clock=ny_clock,
    )

    # when does the lender next call?
    when = next_permitted(
        borrower=borrower,
        account=us_card,
        channel="call",
        address=US_MOBILE_E164,
        purpose="collection",
        clock=ny_clock,
    )

    # then on day 8, Monday 20 January, from 08:00 New York time (13:00 UTC)
    assert when == utc(2025, 1, 20, 13, 0)
    assert not Decision.objects.exists()  # asking "when" is not a decision


def test_the_account_s_product_decides_the_jurisdiction_else_the_borrower_s_country(
    us_card, cn_loan
):
    assert jurisdiction_of(us_card.borrower, us_card) == "US"
    assert jurisdiction_of(cn_loan.borrower) == "CN"
    assert jurisdiction_of(make_borrower(country="GB", phones=["+44 7911 123456"])) == "UK"
    assert jurisdiction_of(make_borrower(country="FR", phones=[])) == "EU"
    with pytest.raises(ValidationError) as refused:
        jurisdiction_of(make_borrower(country="JP", phones=[]))
    assert refused.value.field == "borrower.country"


def test_an_account_of_another_borrower_is_refused_naming_the_field(cn_loan, us_card, ny_clock):
    with pytest.raises(ValidationError) as refused:
        request_permit(
            borrower=us_card.borrower,
            account=cn_loan,
            channel="call",
            address=US_MOBILE_E164,
            purpose="collection",
            clock=ny_clock,
        )
    assert refused.value.field == "account"
    assert not Decision.objects.exists()


def test_a_decision_reads_its_inputs_in_a_fixed_number_of_queries(
    cn_loan, cn_clock, django_assert_max_num_queries
):
    borrower = cn_loan.borrower
    for hour in range(5):
        record_contact_attempt(
            borrower=borrower,
            channel="call",
            address=mobile_of(borrower),
            outcome="no_answer",
            accounts=[cn_loan],
            started_at=cn_clock.now() - dt.timedelta(hours=hour + 1),
            clock=cn_clock,
        )
    mobile = mobile_of(borrower)
    # the borrower's lock, profiles, contact points, preference, opt-outs, consent, holds, the
    # history (one query) and the permits not yet logged, the decision and the permit
    with django_assert_max_num_queries(13):
        decision = request_permit(
            borrower=borrower,
            account=cn_loan,
            channel="call",
            address=mobile,
            purpose="collection",
            clock=cn_clock,
        )
    assert len(decision.snapshot["history"]) == 5
