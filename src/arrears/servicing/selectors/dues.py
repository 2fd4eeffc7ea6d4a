"""What the borrower owes and when it fell due: the input of the waterfall and of ageing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

from arrears.core.ageing import Delinquency, bucket_for
from arrears.core.ageing import delinquency as ageing_rule
from arrears.core.allocation import Component, Due
from arrears.core.money import Money
from arrears.core.products import CardTerms, LoanTerms
from arrears.servicing.choices import AccountStatus, EntryKind, ProductKind
from arrears.servicing.models import Account, JournalLine, Obligation, Statement
from arrears.servicing.selectors.balances import book_balances
from arrears.servicing.services.arrangements import Arrangement, arrangements_for
from arrears.servicing.services.ledger import is_receivable
from arrears.servicing.services.products import product_terms

LOAN_BALANCE_TYPE = "loan"
PRINCIPAL_LOAN = "principal:loan"
INTEREST_LOAN = "interest:loan"

#: Entry kinds that pay down what a statement billed (payments and credits, waivers and moves of
#: interest into principal, and their undoing).
_CREDIT_KINDS = (
    EntryKind.PAYMENT,
    EntryKind.REFUND,
    EntryKind.REVERSAL,
    EntryKind.WAIVER,
    EntryKind.SETTLEMENT_DISCOUNT,
    EntryKind.CAPITALISATION,
)


def unpaid_obligations(account: Account) -> list[Obligation]:
    """Obligations not yet paid in full, oldest due date first."""
    return [o for o in account.obligations.order_by("due_on", "number") if o.unpaid_minor > 0]


def delinquency(account: Account, as_of: dt.date) -> Delinquency:
    """Days past due, bucket and past-due amount, computed fresh from the obligations (and the
    arrangement in force on the account, if any: `services.arrangements`)."""
    return delinquency_of(
        account,
        product_terms(account.product),
        _unpaid(account),
        as_of=as_of,
        arrangement=arrangements_for([account.pk], as_of).get(account.pk),
    )


def _unpaid(account: Account) -> Iterator[tuple[dt.date, int]]:
    # a generator: the obligations are read only if the rule asks for them
    for obligation in unpaid_obligations(account):
        yield obligation.due_on, obligation.unpaid_minor


def delinquency_of(
    account: Account,
    terms: CardTerms | LoanTerms,
    unpaid: Iterable[tuple[dt.date, int]],
    *,
    as_of: dt.date,
    arrangement: Arrangement | None = None,
) -> Delinquency:
    """The delinquency rule of an account, from its unpaid obligations already read (no query).

    `unpaid` holds (due_on, unpaid minor units) per obligation not paid in full; those due after
    `as_of` may be left out. A paid-off or closed account owes nothing and is current, whatever
    its schedule still lists (a loan repaid early leaves later instalments' interest that is
    never charged). Dues before the account's `re_aged_on` no longer count (a re-age). Otherwise
    `core.ageing.delinquency` with the product's tolerance, grace days and buckets — under an
    `arrangement`, over the arrears it was agreed for (aged as of its start) and its own dues,
    the worse of the two (`services.arrangements`). `age_account` and the cycle's bulk ageing
    both use this, so the rule has one definition.
    """
    currency = account.currency
    if account.status in (AccountStatus.PAID_OFF, AccountStatus.CLOSED):
        return Delinquency(0, bucket_for(0, terms.buckets), Money.zero(currency))
    dues = [
        (due_on, Money.from_minor(minor, currency))
        for due_on, minor in unpaid
        if account.re_aged_on is None or due_on >= account.re_aged_on
    ]

    def rule(owed: list[tuple[dt.date, Money]], on: dt.date) -> Delinquency:
        return ageing_rule(
            owed,
            as_of=on,
            tolerance=terms.dpd_tolerance,
            grace_days=terms.grace_days_after_due,
            scheme=terms.buckets,
        )

    if arrangement is None:
        return rule(dues, as_of)
    starts_on = arrangement.starts_on
    held = rule([due for due in dues if due[0] < starts_on], min(as_of, starts_on))
    planned = rule(
        [(on, Money.from_minor(minor, currency)) for on, minor in arrangement.dues], as_of
    )
    worse = max(held.days_past_due, planned.days_past_due)
    return Delinquency(worse, bucket_for(worse, terms.buckets), held.past_due + planned.past_due)


def minimum_due_now(account: Account, as_of: dt.date) -> Money:
    """What the borrower must pay to be up to date: everything fallen due plus the next due.

    For a card that is the unpaid minimum payments (including the latest statement's, even
    before its due date); for a loan the unpaid past instalments plus the next one.
    """
    due = 0
    for obligation in unpaid_obligations(account):
        due += obligation.unpaid_minor
        if obligation.due_on > as_of:
            break
    return Money.from_minor(due, account.currency)


def next_due_date(account: Account, as_of: dt.date) -> dt.date | None:
    """The due date of the first obligation on or after `as_of` that is not paid in full."""
    for obligation in unpaid_obligations(account):
        if obligation.due_on >= as_of:
            return obligation.due_on
    return None


def allocation_dues(account: Account, as_of: dt.date) -> list[Due]:
    """The `Due`s a payment received on `as_of` would pay, for `core.allocation`."""
    books = {b: v for b, v in book_balances(account).items() if is_receivable(b) and v > 0}
    if account.kind == ProductKind.CARD:
        return _card_dues(account, books, as_of)
    return _loan_dues(account, books, as_of)


def _component(book: str) -> tuple[Component, str]:
    component, _, balance_type = book.partition(":")
    return Component(component), balance_type


def _card_apr(terms: CardTerms, component: Component, balance_type: str) -> Decimal:
    if component is Component.FEES:
        return Decimal(0)
    codes = {bt.code: bt.apr for bt in terms.balance_types}
    return codes.get(balance_type, Decimal(0))


def _card_dues(account: Account, books: dict[str, int], as_of: dt.date) -> list[Due]:
    """Per book: the part the last statement billed (due on its due date), then the rest.

    The billed part still owed is the statement's balance for the book less the payments and
    credits posted to it since; new charges are never billed before the next statement.
    """
    terms = product_terms(account.product)
    assert isinstance(terms, CardTerms)
    statement = (
        Statement.objects.filter(account=account, statement_on__lte=as_of)
        .order_by("-statement_on")
        .first()
    )
    credited = _credits_since(account, statement.statement_on) if statement else {}
    dues: list[Due] = []
    for book, balance in sorted(books.items()):
        component, balance_type = _component(book)
        apr = _card_apr(terms, component, balance_type)
        billed = 0
        if statement is not None:
            billed = int(statement.book_balances.get(book, 0)) + credited.get(book, 0)
            billed = max(0, min(balance, billed))
            dues.append(_due(book, apr, statement.due_on, billed, account.currency))
        dues.append(_due(book, apr, None, balance - billed, account.currency))
    return [due for due in dues if not due.amount.is_zero()]


def _credits_since(account: Account, statement_on: dt.date) -> dict[str, int]:
    rows = JournalLine.objects.filter(
        account=account, effective_on__gt=statement_on, entry__kind__in=_CREDIT_KINDS
    ).values_list("book", "amount_minor")
    credited: dict[str, int] = {}
    for book, amount in rows:
        credited[book] = credited.get(book, 0) + amount
    return credited


def _due(book: str, apr: Decimal, due_on: dt.date | None, minor: int, currency: str) -> Due:
    component, balance_type = _component(book)
    return Due(
        key=book,
        component=component,
        balance_type=balance_type,
        apr=apr,
        due_on=due_on,
        amount=Money.from_minor(minor, currency),
    )


def current_instalment(account: Account, as_of: dt.date) -> Obligation | None:
    """The instalment whose period `as_of` falls in: the first one due after that date."""
    return account.obligations.filter(due_on__gt=as_of).order_by("due_on", "number").first()


def _loan_dues(account: Account, books: dict[str, int], as_of: dt.date) -> list[Due]:
    """Instalments fallen due (interest and principal parts), fees by posting date, then the
    current period's interest and the principal not yet due (due_on None).

    An instalment's interest is owed from its due date whether or not the daily cycle has
    charged it yet (`post_payment` charges it before posting). The current period's interest
    is payable early (prepaid until it is charged on the due date), so a borrower who pays an
    instalment before its due date is not left owing its interest when it falls due.
    """
    apr, currency = account.apr or Decimal(0), account.currency
    dues: list[Due] = []
    posted_interest = dated_principal = 0
    for o in unpaid_obligations(account):
        if o.due_on > as_of:
            break
        interest = o.interest_minor - o.paid_interest_minor
        principal = o.principal_minor - o.paid_principal_minor
        dues.append(_due(INTEREST_LOAN, apr, o.due_on, interest, currency))
        dues.append(_due(PRINCIPAL_LOAN, apr, o.due_on, principal, currency))
        posted_interest += interest if o.is_posted else 0
        dated_principal += principal
    for book in sorted(b for b in books if b.startswith("fees:")):
        dues.extend(
            _due(book, Decimal(0), on, amount, currency)
            for on, amount in _fees_by_posting(account, book, books[book])
        )
    current = current_instalment(account, as_of)
    charged_ahead = 0
    current_interest = 0
    if current is not None:
        current_interest = current.interest_minor - current.paid_interest_minor
        charged_ahead = current_interest if current.is_posted else 0
    other_interest = books.get(INTEREST_LOAN, 0) - posted_interest - charged_ahead
    dues.append(_due(INTEREST_LOAN, apr, None, current_interest + max(other_interest, 0), currency))
    not_due = books.get(PRINCIPAL_LOAN, 0) - dated_principal
    dues.append(_due(PRINCIPAL_LOAN, apr, None, max(not_due, 0), currency))
    return [due for due in dues if due.amount.amount > 0]


def _fees_by_posting(account: Account, book: str, balance: int) -> list[tuple[dt.date, int]]:
    """A fee book's balance split by the dates its fees were charged, oldest paid first (FIFO):
    what is still owed is the newest charges."""
    charges = (
        JournalLine.objects.filter(account=account, book=book, amount_minor__gt=0)
        .order_by("-effective_on", "-id")
        .values_list("effective_on", "amount_minor")
    )
    parts: list[tuple[dt.date, int]] = []
    left = balance
    for effective_on, amount in charges:
        if left <= 0:
            break
        part = min(amount, left)
        parts.append((effective_on, part))
        left -= part
    return sorted(parts)
