"""What the borrower portal reads: a borrower's own accounts, always looked up through them.

Every look-up takes the borrower and an id; an id that is not one of the borrower's raises
`NotFound` (the portal answers 404), so one borrower can never reach another's account,
statement or payment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from arrears.core.errors import NotFound
from arrears.core.money import Money
from arrears.servicing.choices import AccountStatus, MandateStatus
from arrears.servicing.models import (
    Account,
    AutopayMandate,
    Borrower,
    Obligation,
    Payment,
    Statement,
)
from arrears.servicing.selectors.autopay import autopay_amount
from arrears.servicing.selectors.balances import balances

RECENT_PAYMENTS = 10


@dataclass(frozen=True)
class NextDebit:
    """The next debit autopay will make: on which day, for which due date, how much (as of now)."""

    debit_on: dt.date
    for_due_on: dt.date
    amount: Money


@dataclass(frozen=True)
class AccountOverview:
    """One account as the portal's home shows it: what is owed, what is due and by when."""

    account: Account
    balance: Money
    minimum_due: Money
    due_on: dt.date | None
    days_past_due: int
    past_due: Money
    mandate: AutopayMandate | None
    next_debit: NextDebit | None

    @property
    def is_overdue(self) -> bool:
        return self.days_past_due > 0

    @property
    def owes(self) -> bool:
        return self.balance.minor > 0 and self.account.status in (
            AccountStatus.OPEN,
            AccountStatus.CHARGED_OFF,
        )


@dataclass(frozen=True)
class AccountPage:
    """The account page: the overview, statements (cards), schedule (loans), recent payments."""

    overview: AccountOverview
    statements: list[Statement] = field(default_factory=list)
    schedule: list[Obligation] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)


def _accounts(borrower: Borrower) -> QuerySet[Account]:
    return Account.objects.filter(borrower=borrower).select_related("product").order_by("id")


def borrower_account(borrower: Borrower, account_id: int) -> Account:
    """One of the borrower's accounts; NotFound for any other id."""
    account = _accounts(borrower).filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("You have no account with this number."))
    return account


def borrower_statement(borrower: Borrower, account_id: int, statement_id: int) -> Statement:
    """A statement of one of the borrower's accounts; NotFound otherwise."""
    statement = (
        Statement.objects.filter(pk=statement_id, account_id=account_id, account__borrower=borrower)
        .select_related("account__product")
        .first()
    )
    if statement is None:
        raise NotFound(_("You have no statement with this number."))
    return statement


def borrower_payment(borrower: Borrower, payment_id: int) -> Payment:
    """A payment on one of the borrower's accounts (the receipt); NotFound otherwise."""
    payment = (
        Payment.objects.filter(pk=payment_id, account__borrower=borrower)
        .select_related("account__product")
        .first()
    )
    if payment is None:
        raise NotFound(_("You have no payment with this number."))
    return payment


def _mandates(accounts: list[Account]) -> dict[int, AutopayMandate]:
    rows = AutopayMandate.objects.filter(
        account__in=accounts, status__in=(MandateStatus.ACTIVE, MandateStatus.SUSPENDED)
    ).order_by("id")
    return {m.account_id: m for m in rows}  # the newest wins


def _unpaid(accounts: list[Account]) -> dict[int, list[Obligation]]:
    found: dict[int, list[Obligation]] = {a.pk: [] for a in accounts}
    rows = Obligation.objects.filter(account__in=accounts).order_by(
        "account_id", "due_on", "number"
    )
    for obligation in rows:
        if obligation.unpaid_minor > 0:
            found[obligation.account_id].append(obligation)
    return found


def _minimum_due(account: Account, unpaid: list[Obligation], as_of: dt.date) -> Money:
    """As `selectors.minimum_due_now`: what has fallen due plus the next due (read in bulk)."""
    due = 0
    for obligation in unpaid:
        due += obligation.unpaid_minor
        if obligation.due_on > as_of:
            break
    return Money.from_minor(due, account.currency)


def _due_on(unpaid: list[Obligation], as_of: dt.date) -> dt.date | None:
    """As `selectors.next_due_date`: the first unpaid due date on or after `as_of`."""
    return next((o.due_on for o in unpaid if o.due_on >= as_of), None)


def next_autopay_debit(
    mandate: AutopayMandate | None, account: Account, unpaid: list[Obligation], as_of: dt.date
) -> NextDebit | None:
    """The next debit an active mandate will make, from the unpaid dues on record."""
    if mandate is None or mandate.status != MandateStatus.ACTIVE:
        return None
    before = dt.timedelta(days=mandate.debit_days_before_due)
    for obligation in unpaid:
        debit_on = obligation.due_on - before
        if debit_on >= as_of and debit_on >= mandate.starts_on:
            amount = autopay_amount(mandate, account, for_due_on=obligation.due_on, as_of=as_of)
            return NextDebit(debit_on=debit_on, for_due_on=obligation.due_on, amount=amount)
    return None


def _overview(
    account: Account,
    unpaid: list[Obligation],
    mandate: AutopayMandate | None,
    as_of: dt.date,
) -> AccountOverview:
    currency = account.currency
    return AccountOverview(
        account=account,
        balance=balances(account).total,
        minimum_due=_minimum_due(account, unpaid, as_of),
        due_on=_due_on(unpaid, as_of),
        days_past_due=account.days_past_due,
        past_due=Money.from_minor(int(account.past_due_minor), currency),
        mandate=mandate,
        next_debit=next_autopay_debit(mandate, account, unpaid, as_of),
    )


def portal_overview(borrower: Borrower, as_of: dt.date) -> list[AccountOverview]:
    """Each of the borrower's accounts with balance, minimum due, due date and autopay.

    A few queries for the lot plus one balance read per account.
    """
    accounts = list(_accounts(borrower))
    mandates = _mandates(accounts)
    unpaid = _unpaid(accounts)
    return [_overview(a, unpaid[a.pk], mandates.get(a.pk), as_of) for a in accounts]


def account_overview(borrower: Borrower, account_id: int, as_of: dt.date) -> AccountOverview:
    """The overview of one of the borrower's accounts (pay, autopay and promise pages)."""
    account = borrower_account(borrower, account_id)
    unpaid = _unpaid([account])[account.pk]
    return _overview(account, unpaid, _mandates([account]).get(account.pk), as_of)


def account_page(borrower: Borrower, account_id: int, as_of: dt.date) -> AccountPage:
    """One of the borrower's accounts in full: statements newest first, the whole schedule,
    the most recent payments."""
    overview = account_overview(borrower, account_id, as_of)
    account = overview.account
    return AccountPage(
        overview=overview,
        statements=list(Statement.objects.filter(account=account).order_by("-statement_on")),
        schedule=list(account.obligations.order_by("due_on", "number")),
        payments=list(
            Payment.objects.filter(account=account).order_by("-received_on", "-id")[
                :RECENT_PAYMENTS
            ]
        ),
    )
