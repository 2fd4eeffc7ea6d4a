"""Accounts, statements and policies for the hardship tests, in the lender's words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from arrears.core.hardship.affordability import Affordability, assess_affordability
from arrears.core.hardship.assessment import (
    Expense,
    FinancialStatement,
    Household,
    Income,
)
from arrears.core.hardship.policy import HardshipPolicy, bundled_hardship_policy
from arrears.core.hardship.position import AccountPosition
from arrears.core.money import Money

AS_OF = date(2026, 3, 15)


def cny(amount: str | int) -> Money:
    return Money(amount, "CNY")


def loan(**changes: Any) -> AccountPosition:
    """A CN personal loan: 30,000 yuan principal at 12 % (1 % a month), 24 instalments left."""
    values: dict[str, Any] = {
        "product_kind": "loan",
        "jurisdiction": "CN",
        "currency": "CNY",
        "principal": cny("30000.00"),
        "interest": cny("0.00"),
        "fees": cny("0.00"),
        "apr": Decimal("12"),
        "contractual_instalment": cny("1412.20"),
        "remaining_months": 24,
        "as_of": AS_OF,
    }
    values.update(changes)
    return AccountPosition(**values)


def card(**changes: Any) -> AccountPosition:
    """A CN credit card: 20,000 yuan at 18.25 %, minimum payment 2,000, arrears and a fee."""
    values: dict[str, Any] = {
        "product_kind": "card",
        "jurisdiction": "CN",
        "currency": "CNY",
        "principal": cny("20000.00"),
        "interest": cny("600.00"),
        "fees": cny("50.00"),
        "apr": Decimal("18.25"),
        "contractual_instalment": cny("2000.00"),
        "remaining_months": 12,
        "as_of": AS_OF,
        "repayment_day": 25,
    }
    values.update(changes)
    return AccountPosition(**values)


def statement(**changes: Any) -> FinancialStatement:
    """Two adults and a child in a tier-2 city, one salary, rent and food."""
    values: dict[str, Any] = {
        "currency": "CNY",
        "region": "CN-T2",
        "household": Household(adults=2, dependants=1),
        "incomes": (Income("wages", cny("9000.00")),),
        "expenses": (
            Expense("housing", cny("2500.00")),
            Expense("food_housekeeping", cny("2500.00")),
            Expense("transport", cny("300.00")),
            Expense("eating_out", cny("400.00")),
        ),
    }
    values.update(changes)
    return FinancialStatement(**values)


def lost_job(**changes: Any) -> FinancialStatement:
    """Lost their job: benefits for now, a new job expected in three months at a lower wage."""
    values: dict[str, Any] = {
        "employment": "unemployed",
        "reason": "job_loss",
        "temporary": True,
        "expected_recovery_months": 3,
        "incomes": (Income("benefits", cny("2000.00")),),
        "income_after_recovery": cny("7400.00"),
    }
    values.update(changes)
    return statement(**values)


def cn_policy() -> HardshipPolicy:
    return bundled_hardship_policy("CN")


def afford(of: FinancialStatement, policy: HardshipPolicy | None = None) -> Affordability:
    return assess_affordability(of, policy=(policy or cn_policy()).affordability)


def fixed_affordability(
    monthly: str, *, lump: str = "0.00", currency: str = "CNY"
) -> Affordability:
    """An affordability of exactly `monthly` a month, as if assessed (for option tests)."""
    amount = Money(monthly, currency)
    return Affordability(
        currency=currency,
        income=amount,
        essential_spending=Money.zero(currency),
        other_debt_payments=Money.zero(currency),
        disposable_income=amount,
        affordable_payment=amount,
        lump_sum_available=Money(lump, currency),
        recovery_months=None,
        affordable_after_recovery=None,
        explanation=(),
    )
