"""The rate in force on each day, and the interest at those rates (pure: no database).

A `RateWindow` is a rate override as the arithmetic sees it: another APR from one day through
another (or open-ended). The interest rules of the ledger are worked out day by day, so an
override only has to say which rate each day bears:

- a card's balance type bears its own APR on a day (`core.card.apr_on`: a promotional rate
  ends after `promo_until`) unless an override covers that day; then the override's APR;
- a loan's instalment interest accrues evenly over the days of its period (what the schedule
  charges, the scheduled balance at the contract rate); a day an override covers bears the
  override's share instead: the day's part × override APR / contract APR. A 0 % override
  charges nothing for the days it covers; on a loan whose contract rate is 0 % an override
  cannot create interest.

Nothing is rounded here: the caller rounds once, with the product's policy, when it posts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext

from arrears.core.card import rated_segments
from arrears.core.interest import PRECISION, BalanceSegment, DayCount, accrue
from arrears.core.products import BalanceTypeTerms

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class RateWindow:
    """An APR in force from `from_on` through `until_on` (both included; None = open-ended)."""

    from_on: date
    until_on: date | None
    apr: Decimal

    def covers(self, day: date) -> bool:
        return self.from_on <= day and (self.until_on is None or day <= self.until_on)


def rate_on(day: date, windows: Sequence[RateWindow]) -> Decimal | None:
    """The override's APR on `day`, or None when no override covers it (the contract's)."""
    for window in windows:
        if window.covers(day):
            return window.apr
    return None


def _cuts(windows: Sequence[RateWindow]) -> list[date]:
    """The days on which the rate in force may change: each window's first day and the day
    after its last."""
    days = {w.from_on for w in windows}
    days |= {w.until_on + ONE_DAY for w in windows if w.until_on is not None}
    return sorted(days)


def with_overrides(
    rated: Iterable[tuple[BalanceSegment, Decimal]], windows: Sequence[RateWindow]
) -> list[tuple[BalanceSegment, Decimal]]:
    """Rated segments cut where an override starts or ends, each piece at the rate in force."""
    if not windows:
        return list(rated)
    cuts = _cuts(windows)
    pieces: list[tuple[BalanceSegment, Decimal]] = []
    for segment, apr in rated:
        start = segment.start_on
        for cut in [c for c in cuts if segment.start_on < c < segment.end_on] + [segment.end_on]:
            override = rate_on(start, windows)
            piece = BalanceSegment(start, cut, segment.balance_minor)
            pieces.append((piece, apr if override is None else override))
            start = cut
    return pieces


def card_interest(
    segments: Iterable[BalanceSegment],
    balance_type: BalanceTypeTerms,
    *,
    after_promo: Decimal,
    day_count: DayCount,
    windows: Sequence[RateWindow] = (),
) -> Decimal:
    """Exact interest (minor units) of a card balance type's daily balances at the rate of each
    day: `core.card.balance_type_interest`, with the overrides in force. What a statement
    bills and what accrued interest shows."""
    by_apr: dict[Decimal, list[BalanceSegment]] = defaultdict(list)
    rated = rated_segments(segments, balance_type, after_promo=after_promo)
    for segment, apr in with_overrides(rated, windows):
        by_apr[apr].append(segment)
    return sum((accrue(runs, apr, day_count) for apr, runs in by_apr.items()), Decimal(0))


def instalment_interest(
    *,
    contract_interest_minor: int,
    contract_apr: Decimal,
    period_start: date,
    due_on: date,
    windows: Sequence[RateWindow] = (),
    through: date | None = None,
) -> Decimal:
    """Exact interest (minor units) of a loan instalment over the days (period_start, due_on],
    or only those up to `through` (accrued so far), at the rate in force on each day.

    Without an override this is the scheduled interest × days elapsed / days in the period, the
    rule `selectors.accrued_interest` has always used.
    """
    period_days = (due_on - period_start).days
    last = due_on if through is None else min(due_on, through)
    if period_days <= 0 or last <= period_start or contract_interest_minor == 0:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        # days at the contract rate, plus days under an override weighted by its rate: divided
        # once at the end, so the schedule's own figure comes back exactly
        weighted = Decimal(0)
        day = period_start + ONE_DAY
        for cut in [c for c in _cuts(windows) if day < c <= last] + [last + ONE_DAY]:
            days = (cut - day).days
            override = rate_on(day, windows)
            if override is None:
                weighted += days
            elif contract_apr > 0:
                weighted += days * override / contract_apr
            day = cut
        return Decimal(contract_interest_minor) * weighted / period_days
