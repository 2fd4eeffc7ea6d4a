"""The card statement step as it was before the bulk rewrite, kept as the reference that the
bulk path (`servicing.services.cycle.statements`) must agree with row for row.

Per-account model instances, `post_entries` (ORM `bulk_create`), `Money` arithmetic, and the
ORM reads of the book histories: the code of `statements.py`, `billing.round_interest`,
`billing.statement_figures` and `journal.read_book_histories` before the rewrite.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from arrears.core.card import StatementFigures, grace_applies, minimum_payment
from arrears.core.money import Money, minor_units, split
from arrears.core.products import CardTerms
from arrears.servicing.choices import EntryKind, ObligationKind, PaymentStatus
from arrears.servicing.models import Account, JournalLine, Obligation, Payment, Statement
from arrears.servicing.selectors.rates import rate_windows
from arrears.servicing.services.cycle.billing import (
    classify,
    interest_by_balance_type,
    is_anniversary_month,
    moving_lines,
)
from arrears.servicing.services.cycle.context import CycleContext, chunked
from arrears.servicing.services.cycle.journal import _STATEMENT_BOOKS, BookHistory, Line
from arrears.servicing.services.cycle.statements import ANNUAL_FEE_BOOK, accounts_closing_on
from arrears.servicing.services.interest_rates import RateWindow
from arrears.servicing.services.ledger import (
    INCOME_FEES,
    INCOME_INTEREST,
    EntryDraft,
    post_entries,
)

ONE_DAY = timedelta(days=1)


def close_card_statements(ctx: CycleContext) -> dict[str, int]:
    """The statement step as it was: model instances, `post_entries`, `bulk_create`."""
    cards = ctx.terms_of(CardTerms)
    counts: Counter[str] = Counter(
        statements=0, minimum_payments=0, interest_charged=0, annual_fees=0, idle=0
    )
    if cards:
        accounts = list(accounts_closing_on(ctx.day, cards))
        for chunk in chunked(accounts):
            with transaction.atomic():
                _close_chunk(chunk, cards, ctx, counts)
    return dict(counts)


@dataclass
class _Closing:
    """One account's statement being closed: its period, the charges it posts, then its rows."""

    account: Account
    terms: CardTerms
    previous: Statement | None
    start_on: date
    opening: dict[str, int]
    lines: list[Line]
    unpaid_obligations_minor: int
    interest: dict[str, int]
    annual_fee_minor: int
    drafts: list[EntryDraft]


def _close_chunk(
    accounts: Sequence[Account],
    cards: Mapping[int, CardTerms],
    ctx: CycleContext,
    counts: Counter[str],
) -> None:
    """Close a chunk's statements: charges for all, posted in bulk, then the rows in bulk."""
    previous = Statement.objects.in_bulk(
        [a.last_statement_id for a in accounts if a.last_statement_id]  # type: ignore[attr-defined]
    )
    previous_of = {a.pk: previous.get(a.last_statement_id) for a in accounts}  # type: ignore[attr-defined]
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
    statements: list[Statement] = []
    obligations: list[Obligation] = []
    for closing in closings:
        statement, obligation = _rows(closing, ctx)
        statements.append(statement)
        counts["statements"] += 1
        counts["interest_charged"] += sum(closing.interest.values()) > 0
        counts["annual_fees"] += closing.annual_fee_minor > 0
        if obligation is not None:
            obligations.append(obligation)
            counts["minimum_payments"] += 1
    Statement.objects.bulk_create(statements)
    Obligation.objects.bulk_create(obligations)


def period_start(account: Account, previous: Statement | None) -> date:
    """A statement covers the days after the previous one (the first: from the opening day)."""
    return previous.statement_on + ONE_DAY if previous else account.opened_on


def _charges(
    account: Account,
    terms: CardTerms,
    previous: Statement | None,
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
    grace = previous is None or grace_applies(
        previous_statement_balance=Money.from_minor(previous.new_balance_minor, currency),
        paid_by_due_date=Money.from_minor(paid_by_due_minor, currency),
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
    drafts = []
    if interest:
        drafts.append(
            EntryDraft(
                account,
                EntryKind.INTEREST,
                day,
                {**interest, INCOME_INTEREST: -sum(interest.values())},
                f"stmt:{account.pk}:{day.isoformat()}",
                f"statement interest {day.isoformat()}",
            )
        )
    if annual_fee:
        drafts.append(
            EntryDraft(
                account,
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
        drafts,
    )


def _post_charges(closings: Sequence[_Closing], ctx: CycleContext) -> None:
    """Post every closing's charges in bulk; a new entry's lines join its statement's lines
    (one posted before — a rerun — is already in the history read)."""
    owners = [closing for closing in closings for _draft in closing.drafts]
    drafts = [draft for closing in closings for draft in closing.drafts]
    posted = post_entries(drafts, clock=ctx.clock)
    for closing, draft, (entry, created) in zip(owners, drafts, posted, strict=True):
        if created:
            closing.lines += [
                Line(entry.pk, str(draft.kind), book, amount, ctx.day)
                for book, amount in draft.lines.items()
                if amount and book not in (INCOME_INTEREST, INCOME_FEES)
            ]


def _rows(closing: _Closing, ctx: CycleContext) -> tuple[Statement, Obligation | None]:
    terms, previous = closing.terms, closing.previous
    figures = statement_figures(
        closing.opening,
        closing.lines,
        terms=terms,
        currency=closing.account.currency,
        unpaid_obligations_minor=closing.unpaid_obligations_minor,
        due_on=ctx.calendar(terms.calendar_country).next_business_day(
            ctx.day + timedelta(days=terms.due_days_after_statement)
        ),
    )
    return _statement_rows(
        closing.account,
        number=previous.number + 1 if previous else 1,
        start_on=closing.start_on,
        day=ctx.day,
        figures=figures,
        books=_books_at_close(closing.opening, closing.lines),
    )


def _books_at_close(opening: Mapping[str, int], lines: Iterable[Line]) -> dict[str, int]:
    books = dict(opening)
    for line in lines:
        books[line.book] = books.get(line.book, 0) + line.amount_minor
    return {book: amount for book, amount in sorted(books.items()) if amount}


def _statement_rows(
    account: Account,
    *,
    number: int,
    start_on: date,
    day: date,
    figures: StatementFigures,
    books: dict[str, int],
) -> tuple[Statement, Obligation | None]:
    """The statement, and its minimum payment as an obligation when there is one to pay."""
    statement = Statement(
        account=account,
        number=number,
        period_start_on=start_on,
        statement_on=day,
        due_on=figures.due_on,
        currency=account.currency,
        previous_balance_minor=figures.previous_balance.minor,
        payments_minor=figures.payments.minor,
        purchases_minor=figures.purchases.minor,
        cash_advances_minor=figures.cash_advances.minor,
        interest_minor=figures.interest.minor,
        fees_minor=figures.fees.minor,
        new_balance_minor=figures.new_balance.minor,
        minimum_due_minor=figures.minimum_due.minor,
        book_balances=books,
    )
    if figures.minimum_due.minor <= 0:
        return statement, None
    return statement, Obligation(
        account=account,
        kind=ObligationKind.MINIMUM_PAYMENT,
        number=number,
        due_on=figures.due_on,
        amount_minor=figures.minimum_due.minor,
    )


# --- chunk reads ------------------------------------------------------------------------------


def _paid_by_due_dates(previous_of: Mapping[int, Statement | None]) -> dict[int, int]:
    """Per account, payments received after its previous statement up to that one's due date."""
    windows = {pk: (s.statement_on, s.due_on) for pk, s in previous_of.items() if s is not None}
    if not windows:
        return {}
    rows = Payment.objects.filter(
        account_id__in=list(windows),
        status=PaymentStatus.POSTED,
        received_on__gt=min(after for after, _ in windows.values()),
        received_on__lte=max(through for _, through in windows.values()),
    ).values_list("account_id", "received_on", "amount_minor")
    paid: dict[int, int] = defaultdict(int)
    for account_id, received_on, amount in rows:
        after, through = windows[account_id]
        if after < received_on <= through:
            paid[account_id] += amount
    return paid


def _unpaid_obligations(account_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Obligation.objects.filter(
            account_id__in=list(account_ids), paid_minor__lt=F("amount_minor")
        )
        .values_list("account_id")
        .annotate(unpaid=Sum(F("amount_minor") - F("paid_minor")))
        .order_by()
    )
    return {account_id: int(unpaid) for account_id, unpaid in rows}


# --- the arithmetic and reads as they were ------------------------------------------------


def round_interest(
    exact: Mapping[str, Decimal], *, currency: str, terms: CardTerms
) -> dict[str, int]:
    """Round the period's interest once, then share it over the balance types' books.

    Rounding the total (not each type) keeps the posted figure equal to what
    `selectors.accrued_interest` showed the borrower; `split` loses and creates no minor unit.
    """
    positive = {code: amount for code, amount in exact.items() if amount > 0}
    if not positive:
        return {}
    exponent = minor_units(currency)
    rounded = Money.of(
        sum(positive.values(), Decimal(0)).scaleb(-exponent), currency, terms.rounding
    )
    if rounded.minor <= 0:
        return {}
    shares = split(rounded, list(positive.values()))
    return {
        f"interest:{code}": share.minor
        for code, share in zip(positive, shares, strict=True)
        if share.minor
    }


def statement_figures(
    opening: Mapping[str, int],
    lines: Sequence[Line],
    *,
    terms: CardTerms,
    currency: str,
    unpaid_obligations_minor: int,
    due_on: date,
) -> StatementFigures:
    """The statement's figures from the balances before the period and the period's lines.

    Debits are sorted by book (fees, interest) or entry kind (cash advance, else purchase);
    every credit is a payment or other credit. Entries that only move money between the
    borrower's own books (a credit balance applied to a purchase) are left out.
    """
    sums: dict[str, int] = defaultdict(int)
    for line in moving_lines(lines):
        sums[classify(line)] += abs(line.amount_minor)
    previous_minor = sum(opening.values())
    new_minor = previous_minor + sum(line.amount_minor for line in lines)
    minimum = minimum_payment(
        principal_balance=Money.from_minor(new_minor - sums["interest"] - sums["fees"], currency),
        interest=Money.from_minor(sums["interest"], currency),
        fees=Money.from_minor(sums["fees"], currency),
        floor=terms.min_payment_floor,
        percent=terms.min_payment_percent,
        rounding=terms.rounding,
    )
    # Earlier minimums still unpaid stay obligations of their own: the new one covers only what
    # they do not, so the obligations never add up to more than the balance.
    headroom = Money.from_minor(max(0, new_minor - unpaid_obligations_minor), currency)
    return StatementFigures(
        previous_balance=Money.from_minor(previous_minor, currency),
        payments=Money.from_minor(sums["payments"], currency),
        purchases=Money.from_minor(sums["purchases"], currency),
        cash_advances=Money.from_minor(sums["cash_advances"], currency),
        interest=Money.from_minor(sums["interest"], currency),
        fees=Money.from_minor(sums["fees"], currency),
        new_balance=Money.from_minor(new_minor, currency),
        minimum_due=minimum.min(headroom),
        due_on=due_on,
    )


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
