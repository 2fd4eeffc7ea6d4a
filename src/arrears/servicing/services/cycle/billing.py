"""The arithmetic of a card statement over one account's book history: interest, figures.

Pure functions of the balances and lines `journal.read_book_histories` read; the statement step
(`statements.py`) does the queries and the writes around them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from arrears.core.card import minimum_payment_minor
from arrears.core.interest import DayCount
from arrears.core.money import Money, Rounding, split
from arrears.core.products import CardTerms
from arrears.servicing.choices import EntryKind
from arrears.servicing.services.cycle.journal import BookHistory, Line
from arrears.servicing.services.interest_rates import RateWindow, card_interest

ONE_DAY = timedelta(days=1)
_UNIT = Decimal(1)


# --- interest ---------------------------------------------------------------------------------


def interest_by_balance_type(
    history: BookHistory,
    terms: CardTerms,
    *,
    start_on: date,
    through: date,
    grace: bool,
    windows: Sequence[RateWindow] = (),
) -> dict[str, Decimal]:
    """Exact interest (minor units) per balance type over [start_on, through], unrounded.

    The same rule as `selectors.accrued_interest` (`services.interest_rates.card_interest`):
    each balance type's principal book at its APR (a promotional rate ends after `promo_until`,
    then the purchase APR applies), or at the rate override (`windows`) on the days one covers;
    a type with an interest-free period accrues nothing while the grace holds.
    """
    day_count = DayCount(terms.day_count)
    after_promo = terms.balance_type("purchase").apr
    exact: dict[str, Decimal] = {}
    for balance_type in terms.balance_types:
        if balance_type.grace and grace:
            continue
        segments = history.segments(f"principal:{balance_type.code}", start_on, through + ONE_DAY)
        amount = card_interest(
            segments, balance_type, after_promo=after_promo, day_count=day_count, windows=windows
        )
        if amount:
            exact[balance_type.code] = amount
    return exact


def round_interest(
    exact: Mapping[str, Decimal], *, currency: str, terms: CardTerms
) -> dict[str, int]:
    """Round the period's interest once, then share it over the balance types' books.

    Rounding the total (not each type) keeps the posted figure equal to what
    `selectors.accrued_interest` showed the borrower; `split` loses and creates no minor unit.
    The total is rounded in minor units (`Money.of` of the same value, without the scaling);
    a single balance type takes it all, as `split` would give it.
    """
    positive = {code: amount for code, amount in exact.items() if amount > 0}
    if not positive:
        return {}
    rounded = round_minor(sum(positive.values(), Decimal(0)), terms.rounding)
    if rounded <= 0:
        return {}
    if len(positive) == 1:
        return {f"interest:{code}": rounded for code in positive}
    shares = split(Money.from_minor(rounded, currency), list(positive.values()))
    return {
        f"interest:{code}": share.minor
        for code, share in zip(positive, shares, strict=True)
        if share.minor
    }


def round_minor(exact: Decimal, rounding: Rounding) -> int:
    """An exact amount of minor units rounded to a whole one with the product's policy."""
    return int(exact.quantize(_UNIT, rounding=rounding.decimal_mode))


def is_anniversary_month(opened_on: date, day: date) -> bool:
    """The annual fee (年费) falls on the statements of the month the card was opened, from
    the first anniversary on."""
    return day.month == opened_on.month and day.year > opened_on.year


# --- figures ----------------------------------------------------------------------------------


class MinorFigures(NamedTuple):
    """A statement's figures in integer minor units (what the `Statement` row stores)."""

    previous_balance: int
    payments: int
    purchases: int
    cash_advances: int
    interest: int
    fees: int
    new_balance: int
    minimum_due: int


def minor_figures(
    opening: Mapping[str, int],
    lines: Sequence[Line],
    *,
    terms: CardTerms,
    currency: str,
    unpaid_obligations_minor: int,
) -> MinorFigures:
    """The statement's figures from the balances before the period and the period's lines.

    Debits are sorted by book (fees, interest) or entry kind (cash advance, else purchase);
    every credit is a payment or other credit. Entries that only move money between the
    borrower's own books (a credit balance applied to a purchase) are left out. Sums stay in
    integer minor units.
    """
    sums: dict[str, int] = defaultdict(int)
    for line in moving_lines(lines):
        sums[classify(line)] += abs(line.amount_minor)
    previous_minor = sum(opening.values())
    new_minor = previous_minor + sum(line.amount_minor for line in lines)
    minimum = minimum_payment_minor(
        principal=new_minor - sums["interest"] - sums["fees"],
        interest=sums["interest"],
        fees=sums["fees"],
        floor=terms.min_payment_floor.minor,
        percent=terms.min_payment_percent,
        rounding=terms.rounding,
    )
    # Earlier minimums still unpaid stay obligations of their own: the new one covers only what
    # they do not, so the obligations never add up to more than the balance.
    headroom = max(0, new_minor - unpaid_obligations_minor)
    return MinorFigures(
        previous_balance=previous_minor,
        payments=sums["payments"],
        purchases=sums["purchases"],
        cash_advances=sums["cash_advances"],
        interest=sums["interest"],
        fees=sums["fees"],
        new_balance=new_minor,
        minimum_due=min(minimum, headroom),
    )


def moving_lines(lines: Iterable[Line]) -> list[Line]:
    """The lines of entries that change what the borrower owes (internal transfers dropped)."""
    lines = list(lines)
    net: dict[int, int] = defaultdict(int)
    for line in lines:
        net[line.entry_id] += line.amount_minor
    return [line for line in lines if net[line.entry_id] and line.amount_minor]


def classify(line: Line) -> str:
    """The figure a line adds to: payments (credits), fees, interest, cash advances, purchases."""
    if line.amount_minor < 0:
        return "payments"
    if line.book.startswith("fees:"):
        return "fees"
    if line.book.startswith("interest:"):
        return "interest"
    if line.entry_kind == EntryKind.CASH_ADVANCE:
        return "cash_advances"
    return "purchases"
