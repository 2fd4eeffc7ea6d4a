"""Bulk reads of the journal for the cycle: a few queries for a whole chunk of accounts.

The statement run needs, per account, each book's balance on every day of the period. Rather than
ask the database per account and per day, it reads once per chunk: the balances before the
earliest period start (one aggregate query) and the lines since then (one query), and derives
every daily balance in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q, Sum

from arrears.core.interest import BalanceSegment
from arrears.servicing.models import JournalEntry, JournalLine
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
        self._check_known(day)
        balances = dict(self.opening)
        for line in self.lines:
            if line.effective_on >= day:
                break
            balances[line.book] = balances.get(line.book, 0) + line.amount_minor
        return balances

    def _check_known(self, day: date) -> None:
        if day < self.since:
            raise ValueError(f"history starts on {self.since}, cannot tell balances before {day}")

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
        self._check_known(start_on)
        # one pass over the lines (in date order): the book's lines before `start_on` make its
        # opening balance (`balances_before`), the others its runs
        balance = self.opening.get(book, 0)
        segments: list[BalanceSegment] = []
        cursor = start_on
        for line in self.lines:
            if line.book != book:
                continue
            if line.effective_on < start_on:
                balance += line.amount_minor
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
    """Statement-book histories of many accounts in two queries (balances, then lines).

    Plain SQL through Django's connection: the ORM's preparation of a few hundred ids per
    query cost more than the queries (the same filters as `_STATEMENT_BOOKS`).
    """
    ids = list(account_ids)
    histories = {account_id: BookHistory(since=since) for account_id in ids}
    if not ids:
        return histories
    books, book_params = _statement_books_sql("l.book")
    accounts = ", ".join(["%s"] * len(ids))
    opening = fetch_rows(
        f"SELECT l.account_id, l.book, SUM(l.amount_minor) FROM {_LINES} l "
        f"WHERE l.account_id IN ({accounts}) AND l.effective_on < %s AND {books} "
        "GROUP BY l.account_id, l.book",
        [*ids, sql_day(since), *book_params],
    )
    for account_id, book, balance in opening:
        if balance:
            histories[account_id].opening[book] = int(balance)
    lines = fetch_rows(
        f"SELECT l.account_id, l.entry_id, e.kind, l.book, l.amount_minor, l.effective_on "
        f"FROM {_LINES} l INNER JOIN {_ENTRIES} e ON e.id = l.entry_id "
        f"WHERE l.account_id IN ({accounts}) AND l.effective_on >= %s AND l.effective_on <= %s "
        f"AND {books} ORDER BY l.account_id, l.effective_on, l.id",
        [*ids, sql_day(since), sql_day(through), *book_params],
    )
    for account_id, entry_id, kind, book, amount, effective_on in lines:
        histories[account_id].lines.append(
            Line(entry_id, kind, book, int(amount), as_day(effective_on))
        )
    return histories


_LINES = JournalLine._meta.db_table
_ENTRIES = JournalEntry._meta.db_table


def _statement_books_sql(column: str) -> tuple[str, list[str]]:
    """`_STATEMENT_BOOKS` as SQL: the credit balance, or a receivable prefix (the backend's own
    `startswith`, as the ORM writes it)."""
    like = f"{column} {connection.operators['startswith']}"
    prefixes = [connection.ops.prep_for_like_query(p) + "%" for p in RECEIVABLE_PREFIXES]
    likes = " OR ".join([like] * len(prefixes))
    return f"({column} = %s OR {likes})", [CREDIT_BALANCE, *prefixes]


def fetch_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of one plain SQL query, in the caller's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def sql_day(day: date) -> Any:
    """A date as the database takes it as a parameter (Django's own adaptation)."""
    return connection.ops.adapt_datefield_value(day)


def as_day(value: date | str) -> date:
    """A date column as read (SQLite may give its text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


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
