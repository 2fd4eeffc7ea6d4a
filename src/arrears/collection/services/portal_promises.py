"""A promise to pay made by the borrower in the portal (承诺还款, channel `portal`).

The portal offers one dated payment within the lender's window: from today (the business date)
to `ARREARS_PORTAL_PROMISE_DAYS` ahead (30 by default) — a longer arrangement is a hardship
plan or a conversation with a collector. The promise itself is `take_promise`'s, so it pauses
the case's treatment and is judged nightly like any other.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.collection.choices import PromiseSource
from arrears.collection.models import Promise
from arrears.collection.services._support import business_date, now_of
from arrears.collection.services.promises import PromisedPayment, take_promise
from arrears.core.clock import Clock
from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.servicing.models import Account

DEFAULT_PORTAL_PROMISE_DAYS = 30


def portal_promise_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day a borrower may promise to pay on in the portal."""
    days = int(getattr(settings, "ARREARS_PORTAL_PROMISE_DAYS", DEFAULT_PORTAL_PROMISE_DAYS))
    return today, today + dt.timedelta(days=days)


@transaction.atomic
def promise_from_portal(
    *,
    account: Account,
    due_on: dt.date,
    amount: Money,
    idempotency_key: str,
    clock: Clock | None = None,
) -> tuple[Promise, bool]:
    """Take the borrower's promise to pay `amount` by `due_on`; returns (promise, created).

    The date must fall in the portal's window (errors name `due_on`); the amount is checked by
    `take_promise` (above zero, not more than owed: errors name `amount`). The same key again
    returns the promise already taken.
    """
    first, last = portal_promise_window(business_date(now_of(clock)))
    if not first <= due_on <= last:
        raise ValidationError(
            "due_on",
            _("choose a day from %(first)s to %(last)s")
            % {"first": first.isoformat(), "last": last.isoformat()},
        )
    try:
        return take_promise(
            account=account,
            instalments=[PromisedPayment(due_on=due_on, amount=amount)],
            source=PromiseSource.PORTAL,
            idempotency_key=idempotency_key,
            clock=clock,
        )
    except ValidationError as error:
        field = error.field
        if field.startswith("instalments"):
            field = "due_on" if field.endswith(".due_on") else "amount"
        raise ValidationError(field, error.reason) from error
