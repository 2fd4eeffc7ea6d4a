"""Ageing: days past due, buckets and the moves between them."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.servicing.choices import AccountStatus, BucketChangeReason
from arrears.servicing.models import Account, BucketChange
from arrears.servicing.selectors import check_account
from arrears.servicing.services.ageing import age_account
from arrears.servicing.services.payments import post_payment
from tests.factories import cny, make_card_account, make_loan_account, make_statement

pytestmark = pytest.mark.django_db

FEB_5, FEB_25 = dt.date(2025, 2, 5), dt.date(2025, 2, 25)


def aged(account, on, clock):
    change = age_account(account=account, as_of=on, clock=clock)
    account.refresh_from_db()
    return change


def test_an_unpaid_instalment_ages_from_its_due_date(products, clock):
    # given a loan whose first instalment (1,039.43) fell due on 15 February and was not paid
    loan = make_loan_account(product=products["cn_consumer_loan"])
    # on the due date itself it is not yet past due
    aged(loan, dt.date(2025, 2, 15), clock)
    assert (loan.days_past_due, loan.bucket, loan.past_due_minor) == (0, "current", 0)
    # the next day it is one day past due, in M1, with the instalment past due
    aged(loan, dt.date(2025, 2, 16), clock)
    assert (loan.days_past_due, loan.bucket, loan.past_due_minor) == (1, "M1", 103_943)
    # thirty days on it is in M2, and the second instalment has fallen due too
    aged(loan, dt.date(2025, 3, 17), clock)
    assert (loan.days_past_due, loan.bucket, loan.past_due_minor) == (30, "M2", 2 * 103_943)
    assert loan.aged_on == dt.date(2025, 3, 17)
    assert check_account(loan) == []


def test_a_bucket_change_is_recorded_only_when_the_bucket_moves(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    first = aged(loan, dt.date(2025, 2, 16), clock)
    same = aged(loan, dt.date(2025, 2, 20), clock)
    later = aged(loan, dt.date(2025, 3, 17), clock)
    assert same is None
    assert first is not None and later is not None
    moves = list(
        BucketChange.objects.filter(account=loan).values_list(
            "changed_on", "from_bucket", "to_bucket", "days_past_due", "reason"
        )
    )
    assert moves == [
        (dt.date(2025, 2, 16), "current", "M1", 1, BucketChangeReason.AGEING),
        (dt.date(2025, 3, 17), "M1", "M2", 30, BucketChangeReason.AGEING),
    ]
    assert first.recorded_at == clock.now()


def test_a_payment_clearing_the_arrears_is_a_cure(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    aged(loan, dt.date(2025, 2, 20), clock)
    post_payment(
        account=loan,
        amount=cny("1039.43"),
        received_on=dt.date(2025, 2, 20),
        idempotency_key="cure",
        clock=clock,
    )
    cure = BucketChange.objects.filter(account=loan).last()
    assert cure is not None
    assert (cure.from_bucket, cure.to_bucket, cure.reason) == (
        "M1",
        "current",
        BucketChangeReason.PAYMENT,
    )
    assert (loan.days_past_due, loan.past_due_minor) == (0, 0)


def test_card_grace_days_count_as_on_time_then_dpd_counts_from_the_due_date(products, clock):
    # given a CN card (3 days' 还款宽限期) whose 100.00 minimum fell due on 25 February
    card = make_card_account(product=products["cn_card_classic"], opening_balance=cny(1000))
    make_statement(card, FEB_5, due_on=FEB_25, minimum_due=cny(100))
    # within the grace days the borrower is still on time
    aged(card, dt.date(2025, 2, 28), clock)
    assert card.days_past_due == 0
    # once the grace has run out, DPD counts from the due date
    aged(card, dt.date(2025, 3, 1), clock)
    assert (card.days_past_due, card.bucket, card.past_due_minor) == (4, "M1", 10_000)


def test_a_shortfall_within_the_tolerance_is_not_delinquency(products, clock):
    # given a CN card (容差 10 CNY) whose 100.00 minimum was paid but for 9.99
    card = make_card_account(product=products["cn_card_classic"], opening_balance=cny(1000))
    make_statement(card, FEB_5, due_on=FEB_25, minimum_due=cny(100))
    post_payment(
        account=card, amount=cny("90.01"), received_on=FEB_25, idempotency_key="p", clock=clock
    )
    aged(card, dt.date(2025, 3, 20), clock)
    assert (card.days_past_due, card.bucket) == (0, "current")
    # still, the unpaid 9.99 is shown as past due
    assert card.past_due_minor == 999


def test_a_charged_off_account_stays_in_its_last_bucket(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    aged(loan, dt.date(2025, 5, 20), clock)
    assert loan.bucket == "M4"
    Account.objects.filter(pk=loan.pk).update(
        status=AccountStatus.CHARGED_OFF, charged_off_on=dt.date(2025, 5, 20)
    )
    loan.refresh_from_db()
    assert aged(loan, dt.date(2025, 9, 1), clock) is None
    assert (loan.bucket, loan.days_past_due, loan.aged_on) == ("M4", 94, dt.date(2025, 5, 20))
