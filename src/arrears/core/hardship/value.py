"""The lender's expected value of a plan: its cash flows, discounted and weighted by failure.

The model (docs/hardship.md has a worked example):

- Each month of the plan the borrower may stop paying with probability h, the option kind's
  `monthly_failure_percent`; so instalment j (j = 1, 2, …) is paid on time with probability
  S_j = (1 − h)^j. A month with nothing to pay (a holiday) can fail too: the borrower may not
  resume.
- When the plan fails, collection later recovers a share R (`recovery_rate_percent`) of each
  instalment still unpaid, L months (`recovery_lag_months`) after it was due.
- Money received t months from now is worth D_t = (1 + d)^(−t/12) today, d the lender's annual
  `discount_rate_percent`.

    EV = Σ_j  payment_j × ( S_j × D_j  +  (1 − S_j) × R × D_(j+L) )

Each instalment's weight falls as h rises (D_j ≥ R × D_(j+L)) and as d rises, so the expected
value never rises when a plan is more likely to fail or money costs the lender more.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext

from arrears.core.interest import PRECISION
from arrears.core.money import Money, Rounding, minor_units


def discount_factor(months: int, discount_rate_percent: Decimal) -> Decimal:
    """What one unit received `months` from now is worth today: (1 + d)^(−months/12)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return _monthly_factor(discount_rate_percent) ** months


def _monthly_factor(discount_rate_percent: Decimal) -> Decimal:
    """(1 + d)^(−1/12): a month's discount, so D_t = factor^t with whole powers only."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        if discount_rate_percent == 0:
            return Decimal(1)
        return (1 + discount_rate_percent / 100) ** (Decimal(-1) / 12)


def expected_value(
    payments: Sequence[Money],
    *,
    monthly_failure_percent: Decimal,
    discount_rate_percent: Decimal,
    recovery_rate_percent: Decimal,
    recovery_lag_months: int,
    rounding: Rounding = Rounding.HALF_UP,
) -> Money:
    """The plan's expected present value to the lender; `payments[0]` falls due in a month."""
    if not payments:
        raise ValueError("a plan has at least one instalment")
    currency = payments[0].currency
    return expected_value_minor(
        [p.minor for p in payments],
        currency,
        monthly_failure_percent=monthly_failure_percent,
        discount_rate_percent=discount_rate_percent,
        recovery_rate_percent=recovery_rate_percent,
        recovery_lag_months=recovery_lag_months,
        rounding=rounding,
    )


def expected_value_minor(
    payments: Sequence[int],
    currency: str,
    *,
    monthly_failure_percent: Decimal,
    discount_rate_percent: Decimal,
    recovery_rate_percent: Decimal,
    recovery_lag_months: int,
    rounding: Rounding = Rounding.HALF_UP,
) -> Money:
    """`expected_value` over payments in minor units (what plan schedules hold)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        keep = 1 - monthly_failure_percent / 100
        recovery = recovery_rate_percent / 100
        month = _monthly_factor(discount_rate_percent)
        lagged = recovery * month**recovery_lag_months
        value = Decimal(0)
        for number, payment in enumerate(payments, start=1):
            if payment == 0:
                continue
            paid = keep**number
            discount = month**number
            value += payment * discount * (paid + (1 - paid) * lagged)
        exact = value.scaleb(-minor_units(currency))
    return Money.of(exact, currency, rounding)


def collection_value(
    owed: Money,
    *,
    discount_rate_percent: Decimal,
    recovery_rate_percent: Decimal,
    recovery_lag_months: int,
    rounding: Rounding = Rounding.HALF_UP,
) -> Money:
    """What the lender expects without a plan: R of what is owed, L months from now."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        factor = discount_factor(recovery_lag_months, discount_rate_percent)
        value = owed.amount * recovery_rate_percent / 100 * factor
    return Money.of(value, owed.currency, rounding)
