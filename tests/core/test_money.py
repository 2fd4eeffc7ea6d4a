"""Money as the lender counts it: exact, in whole minor units, never a float."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.errors import ValidationError
from arrears.core.money import (
    MINOR_UNITS,
    Money,
    Rounding,
    quantum,
    round_amount,
    split,
    split_evenly,
    total,
)

currencies = st.sampled_from(sorted(MINOR_UNITS))
minor_amounts = st.integers(min_value=-(10**15), max_value=10**15)


def test_an_amount_never_comes_from_a_float() -> None:
    with pytest.raises(TypeError):
        Money(0.1, "CNY")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money("10.00", "CNY").times(0.5)  # type: ignore[arg-type]


def test_an_amount_with_too_many_decimals_must_be_rounded_explicitly() -> None:
    with pytest.raises(ValidationError) as refused:
        Money("10.005", "CNY")
    assert refused.value.field == "amount"
    assert Money("10.005", "CNY", Rounding.HALF_UP) == Money("10.01", "CNY")


def test_an_unknown_currency_is_refused_by_name() -> None:
    with pytest.raises(ValidationError) as refused:
        Money("1.00", "XYZ")
    assert refused.value.field == "currency"


def test_yuan_and_dollars_cannot_be_added() -> None:
    with pytest.raises(ValidationError) as refused:
        Money("1.00", "CNY") + Money("1.00", "USD")
    assert refused.value.field == "currency"


@given(minor=minor_amounts, currency=currencies)
@settings(max_examples=200)
def test_minor_units_round_trip_through_the_database(minor: int, currency: str) -> None:
    assert Money.from_minor(minor, currency).minor == minor


def test_yen_has_no_minor_unit() -> None:
    assert MINOR_UNITS["JPY"] == 0
    assert quantum("JPY") == Decimal(1)
    assert Money.from_minor(1500, "JPY").amount == Decimal(1500)
    with pytest.raises(ValidationError):
        Money("1500.5", "JPY")


def test_fen_are_hundredths_of_a_yuan() -> None:
    assert Money.from_minor(12345, "CNY").amount == Decimal("123.45")
    assert Money("123.45", "CNY").minor == 12345


@pytest.mark.parametrize(
    ("value", "policy", "expected"),
    [
        ("2.345", Rounding.HALF_UP, "2.35"),
        ("2.345", Rounding.HALF_EVEN, "2.34"),
        ("2.355", Rounding.HALF_EVEN, "2.36"),
        ("2.345", Rounding.DOWN, "2.34"),
        ("2.345", Rounding.UP, "2.35"),
        ("2.341", Rounding.UP, "2.35"),
        ("-2.345", Rounding.HALF_UP, "-2.35"),
        ("-2.345", Rounding.DOWN, "-2.34"),
    ],
)
def test_each_rounding_policy_settles_half_a_fen_its_own_way(
    value: str, policy: Rounding, expected: str
) -> None:
    assert round_amount(Decimal(value), "CNY", policy) == Decimal(expected)
    assert Money.of(Decimal(value), "CNY", policy).amount == Decimal(expected)


def test_half_a_yen_rounds_to_whole_yen() -> None:
    assert Money.of(Decimal("2.5"), "JPY", Rounding.HALF_UP).amount == 3
    assert Money.of(Decimal("2.5"), "JPY", Rounding.HALF_EVEN).amount == 2


@given(
    minor=minor_amounts,
    currency=currencies,
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(
        any
    ),
)
@settings(max_examples=200)
def test_a_split_never_loses_or_creates_a_minor_unit(
    minor: int, currency: str, weights: list[int]
) -> None:
    amount = Money.from_minor(minor, currency)
    parts = split(amount, weights)
    assert len(parts) == len(weights)
    assert total(parts, currency) == amount
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(minor) * weight / weight_sum
        assert abs(part.minor - exact) < 1  # each part within one minor unit of its share


@given(minor=st.integers(min_value=0, max_value=10**12), parts=st.integers(1, 600))
@settings(max_examples=200)
def test_an_even_split_differs_by_at_most_one_fen_earliest_first(minor: int, parts: int) -> None:
    shares = [m.minor for m in split_evenly(Money.from_minor(minor, "CNY"), parts)]
    assert sum(shares) == minor
    assert shares == sorted(shares, reverse=True)
    assert shares[0] - shares[-1] <= 1


def test_splitting_over_nothing_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        split(Money("1.00", "CNY"), [])
    assert refused.value.field == "weights"
    with pytest.raises(ValidationError):
        split(Money("1.00", "CNY"), [0, 0])


def test_the_total_of_nothing_is_zero_in_that_currency() -> None:
    assert total([], "GBP") == Money.zero("GBP")
