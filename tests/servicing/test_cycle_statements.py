"""Closing card statements in the daily cycle: interest, grace, fees, minimum payment, due date."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.servicing.choices import EntryKind, ObligationKind
from arrears.servicing.models import Obligation, Statement
from arrears.servicing.selectors import accrued_interest
from arrears.servicing.services.accounts import post_cash_advance, post_purchase
from arrears.servicing.services.cycle import run_business_date, run_cycle
from arrears.servicing.services.payments import post_payment
from tests.factories import cny, make_card_account, usd
from tests.servicing.cycle_support import book, entries, product_like, run_through

pytestmark = pytest.mark.django_db

OPENED_ON = dt.date(2025, 1, 15)
FIRST_STATEMENT_ON = dt.date(2025, 2, 5)  # cn_card_classic: statement day 5
SECOND_STATEMENT_ON = dt.date(2025, 3, 5)


def spend(account, amount, on, *, cash=False):
    post = post_cash_advance if cash else post_purchase
    key = f"{'cash' if cash else 'buy'}:{account.pk}:{on}:{amount}"
    post(account=account, amount=amount, on=on, idempotency_key=key)


def pay(account, amount, on):
    post_payment(
        account=account, amount=amount, received_on=on, idempotency_key=f"pay:{account.pk}:{on}"
    )


def test_statement_interest_matches_daily_balances(clock):
    # given a card charging 18 % a year (ACT/365) on cash, whose cash balance moves three times
    product = product_like(
        "cn_card_classic",
        "card_18",
        balance_types=[
            {"code": "purchase", "apr": "18", "grace": True},
            {"code": "cash", "apr": "18", "grace": False},
        ],
    )
    card = make_card_account(product=product, opened_on=OPENED_ON)
    spend(card, cny("1000.00"), dt.date(2025, 1, 20), cash=True)
    spend(card, cny("500.00"), dt.date(2025, 1, 30), cash=True)
    pay(card, cny("300.00"), dt.date(2025, 2, 1))

    # when the cycle closes the statement of 5 February
    run_through(FIRST_STATEMENT_ON, clock)

    # then the interest is the daily balances times the daily rate, rounded once:
    #   20–29 Jan 10 days × 1,000.00 + 30–31 Jan 2 days × 1,500.00 + 1–5 Feb 5 days × 1,200.00
    #   = 19,000.00 yuan-days × 0.18 / 365 = 9.369863… → 9.37
    # (rounding each day instead would give 4.90 + 1.48 + 2.95 = 9.33)
    statement = Statement.objects.get(account=card)
    assert statement.interest_minor == 937
    [interest] = entries(card, EntryKind.INTEREST)
    assert interest.effective_on == FIRST_STATEMENT_ON
    assert interest.idempotency_key == f"stmt:{card.pk}:2025-02-05"
    assert book(card, "interest:cash") == 937
    assert book(card, "income:interest") == -937
    # and the statement adds up
    assert statement.period_start_on == OPENED_ON
    assert statement.previous_balance_minor == 0
    assert statement.cash_advances_minor == 150000
    assert statement.payments_minor == 30000
    assert statement.purchases_minor == 0
    assert statement.fees_minor == 0
    assert statement.new_balance_minor == 120937
    assert statement.book_balances == {"interest:cash": 937, "principal:cash": 120000}
    # and the minimum payment is 10 % of the principal plus the interest
    assert statement.minimum_due_minor == 12000 + 937


def test_purchases_are_interest_free_when_previous_statement_paid_in_full(clock):
    # given two cardholders with the same purchases on cn_card_classic (18.25 %, i.e. 0.05 % a day)
    paid_in_full = make_card_account(opened_on=OPENED_ON)
    paid_half = make_card_account(opened_on=OPENED_ON)
    for card in (paid_in_full, paid_half):
        spend(card, cny("1000.00"), dt.date(2025, 1, 20))
    run_through(FIRST_STATEMENT_ON, clock)  # statement 1: 1,000.00, due 25 February
    for card in (paid_in_full, paid_half):
        spend(card, cny("2000.00"), dt.date(2025, 2, 10))

    # when one pays the statement balance in full by the due date and the other pays half
    pay(paid_in_full, cny("1000.00"), dt.date(2025, 2, 20))
    pay(paid_half, cny("500.00"), dt.date(2025, 2, 20))
    run_through(SECOND_STATEMENT_ON, clock)

    # then the purchases of the one who paid in full stay interest-free
    first = Statement.objects.get(account=paid_in_full, statement_on=SECOND_STATEMENT_ON)
    assert first.interest_minor == 0
    assert entries(paid_in_full, EntryKind.INTEREST) == []
    # and the other pays interest on every day's purchase balance of the period:
    #   6–9 Feb 4 × 1,000 + 10–19 Feb 10 × 3,000 + 20 Feb–5 Mar 14 × 2,500 = 69,000 × 0.05 % = 34.50
    second = Statement.objects.get(account=paid_half, statement_on=SECOND_STATEMENT_ON)
    assert second.interest_minor == 3450
    assert book(paid_half, "interest:purchase") == 3450


def test_cash_advance_accrues_interest_from_day_one(clock):
    # given a new card (so purchases are in their interest-free period) with a purchase and a
    # cash advance taken on the statement date itself
    card = make_card_account(opened_on=OPENED_ON)
    spend(card, cny("1000.00"), dt.date(2025, 1, 20))
    spend(card, cny("1000.00"), FIRST_STATEMENT_ON, cash=True)

    # when the statement closes that evening
    run_business_date(day=FIRST_STATEMENT_ON, clock=clock)

    # then the cash advance bears one day's interest (1,000.00 × 0.05 %) and the purchase none
    statement = Statement.objects.get(account=card)
    assert statement.interest_minor == 50
    assert book(card, "interest:cash") == 50
    assert book(card, "interest:purchase") == 0
    assert statement.cash_advances_minor == 100000
    assert statement.purchases_minor == 100000


def test_due_date_on_a_holiday_rolls_to_next_business_day(clock):
    # given a card whose statement on 11 September 2025 is due 20 days later: 1 October,
    # National Day; 1–8 October 2025 are days off (National Day, Mid-Autumn, 调休)
    product = product_like("cn_card_classic", "card_day_11", statement_day=11)
    card = make_card_account(product=product, opened_on=dt.date(2025, 8, 20))
    spend(card, cny("800.00"), dt.date(2025, 8, 25))

    # when the statement closes
    run_through(dt.date(2025, 9, 11), clock)

    # then payment is due on the first business day after the Golden Week: Thursday 9 October
    statement = Statement.objects.get(account=card)
    assert statement.statement_on == dt.date(2025, 9, 11)
    assert statement.due_on == dt.date(2025, 10, 9)
    minimum = Obligation.objects.get(account=card, kind=ObligationKind.MINIMUM_PAYMENT)
    assert (minimum.number, minimum.due_on, minimum.amount_minor) == (1, dt.date(2025, 10, 9), 8000)

    # and nobody is late during the holiday: on 9 October the account is still current
    run_through(dt.date(2025, 10, 9), clock)
    card.refresh_from_db()
    assert (card.days_past_due, card.bucket) == (0, "current")


def test_statement_interest_equals_the_interest_shown_as_accrued(clock):
    # given a US card with a 0 % promotional balance that ends mid-period, purchases, a cash
    # advance, and a borrower who pays too little to keep the interest-free period
    product = product_like(
        "us_card_rewards",
        "us_promo_ends",
        balance_types=[
            {"code": "purchase", "apr": "24.99", "grace": True},
            {"code": "cash", "apr": "29.99", "grace": False},
            {"code": "promo", "apr": "0", "grace": False, "promo_until": "2025-03-01"},
        ],
    )
    card = make_card_account(product=product, opened_on=OPENED_ON)
    spend(card, usd("700.00"), dt.date(2025, 1, 16))
    post_purchase(
        account=card,
        amount=usd("1500.00"),
        on=dt.date(2025, 1, 17),
        idempotency_key="bt",
        balance_type="promo",
    )
    spend(card, usd("200.00"), dt.date(2025, 1, 21), cash=True)
    pay(card, usd("60.00"), dt.date(2025, 2, 28))

    # when each statement closes (15 Feb, 15 Mar, 15 Apr), the interest the borrower was shown
    # as accrued on that day is what gets charged
    shown = []
    day = OPENED_ON
    while day <= dt.date(2025, 4, 15):
        if day.day == 15 and day != OPENED_ON:
            shown.append(accrued_interest(card, day).minor)
        run_business_date(day=day, clock=clock)
        day += dt.timedelta(days=1)
    charged = list(
        Statement.objects.filter(account=card)
        .order_by("statement_on")
        .values_list("interest_minor", flat=True)
    )

    # then the two agree on every statement, and interest was charged
    assert charged == shown
    assert len(charged) == 3 and all(amount > 0 for amount in charged[1:])


def test_annual_fee_is_charged_in_the_anniversary_month_only(clock):
    # given a card with a 100 CNY annual fee opened in January 2024, and the cycle started in
    # December 2024
    product = product_like("cn_card_classic", "card_fee", annual_fee="100.00")
    card = make_card_account(product=product, opened_on=dt.date(2024, 1, 20))
    spend(card, cny("50.00"), dt.date(2024, 12, 20))
    pay(card, cny("50.00"), dt.date(2024, 12, 21))

    # when the statements of January and February 2025 close
    run_cycle(start=dt.date(2024, 12, 20), through=dt.date(2025, 2, 5), clock=clock)

    # then the fee is charged once, on the January statement
    [fee] = entries(card, EntryKind.ANNUAL_FEE)
    assert fee.effective_on == dt.date(2025, 1, 5)
    assert {line.book: line.amount_minor for line in fee.lines.all()} == {
        "fees:annual": 10000,
        "income:fees": -10000,
    }
    assert book(card, "fees:annual") == 10000
    january = Statement.objects.get(account=card, statement_on=dt.date(2025, 1, 5))
    assert january.fees_minor == 10000
    assert january.new_balance_minor == 10000


def test_a_card_with_nothing_owed_and_no_activity_gets_no_statement(clock):
    # given a card that was opened and never used
    card = make_card_account(opened_on=OPENED_ON)

    # when its statement day passes
    result = run_business_date(day=FIRST_STATEMENT_ON, clock=clock)

    # then no statement and no obligation are made
    assert not Statement.objects.filter(account=card).exists()
    assert not Obligation.objects.filter(account=card).exists()
    assert result.counts["close_statements"]["idle"] == 1


def test_new_minimum_never_asks_again_for_an_unpaid_earlier_minimum(clock):
    # given a card whose small balance was not paid, so its first minimum (the whole balance)
    # is still owed at the second statement
    card = make_card_account(opened_on=OPENED_ON)
    spend(card, cny("8.00"), dt.date(2025, 1, 20))
    run_through(SECOND_STATEMENT_ON, clock)

    # then the minimums still owed never add up to more than the balance
    statements = list(Statement.objects.filter(account=card).order_by("statement_on"))
    assert [s.minimum_due_minor for s in statements] == [800, statements[1].new_balance_minor - 800]
    owed = sum(o.unpaid_minor for o in Obligation.objects.filter(account=card))
    assert owed == statements[1].new_balance_minor
