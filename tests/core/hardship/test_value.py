"""The lender's expected value: discounted cash flows weighted by the chance of failure."""

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from arrears.core.hardship.value import collection_value, discount_factor, expected_value
from arrears.core.money import Money

from .builders import cny

THREE_THOUSANDS = [cny("1000.00")] * 3


def value(
    payments: list[Money],
    failure: Decimal = Decimal("5"),
    discount: Decimal = Decimal("8"),
    recovery: Decimal = Decimal("25"),
    lag: int = 12,
) -> Money:
    return expected_value(
        payments,
        monthly_failure_percent=failure,
        discount_rate_percent=discount,
        recovery_rate_percent=recovery,
        recovery_lag_months=lag,
    )


def test_the_worked_example_three_payments_of_a_thousand() -> None:
    # 5 % a month may stop paying; 25 % of what they miss comes back a year later; money at 8 %.
    assert value(THREE_THOUSANDS) == cny("2742.13")


def test_it_agrees_with_counting_every_month_the_plan_could_fail() -> None:
    """The same number reached the long way: each month of failure, and never failing."""
    h, r, lag = 0.05, 0.25, 12
    payments = [1000.0, 0.0, 2500.0, 400.0]

    def present(month: int) -> float:
        return 1.08 ** (-month / 12)

    expected = 0.0
    n = len(payments)
    for fail_at in range(1, n + 2):  # n + 1: the plan never fails
        chance = (1 - h) ** (fail_at - 1) * (h if fail_at <= n else 1)
        received = sum(payments[j - 1] * present(j) for j in range(1, fail_at))
        recovered = sum(r * payments[j - 1] * present(j + lag) for j in range(fail_at, n + 1))
        expected += chance * (received + recovered)
    got = value([cny(str(Decimal(str(p)).quantize(Decimal("0.01")))) for p in payments])
    assert float(got.amount) == pytest.approx(expected, abs=0.006)


def test_a_sure_plan_with_free_money_is_worth_exactly_its_payments() -> None:
    assert value(THREE_THOUSANDS, failure=Decimal(0), discount=Decimal(0)) == cny("3000.00")


def test_a_plan_sure_to_fail_is_worth_only_the_recovery() -> None:
    assert value(THREE_THOUSANDS, failure=Decimal(100), recovery=Decimal(0)) == cny("0.00")


def test_a_likelier_failure_lowers_the_value_of_a_real_plan() -> None:
    assert value(THREE_THOUSANDS, failure=Decimal(6)) < value(THREE_THOUSANDS, failure=Decimal(5))
    assert value(THREE_THOUSANDS, discount=Decimal(9)) < value(THREE_THOUSANDS, discount=Decimal(8))


def test_money_a_year_away_is_discounted_by_one_year_of_the_rate() -> None:
    assert discount_factor(12, Decimal("8")) * Decimal("1.08") == pytest.approx(Decimal(1))
    assert discount_factor(0, Decimal("8")) == 1


def test_without_a_plan_the_lender_expects_the_recovery_a_lag_later() -> None:
    worth = collection_value(
        cny("3000.00"),
        discount_rate_percent=Decimal("8"),
        recovery_rate_percent=Decimal("25"),
        recovery_lag_months=12,
    )
    assert worth == cny("694.44")  # 750 / 1.08


plans = st.lists(
    st.integers(min_value=0, max_value=5_000_000).map(lambda m: Money.from_minor(m, "CNY")),
    min_size=1,
    max_size=60,
)
percents = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
lags = st.integers(min_value=0, max_value=36)


@settings(max_examples=150, deadline=None)
@given(plan=plans, low=percents, high=percents, discount=percents, recovery=percents, lag=lags)
def test_a_plan_more_likely_to_fail_is_never_worth_more(
    plan: list[Money],
    low: Decimal,
    high: Decimal,
    discount: Decimal,
    recovery: Decimal,
    lag: int,
) -> None:
    assume(low < high)
    safer = value(plan, failure=low, discount=discount, recovery=recovery, lag=lag)
    riskier = value(plan, failure=high, discount=discount, recovery=recovery, lag=lag)
    assert riskier <= safer


@settings(max_examples=150, deadline=None)
@given(plan=plans, failure=percents, low=percents, high=percents, recovery=percents, lag=lags)
def test_a_dearer_discount_rate_never_raises_the_value(
    plan: list[Money],
    failure: Decimal,
    low: Decimal,
    high: Decimal,
    recovery: Decimal,
    lag: int,
) -> None:
    assume(low < high)
    cheap = value(plan, failure=failure, discount=low, recovery=recovery, lag=lag)
    dear = value(plan, failure=failure, discount=high, recovery=recovery, lag=lag)
    assert dear <= cheap
