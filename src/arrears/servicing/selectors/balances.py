"""Balances derived from the journal: per book, per component, and as daily segments."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Sum

from arrears.core.interest import BalanceSegment
from arrears.core.money import Money
from arrears.servicing.models import Account, JournalLine
from arrears.servicing.services.ledger import CREDIT_BALANCE


def book_balances(account: Account, as_of: dt.date | None = None) -> dict[str, int]:
    """The balance of every book of the account in minor units (non-zero books only).

    With `as_of`, only lines effective on or before that date count.
    """
    lines = JournalLine.objects.filter(account=account)
    if as_of is not None:
        lines = lines.filter(effective_on__lte=as_of)
    rows = lines.values("book").annotate(total=Sum("amount_minor")).order_by("book")
    return {row["book"]: int(row["total"]) for row in rows if row["total"]}


@dataclass(frozen=True)
class Balances:
    """What the borrower owes, by component; `credit` is an overpayment held for them."""

    principal: Money
    interest: Money
    fees: Money
    credit: Money
    total: Money  # principal + interest + fees − credit


def balances(account: Account, as_of: dt.date | None = None) -> Balances:
    """The account's balances now (or as of a date), from the journal."""
    return balances_from_books(book_balances(account, as_of), account.currency)


def balances_from_books(books: dict[str, int], currency: str) -> Balances:
    """Group book balances into principal, interest, fees and credit."""
    sums = {"principal": 0, "interest": 0, "fees": 0}
    for book, amount in books.items():
        component = book.split(":", 1)[0]
        if component in sums:
            sums[component] += amount
    credit = -books.get(CREDIT_BALANCE, 0)
    owed = sums["principal"] + sums["interest"] + sums["fees"]
    return Balances(
        principal=Money.from_minor(sums["principal"], currency),
        interest=Money.from_minor(sums["interest"], currency),
        fees=Money.from_minor(sums["fees"], currency),
        credit=Money.from_minor(credit, currency),
        total=Money.from_minor(owed - credit, currency),
    )


def balance_segments(
    account: Account, books: Iterable[str], start_on: dt.date, end_on: dt.date
) -> dict[str, list[BalanceSegment]]:
    """Each book's end-of-day balance over [start_on, end_on) as runs of equal balance.

    A line effective on day d counts for day d itself (the daily balance after the day's
    postings), which is the "daily balance" method card issuers disclose.
    """
    wanted = list(books)
    changes: dict[str, dict[dt.date, int]] = {book: defaultdict(int) for book in wanted}
    rows = JournalLine.objects.filter(
        account=account, book__in=wanted, effective_on__lt=end_on
    ).values_list("book", "effective_on", "amount_minor")
    for book, effective_on, amount in rows:
        changes[book][max(effective_on, start_on)] += amount
    return {book: _segments(changes[book], start_on, end_on) for book in wanted}


def _segments(
    changes: dict[dt.date, int], start_on: dt.date, end_on: dt.date
) -> list[BalanceSegment]:
    segments: list[BalanceSegment] = []
    balance = 0
    days = sorted(changes)
    for i, day in enumerate(days):
        balance += changes[day]
        until = days[i + 1] if i + 1 < len(days) else end_on
        if balance and until > day:
            segments.append(BalanceSegment(day, until, balance))
    return segments
