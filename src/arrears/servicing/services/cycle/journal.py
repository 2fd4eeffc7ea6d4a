"""Bulk reads of the journal for the cycle: a few queries for a whole chunk of accounts.

The statement run needs, per account, each book's balance on every day of the period. Rather than
ask the database per account and per day, it reads once per chunk: the balances before the
earliest period start (one aggregate query) and the lines since then (one query), and derives
every daily balance in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, Sum

from arrears.core.interest import BalanceSegment
from arrears.servicing.models import JournalLine
from arrears.servicing.services.ledger import CREDIT_BALANCE, RECEIVABLE_PREFIXES

#: The books a borrower's statement shows: what they owe, and a credit balance held for them.
_STATEMENT_BOOKS = Q(book=CREDIT_BALANCE)
for _prefix in RECEIVABLE_PREFIXES:
    _STATEMENT_BOOKS |= Q(book__startswith=_prefix)
_RECEIVABLE_BOOKS = Q()
for _prefix in RECEIVABLE_PREFIXES:
    _RECEIVABLE_BOOKS |= Q(book__startswith=_prefix)


@dataclass(frozen=True, slots=True)
class Line:
    """One journal line on a statement book, with the kind of the entry it belongs to."""

    entry_id: int
    entry_kind: str
    book: str
    amount_minor: int
    effective_on: date


@dataclass
class BookHistory:
    """One account's statement books: balances before `since`, and the lines from `since` on."""

    since: date
    opening: dict[str, int] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)  # in date order

    def balances_before(self, day: date) -> dict[str, int]:
        """Each book's balance at the start of `day` (lines effective before it)."""
        if day < self.since:
            raise ValueError(f"history starts on {self.since}, cannot tell balances before {day}")
        balances = dict(self.opening)
        for line in self.lines:
            if line.effective_on >= day:
                break
            balances[line.book] = balances.get(line.book, 0) + line.amount_minor
        return balances

    def lines_between(self, first: date, last: date) -> list[Line]:
        """Lines effective from `first` to `last`, both included."""
        return [line for line in self.lines if first <= line.effective_on <= last]

    def books(self) -> set[str]:
        return set(self.opening) | {line.book for line in self.lines}

    def segments(self, book: str, start_on: date, end_on: date) -> list[BalanceSegment]:
        """The book's balance over [start_on, end_on) as runs of days at one balance.

        A line effective on a day counts for that whole day (interest from day one).
        """
        if end_on <= start_on:
            return []
        balance = self.balances_before(start_on).get(book, 0)
        segments: list[BalanceSegment] = []
        cursor = start_on
        for line in self.lines:
            if line.book != book or line.effective_on < start_on:
                continue
            if line.effective_on >= end_on:
                break
            if line.effective_on > cursor:
                segments.append(BalanceSegment(cursor, line.effective_on, balance))
                cursor = line.effective_on
            balance += line.amount_minor
        segments.append(BalanceSegment(cursor, end_on, balance))
        return segments


def read_book_histories(
    account_ids: Iterable[int], *, since: date, through: date
) -> dict[int, BookHistory]:
    """Statement-book histories of many accounts in two queries (balances, then lines)."""
    ids = list(account_ids)
    histories = {account_id: BookHistory(since=since) for account_id in ids}
    opening = (
        JournalLine.objects.filter(_STATEMENT_BOOKS, account_id__in=ids, effective_on__lt=since)
        .values_list("account_id", "book")
        .annotate(balance=Sum("amount_minor"))
        .order_by()
    )
    for account_id, book, balance in opening:
        if balance:
            histories[account_id].opening[book] = balance
    lines = (
        JournalLine.objects.filter(
            _STATEMENT_BOOKS, account_id__in=ids, effective_on__gte=since, effective_on__lte=through
        )
        .order_by("account_id", "effective_on", "id")
        .values_list(
            "account_id", "entry_id", "entry__kind", "book", "amount_minor", "effective_on"
        )
    )
    for account_id, entry_id, kind, book, amount, effective_on in lines:
        histories[account_id].lines.append(Line(entry_id, kind, book, amount, effective_on))
    return histories


def receivable_balances(account_ids: Iterable[int], *, as_of: date) -> dict[int, dict[str, int]]:
    """What each account owes at the end of `as_of`, by receivable book, in one aggregate query
    (zero books left out)."""
    balances: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        JournalLine.objects.filter(
            _RECEIVABLE_BOOKS, account_id__in=list(account_ids), effective_on__lte=as_of
        )
        .values_list("account_id", "book")
        .annotate(balance=Sum("amount_minor"))
        .order_by()
    )
    for account_id, book, balance in rows:
        if balance:
            balances[account_id][book] = balance
    return balances
