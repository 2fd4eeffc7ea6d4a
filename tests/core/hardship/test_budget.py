"""The budget planner: what can go to debts, month by month, with one-off costs."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.errors import ValidationError
from arrears.core.hardship.assessment import Expense, Income, OtherDebt
from arrears.core.hardship.budget import OneOffExpense, budget_from_statement, plan_budget
from arrears.core.money import Money

from .builders import cny, statement

SALARY = (Income("wages", cny("9000.00")),)
SPENDING = (
    Expense("housing", cny("2500.00")),
    Expense("food_housekeeping", cny("2500.00")),
    Expense("leisure", cny("500.00")),
)


def test_what_can_go_to_debts_is_income_less_all_planned_spending() -> None:
    budget = plan_budget(
        currency="CNY", incomes=SALARY, expenses=SPENDING, months=3, start_on=date(2026, 3, 15)
    )
    assert budget.essential == cny("5000.00") and budget.non_essential == cny("500.00")
    assert budget.can_go_to_debts == cny("3500.00")
    assert [m.month_on for m in budget.months] == [
        date(2026, 3, 1),
        date(2026, 4, 1),
        date(2026, 5, 1),
    ]
    assert budget.total_for_debts == cny("10500.00")


def test_a_school_fee_in_september_shows_a_short_month_before_it_comes() -> None:
    budget = plan_budget(
        currency="CNY",
        incomes=SALARY,
        expenses=SPENDING,
        months=6,
        start_on=date(2026, 4, 1),
        debt_payments=cny("3000.00"),
        one_offs=(OneOffExpense(month=6, label="school fees", amount=cny("4000.00")),),
        savings=cny("1000.00"),
    )
    september = budget.months[5]
    assert september.month_on == date(2026, 9, 1)
    assert september.can_go_to_debts == cny("-500.00")
    assert september.left_over == cny("-3500.00")
    assert [m.running_balance for m in budget.months] == [
        cny("1500.00"),
        cny("2000.00"),
        cny("2500.00"),
        cny("3000.00"),
        cny("3500.00"),
        cny("0.00"),
    ]
    assert budget.first_short_month is None  # savings built up in time, just
    tighter = plan_budget(
        currency="CNY",
        incomes=SALARY,
        expenses=SPENDING,
        months=6,
        start_on=date(2026, 4, 1),
        debt_payments=cny("3100.00"),
        one_offs=(OneOffExpense(month=6, label="school fees", amount=cny("4000.00")),),
        savings=cny("1000.00"),
    )
    assert tighter.first_short_month == 6


def test_the_planner_starts_from_a_financial_statement() -> None:
    borrower = statement(
        other_debts=(OtherDebt("Bank B", cny("12000.00"), cny("600.00")),),
        lump_sum_available=cny("800.00"),
    )
    budget = budget_from_statement(borrower, months=2, start_on=date(2026, 1, 31))
    assert budget.can_go_to_debts == cny("3300.00")  # 9,000 − 5,300 − 400
    assert budget.months[0].debt_payments == cny("600.00")
    assert budget.months[0].running_balance == cny("3500.00")  # 800 + 3,300 − 600


def test_a_one_off_after_the_view_is_refused_by_its_place() -> None:
    with pytest.raises(ValidationError) as error:
        plan_budget(
            currency="CNY",
            incomes=SALARY,
            expenses=(),
            months=3,
            start_on=date(2026, 1, 1),
            one_offs=(
                OneOffExpense(1, "repair", cny("1.00")),
                OneOffExpense(4, "holiday", cny("1.00")),
            ),
        )
    assert error.value.field == "one_offs[1].month"


def test_amounts_in_another_currency_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        plan_budget(
            currency="CNY",
            incomes=SALARY,
            expenses=(Expense("housing", Money("10.00", "USD")),),
            months=1,
            start_on=date(2026, 1, 1),
        )
    assert error.value.field == "expenses[0]"
    with pytest.raises(ValidationError) as savings:
        plan_budget(
            currency="CNY",
            incomes=SALARY,
            expenses=(),
            months=1,
            start_on=date(2026, 1, 1),
            savings=Money("1.00", "USD"),
        )
    assert savings.value.field == "savings"


amounts = st.integers(min_value=0, max_value=2_000_000).map(lambda m: Money.from_minor(m, "CNY"))


@settings(max_examples=100, deadline=None)
@given(
    income=amounts,
    rent=amounts,
    fun=amounts,
    debts=amounts,
    savings=amounts,
    months=st.integers(min_value=1, max_value=60),
    one_offs=st.lists(st.tuples(st.integers(min_value=1, max_value=60), amounts), max_size=5),
)
def test_the_running_balance_is_savings_plus_every_month_left_over(
    income: Money,
    rent: Money,
    fun: Money,
    debts: Money,
    savings: Money,
    months: int,
    one_offs: list[tuple[int, Money]],
) -> None:
    planned = tuple(OneOffExpense(m, "cost", a) for m, a in one_offs if m <= months)
    budget = plan_budget(
        currency="CNY",
        incomes=(Income("wages", income),),
        expenses=(Expense("housing", rent), Expense("leisure", fun)),
        months=months,
        start_on=date(2026, 1, 1),
        debt_payments=debts,
        one_offs=planned,
        savings=savings,
    )
    one_off_total = sum((o.amount.minor for o in planned), 0)
    assert len(budget.months) == months
    assert budget.months[-1].running_balance.minor == (
        savings.minor
        + months * (income.minor - rent.minor - fun.minor - debts.minor)
        - one_off_total
    )
    for month in budget.months:
        assert month.short == month.running_balance.is_negative()
