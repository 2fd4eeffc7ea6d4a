"""Step 1: close the card statements (出账) of the accounts whose statement day is today.

For each account: the period's interest per balance type from the journal's daily balances,
rounded once and posted; the annual fee in the anniversary month; the `Statement` with its
figures; and the minimum payment as an `Obligation`. A whole chunk of accounts is read in a
handful of queries (previous statements, book histories, payments, unpaid obligations) and
written in bulk, so the work grows with the accounts closing today, not with the portfolio.

Accounts, statements and obligations travel as plain rows, never model instances, and are
written by `common.bulk.insert_rows` (COPY on PostgreSQL), the charges by
`ledger.post_entry_rows`: the rows are those the ORM wrote before, column for column
(tests/servicing/test_statements_bulk.py holds the two together).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from arrears.common.bulk import insert_rows, table
from arrears.core.calendar import day_in_month
from arrears.core.card import grace_holds
from arrears.core.products import CardTerms
from arrears.servicing.choices import (
    AccountStatus,
    EntryKind,
    ObligationKind,
    PaymentStatus,
    ProductKind,
)
from arrears.servicing.models import Account, Obligation, Payment, Statement
from arrears.servicing.selectors.rates import rate_windows
from arrears.servicing.services.cycle.billing import (
    interest_by_balance_type,
    is_anniversary_month,
    minor_figures,
    round_interest,
)
from arrears.servicing.services.cycle.context import CycleContext, chunked
from arrears.servicing.services.cycle.journal import (
    BookHistory,
    Line,
    as_day,
    fetch_rows,
    read_book_histories,
    sql_day,
)
from arrears.servicing.services.interest_rates import RateWindow
from arrears.servicing.services.ledger import (
    INCOME_FEES,
    INCOME_INTEREST,
    EntryRow,
    post_entry_rows,
)

ONE_DAY = timedelta(days=1)
ANNUAL_FEE_BOOK = "fees:annual"


def close_card_statements(ctx: CycleContext) -> dict[str, int]:
    """Close today's statements; returns counts (statements, obligations, interest, fees, idle)."""
    cards = ctx.terms_of(CardTerms)
    counts: Counter[str] = Counter(
        statements=0, minimum_payments=0, interest_charged=0, annual_fees=0, idle=0
    )
    if cards:
        accounts = [
            ClosingAccount(*row)
            for row in accounts_closing_on(ctx.day, cards).values_list(*ClosingAccount._fields)
        ]
        due_dates = _DueDates(ctx)
        for chunk in chunked(accounts):
            with transaction.atomic():
                _close_chunk(chunk, cards, ctx, counts, due_dates)
    return dict(counts)


def statement_days_closing_on(day: date) -> list[int]:
    """Statement days (1..31) whose statement date is `day`: 29–31 close on a short month's end."""
    if day_in_month(day.year, day.month, 31) == day:
        return list(range(day.day, 32))
    return [day.day]


def accounts_closing_on(day: date, cards: Mapping[int, CardTerms]) -> QuerySet[Account]:
    """Open card accounts whose statement falls today and is not closed yet.

    An account without its own statement day takes its product's. Each row carries the id of
    its previous statement (`last_statement_id`).
    """
    days = statement_days_closing_on(day)
    by_product_day = [pk for pk, terms in cards.items() if terms.statement_day in days]
    previous = Statement.objects.filter(account=OuterRef("pk"), statement_on__lt=day).order_by(
        "-statement_on"
    )
    return (
        Account.objects.filter(
            kind=ProductKind.CARD,
            status=AccountStatus.OPEN,
            product_id__in=list(cards),
            opened_on__lt=day,
        )
        .filter(
            Q(statement_day__in=days) | Q(statement_day__isnull=True, product_id__in=by_product_day)
        )
        .exclude(Exists(Statement.objects.filter(account=OuterRef("pk"), statement_on=day)))
        .annotate(last_statement_id=Subquery(previous.values("pk")[:1]))
        .order_by("pk")
    )


class ClosingAccount(NamedTuple):
    """An account whose statement closes today, read as a row (no model instance)."""

    pk: int
    product_id: int
    currency: str
    opened_on: date
    last_statement_id: int | None


class PreviousStatement(NamedTuple):
    """What a statement needs of the one before it."""

    number: int
    statement_on: date
    due_on: date
    new_balance_minor: int


class _DueDates:
    """Today's due date per calendar and days-after-statement, found once per run: every
    statement closed today with the same terms falls due on the same business day."""

    def __init__(self, ctx: CycleContext) -> None:
        self._ctx = ctx
        self._found: dict[tuple[str, int], date] = {}

    def of(self, terms: CardTerms) -> date:
        key = (terms.calendar_country, terms.due_days_after_statement)
        found = self._found.get(key)
        if found is None:
            ctx = self._ctx
            found = self._found[key] = ctx.calendar(terms.calendar_country).next_business_day(
                ctx.day + timedelta(days=terms.due_days_after_statement)
            )
        return found


@dataclass
class _Closing:
    """One account's statement being closed: its period, the charges it posts, then its rows."""

    account: ClosingAccount
    terms: CardTerms
    previous: PreviousStatement | None
    start_on: date
    opening: dict[str, int]
    lines: list[Line]
    unpaid_obligations_minor: int
    interest: dict[str, int]
    annual_fee_minor: int
    entries: list[EntryRow]


_STATEMENT_COLUMNS = (
    "account_id",
    "number",
    "period_start_on",
    "statement_on",
    "due_on",
    "currency",
    "previous_balance_minor",
    "payments_minor",
    "purchases_minor",
    "cash_advances_minor",
    "interest_minor",
    "fees_minor",
    "new_balance_minor",
    "minimum_due_minor",
    "book_balances",
)
_STATEMENTS = table(Statement)
_OBLIGATION_GIVEN = ("account_id", "kind", "number", "due_on", "amount_minor")
#: The obligation's other columns at their model defaults, as `Model.save()` writes them.
_OBLIGATION_DEFAULTS = {
    field.column: field.get_default()
    for field in Obligation._meta.concrete_fields
    if not field.primary_key and field.column not in _OBLIGATION_GIVEN
}
_OBLIGATION_COLUMNS = (*_OBLIGATION_GIVEN, *_OBLIGATION_DEFAULTS)


def _close_chunk(
    accounts: Sequence[ClosingAccount],
    cards: Mapping[int, CardTerms],
    ctx: CycleContext,
    counts: Counter[str],
    due_dates: _DueDates,
) -> None:
    """Close a chunk's statements: charges for all, posted in bulk, then the rows in bulk."""
    previous_of = _previous_statements(accounts)
    start_of = {a.pk: period_start(a, previous_of[a.pk]) for a in accounts}
    histories = read_book_histories(start_of, since=min(start_of.values()), through=ctx.day)
    windows = rate_windows(start_of)
    paid = _paid_by_due_dates(previous_of)
    owed = _unpaid_obligations(start_of)
    closings: list[_Closing] = []
    for account in accounts:
        closing = _charges(
            account,
            cards[account.product_id],
            previous_of[account.pk],
            histories[account.pk],
            paid_by_due_minor=paid.get(account.pk, 0),
            unpaid_obligations_minor=owed.get(account.pk, 0),
            windows=windows.get(account.pk, ()),
            ctx=ctx,
        )
        if closing is None:
            counts["idle"] += 1
        else:
            closings.append(closing)
    _post_charges(closings, ctx)
    statements: list[tuple[object, ...]] = []
    obligations: list[tuple[object, ...]] = []
    defaults = tuple(_OBLIGATION_DEFAULTS.values())
    for closing in closings:
        statement, minimum = _rows(closing, ctx.day, due_dates.of(closing.terms))
        statements.append(statement)
        counts["statements"] += 1
        counts["interest_charged"] += sum(closing.interest.values()) > 0
        counts["annual_fees"] += closing.annual_fee_minor > 0
        if minimum is not None:
            obligations.append((*minimum, *defaults))
            counts["minimum_payments"] += 1
    insert_rows(Statement, _STATEMENT_COLUMNS, statements)
    insert_rows(Obligation, _OBLIGATION_COLUMNS, obligations)


def _previous_statements(
    accounts: Sequence[ClosingAccount],
) -> dict[int, PreviousStatement | None]:
    ids = [a.last_statement_id for a in accounts if a.last_statement_id]
    found: dict[int, PreviousStatement] = {}
    if ids:
        rows = fetch_rows(
            f"SELECT id, number, statement_on, due_on, new_balance_minor FROM {_STATEMENTS} "
            f"WHERE id IN ({_marks(ids)})",
            ids,
        )
        for pk, number, statement_on, due_on, balance in rows:
            found[pk] = PreviousStatement(number, as_day(statement_on), as_day(due_on), balance)
    return {a.pk: found.get(a.last_statement_id) if a.last_statement_id else None for a in accounts}


def period_start(account: ClosingAccount, previous: PreviousStatement | None) -> date:
    """A statement covers the days after the previous one (the first: from the opening day)."""
    return previous.statement_on + ONE_DAY if previous else account.opened_on


def _charges(
    account: ClosingAccount,
    terms: CardTerms,
    previous: PreviousStatement | None,
    history: BookHistory,
    *,
    paid_by_due_minor: int,
    unpaid_obligations_minor: int,
    windows: Sequence[RateWindow],
    ctx: CycleContext,
) -> _Closing | None:
    """The statement's period, interest and annual fee; None when there is nothing to state."""
    day, currency = ctx.day, account.currency
    start_on = period_start(account, previous)
    opening = history.balances_before(start_on)
    lines = history.lines_between(start_on, day)
    grace = previous is None or grace_holds(
        previous_balance_minor=previous.new_balance_minor, paid_by_due_minor=paid_by_due_minor
    )
    interest = round_interest(
        interest_by_balance_type(
            history, terms, start_on=start_on, through=day, grace=grace, windows=windows
        ),
        currency=currency,
        terms=terms,
    )
    annual_fee = terms.annual_fee.minor if is_anniversary_month(account.opened_on, day) else 0
    if not lines and not any(opening.values()) and not interest and not annual_fee:
        return None  # nothing owed and nothing happened: no statement this month
    entries = []
    if interest:
        entries.append(
            EntryRow(
                account.pk,
                currency,
                EntryKind.INTEREST,
                day,
                {**interest, INCOME_INTEREST: -sum(interest.values())},
                f"stmt:{account.pk}:{day.isoformat()}",
                f"statement interest {day.isoformat()}",
            )
        )
    if annual_fee:
        entries.append(
            EntryRow(
                account.pk,
                currency,
                EntryKind.ANNUAL_FEE,
                day,
                {ANNUAL_FEE_BOOK: annual_fee, INCOME_FEES: -annual_fee},
                f"annualfee:{account.pk}:{day.year}",
                f"annual fee {day.year}",
            )
        )
    return _Closing(
        account,
        terms,
        previous,
        start_on,
        dict(opening),
        list(lines),
        unpaid_obligations_minor,
        dict(interest),
        annual_fee,
        entries,
    )


def _post_charges(closings: Sequence[_Closing], ctx: CycleContext) -> None:
    """Post every closing's charges in bulk; a new entry's lines join its statement's lines
    (one posted before — a rerun — is already in the history read)."""
    owners = [closing for closing in closings for _entry in closing.entries]
    entries = [entry for closing in closings for entry in closing.entries]
    posted = post_entry_rows(entries, clock=ctx.clock)
    for closing, entry, (entry_id, created) in zip(owners, entries, posted, strict=True):
        if created:
            closing.lines += [
                Line(entry_id, str(entry.kind), book, amount, ctx.day)
                for book, amount in entry.lines.items()
                if amount and book not in (INCOME_INTEREST, INCOME_FEES)
            ]


def _rows(
    closing: _Closing, day: date, due_on: date
) -> tuple[tuple[object, ...], tuple[object, ...] | None]:
    """The statement row and, when there is one to pay, its minimum payment's obligation row
    (in `_STATEMENT_COLUMNS` and `_OBLIGATION_GIVEN` order)."""
    account, previous = closing.account, closing.previous
    figures = minor_figures(
        closing.opening,
        closing.lines,
        terms=closing.terms,
        currency=account.currency,
        unpaid_obligations_minor=closing.unpaid_obligations_minor,
    )
    number = previous.number + 1 if previous else 1
    statement = (
        account.pk,
        number,
        closing.start_on,
        day,
        due_on,
        account.currency,
        *figures,
        _books_at_close(closing.opening, closing.lines),
    )
    if figures.minimum_due <= 0:
        return statement, None
    minimum = (
        account.pk,
        ObligationKind.MINIMUM_PAYMENT.value,
        number,
        due_on,
        figures.minimum_due,
    )
    return statement, minimum


def _books_at_close(opening: Mapping[str, int], lines: Iterable[Line]) -> dict[str, int]:
    books = dict(opening)
    for line in lines:
        books[line.book] = books.get(line.book, 0) + line.amount_minor
    return {book: amount for book, amount in sorted(books.items()) if amount}


# --- chunk reads ------------------------------------------------------------------------------


def _paid_by_due_dates(previous_of: Mapping[int, PreviousStatement | None]) -> dict[int, int]:
    """Per account, payments received after its previous statement up to that one's due date."""
    windows = {pk: (s.statement_on, s.due_on) for pk, s in previous_of.items() if s is not None}
    if not windows:
        return {}
    rows = fetch_rows(
        f"SELECT account_id, received_on, amount_minor FROM {table(Payment)} "
        f"WHERE account_id IN ({_marks(windows)}) AND status = %s "
        "AND received_on > %s AND received_on <= %s",
        [
            *windows,
            PaymentStatus.POSTED.value,
            sql_day(min(after for after, _ in windows.values())),
            sql_day(max(through for _, through in windows.values())),
        ],
    )
    paid: dict[int, int] = defaultdict(int)
    for account_id, received_on, amount in rows:
        after, through = windows[account_id]
        if after < as_day(received_on) <= through:
            paid[account_id] += amount
    return paid


def _unpaid_obligations(account_ids: Collection[int]) -> dict[int, int]:
    if not account_ids:
        return {}
    rows = fetch_rows(
        f"SELECT account_id, SUM(amount_minor - paid_minor) FROM {table(Obligation)} "
        f"WHERE account_id IN ({_marks(account_ids)}) AND paid_minor < amount_minor "
        "GROUP BY account_id",
        list(account_ids),
    )
    return {account_id: int(unpaid) for account_id, unpaid in rows}


def _marks(values: Collection[object]) -> str:
    """One parameter mark per value, for `IN (…)`."""
    return ", ".join(["%s"] * len(values))
