"""Affordability (还款能力): how much the borrower can pay towards this debt each month.

    disposable income = income
                      − essential spending counted
                      − payments to other debts
    affordable payment = disposable income × share (rounded down; never below zero)

Essential spending counted is what the borrower states, except under the lender's "norm floor"
rule: the living costs a region's norm covers (food, personal care …) are then counted at no less
than the norm for the household's size, so nobody is offered a plan that leaves them nothing to
eat. Housing and the other essential categories the norm does not cover are counted as stated.
Non-essential spending is not counted: it is shown as money the borrower may redirect.

Every step is an `ExplanationLine`, so the agent and the borrower see how the figure was reached.
When the difficulty is temporary and the borrower expects a different income after it, the
affordable payment after recovery is worked out the same way; plans are checked month by month.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from arrears.core.errors import ValidationError
from arrears.core.hardship.assessment import ExpenseCategory, FinancialStatement
from arrears.core.hardship.explain import ExplanationLine, LineRole
from arrears.core.hardship.norms import RegionNorms, SpendingNorms, bundled_spending_norms
from arrears.core.hardship.policy import AffordabilityPolicy, EssentialSpendingRule
from arrears.core.money import Money, Rounding, total


@dataclass(frozen=True)
class Affordability:
    currency: str
    income: Money
    essential_spending: Money  # as counted (after the norm floor, if the policy uses it)
    other_debt_payments: Money
    disposable_income: Money  # negative when the borrower is short every month
    affordable_payment: Money  # what can go to this debt a month: ≥ 0
    lump_sum_available: Money  # one-off money the borrower can put in now
    recovery_months: int | None  # months until a temporary difficulty is expected to pass
    affordable_after_recovery: Money | None
    explanation: tuple[ExplanationLine, ...]

    def affordable_in_month(self, number: int) -> Money:
        """What the borrower can pay in the plan's month `number` (1 = the first instalment)."""
        if self.recovery_months is None or self.affordable_after_recovery is None:
            return self.affordable_payment
        if number <= self.recovery_months:
            return self.affordable_payment
        return self.affordable_after_recovery

    def allowance(self, number: int) -> Money:
        """The most an instalment in month `number` may ask: the lump sum can go to the first."""
        extra = self.lump_sum_available if number == 1 else Money.zero(self.currency)
        return self.affordable_in_month(number) + extra


def assess_affordability(
    statement: FinancialStatement,
    *,
    policy: AffordabilityPolicy,
    norms: SpendingNorms | None = None,
) -> Affordability:
    """Work out what the borrower can afford, line by line (norms: the bundled ones if None)."""
    currency = statement.currency
    lines: list[ExplanationLine] = []
    income = _income_lines(statement, lines)
    region = None
    if policy.essential_spending is EssentialSpendingRule.NORM_FLOOR:
        region = (norms or bundled_spending_norms()).for_region(statement.region)
        if region.currency != currency:
            raise ValidationError(
                "currency", f"the {region.region} norms are in {region.currency}, not {currency}"
            )
    essential = _essential_lines(statement, region, policy.essential_spending, lines)
    debts = _debt_lines(statement, lines)
    disposable = income - essential - debts
    lines.append(ExplanationLine("disposable_income", disposable, LineRole.RESULT))
    affordable = _share(disposable, policy.share_percent, lines)
    after = None
    if statement.income_after_recovery is not None:
        after = _after_recovery(statement, essential + debts, policy.share_percent, lines)
    lines.append(
        ExplanationLine("non_essential_spending", statement.non_essential_spending, LineRole.NOTE)
    )
    return Affordability(
        currency=currency,
        income=income,
        essential_spending=essential,
        other_debt_payments=debts,
        disposable_income=disposable,
        affordable_payment=affordable,
        lump_sum_available=statement.lump_sum,
        recovery_months=statement.expected_recovery_months if after is not None else None,
        affordable_after_recovery=after,
        explanation=tuple(lines),
    )


def _income_lines(statement: FinancialStatement, lines: list[ExplanationLine]) -> Money:
    by_source: dict[str, Money] = {}
    for part in statement.incomes:
        by_source[part.source] = by_source.get(part.source, Money.zero(statement.currency))
        by_source[part.source] += part.amount
    for source, amount in by_source.items():
        lines.append(ExplanationLine("income", amount, LineRole.ADD, {"source": source}))
    income = statement.total_income
    lines.append(ExplanationLine("total_income", income, LineRole.SUBTOTAL))
    return income


def _essential_lines(
    statement: FinancialStatement,
    region: RegionNorms | None,
    rule: EssentialSpendingRule,
    lines: list[ExplanationLine],
) -> Money:
    currency = statement.currency
    for category in ExpenseCategory:
        if category.essential and any(e.category is category for e in statement.expenses):
            amount = statement.spending_in(category)
            lines.append(
                ExplanationLine(
                    "essential_spending", amount, LineRole.DETAIL, {"category": category}
                )
            )
    stated = statement.essential_spending
    if region is None:
        lines.append(
            ExplanationLine("essential_spending_counted", stated, LineRole.SUBTRACT, {"rule": rule})
        )
        return stated
    covered = total((statement.spending_in(c) for c in region.categories), currency)
    norm = region.for_household(statement.household)
    household = statement.household
    lines.append(ExplanationLine("living_costs_stated", covered, LineRole.DETAIL))
    lines.append(
        ExplanationLine(
            "living_costs_norm",
            norm,
            LineRole.DETAIL,
            {
                "region": region.region,
                "adults": household.adults,
                "dependants": household.dependants,
            },
        )
    )
    counted = stated - covered + covered.max(norm)
    basis = "norm" if norm > covered else "stated"
    lines.append(
        ExplanationLine(
            "essential_spending_counted",
            counted,
            LineRole.SUBTRACT,
            {"rule": rule, "living_costs_basis": basis},
        )
    )
    return counted


def _debt_lines(statement: FinancialStatement, lines: list[ExplanationLine]) -> Money:
    for debt in statement.other_debts:
        lines.append(
            ExplanationLine(
                "other_debt_payment",
                debt.monthly_payment,
                LineRole.DETAIL,
                {"creditor": debt.creditor, "priority": "yes" if debt.priority else "no"},
            )
        )
    payments = statement.other_debt_payments
    lines.append(ExplanationLine("other_debt_payments", payments, LineRole.SUBTRACT))
    return payments


def _share(disposable: Money, share_percent: Decimal, lines: list[ExplanationLine]) -> Money:
    """The part of disposable income offered to this debt, rounded down, never negative."""
    zero = Money.zero(disposable.currency)
    affordable = disposable.max(zero).times(share_percent / 100, Rounding.DOWN)
    lines.append(
        ExplanationLine(
            "share_for_this_debt", affordable, LineRole.DETAIL, {"percent": share_percent}
        )
    )
    if disposable.is_negative():
        lines.append(ExplanationLine("shortfall", -disposable, LineRole.NOTE))
    lines.append(ExplanationLine("affordable_payment", affordable, LineRole.RESULT))
    return affordable


def _after_recovery(
    statement: FinancialStatement,
    outgoings: Money,
    share_percent: Decimal,
    lines: list[ExplanationLine],
) -> Money:
    assert statement.income_after_recovery is not None
    months = statement.expected_recovery_months
    income = statement.income_after_recovery
    lines.append(
        ExplanationLine("income_after_recovery", income, LineRole.NOTE, {"months": months or 0})
    )
    disposable = income - outgoings
    zero = Money.zero(income.currency)
    affordable = disposable.max(zero).times(share_percent / 100, Rounding.DOWN)
    lines.append(
        ExplanationLine(
            "affordable_after_recovery",
            affordable,
            LineRole.RESULT,
            {"months": months or 0, "percent": share_percent},
        )
    )
    return affordable
