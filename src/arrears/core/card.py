"""Credit-card statement arithmetic (账单): minimum payment, late fee, the interest-free period
and the rate each balance type bears (promotional rates).

Pure rules over amounts the statement run has already summed from the ledger; each is rounded
once, with the product's rounding policy where a percentage is involved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal

from arrears.core.errors import ValidationError
from arrears.core.interest import BalanceSegment, DayCount, accrue
from arrears.core.money import Money, Rounding
from arrears.core.products import BalanceTypeTerms

_ONE_DAY = timedelta(days=1)
_UNIT = Decimal(1)


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
    minimum = minimum_payment_minor(
        principal=principal_balance.minor,
        interest=interest.minor,
        fees=fees.minor,
        floor=floor.minor,
        percent=percent,
        rounding=rounding,
    )
    return Money.from_minor(minimum, currency)


def minimum_payment_minor(
    *, principal: int, interest: int, fees: int, floor: int, percent: Decimal, rounding: Rounding
) -> int:
    """`minimum_payment` in integer minor units of one currency (checked by the caller), the
    form the nightly statement run works in: the percentage is taken of the principal in minor
    units and rounded once to a whole one, as `Money.times` rounds the same product."""
    new_balance = principal + interest + fees
    if new_balance <= 0:
        return 0
    exact = Decimal(max(principal, 0)) * (percent / 100)
    share = int(exact.quantize(_UNIT, rounding=rounding.decimal_mode))
    return min(max(share + interest + fees, floor), new_balance)


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
    return grace_holds(
        previous_balance_minor=previous_statement_balance.minor,
        paid_by_due_minor=paid_by_due_date.minor,
    )


def grace_holds(*, previous_balance_minor: int, paid_by_due_minor: int) -> bool:
    """`grace_applies` in integer minor units of one currency (the statement run's form)."""
    return paid_by_due_minor >= previous_balance_minor or previous_balance_minor <= 0


def apr_on(day: date, balance_type: BalanceTypeTerms, *, after_promo: Decimal) -> Decimal:
    """The APR a balance type bears on a day.

    Its own APR; for a promotional balance type (`promo_until` set) only through that day, and
    `after_promo` (on cards, the purchase APR) from the next day on.
    """
    until = balance_type.promo_until
    return balance_type.apr if until is None or day <= until else after_promo


def rated_segments(
    segments: Iterable[BalanceSegment], balance_type: BalanceTypeTerms, *, after_promo: Decimal
) -> list[tuple[BalanceSegment, Decimal]]:
    """Each balance segment with the APR it bears (`apr_on`), cut in two where a promotional
    rate ends inside it, so that every day of a piece bears the same rate."""
    until = balance_type.promo_until
    rated: list[tuple[BalanceSegment, Decimal]] = []
    for segment in segments:
        if until is not None and segment.start_on <= until and until + _ONE_DAY < segment.end_on:
            switch_on = until + _ONE_DAY
            rated.append(
                (
                    BalanceSegment(segment.start_on, switch_on, segment.balance_minor),
                    balance_type.apr,
                )
            )
            rated.append(
                (BalanceSegment(switch_on, segment.end_on, segment.balance_minor), after_promo)
            )
        else:
            rated.append((segment, apr_on(segment.start_on, balance_type, after_promo=after_promo)))
    return rated


def balance_type_interest(
    segments: Iterable[BalanceSegment],
    balance_type: BalanceTypeTerms,
    *,
    after_promo: Decimal,
    day_count: DayCount,
) -> Decimal:
    """Exact interest (minor units, unrounded) on a balance type's daily balances at the rate of
    each day (`rated_segments`): what a statement bills and what accrued interest shows."""
    by_apr: dict[Decimal, list[BalanceSegment]] = defaultdict(list)
    for segment, apr in rated_segments(segments, balance_type, after_promo=after_promo):
        by_apr[apr].append(segment)
    return sum((accrue(runs, apr, day_count) for apr, runs in by_apr.items()), Decimal(0))


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
