"""The payment waterfall (还款冲抵顺序)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.allocation import (
    Allocation,
    AllocationMethod,
    Component,
    Due,
    allocate_payment,
    component_order,
)
from arrears.core.errors import ValidationError
from arrears.core.money import Money

JAN = date(2025, 1, 25)
FEB = date(2025, 2, 25)
REG_Z = AllocationMethod.US_HIGHEST_APR_ABOVE_MINIMUM


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def due(key: str, amount: str, due_on: date | None = JAN, apr: str = "24.99") -> Due:
    component, balance_type = key.split(":")
    return Due(key, Component(component), balance_type, Decimal(apr), due_on, usd(amount))


def paid(result_allocations: tuple[Allocation, ...]) -> list[tuple[str, date | None, str]]:
    return [(a.key, a.due_on, str(a.amount.amount)) for a in result_allocations]


# --- oldest first ---------------------------------------------------------------------------


def test_payment_pays_fees_before_interest() -> None:
    dues = [due("interest:purchase", "30.00"), due("fees:late", "25.00")]

    result = allocate_payment(usd("40.00"), dues)

    assert paid(result.allocations) == [
        ("fees:late", JAN, "25.00"),
        ("interest:purchase", JAN, "15.00"),
    ]
    assert result.unapplied == usd("0.00")


def test_payment_pays_interest_before_principal() -> None:
    dues = [due("principal:purchase", "500.00"), due("interest:purchase", "12.34")]

    result = allocate_payment(usd("100.00"), dues)

    assert paid(result.allocations) == [
        ("interest:purchase", JAN, "12.34"),
        ("principal:purchase", JAN, "87.66"),
    ]


def test_oldest_due_date_is_paid_first_whatever_the_component() -> None:
    dues = [due("fees:late", "25.00", FEB), due("principal:loan", "300.00", JAN)]

    result = allocate_payment(usd("310.00"), dues)

    assert paid(result.allocations) == [
        ("principal:loan", JAN, "300.00"),
        ("fees:late", FEB, "10.00"),
    ]


def test_amounts_not_yet_due_are_paid_last() -> None:
    dues = [due("fees:annual", "50.00", None), due("principal:purchase", "80.00", FEB)]

    result = allocate_payment(usd("100.00"), dues)

    assert paid(result.allocations) == [
        ("principal:purchase", FEB, "80.00"),
        ("fees:annual", None, "20.00"),
    ]


def test_not_yet_due_amounts_follow_the_component_order() -> None:
    dues = [due("principal:purchase", "80.00", None), due("interest:purchase", "5.00", None)]

    result = allocate_payment(usd("10.00"), dues)

    assert paid(result.allocations) == [
        ("interest:purchase", None, "5.00"),
        ("principal:purchase", None, "5.00"),
    ]


def test_product_can_put_interest_before_fees() -> None:
    dues = [due("fees:late", "25.00"), due("interest:loan", "30.00")]
    order = (Component.INTEREST, Component.PRINCIPAL, Component.FEES)

    result = allocate_payment(usd("40.00"), dues, order=order)

    assert paid(result.allocations) == [
        ("interest:loan", JAN, "30.00"),
        ("fees:late", JAN, "10.00"),
    ]


def test_highest_apr_is_paid_first_within_one_date_and_component() -> None:
    dues = [
        due("principal:purchase", "100.00", apr="24.99"),
        due("principal:cash", "100.00", apr="29.99"),
    ]

    result = allocate_payment(usd("150.00"), dues)

    assert paid(result.allocations) == [
        ("principal:cash", JAN, "100.00"),
        ("principal:purchase", JAN, "50.00"),
    ]


def test_equal_apr_is_broken_by_key_whatever_the_input_order() -> None:
    b = due("principal:b", "10.00")
    a = due("principal:a", "10.00")

    first = allocate_payment(usd("15.00"), [b, a])
    second = allocate_payment(usd("15.00"), [a, b])

    assert first == second
    assert paid(first.allocations) == [("principal:a", JAN, "10.00"), ("principal:b", JAN, "5.00")]


def test_overpayment_is_left_unapplied_as_credit_balance() -> None:
    dues = [due("principal:purchase", "60.00"), due("interest:purchase", "4.00")]

    result = allocate_payment(usd("100.00"), dues)

    assert result.unapplied == usd("36.00")
    assert result.applied == usd("64.00")


def test_zero_dues_are_ignored() -> None:
    dues = [due("fees:late", "0.00"), due("interest:purchase", "5.00")]

    result = allocate_payment(usd("5.00"), dues)

    assert paid(result.allocations) == [("interest:purchase", JAN, "5.00")]


def test_zero_payment_pays_nothing() -> None:
    result = allocate_payment(usd("0.00"), [due("fees:late", "25.00")])

    assert result.allocations == ()
    assert result.unapplied == usd("0.00")


def test_the_same_book_due_on_two_dates_is_paid_oldest_first() -> None:
    dues = [due("principal:loan", "100.00", FEB), due("principal:loan", "100.00", JAN)]

    result = allocate_payment(usd("150.00"), dues)

    assert paid(result.allocations) == [
        ("principal:loan", JAN, "100.00"),
        ("principal:loan", FEB, "50.00"),
    ]


def test_negative_payment_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        allocate_payment(usd("-1.00"), [due("fees:late", "25.00")])
    assert error.value.field == "payment"


def test_due_in_another_currency_is_refused_by_its_position() -> None:
    dues = [
        due("fees:late", "25.00"),
        Due("fees:x", Component.FEES, "x", Decimal(0), JAN, Money("1", "CNY")),
    ]

    with pytest.raises(ValidationError) as error:
        allocate_payment(usd("10.00"), dues)
    assert error.value.field == "dues[1].amount"


def test_negative_due_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        allocate_payment(usd("10.00"), [due("fees:late", "-5.00")])
    assert error.value.field == "dues[0].amount"


@pytest.mark.parametrize(
    "order",
    [
        ("fees", "interest"),
        ("fees", "interest", "principal", "fees"),
        ("fees", "interest", "capital"),
        "fees,interest,principal",
    ],
)
def test_order_must_name_each_component_once(order: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as error:
        allocate_payment(usd("10.00"), [], order=order)  # type: ignore[arg-type]
    assert error.value.field == "order"


def test_component_order_accepts_configured_names() -> None:
    assert component_order(["interest", "principal", "fees"]) == (
        Component.INTEREST,
        Component.PRINCIPAL,
        Component.FEES,
    )


# --- US Reg Z 1026.53 -----------------------------------------------------------------------


def card_dues() -> list[Due]:
    return [
        due("interest:purchase", "20.00", JAN, apr="19.99"),
        due("principal:purchase", "500.00", JAN, apr="19.99"),
        due("principal:cash", "300.00", JAN, apr="29.99"),
        due("principal:promo", "1000.00", JAN, apr="0"),
    ]


def test_us_minimum_payment_is_paid_oldest_first() -> None:
    result = allocate_payment(usd("50.00"), card_dues(), method=REG_Z, minimum_due=usd("50.00"))

    assert result == allocate_payment(usd("50.00"), card_dues())
    assert paid(result.allocations) == [
        ("interest:purchase", JAN, "20.00"),
        ("principal:cash", JAN, "30.00"),
    ]


def test_us_amount_above_minimum_goes_to_highest_apr_balance() -> None:
    dues = [
        due("interest:purchase", "20.00", JAN, apr="19.99"),
        due("principal:promo", "1000.00", JAN, apr="0"),
        due("principal:purchase", "500.00", None, apr="19.99"),
        due("principal:cash", "300.00", None, apr="29.99"),
    ]

    result = allocate_payment(usd("400.00"), dues, method=REG_Z, minimum_due=usd("50.00"))

    # the minimum (50) pays interest, then the oldest principal (promo, due in January);
    # the 350 above it pays cash (29.99 %) in full, then purchases (19.99 %), not the promo.
    assert paid(result.allocations) == [
        ("interest:purchase", JAN, "20.00"),
        ("principal:promo", JAN, "30.00"),
        ("principal:cash", None, "300.00"),
        ("principal:purchase", None, "50.00"),
    ]


def test_us_above_minimum_clears_remaining_fees_and_interest_before_principal() -> None:
    dues = [
        due("fees:late", "32.00", FEB),
        due("interest:cash", "15.00", FEB, apr="29.99"),
        due("principal:cash", "300.00", JAN, apr="29.99"),
    ]

    result = allocate_payment(usd("100.00"), dues, method=REG_Z, minimum_due=usd("40.00"))

    assert paid(result.allocations) == [
        ("principal:cash", JAN, "53.00"),  # 40 of the minimum, then 13 above it
        ("fees:late", FEB, "32.00"),
        ("interest:cash", FEB, "15.00"),
    ]


def test_us_overpayment_is_unapplied() -> None:
    result = allocate_payment(usd("2000.00"), card_dues(), method=REG_Z, minimum_due=usd("50.00"))

    assert result.unapplied == usd("180.00")
    assert result.applied == usd("1820.00")


def test_us_minimum_larger_than_what_is_owed_loses_nothing() -> None:
    dues = [due("principal:purchase", "30.00")]

    result = allocate_payment(usd("50.00"), dues, method=REG_Z, minimum_due=usd("45.00"))

    assert paid(result.allocations) == [("principal:purchase", JAN, "30.00")]
    assert result.unapplied == usd("20.00")


def test_us_method_needs_the_minimum_due() -> None:
    with pytest.raises(ValidationError) as error:
        allocate_payment(usd("50.00"), card_dues(), method=REG_Z)
    assert error.value.field == "minimum_due"


@pytest.mark.parametrize("minimum_due", [Money("10", "CNY"), usd("-1.00")])
def test_us_minimum_due_must_be_a_usable_amount(minimum_due: Money) -> None:
    with pytest.raises(ValidationError) as error:
        allocate_payment(usd("50.00"), card_dues(), method=REG_Z, minimum_due=minimum_due)
    assert error.value.field == "minimum_due"


# --- properties -----------------------------------------------------------------------------

days = st.one_of(st.none(), st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 6, 30)))
aprs = st.sampled_from(["0", "18.25", "24.99", "29.99"]).map(Decimal)


@st.composite
def due_lists(draw: st.DrawFn) -> list[Due]:
    size = draw(st.integers(min_value=0, max_value=8))
    dues = []
    for i in range(size):
        component = draw(st.sampled_from(list(Component)))
        balance_type = draw(st.sampled_from(["purchase", "cash", "promo"]))
        minor = draw(st.integers(min_value=0, max_value=50_000))
        key = f"{component}:{balance_type}:{i}"  # unique, so each allocation names its due
        amount = Money.from_minor(minor, "USD")
        dues.append(Due(key, component, balance_type, draw(aprs), draw(days), amount))
    return dues


payments = st.integers(min_value=0, max_value=300_000).map(lambda m: Money.from_minor(m, "USD"))
methods = st.sampled_from(list(AllocationMethod))
orders = st.permutations(list(Component))


def paid_to(allocations: tuple[Allocation, ...]) -> dict[str, Money]:
    by_key: dict[str, Money] = defaultdict(lambda: usd("0"))
    for allocation in allocations:
        by_key[allocation.key] += allocation.amount
    return by_key


@settings(max_examples=200)
@given(payment=payments, dues=due_lists(), method=methods, order=orders, minimum=payments)
def test_allocation_never_loses_or_creates_a_cent(
    payment: Money,
    dues: list[Due],
    method: AllocationMethod,
    order: list[Component],
    minimum: Money,
) -> None:
    result = allocate_payment(payment, dues, order=order, method=method, minimum_due=minimum)

    assert result.applied + result.unapplied == payment
    assert all(a.amount.amount > 0 for a in result.allocations)
    owed = {d.key: d.amount for d in dues}
    for key, amount in paid_to(result.allocations).items():
        assert amount <= owed[key]
    # money is left over only when every due is paid in full
    if not result.unapplied.is_zero():
        assert paid_to(result.allocations) == {k: v for k, v in owed.items() if not v.is_zero()}


@settings(max_examples=200)
@given(payment=payments, extra=payments, dues=due_lists(), order=orders)
def test_paying_more_never_pays_less_to_any_due(
    payment: Money, extra: Money, dues: list[Due], order: list[Component]
) -> None:
    smaller = paid_to(allocate_payment(payment, dues, order=order).allocations)
    larger = paid_to(allocate_payment(payment + extra, dues, order=order).allocations)

    for key, amount in smaller.items():
        assert larger[key] >= amount


@settings(max_examples=200)
@given(payment=payments, dues=due_lists(), method=methods, minimum=payments, data=st.data())
def test_allocation_does_not_depend_on_the_order_dues_are_listed(
    payment: Money, dues: list[Due], method: AllocationMethod, minimum: Money, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(dues))

    first = allocate_payment(payment, dues, method=method, minimum_due=minimum)
    second = allocate_payment(payment, shuffled, method=method, minimum_due=minimum)

    assert first == second
