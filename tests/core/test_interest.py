"""Daily interest: what a balance earns the lender, exactly, before the one rounding at posting."""

import itertools
from datetime import date, timedelta
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.errors import ValidationError
from arrears.core.interest import PRECISION, BalanceSegment, DayCount, accrue, daily_rate

START = date(2026, 3, 1)


def segment(balance_minor: int, days: int, start: date = START) -> BalanceSegment:
    return BalanceSegment(start, start + timedelta(days), balance_minor)


def test_eighteen_percent_a_year_is_a_365th_of_that_a_day() -> None:
    assert daily_rate(Decimal("18"), DayCount.ACT_365) * 365 == pytest.approx(Decimal("0.18"))
    assert daily_rate(Decimal("18"), DayCount.ACT_360) == Decimal("0.0005")


def test_a_month_on_10000_yuan_at_18_percent() -> None:
    # 1,000,000 fen × 30 days × 18 % / 365 = 14,794.52… fen
    interest = accrue([segment(1_000_000, 30)], Decimal("18"), DayCount.ACT_365)
    with localcontext(prec=PRECISION):
        assert interest == Decimal(1_000_000 * 30 * 18) / Decimal(36500)
    assert round(interest, 2) == Decimal("14794.52")


def test_act_360_charges_more_than_act_365_for_the_same_balance() -> None:
    balance = [segment(500_000, 31)]
    assert accrue(balance, Decimal("9.99"), DayCount.ACT_360) > accrue(
        balance, Decimal("9.99"), DayCount.ACT_365
    )
    ratio = accrue(balance, Decimal("9.99"), DayCount.ACT_360) / accrue(
        balance, Decimal("9.99"), DayCount.ACT_365
    )
    assert ratio == pytest.approx(Decimal(365) / Decimal(360))


def test_a_zero_or_credit_balance_earns_nothing() -> None:
    assert accrue([segment(0, 30)], Decimal("24"), DayCount.ACT_365) == 0
    assert accrue([segment(-250_00, 30)], Decimal("24"), DayCount.ACT_365) == 0
    assert accrue([], Decimal("24"), DayCount.ACT_365) == 0


def test_a_credit_balance_does_not_offset_a_debit_balance() -> None:
    owed = accrue([segment(100_00, 10)], Decimal("24"), DayCount.ACT_365)
    mixed = [segment(100_00, 10), segment(-100_00, 10, START + timedelta(10))]
    assert accrue(mixed, Decimal("24"), DayCount.ACT_365) == owed


def test_an_interest_free_product_accrues_nothing() -> None:
    assert accrue([segment(1_000_000, 365)], Decimal(0), DayCount.ACT_365) == 0


def test_a_segment_of_no_days_accrues_nothing() -> None:
    assert accrue([segment(1_000_000, 0)], Decimal("18"), DayCount.ACT_365) == 0


def test_a_segment_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValidationError) as refused:
        BalanceSegment(date(2026, 3, 2), date(2026, 3, 1), 100)
    assert refused.value.field == "end_on"


def test_a_negative_or_float_apr_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        accrue([segment(100, 1)], Decimal("-1"), DayCount.ACT_365)
    assert refused.value.field == "apr"
    with pytest.raises(ValidationError):
        daily_rate(Decimal("NaN"), DayCount.ACT_365)
    with pytest.raises(TypeError):
        daily_rate(18.0, DayCount.ACT_365)  # type: ignore[arg-type]


def test_an_unknown_day_count_is_refused_by_name() -> None:
    with pytest.raises(ValidationError) as refused:
        daily_rate(Decimal("18"), "30/360")  # type: ignore[arg-type]
    assert refused.value.field == "day_count"


aprs = st.integers(0, 3600).map(lambda bp: Decimal(bp).scaleb(-2))
day_counts = st.sampled_from(list(DayCount))


@given(
    balance=st.integers(-(10**10), 10**10),
    days=st.integers(0, 400),
    cuts=st.lists(st.integers(0, 400), max_size=8),
    apr=aprs,
    day_count=day_counts,
)
@settings(max_examples=200)
def test_cutting_a_period_into_segments_never_changes_the_interest(
    balance: int, days: int, cuts: list[int], apr: Decimal, day_count: DayCount
) -> None:
    whole = accrue([segment(balance, days)], apr, day_count)
    edges = sorted({0, days, *(c for c in cuts if c <= days)})
    pieces = [
        BalanceSegment(START + timedelta(a), START + timedelta(b), balance)
        for a, b in itertools.pairwise(edges)
    ]
    assert accrue(pieces, apr, day_count) == whole
    with localcontext(prec=PRECISION):  # posting each piece separately drifts by ~1e-30
        separately = sum((accrue([p], apr, day_count) for p in pieces), Decimal(0))
        assert abs(separately - whole) < Decimal("1e-25")


@given(
    balances=st.lists(st.integers(0, 10**10), min_size=1, max_size=10),
    apr=aprs,
    day_count=day_counts,
)
@settings(max_examples=200)
def test_interest_is_balance_times_days_times_the_daily_rate(
    balances: list[int], apr: Decimal, day_count: DayCount
) -> None:
    segments = [segment(b, 7, START + timedelta(7 * i)) for i, b in enumerate(balances)]
    expected = sum(Decimal(b * 7) for b in balances) * daily_rate(apr, day_count)
    # the expectation is computed at the default 28 digits, so compare relatively
    assert abs(accrue(segments, apr, day_count) - expected) <= expected * Decimal(
        "1e-26"
    ) + Decimal("1e-20")
    assert accrue(segments, apr, day_count) >= 0
