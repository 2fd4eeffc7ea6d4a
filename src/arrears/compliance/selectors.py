"""Reads of the compliance app: current holds, the decision log, the contact history.

Each list is a queryset with what its rows render already joined, so a page costs a fixed
number of queries.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from arrears.compliance.models import ContactAttempt, Decision, Hold, OptOut
from arrears.core.errors import NotFound
from arrears.servicing.models import Account, Borrower


def _current(holds: QuerySet[Hold], on: dt.date | None) -> QuerySet[Hold]:
    """Holds in force on `on` or later: not lifted, not ended before that day."""
    if on is None:
        return holds
    return holds.filter(lifted_at__isnull=True).filter(Q(end_on__isnull=True) | Q(end_on__gte=on))


def borrower_holds(borrower: Borrower, *, current_on: dt.date | None = None) -> QuerySet[Hold]:
    """The borrower's holds, newest first; only those still in force on `current_on` if given."""
    holds = Hold.objects.filter(borrower=borrower).select_related("account", "borrower")
    return _current(holds, current_on).order_by("-start_on", "-id")


def account_holds(account: Account, *, current_on: dt.date | None = None) -> QuerySet[Hold]:
    """Holds covering the account: its own and the borrower's holds on every account."""
    holds = (
        Hold.objects.filter(borrower_id=account.borrower_id)
        .filter(Q(account=account) | Q(account__isnull=True))
        .select_related("account", "borrower")
    )
    return _current(holds, current_on).order_by("-start_on", "-id")


def hold_by_id(hold_id: int) -> Hold:
    hold = Hold.objects.select_related("account", "borrower").filter(pk=hold_id).first()
    if hold is None:
        raise NotFound(_("There is no hold with id %(id)s.") % {"id": hold_id})
    return hold


def borrowers_opt_out(borrower: Borrower, opt_out_id: int) -> OptOut:
    """One of this borrower's own opt-outs; another borrower's id is `NotFound`."""
    opt_out = OptOut.objects.filter(pk=opt_out_id, borrower=borrower).first()
    if opt_out is None:
        raise NotFound(_("There is no opt-out with id %(id)s.") % {"id": opt_out_id})
    return opt_out


def account_decisions(account: Account) -> QuerySet[Decision]:
    """The gate's decisions about contacts on this account, newest first."""
    return Decision.objects.filter(account=account).order_by("-decided_at", "-id")


def borrower_decisions(borrower: Borrower) -> QuerySet[Decision]:
    return Decision.objects.filter(borrower=borrower).order_by("-decided_at", "-id")


def borrower_contact_history(borrower: Borrower) -> QuerySet[ContactAttempt]:
    """The borrower's contact attempts, newest first, with the debts discussed."""
    return (
        ContactAttempt.objects.filter(borrower=borrower)
        .prefetch_related("accounts")
        .order_by("-started_at", "-id")
    )
