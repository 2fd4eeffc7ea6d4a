"""Payments: the waterfall, idempotency, reversal and recovery."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing import selectors
from arrears.servicing.choices import (
    AccountStatus,
    BucketChangeReason,
    EntryKind,
    PaymentStatus,
)
from arrears.servicing.models import Account, BucketChange, JournalEntry, Obligation, Payment
from arrears.servicing.services.accounts import post_cash_advance, post_purchase
from arrears.servicing.services.ageing import age_account
from arrears.servicing.services.ledger import INCOME_FEES, post_entry
from arrears.servicing.services.payments import post_payment, reverse_payment
from tests.factories import cny, make_card_account, make_loan_account, make_statement, usd

pytestmark = pytest.mark.django_db

FEB_15, FEB_16, FEB_20 = dt.date(2025, 2, 15), dt.date(2025, 2, 16), dt.date(2025, 2, 20)


def pay(account, amount, on, key, clock):
    payment, _created = post_payment(
        account=account, amount=amount, received_on=on, idempotency_key=key, clock=clock
    )
    return payment


def charge_late_fee(account, amount, on):
    post_entry(
        account=account,
        kind=EntryKind.LATE_FEE,
        effective_on=on,
        lines={"fees:late": amount.minor, INCOME_FEES: -amount.minor},
    )


def book_moves(payment):
    return {line.book: line.amount_minor for line in payment.entry.lines.all()}


# --- the waterfall ----------------------------------------------------------------------------


def test_payment_pays_fees_before_interest_before_principal(products, clock):
    # given a loan whose first instalment (72.00 interest, 967.43 principal) is overdue
    # and a 25.00 fee charged on the same due date
    loan = make_loan_account(product=products["cn_consumer_loan"])
    charge_late_fee(loan, cny(25), FEB_15)
    # when the borrower pays 100.00
    payment = pay(loan, cny(100), FEB_20, "p1", clock)
    # then the fee is paid in full, then the interest, and only the 3.00 left reaches principal
    assert book_moves(payment) == {
        "cash": 10_000,
        "fees:late": -2_500,
        "interest:loan": -7_200,
        "principal:loan": -300,
    }
    first = Obligation.objects.get(account=loan, number=1)
    assert (first.paid_interest_minor, first.paid_principal_minor, first.paid_minor) == (
        7_200,
        300,
        7_500,
    )
    assert selectors.check_account(loan) == []


def test_us_loan_pays_interest_then_principal_then_late_charges(products, clock):
    loan = make_loan_account(principal=usd(12000), product=products["us_personal_loan"])
    charge_late_fee(loan, usd(15), FEB_16)
    first = Obligation.objects.get(account=loan, number=1)
    instalment = Money.from_minor(first.amount_minor, "USD")
    payment = pay(loan, instalment, FEB_20, "p1", clock)
    moves = book_moves(payment)
    assert moves["interest:loan"] == -first.interest_minor
    assert moves["principal:loan"] == -first.principal_minor
    assert "fees:late" not in moves
    loan.refresh_from_db()
    assert loan.days_past_due == 0


def test_cn_card_pays_the_billed_balance_before_new_spending(products, clock):
    # given a statement that billed 1,000 of purchases and a 500 cash advance after it
    card = make_card_account(product=products["cn_card_classic"], opening_balance=cny(1000))
    make_statement(card, dt.date(2025, 2, 5), minimum_due=cny(100))
    post_cash_advance(account=card, amount=cny(500), on=dt.date(2025, 2, 10), idempotency_key="a")
    # when the borrower pays 1,200
    payment = pay(card, cny(1200), dt.date(2025, 2, 20), "p1", clock)
    # then the billed purchases are paid first, the rest goes to the unbilled cash advance
    assert book_moves(payment) == {
        "cash": 120_000,
        "principal:purchase": -100_000,
        "principal:cash": -20_000,
    }


def test_us_card_pays_highest_apr_balance_above_minimum(products, clock):
    # given a US card: 1,000 of purchases (24.99 %) billed with a 25.00 minimum,
    # then a 500 cash advance (29.99 %) after the statement
    card = make_card_account(
        product=products["us_card_rewards"],
        credit_limit=usd(5000),
        opening_balance=usd(1000),
    )
    make_statement(card, dt.date(2025, 2, 15), minimum_due=usd(25))
    post_cash_advance(account=card, amount=usd(500), on=dt.date(2025, 2, 20), idempotency_key="a")
    # when the borrower pays 300
    payment = pay(card, usd(300), dt.date(2025, 3, 1), "p1", clock)
    # then the minimum (25) pays the oldest (billed purchases) and the 275 above it goes to
    # the highest-APR balance, the cash advance (Reg Z 1026.53)
    assert book_moves(payment) == {
        "cash": 30_000,
        "principal:purchase": -2_500,
        "principal:cash": -27_500,
    }
    minimum = Obligation.objects.get(account=card)
    assert minimum.paid_minor == 2_500


def test_overpaying_a_loan_pays_it_off_and_keeps_the_rest_as_credit(products, clock):
    loan = make_loan_account(principal=cny(6000), months=6, product=products["cn_consumer_loan"])
    payment = pay(loan, cny(7000), FEB_20, "payoff", clock)
    loan.refresh_from_db()
    owed = selectors.balances(loan)
    assert loan.status == AccountStatus.PAID_OFF
    assert loan.closed_on == FEB_20
    assert owed.principal.is_zero() and owed.interest.is_zero()
    # the borrower paid the principal, February's interest and March's interest in full
    # (an early repayment pays the current period's interest): the rest is their credit
    interest_paid = -book_moves(payment)["interest:loan"]
    assert interest_paid == 3_600 + 3_009
    assert owed.credit == cny(7000) - cny(6000) - Money.from_minor(interest_paid, "CNY")
    assert owed.total == -owed.credit
    assert selectors.check_account(loan) == []


def test_paying_an_instalment_early_keeps_the_loan_current_on_its_due_date(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    first = Obligation.objects.get(account=loan, number=1)
    pay(loan, Money.from_minor(first.amount_minor, "CNY"), dt.date(2025, 2, 10), "early", clock)
    first.refresh_from_db()
    assert first.unpaid_minor == 0
    # the interest is prepaid until it is charged on the due date
    assert selectors.balances(loan).interest == cny("-72.00")
    age_account(account=loan, as_of=dt.date(2025, 3, 1), clock=clock)
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.bucket) == (0, "current")


def test_card_payment_counts_toward_the_minimum_and_cures(products, clock):
    card = make_card_account(product=products["cn_card_classic"], opening_balance=cny(1000))
    make_statement(card, dt.date(2025, 2, 5), due_on=dt.date(2025, 2, 25), minimum_due=cny(100))
    age_account(account=card, as_of=dt.date(2025, 3, 10), clock=clock)
    card.refresh_from_db()
    assert card.bucket == "M1"
    pay(card, cny(100), dt.date(2025, 3, 10), "p", clock)
    assert (card.days_past_due, card.bucket) == (0, "current")
    assert Obligation.objects.get(account=card).paid_minor == 10_000


# --- idempotency and input --------------------------------------------------------------------


def test_same_idempotency_key_posts_once(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    first, created = post_payment(
        account=loan, amount=cny(500), received_on=FEB_20, idempotency_key="bank-1", clock=clock
    )
    again, created_again = post_payment(
        account=loan, amount=cny(500), received_on=FEB_20, idempotency_key="bank-1", clock=clock
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert JournalEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    assert selectors.book_balances(loan)["cash"] == 50_000


def test_a_reused_key_with_another_amount_or_account_is_a_conflict(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    other = make_loan_account(product=products["cn_consumer_loan"])
    pay(loan, cny(500), FEB_20, "bank-1", clock)
    with pytest.raises(Conflict) as error:
        pay(loan, cny(501), FEB_20, "bank-1", clock)
    assert "idempotency_key" in error.value.message
    with pytest.raises(Conflict):
        pay(other, cny(500), FEB_20, "bank-1", clock)
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "key"),
    [(Money(100, "USD"), "k"), (cny(0), "k"), (cny(-5), "k"), (cny(10), ""), (cny(10), "x" * 101)],
)
def test_bad_payment_input_is_named_and_writes_nothing(products, clock, amount, key):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    with pytest.raises(ValidationError) as error:
        pay(loan, amount, FEB_20, key, clock)
    assert error.value.field == ("amount" if key == "k" else "idempotency_key")
    assert not Payment.objects.exists()


# --- reversal and recovery --------------------------------------------------------------------


def test_payment_then_reversal_restores_balances_and_ageing(products, clock):
    # given a loan two instalments behind, aged into M2, with its due interest charged
    loan = make_loan_account(product=products["cn_consumer_loan"])
    pay(loan, cny("0.01"), dt.date(2025, 3, 15), "penny", clock)  # charges the due interest
    age_account(account=loan, as_of=dt.date(2025, 3, 20), clock=clock)
    loan.refresh_from_db()
    before = selectors.book_balances(loan)
    before_ageing = (loan.days_past_due, loan.bucket, loan.past_due_minor)
    assert before_ageing[1] == "M2"
    # when the borrower pays the arrears, and the payment is returned unpaid two days later
    payment = pay(loan, cny(2100), dt.date(2025, 3, 20), "cheque-1", clock)
    assert loan.bucket == "current"
    reverse_payment(payment=payment, reversed_on=dt.date(2025, 3, 22), reason="NSF", clock=clock)
    loan.refresh_from_db()
    # then everything the payment moved is back, and the delinquency is back (two days older)
    after = selectors.book_balances(loan)
    assert after == {**before, "cash": before["cash"]}
    assert (loan.days_past_due, loan.bucket, loan.past_due_minor) == (35, "M2", before_ageing[2])
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REVERSED
    assert payment.reversal_reason == "NSF"
    last = BucketChange.objects.filter(account=loan).last()
    assert last is not None
    assert (last.to_bucket, last.reason) == ("M2", BucketChangeReason.REVERSAL)
    assert selectors.check_account(loan) == []


def test_reversing_a_payment_twice_is_a_conflict(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    payment = pay(loan, cny(100), FEB_20, "p", clock)
    reverse_payment(payment=payment, reversed_on=FEB_20, reason="returned", clock=clock)
    with pytest.raises(Conflict):
        reverse_payment(payment=payment, reversed_on=FEB_20, reason="returned", clock=clock)
    assert JournalEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1


def test_a_payment_cannot_be_reversed_before_it_was_received(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    payment = pay(loan, cny(100), FEB_20, "p", clock)
    with pytest.raises(ValidationError) as error:
        reverse_payment(payment=payment, reversed_on=FEB_15, reason="x", clock=clock)
    assert error.value.field == "reversed_on"


def test_reversing_a_payoff_reopens_the_loan(products, clock):
    loan = make_loan_account(principal=cny(6000), months=6, product=products["cn_consumer_loan"])
    payment = pay(loan, cny(7000), FEB_20, "payoff", clock)
    reverse_payment(payment=payment, reversed_on=FEB_20, reason="recalled", clock=clock)
    loan.refresh_from_db()
    assert (loan.status, loan.closed_on) == (AccountStatus.OPEN, None)
    # March's interest charged at payoff is withdrawn again: it falls due on 15 March
    march = Obligation.objects.get(account=loan, number=2)
    assert not march.is_posted
    assert selectors.book_balances(loan)["interest:loan"] == 3_600  # February's, still owed
    assert selectors.check_account(loan) == []


def test_a_payment_on_a_charged_off_account_is_a_recovery(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    Account.objects.filter(pk=loan.pk).update(status=AccountStatus.CHARGED_OFF)
    loan.refresh_from_db()
    payment = pay(loan, cny(300), dt.date(2025, 8, 1), "rec", clock)
    assert payment.entry.kind == EntryKind.RECOVERY
    assert book_moves(payment) == {"cash": 30_000, "recovery": -30_000}
    assert not payment.applications.exists()
    reverse_payment(payment=payment, reversed_on=dt.date(2025, 8, 2), reason="NSF", clock=clock)
    assert selectors.book_balances(loan).get("recovery", 0) == 0


def test_check_account_reports_a_tampered_obligation(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    pay(loan, cny(100), FEB_20, "p", clock)
    Obligation.objects.filter(account=loan, number=1).update(paid_minor=1)
    problems = selectors.check_account(loan)
    assert any("instalment #1" in problem for problem in problems)
    assert any("cached ageing" in problem for problem in problems)


def test_purchase_and_payment_keep_available_credit(products, clock):
    card = make_card_account(product=products["cn_card_classic"], credit_limit=cny(1000))
    post_purchase(account=card, amount=cny(1000), on=FEB_15, idempotency_key="pos")
    pay(card, cny(400), FEB_20, "p", clock)
    post_purchase(account=card, amount=cny(400), on=FEB_20, idempotency_key="pos-2")
    assert selectors.balances(card).total == cny(1000)
