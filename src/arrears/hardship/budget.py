"""The budget planner (预算规划) in the shell: `POST /api/v1/budget`.

The borrower's own tool (docs/hardship.md §6): income, spending by category (non-essential
included), what can go to debts, and a month-by-month view with the one-off costs they expect.
The core (`core.hardship.budget.plan_budget`) does the arithmetic; this module reads the request
into core objects, naming a bad field, and writes the budget as JSON. Nothing is stored and
nothing is decided from it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints

from arrears.common.schemas import InputSchema, MoneyOut
from arrears.core.errors import ValidationError
from arrears.core.hardship.assessment import parse_statement
from arrears.core.hardship.budget import MAX_BUDGET_MONTHS, Budget, OneOffExpense, plan_budget
from arrears.core.money import Money
from arrears.hardship.schemas import Amount, ExpenseIn, IncomeIn, Line
from arrears.hardship.wire import money


class OneOffIn(InputSchema):
    month: int = Field(ge=1, le=MAX_BUDGET_MONTHS, description="1 = the first month of the view")
    label: Line = Field(examples=["school fee"])
    amount: Amount = Field(examples=["3000.00"])


class BudgetIn(InputSchema):
    """The borrower's monthly income and spending, in one currency."""

    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(examples=["CNY"])
    incomes: Annotated[list[IncomeIn], Field(max_length=50)] = Field(default_factory=list)
    expenses: Annotated[list[ExpenseIn], Field(max_length=100)] = Field(default_factory=list)
    debt_payments: Amount | None = Field(
        default=None, description="what they mean to pay their debts each month"
    )
    savings: Amount | None = Field(default=None, description="money put by at the start")
    months: int = Field(default=12, ge=1, le=MAX_BUDGET_MONTHS)
    start_on: dt.date | None = Field(default=None, description="default: this month")
    one_offs: Annotated[list[OneOffIn], Field(max_length=60)] = Field(default_factory=list)


class BudgetMonthOut(Schema):
    number: int
    month_on: dt.date
    income: MoneyOut
    essential: MoneyOut
    non_essential: MoneyOut
    one_off: MoneyOut
    can_go_to_debts: MoneyOut = Field(description="income − spending − one-off costs")
    debt_payments: MoneyOut
    left_over: MoneyOut
    running_balance: MoneyOut
    short: bool = Field(description="the running balance is below zero")


class BudgetOut(Schema):
    currency: str
    income: MoneyOut
    essential: MoneyOut
    non_essential: MoneyOut
    can_go_to_debts: MoneyOut = Field(description="in a regular month")
    total_for_debts: MoneyOut
    first_short_month: int | None
    months: list[BudgetMonthOut]


def budget_from_request(payload: BudgetIn, *, today: dt.date) -> Budget:
    """The borrower's budget; a bad field is refused by name (`incomes[1].source`)."""
    currency = payload.currency
    # the statement reader checks the incomes and expenses; a budget applies no norms, so the
    # region it asks for is never read
    statement = parse_statement(
        {
            "currency": currency,
            "region": "budget",
            "incomes": [i.model_dump() for i in payload.incomes],
            "expenses": [e.model_dump() for e in payload.expenses],
        }
    )
    one_offs = []
    for i, row in enumerate(payload.one_offs):
        try:
            one_offs.append(
                OneOffExpense(row.month, row.label, Money(Decimal(row.amount), currency))
            )
        except ValidationError as refused:
            raise ValidationError(f"one_offs[{i}].{refused.field}", refused.reason) from None
    return plan_budget(
        currency=currency,
        incomes=statement.incomes,
        expenses=statement.expenses,
        months=payload.months,
        start_on=payload.start_on or today,
        debt_payments=_money("debt_payments", payload.debt_payments, currency),
        one_offs=one_offs,
        savings=_money("savings", payload.savings, currency),
    )


def _money(field: str, amount: str | None, currency: str) -> Money | None:
    """An amount of the budget, refused by its field (more decimals than the currency has)."""
    if amount is None:
        return None
    try:
        return Money(Decimal(amount), currency)
    except ValidationError as refused:
        raise ValidationError(field, refused.reason) from None


def budget_document(budget: Budget) -> dict[str, Any]:
    return {
        "currency": budget.currency,
        "income": money(budget.income),
        "essential": money(budget.essential),
        "non_essential": money(budget.non_essential),
        "can_go_to_debts": money(budget.can_go_to_debts),
        "total_for_debts": money(budget.total_for_debts),
        "first_short_month": budget.first_short_month,
        "months": [
            {
                "number": m.number,
                "month_on": m.month_on,
                "income": money(m.income),
                "essential": money(m.essential),
                "non_essential": money(m.non_essential),
                "one_off": money(m.one_off),
                "can_go_to_debts": money(m.can_go_to_debts),
                "debt_payments": money(m.debt_payments),
                "left_over": money(m.left_over),
                "running_balance": money(m.running_balance),
                "short": m.short,
            }
            for m in budget.months
        ],
    }
