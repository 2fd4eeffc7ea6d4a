"""Ageing an account: days past due, bucket and past-due amount, and the moves between buckets.

The figures are cached on `Account` for collection queues and reports; they are always a pure
function of the obligations (`selectors.delinquency`), which `selectors.check_account` verifies.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from arrears.core.clock import Clock, SystemClock
from arrears.servicing.choices import AccountStatus, BucketChangeReason
from arrears.servicing.models import Account, BucketChange
from arrears.servicing.selectors import delinquency


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
    fresh = delinquency(account, as_of)
    previous = account.bucket
    account.days_past_due = fresh.days_past_due
    account.bucket = fresh.bucket.code
    account.past_due_minor = fresh.past_due.minor
    account.aged_on = as_of
    Account.objects.filter(pk=account.pk).update(
        days_past_due=account.days_past_due,
        bucket=account.bucket,
        past_due_minor=account.past_due_minor,
        aged_on=as_of,
    )
    if fresh.bucket.code == previous:
        return None
    return BucketChange.objects.create(
        account=account,
        changed_on=as_of,
        from_bucket=previous,
        to_bucket=fresh.bucket.code,
        days_past_due=fresh.days_past_due,
        reason=reason,
        recorded_at=(clock or SystemClock()).now(),
    )
