"""Lists and look-ups for the API and consoles: one query per page, whatever its length.

Each list is a queryset with what its rows render already joined (`select_related`) or
prefetched, so a page costs a fixed number of queries (the API tests pin the budgets).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from arrears.core.errors import NotFound
from arrears.servicing.models import (
    Account,
    Borrower,
    JournalEntry,
    JournalLine,
    Obligation,
    Payment,
    Statement,
)


def borrower_list() -> QuerySet[Borrower]:
    return Borrower.objects.prefetch_related("contact_points").order_by("id")


def borrower_by_id(borrower_id: int) -> Borrower:
    borrower = borrower_list().filter(pk=borrower_id).first()
    if borrower is None:
        raise NotFound(_("There is no borrower with id %(id)s.") % {"id": borrower_id})
    return borrower


def account_list(
    *, status: str | None = None, bucket: str | None = None, min_dpd: int | None = None
) -> QuerySet[Account]:
    """Accounts, optionally only those in a status, in a bucket, or at least `min_dpd` late."""
    accounts = Account.objects.select_related("borrower", "product").order_by("id")
    if status:
        accounts = accounts.filter(status=status)
    if bucket:
        accounts = accounts.filter(bucket=bucket)
    if min_dpd is not None:
        accounts = accounts.filter(days_past_due__gte=min_dpd)
    return accounts


def account_by_id(account_id: int) -> Account:
    account = Account.objects.select_related("borrower", "product").filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("There is no account with id %(id)s.") % {"id": account_id})
    return account


def account_entries(account: Account) -> QuerySet[JournalEntry]:
    """The account's journal, oldest first, each entry with its lines."""
    return (
        JournalEntry.objects.filter(account=account)
        .prefetch_related(Prefetch("lines", queryset=JournalLine.objects.order_by("id")))
        .order_by("effective_on", "id")
    )


def account_statements(account: Account) -> QuerySet[Statement]:
    return Statement.objects.filter(account=account).order_by("statement_on")


def account_schedule(account: Account) -> list[Obligation]:
    """The account's obligations (loan instalments, card minimum payments) by due date."""
    return list(account.obligations.order_by("due_on", "number"))


def payment_by_id(payment_id: int) -> Payment:
    payment = Payment.objects.select_related("account").filter(pk=payment_id).first()
    if payment is None:
        raise NotFound(_("There is no payment with id %(id)s.") % {"id": payment_id})
    return payment
