"""What the borrower portal reads from collection: the live promise and the promise window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from arrears.collection.choices import PromiseStatus
from arrears.collection.models import Promise, PromiseInstalment
from arrears.collection.services.portal_promises import portal_promise_window
from arrears.servicing.models import Account


@dataclass(frozen=True)
class PromiseChoices:
    """The days a borrower may promise on, and the promise already live on the account."""

    first_day: dt.date
    last_day: dt.date
    live: Promise | None


def promise_choices(account: Account, today: dt.date) -> PromiseChoices:
    first, last = portal_promise_window(today)
    live = (
        Promise.objects.filter(account=account, status=PromiseStatus.LIVE)
        .prefetch_related(
            Prefetch("instalments", queryset=PromiseInstalment.objects.order_by("due_on"))
        )
        .order_by("-taken_at", "-id")
        .first()
    )
    return PromiseChoices(first_day=first, last_day=last, live=live)
