"""The cycle's delinquency steps: instalment interest, late fees, ageing, charge-off, recovery."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F

from arrears.servicing.choices import AccountStatus, BucketChangeReason, EntryKind
from arrears.servicing.models import BucketChange, JournalEntry, Obligation, Statement
from arrears.servicing.selectors import balances
from arrears.servicing.services.accounts import post_purchase
from arrears.servicing.services.ledger import CASH, post_entry
from arrears.servicing.services.payments import post_payment
from tests.factories import cny, make_card_account, make_loan_account
from tests.servicing.cycle_support import book, entries, product_like, run_through

pytestmark = pytest.mark.django_db

OPENED_ON = dt.date(2025, 1, 15)


def buy(account, amount, on):
    post_purchase(account=account, amount=amount, on=on, idempotency_key=f"buy:{account.pk}:{on}")


def pay(account, amount, on):
    post_payment(
        account=account, amount=amount, received_on=on, idempotency_key=f"pay:{account.pk}:{on}"
    )


def moves(account):
    return list(
        BucketChange.objects.filter(account=account)
        .order_by("changed_on", "pk")
        .values_list("changed_on", "from_bucket", "to_bucket", "days_past_due", "reason")
    )


def test_card_that_misses_two_minimum_payments_reaches_30_59_on_the_right_day_and_cures_on_payment(
    clock,
):
    # given a cn_card_classic card (statement day 5, due 20 days later, 3 grace days, 10 CNY
    # tolerance) with a 1,000 CNY purchase and a borrower who pays nothing
    card = make_card_account(opened_on=OPENED_ON)
    buy(card, cny("1000.00"), dt.date(2025, 1, 20))

    # when the cycle runs to 26 March
    run_through(dt.date(2025, 3, 26), clock)

    # then two minimums were billed and missed: 100.00 due Tue 25 Feb, and on 5 March
    # 10 % × 1,000.00 + interest 14.00 (28 days × 0.05 %) + late fee 10.00 = 124.00 due Tue 25 Mar
    minimums = Obligation.objects.filter(account=card).order_by("due_on")
    assert [(o.due_on, o.amount_minor, o.paid_minor) for o in minimums] == [
        (dt.date(2025, 2, 25), 10000, 0),
        (dt.date(2025, 3, 25), 12400, 0),
    ]
    # the first is late once its 3 grace days have run out: on 1 March, 4 days past due (M1);
    # on 26 March it is 29 days past due, still M1
    card.refresh_from_db()
    assert (card.days_past_due, card.bucket) == (29, "M1")

    # when the cycle runs 27 March, 30 days after 25 February
    run_through(dt.date(2025, 3, 27), clock)

    # then the account is in the 30–59 bucket (M2)
    card.refresh_from_db()
    assert (card.days_past_due, card.bucket) == (30, "M2")
    assert card.past_due_minor == 22400
    assert moves(card) == [
        (dt.date(2025, 3, 1), "current", "M1", 4, BucketChangeReason.AGEING),
        (dt.date(2025, 3, 27), "M1", "M2", 30, BucketChangeReason.AGEING),
    ]

    # when the borrower pays both missed minimums on 28 March and the cycle runs on
    pay(card, cny("224.00"), dt.date(2025, 3, 28))
    run_through(dt.date(2025, 3, 30), clock)

    # then the account is cured that day, and the second minimum draws no late fee
    card.refresh_from_db()
    assert (card.days_past_due, card.bucket, card.past_due_minor) == (0, "current", 0)
    assert moves(card)[-1] == (dt.date(2025, 3, 28), "M2", "current", 0, BucketChangeReason.PAYMENT)
    assert [fee.effective_on for fee in entries(card, EntryKind.LATE_FEE)] == [dt.date(2025, 3, 1)]


def test_loan_is_charged_off_at_configured_days_past_due(clock):
    # given a loan product that charges off at 75 days past due, and a 12-month loan of
    # 12,000 CNY from 15 January whose first instalment, due 15 February, is never paid
    product = product_like("cn_consumer_loan", "loan_75", charge_off_dpd=75)
    loan = make_loan_account(product=product, start_on=OPENED_ON)

    # when the cycle runs to 30 April (74 days past due)
    run_through(dt.date(2025, 4, 30), clock)
    loan.refresh_from_db()
    assert (loan.status, loan.days_past_due) == (AccountStatus.OPEN, 74)
    owed = balances(loan).total

    # and on 1 May (15 February + 75 days)
    run_through(dt.date(2025, 5, 1), clock)

    # then the loan is charged off that day
    loan.refresh_from_db()
    assert loan.status == AccountStatus.CHARGED_OFF
    assert loan.charged_off_on == dt.date(2025, 5, 1)
    assert moves(loan)[-1] == (
        dt.date(2025, 5, 1),
        "M3",
        "charged_off",
        75,
        BucketChangeReason.CHARGE_OFF,
    )
    # and one entry moved everything owed — principal and the three instalments' interest —
    # to the charge-off loss
    charged_interest = sum(
        Obligation.objects.filter(account=loan, due_on__lte=dt.date(2025, 5, 1)).values_list(
            "interest_minor", flat=True
        )
    )
    [charge_off] = entries(loan, EntryKind.CHARGE_OFF)
    assert {line.book: line.amount_minor for line in charge_off.lines.all()} == {
        "principal:loan": -1200000,
        "interest:loan": -charged_interest,
        "loss:charge_off": 1200000 + charged_interest,
    }
    assert balances(loan).total.is_zero()
    assert book(loan, "loss:charge_off") == owed.minor == 1200000 + charged_interest


def test_recovery_after_charge_off(clock):
    # given a loan charged off at 18 days past due
    product = product_like("cn_consumer_loan", "loan_18", charge_off_dpd=18)
    loan = make_loan_account(product=product, start_on=OPENED_ON)
    run_through(dt.date(2025, 3, 5), clock)  # 15 February + 18 days
    loan.refresh_from_db()
    assert loan.status == AccountStatus.CHARGED_OFF
    loss = book(loan, "loss:charge_off")
    changes = BucketChange.objects.filter(account=loan).count()

    # when the borrower pays 500 CNY on 10 March and the cycle runs through the next instalment
    pay(loan, cny("500.00"), dt.date(2025, 3, 10))
    run_through(dt.date(2025, 4, 30), clock)

    # then the money is a recovery (cash + / recovery −), the loss stays as charged off, and
    # the account stays charged off: no interest, no ageing, no second charge-off
    [recovery] = entries(loan, EntryKind.RECOVERY)
    assert {line.book: line.amount_minor for line in recovery.lines.all()} == {
        CASH: 50000,
        "recovery": -50000,
    }
    loan.refresh_from_db()
    assert loan.status == AccountStatus.CHARGED_OFF
    assert loan.charged_off_on == dt.date(2025, 3, 5)
    assert balances(loan).total.is_zero()
    assert book(loan, "loss:charge_off") == loss
    assert len(entries(loan, EntryKind.CHARGE_OFF)) == 1
    assert [e.effective_on for e in entries(loan, EntryKind.INTEREST)] == [dt.date(2025, 2, 15)]
    assert BucketChange.objects.filter(account=loan).count() == changes


def test_late_fee_is_capped_and_never_exceeds_missed_minimum(clock):
    # given a card product with a 50.00 late fee capped at 30.00, no grace days, no tolerance
    product = product_like(
        "cn_card_classic",
        "card_late_fee",
        late_fee="50.00",
        late_fee_cap="30.00",
        grace_days_after_due=0,
        dpd_tolerance="0.00",
    )
    big = make_card_account(product=product, opened_on=OPENED_ON)
    small = make_card_account(product=product, opened_on=OPENED_ON)
    on_time = make_card_account(product=product, opened_on=OPENED_ON)
    buy(big, cny("5000.00"), dt.date(2025, 1, 20))  # minimum 500.00
    buy(small, cny("20.00"), dt.date(2025, 1, 20))  # minimum: the 10.00 floor
    buy(on_time, cny("20.00"), dt.date(2025, 1, 20))
    run_through(dt.date(2025, 2, 5), clock)  # statements; due Tue 25 February

    # when one misses 500.00, one pays 4.00 of its 10.00 minimum, one pays it all, by the due date
    pay(small, cny("4.00"), dt.date(2025, 2, 20))
    pay(on_time, cny("10.00"), dt.date(2025, 2, 25))
    run_through(dt.date(2025, 2, 25), clock)
    assert JournalEntry.objects.filter(kind=EntryKind.LATE_FEE).count() == 0  # not late yet
    run_through(dt.date(2025, 2, 26), clock)

    # then the day after the due date the late fees are the cap, and the unpaid 6.00 of the
    # missed minimum (never more than what was missed); the one who paid pays no fee
    assert [(e.effective_on, book(big, "fees:late")) for e in entries(big, EntryKind.LATE_FEE)] == [
        (dt.date(2025, 2, 26), 3000)
    ]
    assert book(small, "fees:late") == 600
    assert book(small, "income:fees") == -600
    assert entries(on_time, EntryKind.LATE_FEE) == []
    [obligation] = Obligation.objects.filter(account=small)
    [fee] = entries(small, EntryKind.LATE_FEE)
    assert fee.idempotency_key == f"latefee:{obligation.pk}"


def test_no_late_fee_and_no_delinquency_when_the_shortfall_is_within_tolerance(clock):
    # given a cn_card_classic card (tolerance 10.00) whose 100.00 minimum is paid but for 8.00
    card = make_card_account(opened_on=OPENED_ON)
    buy(card, cny("1000.00"), dt.date(2025, 1, 20))
    run_through(dt.date(2025, 2, 5), clock)
    pay(card, cny("92.00"), dt.date(2025, 2, 25))

    # when the grace days run out
    run_through(dt.date(2025, 3, 2), clock)

    # then there is no late fee and the account is current
    assert entries(card, EntryKind.LATE_FEE) == []
    card.refresh_from_db()
    assert (card.days_past_due, card.bucket) == (0, "current")


def test_loan_instalment_interest_is_charged_once_on_its_due_date(clock):
    # given a 12-month loan from 15 January, first instalment due 15 February
    loan = make_loan_account(start_on=OPENED_ON)
    first = Obligation.objects.get(account=loan, number=1)

    # when the cycle runs to the day before, then the due date
    run_through(dt.date(2025, 2, 14), clock)
    assert entries(loan, EntryKind.INTEREST) == []
    run_through(dt.date(2025, 2, 15), clock)

    # then the instalment's scheduled interest is charged that day, once
    [interest] = entries(loan, EntryKind.INTEREST)
    assert interest.effective_on == dt.date(2025, 2, 15)
    assert book(loan, "interest:loan") == first.interest_minor > 0
    first.refresh_from_db()
    assert first.is_posted


def test_a_fully_repaid_loan_left_open_is_closed_as_paid_off(clock):
    # given a loan migrated from another system as open, though its schedule was repaid there
    loan = make_loan_account(start_on=OPENED_ON, months=6)
    Obligation.objects.filter(account=loan).update(
        paid_minor=F("amount_minor"),
        paid_principal_minor=F("principal_minor"),
        paid_interest_minor=F("interest_minor"),
        is_posted=True,
    )
    post_entry(
        account=loan,
        kind=EntryKind.PAYMENT,
        effective_on=OPENED_ON,
        lines={"principal:loan": -1200000, CASH: 1200000},
        idempotency_key="migrated-repayment",
    )

    # when the cycle runs
    run_through(dt.date(2025, 1, 16), clock)

    # then the loan is paid off on the first business date
    loan.refresh_from_db()
    assert (loan.status, loan.closed_on) == (AccountStatus.PAID_OFF, OPENED_ON)


def test_charged_off_card_gets_no_more_statements(clock):
    # given a card charged off at 30 days past due
    product = product_like("cn_card_classic", "card_30", charge_off_dpd=30)
    card = make_card_account(product=product, opened_on=OPENED_ON)
    buy(card, cny("1000.00"), dt.date(2025, 1, 20))

    # when the cycle runs past the charge-off (25 February + 30 days = 27 March) into April
    run_through(dt.date(2025, 4, 30), clock)

    # then the statements stop at the charge-off and nothing is owed on the card's books
    card.refresh_from_db()
    assert card.charged_off_on == dt.date(2025, 3, 27)
    assert list(Statement.objects.filter(account=card).values_list("statement_on", flat=True)) == [
        dt.date(2025, 2, 5),
        dt.date(2025, 3, 5),
    ]
    assert balances(card).total.is_zero()
