"""Credit-card statement arithmetic: minimum payment, late fee, interest-free period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.card import (
    StatementFigures,
    apr_on,
    balance_type_interest,
    grace_applies,
    late_fee,
    minimum_payment,
    rated_segments,
)
from arrears.core.errors import ValidationError
from arrears.core.interest import BalanceSegment, DayCount, accrue
from arrears.core.money import Money, Rounding
from arrears.core.products import BalanceTypeTerms


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def cny(amount: str) -> Money:
    return Money(amount, "CNY")


def us_minimum(principal: str, interest: str = "0.00", fees: str = "0.00") -> Money:
    return minimum_payment(
        principal_balance=usd(principal),
        interest=usd(interest),
        fees=usd(fees),
        floor=usd("25.00"),
        percent=Decimal("1"),
        rounding=Rounding.HALF_UP,
    )


# --- minimum payment ------------------------------------------------------------------------


def test_minimum_payment_is_percent_of_principal_plus_interest_and_fees() -> None:
    assert us_minimum("4000.00", interest="45.67", fees="32.00") == usd("117.67")


def test_minimum_payment_is_at_least_the_floor() -> None:
    assert us_minimum("800.00", interest="3.00") == usd("25.00")


def test_minimum_payment_never_exceeds_new_balance() -> None:
    assert us_minimum("12.00", interest="0.50") == usd("12.50")


@pytest.mark.parametrize("principal", ["0.00", "-40.00"])
def test_no_minimum_payment_when_nothing_is_owed(principal: str) -> None:
    assert us_minimum(principal) == usd("0.00")


def test_cn_minimum_payment_is_ten_percent_of_the_balance() -> None:
    minimum = minimum_payment(
        principal_balance=cny("5000.00"),
        interest=cny("0.00"),
        fees=cny("0.00"),
        floor=cny("10.00"),
        percent=Decimal("10"),
        rounding=Rounding.HALF_UP,
    )

    assert minimum == cny("500.00")


@pytest.mark.parametrize(
    ("rounding", "expected"), [(Rounding.HALF_UP, "12.35"), (Rounding.DOWN, "12.34")]
)
def test_minimum_payment_rounds_once_with_the_products_policy(
    rounding: Rounding, expected: str
) -> None:
    minimum = minimum_payment(
        principal_balance=usd("1234.56"),
        interest=usd("0.00"),
        fees=usd("0.00"),
        floor=usd("0.00"),
        percent=Decimal("1"),
        rounding=rounding,
    )

    assert minimum == usd(expected)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent": Decimal("101")}, "percent"),
        ({"percent": Decimal("-1")}, "percent"),
        ({"fees": cny("1.00")}, "fees"),
        ({"floor": usd("-1.00")}, "floor"),
    ],
)
def test_minimum_payment_error_names_the_field(changes: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {
        "principal_balance": usd("100.00"),
        "interest": usd("0.00"),
        "fees": usd("0.00"),
        "floor": usd("25.00"),
        "percent": Decimal("1"),
        "rounding": Rounding.HALF_UP,
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        minimum_payment(**arguments)  # type: ignore[arg-type]
    assert error.value.field == field


money = st.integers(min_value=-100_000, max_value=10_000_000).map(
    lambda m: Money.from_minor(m, "USD")
)
charges = st.integers(min_value=0, max_value=100_000).map(lambda m: Money.from_minor(m, "USD"))
percents = st.decimals(min_value=0, max_value=100, places=2)


@settings(max_examples=200)
@given(principal=money, interest=charges, fees=charges, floor=charges, percent=percents)
def test_minimum_payment_is_between_the_floor_and_the_new_balance(
    principal: Money, interest: Money, fees: Money, floor: Money, percent: Decimal
) -> None:
    minimum = minimum_payment(
        principal_balance=principal,
        interest=interest,
        fees=fees,
        floor=floor,
        percent=percent,
        rounding=Rounding.HALF_UP,
    )

    new_balance = (principal + interest + fees).max(usd("0"))
    assert usd("0") <= minimum <= new_balance
    assert minimum >= floor.min(new_balance)
    assert minimum >= (interest + fees).min(new_balance)


# --- late fee -------------------------------------------------------------------------------


def test_no_late_fee_when_the_minimum_was_paid() -> None:
    assert late_fee(minimum_unpaid=usd("0.00"), fee=usd("32.00"), cap=None) == usd("0.00")


def test_late_fee_is_charged_when_the_minimum_was_missed() -> None:
    assert late_fee(minimum_unpaid=usd("117.67"), fee=usd("32.00"), cap=None) == usd("32.00")


def test_late_fee_is_limited_by_the_products_cap() -> None:
    assert late_fee(minimum_unpaid=usd("117.67"), fee=usd("40.00"), cap=usd("32.00")) == usd(
        "32.00"
    )


def test_late_fee_is_never_more_than_the_minimum_missed() -> None:
    assert late_fee(minimum_unpaid=usd("20.00"), fee=usd("32.00"), cap=None) == usd("20.00")


@pytest.mark.parametrize(
    ("fee", "cap", "field"),
    [(usd("-1.00"), None, "fee"), (usd("5.00"), usd("-1.00"), "cap"), (cny("5.00"), None, "fee")],
)
def test_late_fee_error_names_the_field(fee: Money, cap: Money | None, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        late_fee(minimum_unpaid=usd("20.00"), fee=fee, cap=cap)
    assert error.value.field == field


@settings(max_examples=200)
@given(unpaid=money, fee=charges, cap=st.one_of(st.none(), charges))
def test_late_fee_never_exceeds_fee_cap_or_unpaid_minimum(
    unpaid: Money, fee: Money, cap: Money | None
) -> None:
    charged = late_fee(minimum_unpaid=unpaid, fee=fee, cap=cap)

    assert usd("0") <= charged <= fee
    assert charged <= unpaid.max(usd("0"))
    if cap is not None:
        assert charged <= cap


# --- interest-free period (免息期) ----------------------------------------------------------


def test_interest_free_period_holds_when_the_statement_was_paid_in_full() -> None:
    assert grace_applies(previous_statement_balance=cny("3000.00"), paid_by_due_date=cny("3000.00"))


def test_interest_free_period_is_lost_on_a_partial_payment() -> None:
    assert not grace_applies(
        previous_statement_balance=cny("3000.00"), paid_by_due_date=cny("2999.99")
    )


@pytest.mark.parametrize("balance", ["0.00", "-20.00"])
def test_interest_free_period_holds_when_nothing_was_owed(balance: str) -> None:
    assert grace_applies(previous_statement_balance=cny(balance), paid_by_due_date=cny("0.00"))


def test_interest_free_period_needs_one_currency() -> None:
    with pytest.raises(ValidationError) as error:
        grace_applies(previous_statement_balance=cny("1.00"), paid_by_due_date=usd("1.00"))
    assert error.value.field == "paid_by_due_date"


# --- statement figures ----------------------------------------------------------------------


def statement() -> StatementFigures:
    return StatementFigures(
        previous_balance=usd("1000.00"),
        payments=usd("400.00"),
        purchases=usd("250.00"),
        cash_advances=usd("100.00"),
        interest=usd("15.20"),
        fees=usd("10.00"),
        new_balance=usd("975.20"),
        minimum_due=usd("35.00"),
        due_on=date(2025, 2, 9),
    )


def test_statement_figures_add_up() -> None:
    assert statement().new_balance == usd("975.20")


def test_statement_whose_new_balance_does_not_add_up_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        replace(statement(), new_balance=usd("975.21"))
    assert error.value.field == "new_balance"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fees": cny("10.00")}, "fees"),
        ({"purchases": usd("-250.00"), "new_balance": usd("475.20")}, "purchases"),
        ({"minimum_due": usd("975.21")}, "minimum_due"),
    ],
)
def test_statement_error_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        replace(statement(), **changes)
    assert error.value.field == field


def test_statement_in_credit_may_have_a_negative_new_balance() -> None:
    credit = replace(
        statement(), payments=usd("1500.00"), new_balance=usd("-124.80"), minimum_due=usd("0.00")
    )

    assert credit.new_balance.is_negative()


# --- the rate a balance type bears (promotional rates) --------------------------------------

PURCHASE_APR = Decimal("18.25")
PROMO = BalanceTypeTerms(code="promo", apr=Decimal("0"), promo_until=date(2025, 3, 31))
PURCHASE = BalanceTypeTerms(code="purchase", apr=PURCHASE_APR)


def rates(segments: list[BalanceSegment], balance_type: BalanceTypeTerms) -> list[object]:
    return [
        (s.start_on, s.end_on, s.balance_minor, apr)
        for s, apr in rated_segments(segments, balance_type, after_promo=PURCHASE_APR)
    ]


def test_a_promotional_rate_applies_through_its_last_day_and_the_purchase_rate_after() -> None:
    assert apr_on(date(2025, 3, 31), PROMO, after_promo=PURCHASE_APR) == Decimal("0")
    assert apr_on(date(2025, 4, 1), PROMO, after_promo=PURCHASE_APR) == PURCHASE_APR


def test_a_balance_type_without_a_promotion_always_bears_its_own_rate() -> None:
    assert apr_on(date(2099, 1, 1), PURCHASE, after_promo=Decimal("99")) == PURCHASE_APR


def test_a_segment_spanning_the_end_of_a_promotion_is_cut_where_the_rate_changes() -> None:
    segment = BalanceSegment(date(2025, 3, 20), date(2025, 4, 10), 100_000)
    assert rates([segment], PROMO) == [
        (date(2025, 3, 20), date(2025, 4, 1), 100_000, Decimal("0")),
        (date(2025, 4, 1), date(2025, 4, 10), 100_000, PURCHASE_APR),
    ]


@pytest.mark.parametrize(
    ("start_on", "end_on", "apr"),
    [
        (date(2025, 3, 1), date(2025, 4, 1), Decimal("0")),  # ends on the promotion's last day
        (date(2025, 4, 1), date(2025, 4, 30), PURCHASE_APR),  # starts the day after
    ],
)
def test_a_segment_on_one_side_of_the_promotions_end_is_not_cut(
    start_on: date, end_on: date, apr: Decimal
) -> None:
    assert rates([BalanceSegment(start_on, end_on, 5_000)], PROMO) == [
        (start_on, end_on, 5_000, apr)
    ]


def test_interest_on_a_promotional_balance_is_the_purchase_rate_after_the_promotion() -> None:
    # 1,000.00 from 20 March to 9 April: 12 days at 0 %, then 9 days at 18.25 % (0.05 % a day)
    segment = BalanceSegment(date(2025, 3, 20), date(2025, 4, 10), 100_000)
    interest = balance_type_interest(
        [segment], PROMO, after_promo=PURCHASE_APR, day_count=DayCount.ACT_365
    )
    assert interest == Decimal(9 * 50)


promo_ends = st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31))
segment_lists = st.lists(
    st.tuples(
        st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)),
        st.integers(0, 60),
        st.integers(-100_000, 1_000_000),
    ),
    max_size=6,
).map(lambda runs: [BalanceSegment(start, start + timedelta(days=n), b) for start, n, b in runs])


@settings(max_examples=200)
@given(segments=segment_lists, until=st.one_of(st.none(), promo_ends))
def test_every_day_of_a_rated_segment_bears_the_rate_of_that_day(
    segments: list[BalanceSegment], until: date | None
) -> None:
    balance_type = BalanceTypeTerms(code="promo", apr=Decimal("1.5"), promo_until=until)
    rated = rated_segments(segments, balance_type, after_promo=PURCHASE_APR)
    # the pieces cover exactly the days of the segments, at the same balances
    assert sum(s.days for s, _ in rated) == sum(s.days for s in segments)
    for piece, apr in rated:
        for n in range(piece.days):
            day = piece.start_on + timedelta(days=n)
            assert apr == apr_on(day, balance_type, after_promo=PURCHASE_APR)
    # and the interest is each day's balance at that day's rate
    by_day = Decimal(0)
    for segment in segments:
        for n in range(segment.days):
            day = segment.start_on + timedelta(days=n)
            one_day = BalanceSegment(day, day + timedelta(days=1), segment.balance_minor)
            apr = apr_on(day, balance_type, after_promo=PURCHASE_APR)
            by_day += accrue([one_day], apr, DayCount.ACT_365)
    interest = balance_type_interest(
        segments, balance_type, after_promo=PURCHASE_APR, day_count=DayCount.ACT_365
    )
    assert abs(interest - by_day) < Decimal("1e-20")
