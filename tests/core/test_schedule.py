"""Instalment schedules as the borrower signs them: 等额本息 (annuity) and 等额本金."""

from datetime import date
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from arrears.core.errors import ValidationError
from arrears.core.money import Money, Rounding
from arrears.core.schedule import (
    RepaymentMethod,
    Schedule,
    annuity_payment,
    instalment_schedule,
    monthly_rate,
)

ANNUITY, EQUAL_PRINCIPAL = RepaymentMethod.ANNUITY, RepaymentMethod.EQUAL_PRINCIPAL
CNY_100K = Money("100000.00", "CNY")


def quote(
    principal: Money = CNY_100K,
    apr: str | Decimal = "4.9",
    months: int = 12,
    method: RepaymentMethod = ANNUITY,
    start_on: date = date(2026, 1, 15),
    **extra: object,
) -> Schedule:
    return instalment_schedule(
        principal=principal,
        apr=Decimal(apr),
        months=months,
        method=method,
        start_on=start_on,
        **extra,  # type: ignore[arg-type]
    )


def minor(schedule: Schedule, field: str) -> list[int]:
    return [getattr(i, field).minor for i in schedule.instalments]


def compounded_rounding_drift(apr: Decimal, months: int, regular: int, exact: Decimal) -> Decimal:
    """How far the last payment may stray: a minor unit of rounding a month, compounded.

    Each month's interest is rounded (off by under one minor unit) and the payment was rounded
    (off by |regular − exact|); both shortfalls are carried forward at the monthly rate and land
    on the last instalment: at most (1 + |δ|) × Σ (1 + r)^j over the term.
    """
    r = monthly_rate(apr)
    growth = sum(((1 + r) ** j for j in range(months)), Decimal(0))
    return (1 + abs(regular - exact)) * growth


# --- the worked example --------------------------------------------------------------------


def test_100k_yuan_at_4_9_percent_over_a_year_costs_8556_17_a_month() -> None:
    schedule = quote()
    payments = [i.payment for i in schedule.instalments]
    assert payments[:11] == [Money("8556.17", "CNY")] * 11
    assert payments[11] == Money("8556.12", "CNY")  # the last settles the rounding
    assert schedule.total_interest == Money("2673.99", "CNY")
    assert schedule.total_payment == Money("102673.99", "CNY")
    first = schedule.instalments[0]
    assert (first.interest, first.principal) == (Money("408.33", "CNY"), Money("8147.84", "CNY"))
    assert first.remaining == Money("91852.16", "CNY")


def test_the_worked_example_agrees_with_numpy_financial() -> None:
    independent = -npf.pmt(0.049 / 12, 12, 100_000)  # float, in tests only, as a cross-check
    assert independent == pytest.approx(8556.166233, abs=1e-6)
    assert abs(float(annuity_payment(CNY_100K, Decimal("4.9"), 12).amount) - independent) < 0.01


def test_100k_yuan_equal_principal_pays_8333_33_principal_and_falling_interest() -> None:
    schedule = quote(method=EQUAL_PRINCIPAL)
    assert minor(schedule, "principal") == [833334] * 4 + [833333] * 8
    assert schedule.instalments[0].payment == Money("8741.67", "CNY")
    assert schedule.instalments[-1].payment == Money("8367.36", "CNY")
    assert schedule.total_interest == Money("2654.17", "CNY")


def test_equal_principal_costs_less_interest_than_annuity_over_the_same_term() -> None:
    assert quote(method=EQUAL_PRINCIPAL).total_interest < quote().total_interest


# --- due dates -----------------------------------------------------------------------------


def test_instalments_fall_due_on_the_same_day_each_following_month() -> None:
    due = [i.due_on for i in quote(months=3, start_on=date(2026, 1, 15)).instalments]
    assert due == [date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)]


def test_a_loan_drawn_on_the_31st_falls_due_at_month_end_and_back_to_the_31st() -> None:
    due = [i.due_on for i in quote(months=4, start_on=date(2026, 1, 31)).instalments]
    assert due == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]


def test_a_chosen_repayment_day_applies_from_the_next_month() -> None:
    due = [
        i.due_on for i in quote(months=2, start_on=date(2026, 1, 20), repayment_day=5).instalments
    ]
    assert due == [date(2026, 2, 5), date(2026, 3, 5)]


# --- special cases -------------------------------------------------------------------------


def test_an_interest_free_loan_is_repaid_in_equal_principal_parts_either_way() -> None:
    loan = Money("1000.00", "CNY")
    annuity, equal = quote(loan, "0", 3), quote(loan, "0", 3, EQUAL_PRINCIPAL)
    assert annuity == equal
    assert minor(annuity, "payment") == [33334, 33333, 33333]
    assert annuity.total_interest == Money.zero("CNY")


def test_a_single_instalment_repays_everything_with_one_month_of_interest() -> None:
    (only,) = quote(months=1).instalments
    assert only.principal == CNY_100K
    assert only.interest == Money("408.33", "CNY")  # 100,000 × 4.9 % / 12
    assert only.remaining == Money.zero("CNY")


def test_yen_loans_are_scheduled_in_whole_yen() -> None:
    schedule = quote(Money(1_000_000, "JPY"), "3", 10)
    assert all(i.payment.amount == i.payment.amount.to_integral() for i in schedule.instalments)
    assert schedule.total_principal == Money(1_000_000, "JPY")


def test_the_product_rounding_policy_sets_the_payment() -> None:
    up = quote(rounding=Rounding.UP).instalments[0].payment
    down = quote(rounding=Rounding.DOWN).instalments[0].payment
    assert (up, down) == (Money("8556.17", "CNY"), Money("8556.16", "CNY"))


def test_a_tiny_loan_rounded_up_is_repaid_early_and_never_overpaid() -> None:
    # 100.00 over 30 years at 0.01 %: 0.2779… a month rounds to 0.28, which clears it early.
    schedule = quote(Money("100.00", "CNY"), "0.01", 360)
    payments = minor(schedule, "payment")
    assert payments[:357] == [28] * 357
    assert payments[357:] == [4, 0, 0]
    assert schedule.total_payment == Money("100.00", "CNY")


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"months": 0}, "months"),
        ({"months": 601}, "months"),
        ({"principal": Money("0.00", "CNY")}, "principal"),
        ({"principal": Money("-1.00", "CNY")}, "principal"),
        ({"apr": "-0.01"}, "apr"),
        ({"repayment_day": 32}, "repayment_day"),
        ({"repayment_day": 0}, "repayment_day"),
        ({"method": "balloon"}, "method"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(terms: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        quote(**terms)  # type: ignore[arg-type]
    assert refused.value.field == field


# --- properties over many loans ------------------------------------------------------------

principals = st.integers(100, 1_000_000_000).map(lambda fen: Money.from_minor(fen, "CNY"))
aprs = st.integers(0, 3600).map(lambda bp: Decimal(bp).scaleb(-2))
terms = st.integers(1, 360)
methods = st.sampled_from(list(RepaymentMethod))
policies = st.sampled_from(list(Rounding))
start_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
repayment_days = st.none() | st.integers(1, 31)

property_settings = settings(max_examples=200, deadline=None)


@given(
    principal=principals,
    apr=aprs,
    months=terms,
    method=methods,
    rounding=policies,
    start_on=start_days,
    repayment_day=repayment_days,
)
@property_settings
def test_every_schedule_repays_exactly_what_was_lent(
    principal: Money,
    apr: Decimal,
    months: int,
    method: RepaymentMethod,
    rounding: Rounding,
    start_on: date,
    repayment_day: int | None,
) -> None:
    schedule = quote(
        principal, apr, months, method, start_on, rounding=rounding, repayment_day=repayment_day
    )
    parts, interest = minor(schedule, "principal"), minor(schedule, "interest")
    payments, remaining = minor(schedule, "payment"), minor(schedule, "remaining")
    assert len(schedule.instalments) == months
    assert sum(parts) == principal.minor == schedule.total_principal.minor
    assert sum(interest) == schedule.total_interest.minor
    assert sum(payments) == schedule.total_payment.minor == principal.minor + sum(interest)
    assert all(p == a + b for p, a, b in zip(payments, parts, interest, strict=True))
    assert min(parts) >= 0 and min(interest) >= 0
    assert remaining[-1] == 0 and min(remaining) >= 0
    assert remaining == [principal.minor - sum(parts[: k + 1]) for k in range(months)]
    due = [i.due_on for i in schedule.instalments]
    assert due == sorted(set(due)) and due[0] > start_on


@given(principal=principals, apr=aprs.filter(bool), months=terms, rounding=policies)
@property_settings
def test_annuity_payments_are_level_and_only_the_last_settles_the_rounding(
    principal: Money, apr: Decimal, months: int, rounding: Rounding
) -> None:
    schedule = quote(principal, apr, months, ANNUITY, rounding=rounding)
    payments, remaining = minor(schedule, "payment"), minor(schedule, "remaining")
    regular = annuity_payment(principal, apr, months, rounding).minor
    r = monthly_rate(apr)
    exact = principal.minor * r / (1 - (1 + r) ** -months)
    drift = compounded_rounding_drift(apr, months, regular, exact)
    paid_off = remaining.index(0)
    if paid_off == months - 1:
        assert payments[:-1] == [regular] * (months - 1)
        assert abs(payments[-1] - regular) <= drift
    else:  # only when the payment is smaller than the rounding drift (a tiny loan)
        event("repaid early")
        assert payments[:paid_off] == [regular] * paid_off
        assert payments[paid_off + 1 :] == [0] * (months - paid_off - 1)
        assert regular <= (1 + r) * drift


@given(principal=principals, apr=aprs, months=terms, rounding=policies)
@property_settings
def test_equal_principal_payments_never_rise(
    principal: Money, apr: Decimal, months: int, rounding: Rounding
) -> None:
    schedule = quote(principal, apr, months, EQUAL_PRINCIPAL, rounding=rounding)
    payments, parts = minor(schedule, "payment"), minor(schedule, "principal")
    assert payments == sorted(payments, reverse=True)
    assert max(parts) - min(parts) <= 1


@given(principal=principals, apr=aprs, months=terms)
@property_settings
def test_the_annuity_payment_agrees_with_numpy_financial(
    principal: Money, apr: Decimal, months: int
) -> None:
    independent = -npf.pmt(float(apr) / 1200, months, principal.minor)  # float: cross-check only
    ours = annuity_payment(principal, apr, months).minor
    rounding = 0.5 if apr else 1.0  # half-up rounding; an interest-free split rounds up
    assert abs(ours - independent) <= rounding + 1e-9 * abs(independent)
    assert quote(principal, apr, months).instalments[0].payment.minor == ours


@given(principal=principals, apr=aprs, months=terms, longer_by=st.integers(1, 240))
@property_settings
def test_a_longer_term_never_raises_the_instalment(
    principal: Money, apr: Decimal, months: int, longer_by: int
) -> None:
    shorter = annuity_payment(principal, apr, months)
    longer = annuity_payment(principal, apr, months + longer_by)
    assert longer <= shorter
    first = quote(principal, apr, months).instalments[0].payment
    first_longer = quote(principal, apr, months + longer_by).instalments[0].payment
    assert first_longer <= first
