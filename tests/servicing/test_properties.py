"""Properties of payments that must hold for any amounts and dates (Hypothesis, on the database).

Each example runs in its own savepoint that is rolled back (`rolled_back`), so examples share
only the products loaded once per test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.money import Money
from arrears.servicing import selectors
from arrears.servicing.models import Account, JournalEntry, Obligation, Payment
from arrears.servicing.services.accounts import post_instalment_interest, post_purchase
from arrears.servicing.services.ageing import age_account
from arrears.servicing.services.payments import post_payment, reverse_payment
from tests.conftest import rolled_back
from tests.factories import make_card_account, make_loan_account, make_statement

pytestmark = pytest.mark.django_db

START = dt.date(2025, 1, 15)
DB_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

amounts = st.integers(min_value=1, max_value=400_000)  # minor units: 0.01 .. 4,000.00
days = st.integers(min_value=0, max_value=420)
payments = st.lists(st.tuples(amounts, days), min_size=1, max_size=6)
loan_shapes = st.tuples(
    st.sampled_from([100_000, 600_000, 1_200_000, 3_333_333]),  # principal, minor units
    st.integers(min_value=6, max_value=12),  # months
    st.sampled_from(["cn_consumer_loan", "cn_equal_principal_loan"]),
)


def cny(minor: int) -> Money:
    return Money.from_minor(minor, "CNY")


def open_loan(products, shape) -> Account:
    principal, months, code = shape
    months = max(months, 12) if code == "cn_equal_principal_loan" else months
    return make_loan_account(principal=cny(principal), months=months, product=products[code])


def post_in_date_order(account, plan, clock, prefix="p"):
    for n, (minor, offset) in enumerate(sorted(plan, key=lambda p: p[1])):
        post_payment(
            account=account,
            amount=cny(minor),
            received_on=START + dt.timedelta(days=offset),
            idempotency_key=f"{prefix}{account.pk}-{n}",
            clock=clock,
        )


def loan_figures(account: Account) -> tuple[object, ...]:
    account.refresh_from_db()
    paid = list(
        Obligation.objects.filter(account=account)
        .order_by("number")
        .values_list("paid_minor", "paid_principal_minor", "paid_interest_minor", "is_posted")
    )
    books = selectors.book_balances(account)
    return (books, paid, account.status, account.days_past_due, account.bucket)


@DB_SETTINGS
@given(shape=loan_shapes, plan=payments)
def test_every_entry_balances_and_allocation_never_loses_or_creates_a_cent(
    products, clock, shape, plan
):
    with rolled_back():
        loan = open_loan(products, shape)
        post_in_date_order(loan, plan, clock)
        # every entry balances, obligations agree with their applications, ageing is fresh
        assert selectors.check_account(loan) == []
        # each payment's lines other than cash add up to exactly minus the payment
        for payment in Payment.objects.filter(account=loan):
            lines = {line.book: line.amount_minor for line in payment.entry.lines.all()}
            assert lines.pop("cash") == payment.amount_minor
            assert sum(lines.values()) == -payment.amount_minor
            assert all(amount < 0 for amount in lines.values())
        # the ledger's principal is the schedule's unpaid principal, to the fen
        books = selectors.book_balances(loan)
        unpaid_principal = sum(
            o.principal_minor - o.paid_principal_minor for o in loan.obligations.all()
        )
        assert books.get("principal:loan", 0) == unpaid_principal >= 0
        assert books["cash"] == sum(minor for minor, _ in plan)


@DB_SETTINGS
@given(plan=payments, spend=st.lists(st.tuples(amounts, days), max_size=4))
def test_card_payments_never_lose_or_create_a_cent(products, clock, plan, spend):
    with rolled_back():
        card = make_card_account(
            product=products["us_card_rewards"],
            credit_limit=Money(50_000, "USD"),
            opening_balance=Money(1000, "USD"),
        )
        make_statement(card, dt.date(2025, 2, 15), minimum_due=Money(25, "USD"))
        for n, (minor, offset) in enumerate(spend):
            post_purchase(
                account=card,
                amount=Money.from_minor(minor, "USD"),
                on=START + dt.timedelta(days=offset),
                idempotency_key=f"s{card.pk}-{n}",
                balance_type="cash" if n % 2 else "purchase",
            )
        owed_before = selectors.balances(card).total
        for n, (minor, offset) in enumerate(plan):
            post_payment(
                account=card,
                amount=Money.from_minor(minor, "USD"),
                received_on=START + dt.timedelta(days=offset),
                idempotency_key=f"c{card.pk}-{n}",
                clock=clock,
            )
        paid = Money.from_minor(sum(minor for minor, _ in plan), "USD")
        assert selectors.balances(card).total == owed_before - paid
        assert selectors.check_account(card) == []
        books = selectors.book_balances(card)
        assert all(amount >= 0 for book, amount in books.items() if book.startswith("principal"))


@DB_SETTINGS
@given(shape=loan_shapes, plan=payments)
def test_posting_each_payment_twice_with_one_key_equals_posting_it_once(
    products, clock, shape, plan
):
    with rolled_back():
        once, twice = open_loan(products, shape), open_loan(products, shape)
        post_in_date_order(once, plan, clock)
        post_in_date_order(twice, plan, clock)
        post_in_date_order(twice, plan, clock)  # the same keys again: nothing happens
        assert loan_figures(twice) == loan_figures(once)
        assert Payment.objects.filter(account=twice).count() == len(plan)


@DB_SETTINGS
@given(shape=loan_shapes, minor=amounts, offset=days, earlier=payments)
def test_payment_then_reversal_restores_balances_and_days_past_due(
    products, clock, shape, minor, offset, earlier
):
    with rolled_back():
        # given a loan with some history, aged and with its due interest charged on a date
        loan = open_loan(products, shape)
        on = START + dt.timedelta(days=offset)
        post_in_date_order(loan, [p for p in earlier if p[1] <= offset], clock, prefix="e")
        for due in loan.obligations.filter(is_posted=False, due_on__lte=on):
            post_instalment_interest(obligation=due, clock=clock)
        age_account(account=loan, as_of=on, clock=clock)
        before = loan_figures(loan)
        entries_before = JournalEntry.objects.filter(account=loan).count()
        # when a payment is posted and then returned the same day
        payment, _ = post_payment(
            account=loan, amount=cny(minor), received_on=on, idempotency_key="x", clock=clock
        )
        reverse_payment(payment=payment, reversed_on=on, reason="NSF", clock=clock)
        # then balances, instalments, status and delinquency are as they were
        assert loan_figures(loan) == before
        assert JournalEntry.objects.filter(account=loan).count() > entries_before
        assert selectors.check_account(loan) == []
