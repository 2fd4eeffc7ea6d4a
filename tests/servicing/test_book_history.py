"""A book's runs of daily balances over a statement period (`BookHistory.segments`) start from
the book's balance before the period (`balances_before`) and move by the book's lines only, in
one pass over the history: the same runs as the plain rule, on random histories."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.core.interest import BalanceSegment
from arrears.servicing.services.cycle.journal import BookHistory, Line

SINCE = dt.date(2025, 1, 1)
BOOKS = ["principal:purchase", "principal:cash", "interest:purchase", "suspense:credit"]

LINE = st.tuples(
    st.integers(min_value=0, max_value=90),  # effective on, days after SINCE
    st.sampled_from(BOOKS),
    st.integers(min_value=-50_000, max_value=50_000),
)


def plainly(history: BookHistory, book: str, start_on: dt.date, end_on: dt.date):
    """The rule as first written: the opening balance from `balances_before`, then the runs."""
    if end_on <= start_on:
        return []
    balance = history.balances_before(start_on).get(book, 0)
    segments, cursor = [], start_on
    for line in history.lines:
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


@given(
    opening=st.dictionaries(st.sampled_from(BOOKS), st.integers(-90_000, 90_000), max_size=3),
    lines=st.lists(LINE, max_size=25),
    book=st.sampled_from(BOOKS),
    start=st.integers(min_value=0, max_value=95),
    length=st.integers(min_value=-2, max_value=40),
)
def test_a_books_daily_balances_over_a_period_start_from_its_balance_before_it(
    opening, lines, book, start, length
):
    # given a history of random lines on the statement books, in date order
    history = BookHistory(
        since=SINCE,
        opening=dict(opening),
        lines=[
            Line(n, "purchase", on_book, amount, SINCE + dt.timedelta(days))
            for n, (days, on_book, amount) in enumerate(sorted(lines, key=lambda x: x[0]))
        ],
    )
    start_on = SINCE + dt.timedelta(start)
    end_on = start_on + dt.timedelta(length)

    # then the runs of one book's balance over a period are the plain rule's
    assert history.segments(book, start_on, end_on) == plainly(history, book, start_on, end_on)


def test_a_period_before_the_history_cannot_be_told():
    history = BookHistory(since=SINCE)
    with pytest.raises(ValueError):
        history.segments("principal:purchase", SINCE - dt.timedelta(days=1), SINCE)
