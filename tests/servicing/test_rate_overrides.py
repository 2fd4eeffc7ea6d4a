"""Rate overrides: another rate for an account over a range of days, honoured by the cycle.

A card's statement interest and a loan's instalment interest are worked out day by day at the
rate in force; accrued interest shows the same figure before it is charged.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.core.errors import Conflict, ValidationError
from arrears.core.interest import BalanceSegment, DayCount
from arrears.core.products import BalanceTypeTerms
from arrears.servicing.choices import EntryKind
from arrears.servicing.models import Obligation, RateOverride, Statement
from arrears.servicing.selectors import accrued_interest, check_account
from arrears.servicing.services.accounts import post_cash_advance
from arrears.servicing.services.interest_rates import (
    RateWindow,
    card_interest,
    instalment_interest,
)
from arrears.servicing.services.rate_overrides import end_rate_override, set_rate_override
from tests.factories import cny, make_card_account, make_loan_account
from tests.servicing.cycle_support import entries, product_like, run_through

OPENED_ON = dt.date(2025, 1, 15)


def card_at_18_percent():  # type: ignore[no-untyped-def]
    product = product_like(
        "cn_card_classic",
        "card_18",
        balance_types=[
            {"code": "purchase", "apr": "18", "grace": True},
            {"code": "cash", "apr": "18", "grace": False},
        ],
    )
    card = make_card_account(product=product, opened_on=OPENED_ON)
    post_cash_advance(
        account=card, amount=cny("1000.00"), on=dt.date(2025, 1, 20), idempotency_key="c"
    )
    return card


def statement_interest(card, on: dt.date) -> int:  # type: ignore[no-untyped-def]
    return Statement.objects.get(account=card, statement_on=on).interest_minor


@pytest.mark.django_db
def test_a_card_freeze_charges_nothing_on_the_days_it_covers_and_the_contract_rate_after(clock):
    # given 1,000.00 of cash at 18 % from 20 January, frozen from 26 January to 28 February
    card = card_at_18_percent()
    freeze = set_rate_override(
        account=card,
        from_on=dt.date(2025, 1, 26),
        until_on=dt.date(2025, 2, 28),
        apr=Decimal("0"),
        reason="agreed with the borrower on a call",
        clock=clock,
    )
    assert freeze.until_on == dt.date(2025, 2, 28)
    # accrued interest shows, before the statement, what the statement will charge
    assert accrued_interest(card, dt.date(2025, 2, 3)) == cny("2.96")

    # when the cycle closes the statements of 5 February and 5 March
    run_through(dt.date(2025, 3, 5), clock)

    # then February's charges 20–25 January only: 6 days × 1,000.00 × 0.18 / 365 = 2.96
    assert statement_interest(card, dt.date(2025, 2, 5)) == 296
    # and March's the contract rate again from 1 March: 5 days = 2.465… → 2.47
    assert statement_interest(card, dt.date(2025, 3, 5)) == 247
    assert check_account(card) == []


@pytest.mark.django_db
def test_a_card_rate_reduction_is_charged_from_its_first_day(clock):
    card = card_at_18_percent()
    set_rate_override(
        account=card, from_on=dt.date(2025, 1, 31), apr=Decimal("9"), reason="rate cut", clock=clock
    )
    run_through(dt.date(2025, 2, 5), clock)
    # 20–30 January at 18 % (11 days), 31 January – 5 February at 9 % (6 days):
    # 1,000.00 × (11 × 0.18 + 6 × 0.09) / 365 = 6.904… → 6.90
    assert statement_interest(card, dt.date(2025, 2, 5)) == 690


def instalment(loan, number: int) -> Obligation:  # type: ignore[no-untyped-def]
    return Obligation.objects.get(account=loan, number=number)


@pytest.mark.django_db
def test_a_loan_freeze_charges_only_the_days_outside_it(clock):
    # given a 12,000 loan at 7.2 %: instalments of 1,039.43 due on the 15th, interest 72.00,
    # 66.20, 60.36, 54.48, 48.57 for the first five months
    loan = make_loan_account(start_on=OPENED_ON)
    assert [instalment(loan, n).interest_minor for n in range(1, 6)] == [
        7200,
        6620,
        6036,
        5448,
        4857,
    ]

    # when the interest is frozen from 5 February to 20 April
    set_rate_override(
        account=loan,
        from_on=dt.date(2025, 2, 5),
        until_on=dt.date(2025, 4, 20),
        apr=Decimal("0"),
        reason="freeze",
        clock=clock,
    )

    # then the instalments are re-priced at once, principal unchanged:
    # #1 16 Jan – 4 Feb at the contract rate: 72.00 × 20/31 = 46.45
    # #2, #3 nothing; #4 21 April – 15 May: 54.48 × 25/30 = 45.40; #5 in full
    first = instalment(loan, 1)
    assert (first.interest_minor, first.amount_minor) == (4645, 96743 + 4645)
    assert first.contract_interest_minor == 7200
    assert [instalment(loan, n).interest_minor for n in range(1, 6)] == [4645, 0, 0, 4540, 4857]
    # accrued interest agrees day by day: on 30 April, 54.48 × 10/30 = 18.16
    assert accrued_interest(loan, dt.date(2025, 4, 30)) == cny("18.16")
    assert accrued_interest(loan, dt.date(2025, 4, 20)).is_zero()

    # and the daily cycle charges exactly that on each due date
    run_through(dt.date(2025, 5, 15), clock)
    charged = [
        sum(line.amount_minor for line in e.lines.filter(book="interest:loan"))
        for e in entries(loan, EntryKind.INTEREST)
    ]
    assert charged == [4645, 0, 0, 4540]
    assert check_account(loan) == []


@pytest.mark.django_db
def test_ending_a_freeze_brings_the_contract_rate_back_the_next_day(clock):
    loan = make_loan_account(start_on=OPENED_ON)
    freeze = set_rate_override(
        account=loan, from_on=dt.date(2025, 2, 16), apr=Decimal("0"), reason="freeze", clock=clock
    )
    assert [instalment(loan, n).interest_minor for n in range(2, 5)] == [0, 0, 0]

    end_rate_override(override=freeze, until_on=dt.date(2025, 3, 31), reason="plan broken")

    # #3 (16 March – 15 April, 31 days): 1–15 April at the contract rate, 60.36 × 15/31 = 29.21
    assert [instalment(loan, n).interest_minor for n in range(2, 5)] == [0, 2921, 5448]
    freeze.refresh_from_db()
    assert freeze.until_on == dt.date(2025, 3, 31) and freeze.end_reason == "plan broken"
    # ending it again on the same day changes nothing; it cannot be lengthened
    end_rate_override(override=freeze, until_on=dt.date(2025, 3, 31), reason="again")
    with pytest.raises(Conflict):
        end_rate_override(override=freeze, until_on=dt.date(2025, 4, 30), reason="longer")


@pytest.mark.django_db
def test_an_override_never_changes_a_day_already_charged(clock):
    loan = make_loan_account(start_on=OPENED_ON)
    run_through(dt.date(2025, 2, 15), clock)  # February's interest is charged
    with pytest.raises(ValidationError) as refused:
        set_rate_override(
            account=loan, from_on=dt.date(2025, 2, 10), apr=Decimal("0"), reason="x", clock=clock
        )
    assert refused.value.field == "from_on"
    assert not RateOverride.objects.filter(account=loan).exists()

    freeze = set_rate_override(
        account=loan, from_on=dt.date(2025, 2, 16), apr=Decimal("0"), reason="x", clock=clock
    )
    run_through(dt.date(2025, 3, 15), clock)  # March's is charged at 0 %
    with pytest.raises(ValidationError) as refused:
        end_rate_override(override=freeze, until_on=dt.date(2025, 3, 1), reason="too early")
    assert refused.value.field == "until_on"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"apr": 0.0}, "apr"),
        ({"apr": Decimal("-1")}, "apr"),
        ({"apr": Decimal("101")}, "apr"),
        ({"reason": "  "}, "reason"),
        ({"until_on": dt.date(2025, 3, 1)}, "until_on"),
        ({"from_on": dt.date(2024, 12, 31)}, "from_on"),
        ({"source": "x" * 61}, "source"),
    ],
)
def test_bad_override_input_is_refused_by_name_and_writes_nothing(change, field, clock):
    loan = make_loan_account(start_on=OPENED_ON)
    request = {
        "account": loan,
        "from_on": dt.date(2025, 3, 2),
        "apr": Decimal("3.5"),
        "reason": "rate cut",
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        set_rate_override(**request, clock=clock)
    assert refused.value.field == field
    assert not RateOverride.objects.exists()
    assert instalment(loan, 3).interest_minor == 6036


@pytest.mark.django_db
def test_two_overrides_never_cover_the_same_day(clock):
    loan = make_loan_account(start_on=OPENED_ON)
    set_rate_override(
        account=loan,
        from_on=dt.date(2025, 3, 1),
        until_on=dt.date(2025, 3, 31),
        apr=Decimal("0"),
        reason="a",
        clock=clock,
    )
    with pytest.raises(Conflict):
        set_rate_override(
            account=loan, from_on=dt.date(2025, 3, 31), apr=Decimal("1"), reason="b", clock=clock
        )
    # the day after is free
    set_rate_override(
        account=loan, from_on=dt.date(2025, 4, 1), apr=Decimal("1"), reason="b", clock=clock
    )
    assert RateOverride.objects.filter(account=loan).count() == 2


# --- the arithmetic, on any figures ------------------------------------------------------------

START = dt.date(2025, 1, 15)
day_offsets = st.integers(min_value=0, max_value=90)
rates = st.decimals(min_value=0, max_value=40, places=2)


@st.composite
def windows(draw):  # type: ignore[no-untyped-def]
    """Up to three windows that never share a day."""
    cuts = sorted(draw(st.sets(day_offsets, min_size=0, max_size=6)))
    found = []
    for first, last in zip(cuts[::2], cuts[1::2], strict=False):
        found.append(
            RateWindow(START + dt.timedelta(first), START + dt.timedelta(last), draw(rates))
        )
    return found


@given(
    interest=st.integers(min_value=0, max_value=500_000),
    period=st.integers(min_value=28, max_value=31),
    contract=st.decimals(min_value="0.5", max_value=36, places=2),
    chosen=windows(),
)
def test_a_loan_instalment_is_charged_day_by_day_at_the_rate_in_force(
    interest, period, contract, chosen
):
    due_on = START + dt.timedelta(days=period)
    exact = instalment_interest(
        contract_interest_minor=interest,
        contract_apr=contract,
        period_start=START,
        due_on=due_on,
        windows=chosen,
    )
    by_day = sum(
        Decimal(interest)
        / period
        * next((w.apr / contract for w in chosen if w.covers(START + dt.timedelta(d))), 1)
        for d in range(1, period + 1)
    )
    assert abs(exact - by_day) < Decimal("1e-20")
    # no override: the schedule's interest exactly; a 0 % override over it all: nothing
    assert instalment_interest(
        contract_interest_minor=interest, contract_apr=contract, period_start=START, due_on=due_on
    ) == Decimal(interest)
    frozen = [RateWindow(START, None, Decimal(0))]
    assert (
        instalment_interest(
            contract_interest_minor=interest,
            contract_apr=contract,
            period_start=START,
            due_on=due_on,
            windows=frozen,
        )
        == 0
    )


CASH = BalanceTypeTerms(code="cash", apr=Decimal("18"), grace=False)


@given(
    balances=st.lists(st.integers(min_value=0, max_value=5_000_000), min_size=1, max_size=4),
    lengths=st.lists(st.integers(min_value=1, max_value=20), min_size=4, max_size=4),
    chosen=windows(),
)
def test_card_interest_is_the_sum_of_each_days_interest_at_its_rate(balances, lengths, chosen):
    segments, start = [], START
    for balance, length in zip(balances, lengths, strict=False):
        segments.append(BalanceSegment(start, start + dt.timedelta(length), balance))
        start += dt.timedelta(length)
    exact = card_interest(
        segments, CASH, after_promo=CASH.apr, day_count=DayCount.ACT_365, windows=chosen
    )
    by_day = Decimal(0)
    for segment in segments:
        for d in range((segment.end_on - segment.start_on).days):
            day = segment.start_on + dt.timedelta(d)
            apr = next((w.apr for w in chosen if w.covers(day)), CASH.apr)
            by_day += Decimal(segment.balance_minor) * apr / 100 / 365
    assert abs(exact - by_day) < Decimal("1e-20")
    # a lower rate never charges more
    lower = [RateWindow(w.from_on, w.until_on, w.apr / 2) for w in chosen]
    assert (
        card_interest(
            segments, CASH, after_promo=CASH.apr, day_count=DayCount.ACT_365, windows=lower
        )
        <= exact
    )


# --- interest agreed in advance ------------------------------------------------------------------


@pytest.mark.django_db
def test_scheduled_interest_is_charged_on_its_date_once_with_its_capitalised_part(clock):
    from arrears.servicing.models import ScheduledInterest
    from arrears.servicing.selectors import book_balances
    from arrears.servicing.services.scheduled_interest import InterestCharge, schedule_interest

    card = card_at_18_percent()
    set_rate_override(
        account=card, from_on=dt.date(2025, 1, 21), apr=Decimal("0"), reason="plan", clock=clock
    )
    charges = [
        InterestCharge(1, dt.date(2025, 3, 1), cny("20.00"), capitalised=cny("20.00")),
        InterestCharge(2, dt.date(2025, 4, 1), cny("15.00")),
    ]
    schedule_interest(account=card, source="plan:1", charges=charges, clock=clock)
    # the same charges again change nothing; other figures for the source are a conflict
    schedule_interest(account=card, source="plan:1", charges=charges, clock=clock)
    with pytest.raises(Conflict):
        schedule_interest(account=card, source="plan:1", charges=charges[:1], clock=clock)

    run_through(dt.date(2025, 4, 1), clock)

    kinds = [(e.kind, e.effective_on) for e in card.entries.filter(memo__contains="plan:1")]
    assert kinds == [
        (EntryKind.INTEREST, dt.date(2025, 3, 1)),
        (EntryKind.CAPITALISATION, dt.date(2025, 3, 1)),
        (EntryKind.INTEREST, dt.date(2025, 4, 1)),
    ]
    books = book_balances(card)
    # cash 1,000.00 at 18 % on 20 January only (0.49), then the plan's 20.00 capitalised
    assert books["principal:purchase"] == 2000
    assert books["interest:purchase"] == 1500
    assert books["interest:cash"] == 49
    assert ScheduledInterest.objects.filter(account=card, entry__isnull=True).count() == 0
    assert check_account(card) == []


@pytest.mark.django_db
def test_a_payment_on_the_due_date_charges_the_days_scheduled_interest_first(clock):
    from arrears.servicing.selectors import balances
    from arrears.servicing.services.payments import post_payment
    from arrears.servicing.services.scheduled_interest import (
        InterestCharge,
        cancel_scheduled_interest,
        schedule_interest,
    )

    loan = make_loan_account(start_on=OPENED_ON)
    schedule_interest(
        account=loan,
        source="plan:7",
        charges=[
            InterestCharge(1, dt.date(2025, 3, 1), cny("12.34")),
            InterestCharge(2, dt.date(2025, 4, 1), cny("5.00")),
        ],
        clock=clock,
    )
    owed = balances(loan).total
    post_payment(
        account=loan,
        amount=cny("100.00"),
        received_on=dt.date(2025, 3, 1),
        idempotency_key="p",
        clock=clock,
    )
    # February's and March 1st's interest were charged before the payment was applied
    assert balances(loan).total == owed + cny("72.00") + cny("12.34") - cny("100.00")

    # when the arrangement ends, what is not yet charged is never charged
    assert cancel_scheduled_interest(account=loan, source="plan:7", after=dt.date(2025, 3, 5)) == 1
    run_through(dt.date(2025, 4, 2), clock)
    assert not loan.entries.filter(memo__contains="plan:7", effective_on=dt.date(2025, 4, 1))
