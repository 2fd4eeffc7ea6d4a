"""Daily interest on a balance that changes over time.

The ledger hands us the balance as segments — runs of days at one balance — and we return the
interest in minor units as an exact Decimal. Nothing is rounded here: the caller rounds once,
with the product's policy, when it posts the interest, so splitting a period into more segments
(a purchase mid-cycle, a nightly run instead of a monthly one) never changes the total.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from arrears.core.errors import ValidationError

#: Significant digits for rate arithmetic: far beyond any balance × rate a lender will see.
PRECISION = 40


class DayCount(enum.StrEnum):
    """How many days a year has when turning an annual rate into a daily one."""

    ACT_365 = "act/365"  # actual days, 365-day year: UK, China, most card products
    ACT_360 = "act/360"  # actual days, 360-day year: common on US commercial loans

    @property
    def days_in_year(self) -> int:
        return 365 if self is DayCount.ACT_365 else 360


def checked_apr(apr: Decimal) -> Decimal:
    """The apr as a Decimal percent, refusing floats, negatives and NaN (field `apr`)."""
    if isinstance(apr, float | bool) or not isinstance(apr, Decimal | int):
        raise TypeError(f"apr is a Decimal percent, got {type(apr).__name__}")
    value = Decimal(apr)
    if not value.is_finite() or value < 0:
        raise ValidationError("apr", f"must be a percent of 0 or more, got {apr}")
    return value


def _days_in_year(day_count: DayCount | str) -> int:
    try:
        return DayCount(day_count).days_in_year
    except ValueError:
        choices = ", ".join(DayCount)
        raise ValidationError("day_count", f"unknown {day_count!r}; use {choices}") from None


def daily_rate(apr: Decimal, day_count: DayCount) -> Decimal:
    """The fraction of the balance charged per day: Decimal("18") → 0.18 / 365 under ACT/365."""
    value = checked_apr(apr)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return value / 100 / _days_in_year(day_count)


@dataclass(frozen=True, slots=True)
class BalanceSegment:
    """A balance held from start_on up to (not including) end_on."""

    start_on: date
    end_on: date
    balance_minor: int

    def __post_init__(self) -> None:
        if self.end_on < self.start_on:
            raise ValidationError(
                "end_on", f"{self.end_on} is before the segment's start {self.start_on}"
            )
        if not isinstance(self.balance_minor, int) or isinstance(self.balance_minor, bool):
            raise TypeError("balance_minor is an int of minor units")

    @property
    def days(self) -> int:
        return (self.end_on - self.start_on).days


def accrue(segments: Iterable[BalanceSegment], apr: Decimal, day_count: DayCount) -> Decimal:
    """Interest in minor units over the segments, exact and unrounded.

    Sum of balance × days × daily rate. A credit (negative) balance earns the borrower
    nothing. The day-balances are summed as integers first and divided once, so the answer
    does not depend on how the period was cut into segments.
    """
    value = checked_apr(apr)
    basis = _days_in_year(day_count)
    balance_days = sum(max(s.balance_minor, 0) * s.days for s in segments)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return Decimal(balance_days) * value / (100 * basis)
