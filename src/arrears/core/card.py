"""Credit-card statement arithmetic (账单): minimum payment, late fee and the interest-free period.

Pure rules over amounts the statement run has already summed from the ledger; each is rounded
once, with the product's rounding policy where a percentage is involved.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from arrears.core.errors import ValidationError
from arrears.core.money import Money, Rounding


def minimum_payment(
    *,
    principal_balance: Money,
    interest: Money,
    fees: Money,
    floor: Money,
    percent: Decimal,
    rounding: Rounding,
) -> Money:
    """The minimum payment (最低还款额) on a statement.

    The greater of the floor and `percent` % of the principal balance plus this cycle's interest
    and fees — the formula US and UK issuers use, and CN issuers' 10 % rule. It never asks for more
    than the new balance (principal + interest + fees), and nothing when that balance is zero or
    in credit.
    """
    currency = principal_balance.currency
    _same_currency(currency, interest=interest, fees=fees, floor=floor)
    _check_percent(percent)
    if floor.is_negative():
        raise ValidationError("floor", "cannot be negative")
    zero = Money.zero(currency)
    new_balance = principal_balance + interest + fees
    if new_balance <= zero:
        return zero
    share = principal_balance.max(zero).times(percent / 100, rounding)
    return (share + interest + fees).max(floor).min(new_balance)


def late_fee(*, minimum_unpaid: Money, fee: Money, cap: Money | None) -> Money:
    """The late fee (滞纳金, on CN cards 违约金) when a minimum payment was missed.

    No fee when the whole minimum was paid. Otherwise the product's fee, limited by its cap, and
    never more than the part of the minimum left unpaid. US Reg Z 1026.52(b)(2)(i) caps a late
    fee at the minimum payment due; capping at the unpaid part is stricter and so also complies,
    and it matches CN practice of charging 违约金 on the unpaid part of the minimum.
    """
    currency = minimum_unpaid.currency
    _same_currency(currency, fee=fee, cap=cap)
    if fee.is_negative():
        raise ValidationError("fee", "cannot be negative")
    if cap is not None and cap.is_negative():
        raise ValidationError("cap", "cannot be negative")
    if minimum_unpaid <= Money.zero(currency):
        return Money.zero(currency)
    charge = fee if cap is None else fee.min(cap)
    return charge.min(minimum_unpaid)


def grace_applies(*, previous_statement_balance: Money, paid_by_due_date: Money) -> bool:
    """Whether new purchases stay interest-free (免息期, the US "grace period").

    It holds when the previous statement balance was paid in full by its due date (or there was
    nothing to pay); otherwise purchases bear interest from the day they post.
    """
    _same_currency(previous_statement_balance.currency, paid_by_due_date=paid_by_due_date)
    return paid_by_due_date >= previous_statement_balance or previous_statement_balance.amount <= 0


@dataclass(frozen=True)
class StatementFigures:
    """The figures printed on a statement, checked to add up.

    new_balance = previous_balance + purchases + cash_advances + interest + fees − payments,
    where `payments` holds payments and other credits (refunds, reversed fees) as a positive sum.
    """

    previous_balance: Money
    payments: Money
    purchases: Money
    cash_advances: Money
    interest: Money
    fees: Money
    new_balance: Money
    minimum_due: Money
    due_on: date

    def __post_init__(self) -> None:
        currency = self.new_balance.currency
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, Money):
                _same_currency(currency, **{field.name: value})
                if value.is_negative() and field.name not in ("previous_balance", "new_balance"):
                    raise ValidationError(field.name, "cannot be negative")
        expected = (
            self.previous_balance
            + self.purchases
            + self.cash_advances
            + self.interest
            + self.fees
            - self.payments
        )
        if self.new_balance != expected:
            raise ValidationError(
                "new_balance",
                f"is {self.new_balance} but previous balance + purchases + cash advances"
                f" + interest + fees − payments = {expected}",
            )
        if self.minimum_due > self.new_balance.max(Money.zero(currency)):
            raise ValidationError("minimum_due", "cannot be more than the new balance")


def _same_currency(currency: str, **amounts: Money | None) -> None:
    for name, amount in amounts.items():
        if amount is not None and amount.currency != currency:
            raise ValidationError(name, f"is in {amount.currency}, expected {currency}")


def _check_percent(percent: Decimal) -> None:
    if not isinstance(percent, Decimal) or not percent.is_finite():
        raise ValidationError("percent", "must be a Decimal percentage, e.g. Decimal('10')")
    if not Decimal(0) <= percent <= Decimal(100):
        raise ValidationError("percent", "must be between 0 and 100")
