"""Monthly instalment schedules for term loans: 等额本息 (annuity) and 等额本金 (equal principal).

The schedule is what the borrower signs up to: a due date and an amount for each month, split
into principal and interest. Every amount is a whole minor unit, interest is rounded once per
instalment with the product's policy, and the principal parts always add up to exactly what was
lent, so the ledger can post each instalment without a stray fen left over at maturity.

The periodic rate is apr / 12, the convention Chinese lenders quote 月利率 with.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from typing import TypeVar

from arrears.core.calendar import add_months
from arrears.core.errors import ValidationError
from arrears.core.interest import PRECISION, checked_apr
from arrears.core.money import Money, Rounding, minor_units, split_evenly, total

#: The longest term we schedule: 50 years of monthly instalments.
MAX_MONTHS = 600


class RepaymentMethod(enum.StrEnum):
    ANNUITY = "annuity"  # 等额本息: the same payment every month, interest front-loaded
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金: the same principal, falling payments


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int
    due_on: date
    payment: Money
    principal: Money
    interest: Money
    remaining: Money  # principal still owed after this instalment is paid


@dataclass(frozen=True, slots=True)
class Schedule:
    instalments: tuple[Instalment, ...]
    total_payment: Money
    total_principal: Money
    total_interest: Money


def monthly_rate(apr: Decimal) -> Decimal:
    """The periodic rate as a fraction: apr percent / 100 / 12."""
    value = checked_apr(apr)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return value / 1200


def _round_units(value: Decimal, rounding: Rounding) -> int:
    return int(value.to_integral_value(rounding=rounding.decimal_mode))


def _interest_units(remaining_minor: int, rate: Decimal, rounding: Rounding) -> int:
    """A month's interest on what is still owed, rounded once to the minor unit."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return _round_units(remaining_minor * rate, rounding)


def _exact_annuity_units(principal_minor: int, rate: Decimal, months: int) -> Decimal:
    """P·r / (1 − (1 + r)^−n) in minor units, unrounded (r > 0)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return principal_minor * rate / (1 - (1 + rate) ** -months)


def annuity_payment(
    principal: Money, apr: Decimal, months: int, rounding: Rounding = Rounding.HALF_UP
) -> Money:
    """The regular 等额本息 payment, rounded to the minor unit with the product's policy.

    An interest-free loan is split into equal principal parts instead; its regular payment is
    the first (largest) part, as the schedule shows it.
    """
    _check_terms(principal, months)
    rate = monthly_rate(apr)
    if rate == 0:
        return split_evenly(principal, months)[0]
    exact = _exact_annuity_units(principal.minor, rate, months)
    return Money.from_minor(
        _round_units(exact, _choice(Rounding, rounding, "rounding")), principal.currency
    )


def _annuity_rows(
    principal_minor: int, rate: Decimal, months: int, rounding: Rounding
) -> list[tuple[int, int]]:
    """(principal, interest) per month: a fixed payment, the last one settling what is left.

    If rounding the payment up would repay a tiny loan before the term ends, the principal part
    stops at what is owed and any later instalments are zero; nothing is ever overpaid.
    """
    payment = _round_units(_exact_annuity_units(principal_minor, rate, months), rounding)
    remaining, rows = principal_minor, []
    for number in range(1, months + 1):
        interest = _interest_units(remaining, rate, rounding)
        part = remaining if number == months else min(payment - interest, remaining)
        rows.append((part, interest))
        remaining -= part
    return rows


def _equal_principal_rows(
    principal: Money, rate: Decimal, months: int, rounding: Rounding
) -> list[tuple[int, int]]:
    """(principal, interest) per month: principal split evenly, interest on what is left.

    The split hands any leftover minor units to the earliest months, so payments never rise.
    """
    remaining, rows = principal.minor, []
    for part in split_evenly(principal, months):
        rows.append((part.minor, _interest_units(remaining, rate, rounding)))
        remaining -= part.minor
    return rows


def _check_terms(principal: Money, months: int) -> None:
    if not isinstance(principal, Money):
        raise TypeError(f"principal is Money, got {type(principal).__name__}")
    minor_units(principal.currency)  # raises ValidationError("currency") if unknown
    if principal.amount <= 0:
        raise ValidationError("principal", f"must be more than zero, got {principal}")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_MONTHS:
        raise ValidationError("months", f"must be a whole number 1..{MAX_MONTHS}, got {months}")


_E = TypeVar("_E", bound=enum.StrEnum)


def _choice(kind: type[_E], value: _E | str, field: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        raise ValidationError(field, f"unknown {value!r}; use {', '.join(kind)}") from None


def instalment_schedule(
    *,
    principal: Money,
    apr: Decimal,
    months: int,
    method: RepaymentMethod,
    start_on: date,
    repayment_day: int | None = None,
    rounding: Rounding = Rounding.HALF_UP,
) -> Schedule:
    """The month-by-month schedule for a term loan drawn on `start_on`.

    Instalment k falls due on `repayment_day` (default: start_on's day) k months after
    start_on, on the month's last day when the month is shorter. An interest-free loan (apr 0)
    is repaid in equal principal parts under either method.
    """
    _check_terms(principal, months)
    rate = monthly_rate(apr)
    method = _choice(RepaymentMethod, method, "method")
    rounding = _choice(Rounding, rounding, "rounding")
    day = start_on.day if repayment_day is None else repayment_day
    if not isinstance(day, int) or not 1 <= day <= 31:
        raise ValidationError("repayment_day", f"must be a day of the month 1..31, got {day}")
    if method is RepaymentMethod.ANNUITY and rate != 0:
        rows = _annuity_rows(principal.minor, rate, months, rounding)
    else:
        rows = _equal_principal_rows(principal, rate, months, rounding)
    return _assemble(rows, principal, start_on, day)


def _assemble(rows: list[tuple[int, int]], principal: Money, start_on: date, day: int) -> Schedule:
    currency, remaining = principal.currency, principal.minor
    instalments = []
    for number, (part, interest) in enumerate(rows, start=1):
        remaining -= part
        instalments.append(
            Instalment(
                number=number,
                due_on=add_months(start_on, number, day_of_month=day),
                payment=Money.from_minor(part + interest, currency),
                principal=Money.from_minor(part, currency),
                interest=Money.from_minor(interest, currency),
                remaining=Money.from_minor(remaining, currency),
            )
        )
    return Schedule(
        instalments=tuple(instalments),
        total_payment=total((i.payment for i in instalments), currency),
        total_principal=total((i.principal for i in instalments), currency),
        total_interest=total((i.interest for i in instalments), currency),
    )
