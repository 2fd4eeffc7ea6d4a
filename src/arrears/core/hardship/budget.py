"""The budget planner (预算规划) a borrower can use on their own: income, spending, what can go
to debts, and a month-by-month view with the one-off costs they expect.

Nothing here is a decision: it is the borrower's own plan, so every spending line counts as
they entered it (no norms), non-essential spending included. Each month shows what is left for
debts, what the borrower means to pay them, and the running balance from their savings, so a
month that would leave them short shows before it comes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from arrears.core.calendar import add_months
from arrears.core.errors import ValidationError
from arrears.core.hardship import _read as read
from arrears.core.hardship.assessment import Expense, FinancialStatement, Income
from arrears.core.money import Money, minor_units, total

#: The longest view the planner draws: five years.
MAX_BUDGET_MONTHS = 60


@dataclass(frozen=True, slots=True)
class OneOffExpense:
    """A cost expected in one month of the plan (1 = the first): a school fee, a repair."""

    month: int
    label: str
    amount: Money

    def __post_init__(self) -> None:
        read.whole("month", self.month, low=1, high=MAX_BUDGET_MONTHS)
        read.text("label", self.label)
        if not isinstance(self.amount, Money) or self.amount.is_negative():
            raise ValidationError("amount", "must be an amount of 0 or more")


@dataclass(frozen=True, slots=True)
class BudgetMonth:
    number: int
    month_on: date  # the first day of the month
    income: Money
    essential: Money
    non_essential: Money
    one_off: Money
    can_go_to_debts: Money  # income − spending − one-off costs; negative when short
    debt_payments: Money  # what the borrower plans to pay their debts
    left_over: Money  # can_go_to_debts − debt_payments
    running_balance: Money  # savings at the start plus every month's left-over so far
    short: bool  # the running balance is below zero


@dataclass(frozen=True)
class Budget:
    currency: str
    income: Money  # a regular month
    essential: Money
    non_essential: Money
    can_go_to_debts: Money  # in a regular month (no one-off costs)
    months: tuple[BudgetMonth, ...]

    @property
    def total_for_debts(self) -> Money:
        """What the whole view leaves for debts after one-off costs."""
        return total((m.can_go_to_debts for m in self.months), self.currency)

    @property
    def first_short_month(self) -> int | None:
        return next((m.number for m in self.months if m.short), None)


def plan_budget(
    *,
    currency: str,
    incomes: Sequence[Income],
    expenses: Sequence[Expense],
    months: int,
    start_on: date,
    debt_payments: Money | None = None,
    one_offs: Sequence[OneOffExpense] = (),
    savings: Money | None = None,
) -> Budget:
    """A month-by-month budget over `months` starting with `start_on`'s month."""
    minor_units(currency)
    read.whole("months", months, low=1, high=MAX_BUDGET_MONTHS)
    zero = Money.zero(currency)
    _same_currency("incomes", [i.amount for i in incomes], currency)
    _same_currency("expenses", [e.amount for e in expenses], currency)
    _same_currency("one_offs", [o.amount for o in one_offs], currency)
    debts = zero if debt_payments is None else debt_payments
    balance = zero if savings is None else savings
    _same_currency("debt_payments", [debts], currency, indexed=False)
    _same_currency("savings", [balance], currency, indexed=False)
    for i, planned in enumerate(one_offs):
        if planned.month > months:
            raise ValidationError(
                f"one_offs[{i}].month", f"month {planned.month} is after the {months}-month view"
            )
    income = total((i.amount for i in incomes), currency)
    essential = total((e.amount for e in expenses if e.essential), currency)
    non_essential = total((e.amount for e in expenses if not e.essential), currency)
    regular = income - essential - non_essential
    first = date(start_on.year, start_on.month, 1)
    rows = []
    for number in range(1, months + 1):
        costs = total((o.amount for o in one_offs if o.month == number), currency)
        can_go = regular - costs
        left_over = can_go - debts
        balance = balance + left_over
        rows.append(
            BudgetMonth(
                number=number,
                month_on=add_months(first, number - 1),
                income=income,
                essential=essential,
                non_essential=non_essential,
                one_off=costs,
                can_go_to_debts=can_go,
                debt_payments=debts,
                left_over=left_over,
                running_balance=balance,
                short=balance.is_negative(),
            )
        )
    return Budget(
        currency=currency,
        income=income,
        essential=essential,
        non_essential=non_essential,
        can_go_to_debts=regular,
        months=tuple(rows),
    )


def budget_from_statement(
    statement: FinancialStatement,
    *,
    months: int,
    start_on: date,
    one_offs: Sequence[OneOffExpense] = (),
) -> Budget:
    """The planner pre-filled from a financial statement: other debts' payments as planned."""
    return plan_budget(
        currency=statement.currency,
        incomes=statement.incomes,
        expenses=statement.expenses,
        months=months,
        start_on=start_on,
        debt_payments=statement.other_debt_payments,
        one_offs=one_offs,
        savings=statement.lump_sum,
    )


def _same_currency(
    field: str, amounts: Sequence[Money], currency: str, *, indexed: bool = True
) -> None:
    for i, amount in enumerate(amounts):
        where = f"{field}[{i}]" if indexed else field
        if not isinstance(amount, Money):
            raise ValidationError(where, "must be an amount of money")
        if amount.currency != currency:
            raise ValidationError(where, f"is in {amount.currency}, the budget in {currency}")
