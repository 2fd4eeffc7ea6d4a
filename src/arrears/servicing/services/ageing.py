"""Ageing accounts: days past due, bucket and past-due amount, and the moves between buckets.

The figures are cached on `Account` for collection queues and reports; they are always a pure
function of the obligations (`selectors.delinquency_of`), which `selectors.check_account`
verifies. `age_account` ages one account (payments and reversals re-age the account they
touch); `age_accounts_in_bulk` ages many in a handful of queries (the daily cycle). Both apply
the same rule and record the same moves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from arrears.core.ageing import Delinquency
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.products import CardTerms, LoanTerms
from arrears.servicing.choices import AccountStatus, BucketChangeReason
from arrears.servicing.models import Account, BucketChange, Obligation, Product
from arrears.servicing.selectors import delinquency, delinquency_of
from arrears.servicing.services.arrangements import arrangements_for
from arrears.servicing.services.products import product_terms

#: The cached figures ageing writes, besides `aged_on`.
FIGURES = ("days_past_due", "bucket", "past_due_minor")


@transaction.atomic
def age_account(
    *,
    account: Account,
    as_of: dt.date,
    reason: BucketChangeReason = BucketChangeReason.AGEING,
    clock: Clock | None = None,
) -> BucketChange | None:
    """Recompute the account's delinquency as of a date; record a `BucketChange` if it moved.

    A move to "current" (a cure) is a change like any other. A charged-off account keeps the
    bucket it was charged off in: ageing stops, nothing is updated and None is returned.
    `account` is updated in place as well as in the database.
    """
    if account.status == AccountStatus.CHARGED_OFF:
        return None
    change = _apply(account, delinquency(account, as_of), as_of=as_of, reason=reason)
    Account.objects.filter(pk=account.pk).update(
        **{name: getattr(account, name) for name in FIGURES}, aged_on=as_of
    )
    if change is None:
        return None
    change.recorded_at = (clock or SystemClock()).now()
    change.save(force_insert=True)
    return change


@transaction.atomic
def age_accounts_in_bulk(
    *,
    account_ids: Collection[int],
    as_of: dt.date,
    reason: BucketChangeReason = BucketChangeReason.AGEING,
    terms: Mapping[int, CardTerms | LoanTerms] | None = None,
    clock: Clock | None = None,
) -> list[BucketChange]:
    """`age_account` for many accounts at once: the same figures and the same bucket changes.

    The accounts are read and locked (as a payment locks the account it pays) and their unpaid
    obligations due by `as_of` are read, in two queries; the figures come from the same rule
    (`selectors.delinquency_of`). The writes are grouped: one update of `aged_on` for the
    accounts whose figures did not change; the common daily case, a delinquent account some
    days older and nothing else changed, as one `days_past_due = days_past_due + n` per n
    (exact, since the rows are locked); one update per distinct set of new figures for the
    rest (bucket moves, cures, new arrears: a few a day, and every cure shares one); and the
    bucket changes in one insert. (Django's `bulk_update` writes a CASE per row and field and
    cost more in Python than the queries it saved.) Charged-off accounts are left alone.
    `terms` (product id → terms) saves reading the products when the caller has them. Returns
    the bucket changes recorded.
    """
    accounts = list(
        Account.objects.select_for_update()
        .filter(pk__in=list(account_ids))
        .exclude(status=AccountStatus.CHARGED_OFF)
        .order_by("pk")
    )
    if not accounts:
        return []
    terms = terms if terms is not None else _terms_of(accounts)
    unpaid = _unpaid_by_account([a.pk for a in accounts], as_of)
    arrangements = arrangements_for([a.pk for a in accounts], as_of)
    unchanged: list[int] = []
    older_by: dict[int, list[int]] = defaultdict(list)  # days → accounts only that much older
    rewritten: dict[tuple[int, str, int], list[int]] = defaultdict(list)  # figures → accounts
    changes: list[BucketChange] = []
    for account in accounts:
        dpd, bucket, past_due = account.days_past_due, account.bucket, account.past_due_minor
        fresh = delinquency_of(
            account,
            terms[account.product_id],
            unpaid.get(account.pk, ()),
            as_of=as_of,
            arrangement=arrangements.get(account.pk),
        )
        change = _apply(account, fresh, as_of=as_of, reason=reason)
        if change is not None:
            changes.append(change)
        if (account.bucket, account.past_due_minor) != (bucket, past_due):
            figures = (account.days_past_due, account.bucket, account.past_due_minor)
            rewritten[figures].append(account.pk)
        elif account.days_past_due != dpd:
            older_by[account.days_past_due - dpd].append(account.pk)
        else:
            unchanged.append(account.pk)
    if unchanged:
        Account.objects.filter(pk__in=unchanged).update(aged_on=as_of)
    for days, ids in older_by.items():
        Account.objects.filter(pk__in=ids).update(
            days_past_due=F("days_past_due") + days, aged_on=as_of
        )
    for figures, ids in rewritten.items():
        Account.objects.filter(pk__in=ids).update(
            **dict(zip(FIGURES, figures, strict=True)), aged_on=as_of
        )
    if changes:
        now = (clock or SystemClock()).now()
        for change in changes:
            change.recorded_at = now
        BucketChange.objects.bulk_create(changes)
    return changes


@transaction.atomic
def re_age_account(
    *, account: Account, on: dt.date, clock: Clock | None = None
) -> BucketChange | None:
    """Re-age the account (账龄重置) under a kept repayment plan: from `on`, what fell due
    before that date and is still unpaid no longer counts for ageing.

    The amounts stay owed (the ledger is untouched); only their delinquency is forgiven, as an
    agreed plan allows. The account is aged at once as of `on`; a move of bucket is recorded as
    a `BucketChange` with reason "re-aged". Whether a re-age is allowed (how many on-time
    payments, how often) is the caller's policy. Refused for a charged-off account, and for a
    date before the account's last re-age or ageing (re-ageing never rewrites the past).
    """
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.status == AccountStatus.CHARGED_OFF:
        raise Conflict(_("a charged-off account cannot be re-aged"))
    for earlier in (account.re_aged_on, account.aged_on):
        if earlier is not None and on < earlier:
            raise ValidationError(
                "on",
                _("is before %(earlier)s, when the account was last aged or re-aged")
                % {"earlier": earlier},
            )
    account.re_aged_on = on
    Account.objects.filter(pk=account.pk).update(re_aged_on=on)
    return age_account(account=account, as_of=on, reason=BucketChangeReason.RE_AGED, clock=clock)


def _apply(
    account: Account, fresh: Delinquency, *, as_of: dt.date, reason: BucketChangeReason
) -> BucketChange | None:
    """Set the account's cached figures; the (unsaved) move when its bucket changed."""
    previous = account.bucket
    account.days_past_due = fresh.days_past_due
    account.bucket = fresh.bucket.code
    account.past_due_minor = fresh.past_due.minor
    account.aged_on = as_of
    if fresh.bucket.code == previous:
        return None
    return BucketChange(
        account=account,
        changed_on=as_of,
        from_bucket=previous,
        to_bucket=fresh.bucket.code,
        days_past_due=fresh.days_past_due,
        reason=reason,
    )


def _unpaid_by_account(
    account_ids: list[int], as_of: dt.date
) -> dict[int, list[tuple[dt.date, int]]]:
    """(due_on, unpaid minor units) of each obligation due by `as_of` and not paid in full."""
    rows = (
        Obligation.objects.filter(
            account_id__in=account_ids, due_on__lte=as_of, paid_minor__lt=F("amount_minor")
        )
        .order_by()  # any order will do (the default one joins the accounts)
        .values_list("account_id", "due_on", "amount_minor", "paid_minor")
    )
    unpaid: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for account_id, due_on, amount, paid in rows:
        unpaid[account_id].append((due_on, int(amount) - int(paid)))
    return unpaid


def _terms_of(accounts: Sequence[Account]) -> dict[int, CardTerms | LoanTerms]:
    ids = {account.product_id for account in accounts}
    return {product.pk: product_terms(product) for product in Product.objects.filter(pk__in=ids)}
