"""Reads: balances, accrued interest, what a payment would pay, the account summary."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from arrears.core.allocation import Component
from arrears.servicing import selectors
from arrears.servicing.services.accounts import post_cash_advance, post_purchase
from arrears.servicing.services.payments import post_payment
from tests.factories import cny, make_card_account, make_loan_account, make_statement

pytestmark = pytest.mark.django_db

JAN_20, JAN_29 = dt.date(2025, 1, 20), dt.date(2025, 1, 29)
FEB_5, FEB_25 = dt.date(2025, 2, 5), dt.date(2025, 2, 25)


def test_book_balances_as_of_a_date_leave_out_later_lines(products):
    card = make_card_account(product=products["cn_card_classic"])
    post_purchase(account=card, amount=cny(100), on=JAN_20, idempotency_key="a")
    post_purchase(account=card, amount=cny(50), on=JAN_29, idempotency_key="b")
    assert selectors.book_balances(card, dt.date(2025, 1, 28)) == {
        "principal:purchase": 10_000,
        "funding": -10_000,
    }
    assert selectors.book_balances(card)["principal:purchase"] == 15_000


def test_cash_advance_accrues_interest_from_the_day_it_is_taken(products):
    # given a CN card (18.25 % = 0.05 % a day) with 1,000 of purchases and 1,000 cash taken
    # on 20 January
    card = make_card_account(product=products["cn_card_classic"])
    post_purchase(account=card, amount=cny(1000), on=JAN_20, idempotency_key="pos")
    post_cash_advance(account=card, amount=cny(1000), on=JAN_20, idempotency_key="atm")
    # then by the end of 29 January the cash has accrued 10 days × 0.50 = 5.00, and the
    # purchases nothing (they are in their interest-free period)
    assert selectors.accrued_interest(card, JAN_29) == cny("5.00")


def test_purchases_accrue_interest_once_the_grace_is_lost(products):
    # given 1,000 of purchases billed on 5 February and not paid by the 25 February due date
    card = make_card_account(product=products["cn_card_classic"], opening_balance=cny(1000))
    make_statement(card, FEB_5, due_on=FEB_25)
    # before the due date the borrower may still pay in full: nothing accrues
    assert selectors.accrued_interest(card, FEB_25).is_zero()
    # after it, purchases accrue from the day after the statement: 6 Feb – 1 Mar = 24 days
    assert selectors.accrued_interest(card, dt.date(2025, 3, 1)) == cny("12.00")


def test_purchases_paid_in_full_keep_their_grace(products, clock):
    card = make_card_account(product=products["cn_card_classic"], opening_balance=cny(1000))
    make_statement(card, FEB_5, due_on=FEB_25)
    post_payment(
        account=card, amount=cny(1000), received_on=FEB_25, idempotency_key="p", clock=clock
    )
    post_purchase(account=card, amount=cny(300), on=dt.date(2025, 2, 26), idempotency_key="x")
    assert selectors.accrued_interest(card, dt.date(2025, 3, 1)).is_zero()


def test_loan_interest_accrues_in_proportion_to_the_days_of_the_period(products):
    # given a loan whose first instalment carries 72.00 interest for 15 Jan – 15 Feb (31 days)
    loan = make_loan_account(product=products["cn_consumer_loan"])
    # then on 25 January 10 of the 31 days have passed: 72.00 × 10/31 = 23.23
    assert selectors.accrued_interest(loan, dt.date(2025, 1, 25)) == cny("23.23")
    assert selectors.accrued_interest(loan, dt.date(2025, 1, 15)).is_zero()


def test_card_dues_split_the_billed_part_from_new_spending(products, clock):
    card = make_card_account(product=products["cn_card_classic"], opening_balance=cny(1000))
    make_statement(card, FEB_5, due_on=FEB_25)
    post_payment(
        account=card,
        amount=cny(400),
        received_on=dt.date(2025, 2, 10),
        idempotency_key="p",
        clock=clock,
    )
    post_purchase(account=card, amount=cny(200), on=dt.date(2025, 2, 12), idempotency_key="x")
    dues = {(d.key, d.due_on): d.amount for d in selectors.allocation_dues(card, FEB_25)}
    assert dues == {
        ("principal:purchase", FEB_25): cny(600),  # billed 1,000 less the 400 paid since
        ("principal:purchase", None): cny(200),  # spent after the statement
    }


def test_loan_dues_are_the_instalments_fallen_due_then_what_is_not_due(products):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    dues = selectors.allocation_dues(loan, dt.date(2025, 2, 20))
    shape = [(d.component, d.due_on, d.amount.minor) for d in dues]
    assert shape == [
        (Component.INTEREST, dt.date(2025, 2, 15), 7_200),
        (Component.PRINCIPAL, dt.date(2025, 2, 15), 96_743),
        (Component.INTEREST, None, 6_620),  # March's interest, payable ahead
        (Component.PRINCIPAL, None, 1_200_000 - 96_743),
    ]


def test_minimum_due_is_the_arrears_plus_the_next_instalment(products):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    assert selectors.minimum_due_now(loan, dt.date(2025, 2, 1)) == cny("1039.43")
    assert selectors.minimum_due_now(loan, dt.date(2025, 2, 20)) == cny("2078.86")


def test_account_summary_is_json_ready_with_minor_units(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    from arrears.servicing.services.ageing import age_account

    age_account(account=loan, as_of=dt.date(2025, 2, 20), clock=clock)
    loan.refresh_from_db()
    summary = selectors.account_summary(loan, dt.date(2025, 2, 20))
    json.dumps(summary)  # plain JSON types only
    assert summary["status"] == "open"
    assert summary["days_past_due"] == 5
    assert summary["bucket"] == {
        "code": "M1",
        "label_en": "1–29 days",
        "label_zh": "逾期1-29天 (M1)",
    }
    assert summary["balances"]["principal"] == {"minor": 1_200_000, "currency": "CNY"}
    assert summary["minimum_due"] == {"minor": 207_886, "currency": "CNY"}
    assert summary["past_due_amount"] == {"minor": 103_943, "currency": "CNY"}
    assert summary["next_due_date"] == "2025-03-15"
    assert summary["accrued_interest"]["minor"] == 1_182  # 66.20 × 5/28 days
