"""Affordability: disposable income after essential spending, every number explained."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.errors import ValidationError
from arrears.core.hardship.affordability import assess_affordability
from arrears.core.hardship.assessment import (
    Expense,
    ExpenseCategory,
    FinancialStatement,
    Household,
    Income,
    OtherDebt,
)
from arrears.core.hardship.explain import LineRole
from arrears.core.hardship.policy import AffordabilityPolicy, EssentialSpendingRule
from arrears.core.money import Money

from .builders import cny, lost_job, statement

NORM_FLOOR = AffordabilityPolicy(
    essential_spending=EssentialSpendingRule.NORM_FLOOR, share_percent=Decimal("90")
)
STATED = AffordabilityPolicy(essential_spending=EssentialSpendingRule.STATED)


def line(result: object, key: str) -> Money:
    (found,) = [x for x in result.explanation if x.key == key]  # type: ignore[attr-defined]
    return found.amount


def test_the_worked_example_from_income_to_affordable_payment() -> None:
    # 9,000 wages; rent 2,500; food 2,500 (below the 3,670 CN-T2 norm for 2 adults + 1 child);
    # transport 300; eating out 400 is not essential; another bank takes 600 a month.
    borrower = statement(other_debts=(OtherDebt("Bank B", cny("12000.00"), cny("600.00")),))
    result = assess_affordability(borrower, policy=NORM_FLOOR)
    assert result.income == cny("9000.00")
    assert line(result, "living_costs_stated") == cny("2500.00")
    assert line(result, "living_costs_norm") == cny("3670.00")
    assert result.essential_spending == cny("6470.00")  # 2,500 + 3,670 + 300
    assert result.other_debt_payments == cny("600.00")
    assert result.disposable_income == cny("1930.00")
    assert result.affordable_payment == cny("1737.00")  # 90 %, keeping 10 % as a buffer
    assert line(result, "non_essential_spending") == cny("400.00")


def test_stated_spending_is_counted_as_stated_when_the_lender_uses_no_norm() -> None:
    result = assess_affordability(statement(), policy=STATED)
    assert result.essential_spending == cny("5300.00")
    assert result.affordable_payment == cny("3700.00")
    assert not [x for x in result.explanation if x.key == "living_costs_norm"]


def test_living_costs_stated_above_the_norm_are_counted_in_full() -> None:
    generous = statement(
        expenses=(Expense("housing", cny("2500.00")), Expense("food_housekeeping", cny("5000.00")))
    )
    result = assess_affordability(generous, policy=NORM_FLOOR)
    assert result.essential_spending == cny("7500.00")
    counted = next(x for x in result.explanation if x.key == "essential_spending_counted")
    assert counted.params["living_costs_basis"] == "stated"


def test_the_norm_grows_with_the_household() -> None:
    small = assess_affordability(statement(household=Household(1, 0)), policy=NORM_FLOOR)
    large = assess_affordability(statement(household=Household(2, 3)), policy=NORM_FLOOR)
    assert large.essential_spending > small.essential_spending


def test_a_borrower_short_every_month_can_afford_nothing_and_the_shortfall_shows() -> None:
    result = assess_affordability(
        lost_job(income_after_recovery=None, expected_recovery_months=None), policy=NORM_FLOOR
    )
    assert result.disposable_income == cny("-4470.00")
    assert result.affordable_payment == cny("0.00")
    assert line(result, "shortfall") == cny("4470.00")


def test_the_share_is_rounded_down_never_up() -> None:
    odd = statement(incomes=(Income("wages", cny("5300.07")),))
    result = assess_affordability(
        odd,
        policy=AffordabilityPolicy(
            essential_spending=EssentialSpendingRule.STATED, share_percent=Decimal("50")
        ),
    )
    assert result.disposable_income == cny("0.07")
    assert result.affordable_payment == cny("0.03")


def test_after_a_temporary_difficulty_the_affordable_payment_is_worked_out_on_the_new_income() -> (
    None
):
    result = assess_affordability(lost_job(), policy=NORM_FLOOR)
    assert result.affordable_payment == cny("0.00")
    assert result.affordable_after_recovery == cny("837.00")  # (7,400 − 6,470) × 90 %
    assert [result.affordable_in_month(n) for n in (1, 3, 4, 12)] == [
        cny("0.00"),
        cny("0.00"),
        cny("837.00"),
        cny("837.00"),
    ]


def test_a_lump_sum_can_go_to_the_first_instalment_only() -> None:
    result = assess_affordability(statement(lump_sum_available=cny("5000.00")), policy=STATED)
    assert result.allowance(1) == cny("8700.00")
    assert result.allowance(2) == cny("3700.00")


def test_norms_in_another_currency_are_refused() -> None:
    pounds = FinancialStatement(currency="CNY", region="GB")
    with pytest.raises(ValidationError) as error:
        assess_affordability(pounds, policy=NORM_FLOOR)
    assert error.value.field == "currency"


def test_a_region_without_norms_is_refused_under_the_norm_floor_only() -> None:
    nowhere = statement(region="Atlantis")
    with pytest.raises(ValidationError) as error:
        assess_affordability(nowhere, policy=NORM_FLOOR)
    assert error.value.field == "region"
    assert assess_affordability(nowhere, policy=STATED).affordable_payment == cny("3700.00")


amounts = st.integers(min_value=0, max_value=3_000_000).map(lambda m: Money.from_minor(m, "CNY"))


@settings(max_examples=100, deadline=None)
@given(
    incomes=st.lists(amounts, max_size=3),
    spending=st.lists(st.tuples(st.sampled_from(list(ExpenseCategory)), amounts), max_size=6),
    debts=st.lists(amounts, max_size=2),
    adults=st.integers(min_value=1, max_value=4),
    dependants=st.integers(min_value=0, max_value=4),
    share=st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=1),
    rule=st.sampled_from(list(EssentialSpendingRule)),
)
def test_the_explanation_adds_up_to_the_disposable_income(
    incomes: list[Money],
    spending: list[tuple[ExpenseCategory, Money]],
    debts: list[Money],
    adults: int,
    dependants: int,
    share: Decimal,
    rule: EssentialSpendingRule,
) -> None:
    borrower = statement(
        household=Household(adults, dependants),
        incomes=tuple(Income("wages", a) for a in incomes),
        expenses=tuple(Expense(c, a) for c, a in spending),
        other_debts=tuple(OtherDebt("Other", a, a) for a in debts),
    )
    result = assess_affordability(
        borrower, policy=AffordabilityPolicy(essential_spending=rule, share_percent=share)
    )
    added = sum((x.amount.minor for x in result.explanation if x.role is LineRole.ADD), 0)
    taken = sum((x.amount.minor for x in result.explanation if x.role is LineRole.SUBTRACT), 0)
    assert added - taken == result.disposable_income.minor
    assert line(result, "disposable_income") == result.disposable_income
    assert result.essential_spending >= borrower.essential_spending  # a norm only raises it
    assert Money.zero("CNY") <= result.affordable_payment
    assert result.affordable_payment <= result.disposable_income.max(Money.zero("CNY"))
