"""Differential: the bulk statement step writes, row for row, what the per-account step wrote.

The reference (`statements_reference`) is the step as it was before the bulk rewrite: model
instances, `post_entries`, `Money` arithmetic, ORM reads. Both close the same random portfolio
of cards (purchases, cash advances, promotional balances, payments, earlier statements paid or
not, rate overrides, annual fees, an entry already posted by an interrupted run) and every
row they write is compared, column by column.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.card import grace_applies, grace_holds, minimum_payment, minimum_payment_minor
from arrears.core.clock import FixedClock
from arrears.core.money import Money, Rounding
from arrears.servicing.choices import EntryKind
from arrears.servicing.models import JournalEntry, JournalLine, Obligation, Statement
from arrears.servicing.services.accounts import post_cash_advance, post_purchase
from arrears.servicing.services.cycle import context, statements
from arrears.servicing.services.cycle.billing import round_interest
from arrears.servicing.services.cycle.context import CycleContext
from arrears.servicing.services.ledger import INCOME_INTEREST, post_entry
from arrears.servicing.services.payments import post_payment
from arrears.servicing.services.rate_overrides import set_rate_override
from tests.conftest import rolled_back
from tests.factories import make_card_account
from tests.servicing import statements_reference
from tests.servicing.cycle_support import product_like

DAY = dt.date(2025, 3, 15)  # the statement closed by both paths
FIRST_DAY = dt.date(2024, 12, 1)
WRITTEN = (JournalEntry, JournalLine, Statement, Obligation)


def _products() -> list[Any]:
    return [
        product_like("cn_card_classic", "cn_day15", statement_day=15),
        product_like(
            "cn_card_classic",
            "cn_day15_fee",
            statement_day=15,
            annual_fee="120.00",
            rounding="half_even",
            balance_types=[
                {"code": "purchase", "apr": "18.25", "grace": True},
                {"code": "cash", "apr": "18.25", "grace": False},
                {"code": "promo", "apr": "0", "grace": False, "promo_until": "2025-02-28"},
            ],
        ),
        product_like(
            "us_card_rewards",
            "us_promo_ends",
            balance_types=[
                {"code": "purchase", "apr": "24.99", "grace": True},
                {"code": "cash", "apr": "29.99", "grace": False},
                {"code": "promo", "apr": "0", "grace": False, "promo_until": "2025-03-01"},
            ],
        ),
    ]


def _portfolio(seed: int, clock: FixedClock) -> list[Any]:
    """Random cards, run day by day up to `DAY` (statements closed on the 15th), with the
    activity of `DAY` itself posted but its statements not closed."""
    rng = random.Random(seed)
    products = _products()
    cards = []
    for _ in range(14):
        product = rng.choice(products)
        opened_on = rng.choice(
            [dt.date(2024, 3, 9), dt.date(2024, 11, 20), dt.date(2025, 1, 3), dt.date(2025, 2, 20)]
        )
        cards.append(make_card_account(product=product, opened_on=opened_on))
    events: dict[dt.date, list[tuple[Any, str, int]]] = {}
    for card in cards[1:]:  # the first card is never used: an idle one
        for _ in range(rng.randint(1, 7)):
            on = max(card.opened_on, FIRST_DAY) + dt.timedelta(days=rng.randint(0, 110))
            if on <= DAY:
                kind = rng.choice(["buy", "buy", "cash", "promo", "pay", "pay"])
                events.setdefault(on, []).append((card, kind, rng.randint(1, 400_000)))
    day = FIRST_DAY
    while day <= DAY:
        for n, (card, kind, minor) in enumerate(events.get(day, [])):
            _post(card, kind, minor, day, f"{seed}:{n}:{day}")
        if day == dt.date(2025, 2, 16):
            for card in cards[2::4]:
                set_rate_override(
                    account=card,
                    from_on=dt.date(2025, 2, 20),
                    until_on=dt.date(2025, 3, 3),
                    apr=Decimal("6"),
                    reason="hardship plan",
                    clock=clock,
                )
        if day.day == 15 and day < DAY:
            statements.close_card_statements(CycleContext.load(day=day, clock=clock))
        day += dt.timedelta(days=1)
    # an earlier run posted one card's statement interest, then stopped before its statement
    post_entry(
        account=cards[3],
        kind=EntryKind.INTEREST,
        effective_on=DAY,
        lines={"interest:purchase": 123, INCOME_INTEREST: -123},
        idempotency_key=f"stmt:{cards[3].pk}:{DAY.isoformat()}",
        memo=f"statement interest {DAY.isoformat()}",
        clock=clock,
    )
    return cards


def _post(card: Any, kind: str, minor: int, day: dt.date, key: str) -> None:
    amount = Money.from_minor(minor, card.currency)
    if kind == "pay":
        post_payment(account=card, amount=amount, received_on=day, idempotency_key=key)
    elif kind == "cash":
        post_cash_advance(account=card, amount=amount, on=day, idempotency_key=key)
    else:
        has_promo = card.product.code != "cn_day15"
        balance_type = "promo" if kind == "promo" and has_promo else "purchase"
        post_purchase(
            account=card, amount=amount, on=day, idempotency_key=key, balance_type=balance_type
        )


def _closed_by(close: Any, clock: FixedClock) -> tuple[dict[str, int], dict[str, list[Any]]]:
    """What one statement step writes on `DAY`, rolled back afterwards. New rows' ids become
    their rank (PostgreSQL does not roll its sequences back), and so do references to them."""
    found: list[Any] = []
    with rolled_back():
        marks = {
            m: m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for m in WRITTEN
        }
        counts = close(CycleContext.load(day=DAY, clock=clock))
        found.append((counts, {m.__name__: _rows_after(m, marks[m]) for m in WRITTEN}))
    [(counts, rows)] = found
    rank = {pk: n for n, (pk, *_rest) in enumerate(rows["JournalEntry"])}
    for name, table in rows.items():
        rows[name] = [(n, *row[1:]) for n, row in enumerate(table)]
    rows["JournalLine"] = [
        (n, rank.get(entry, entry), *rest) for n, entry, *rest in rows["JournalLine"]
    ]
    return counts, rows


def _rows_after(model: Any, mark: int) -> list[tuple[Any, ...]]:
    columns = [field.attname for field in model._meta.concrete_fields]
    assert columns[0] == "id"
    return list(model.objects.filter(pk__gt=mark).order_by("pk").values_list(*columns))


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_statements_write_what_the_per_account_step_wrote(seed, clock, monkeypatch):
    # given a random portfolio of cards closing their statements today, in chunks of 4
    monkeypatch.setattr(context, "CHUNK_SIZE", 4)
    clock = FixedClock(dt.datetime(2025, 3, 15, 16, 30, tzinfo=dt.UTC))
    _portfolio(seed, clock)

    # when the step as it was and the bulk step each close them
    before = _closed_by(statements_reference.close_card_statements, clock)
    after = _closed_by(statements.close_card_statements, clock)

    # then they write the same entries, lines, statements and obligations, every column
    assert after[1] == before[1]
    assert after[0] == before[0]
    assert before[0]["statements"] >= 8 and before[0]["idle"] >= 1


@pytest.mark.django_db
def test_a_rerun_of_the_bulk_step_posts_nothing_twice(clock):
    clock = FixedClock(dt.datetime(2025, 3, 15, 16, 30, tzinfo=dt.UTC))
    _portfolio(4, clock)
    statements.close_card_statements(CycleContext.load(day=DAY, clock=clock))
    written = {m.__name__: m.objects.count() for m in WRITTEN}

    again = statements.close_card_statements(CycleContext.load(day=DAY, clock=clock))

    assert again["statements"] == 0
    assert {m.__name__: m.objects.count() for m in WRITTEN} == written


# --- the integer arithmetic against the Money forms ---------------------------------------------

roundings = st.sampled_from(list(Rounding))


@settings(max_examples=300, deadline=None)
@given(
    principal=st.integers(min_value=-(10**12), max_value=10**12),
    interest=st.integers(min_value=0, max_value=10**9),
    fees=st.integers(min_value=0, max_value=10**8),
    floor=st.integers(min_value=0, max_value=10**6),
    percent=st.decimals(min_value=0, max_value=100, places=3),
    rounding=roundings,
    currency=st.sampled_from(["CNY", "USD", "JPY"]),
)
def test_minimum_payment_in_minor_units_is_the_money_rule(
    principal, interest, fees, floor, percent, rounding, currency
):
    """`core.card` works the minimum in minor units; the rule as written in `Money` (the
    greater of the floor and the percentage of the principal plus interest and fees, at most
    the new balance, nothing when that is not positive) must give the same figure."""

    def money(minor: int) -> Money:
        return Money.from_minor(minor, currency)

    zero = Money.zero(currency)
    new_balance = money(principal) + money(interest) + money(fees)
    share = money(principal).max(zero).times(percent / 100, rounding)
    in_money = (
        zero
        if new_balance <= zero
        else (share + money(interest) + money(fees)).max(money(floor)).min(new_balance)
    )
    in_minor = minimum_payment_minor(
        principal=principal,
        interest=interest,
        fees=fees,
        floor=floor,
        percent=percent,
        rounding=rounding,
    )
    assert in_minor == in_money.minor
    assert (
        minimum_payment(
            principal_balance=money(principal),
            interest=money(interest),
            fees=money(fees),
            floor=money(floor),
            percent=percent,
            rounding=rounding,
        )
        == in_money
    )


exact_interest = st.decimals(min_value=-(10**7), max_value=10**9, places=12)


@settings(max_examples=300, deadline=None)
@given(
    amounts=st.dictionaries(st.sampled_from(["purchase", "cash", "promo"]), exact_interest),
    rounding=roundings,
    currency=st.sampled_from(["CNY", "USD", "JPY"]),
)
def test_interest_rounded_in_minor_units_is_the_money_rounding(amounts, rounding, currency):
    class Terms:  # round_interest reads only the rounding policy
        pass

    terms: Any = Terms()
    terms.rounding = rounding
    assert round_interest(amounts, currency=currency, terms=terms) == (
        statements_reference.round_interest(amounts, currency=currency, terms=terms)
    )


@settings(max_examples=200, deadline=None)
@given(
    previous=st.integers(min_value=-(10**9), max_value=10**9),
    paid=st.integers(min_value=0, max_value=10**9),
)
def test_grace_in_minor_units_is_the_money_rule(previous, paid):
    before = Money.from_minor(previous, "CNY")
    paid_by_due = Money.from_minor(paid, "CNY")
    in_money = paid_by_due >= before or before.amount <= 0
    assert grace_holds(previous_balance_minor=previous, paid_by_due_minor=paid) == in_money
    assert (
        grace_applies(previous_statement_balance=before, paid_by_due_date=paid_by_due) == in_money
    )
