"""Reads of the rates in force: rate overrides, scheduled interest, and how far interest has
been charged (an override may not change the rate of a day already charged)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Max

from arrears.common.bulk import among
from arrears.core.calendar import add_months, day_in_month
from arrears.core.products import CardTerms
from arrears.servicing.choices import ObligationKind, ProductKind
from arrears.servicing.models import (
    Account,
    Obligation,
    RateOverride,
    ScheduledInterest,
    Statement,
)
from arrears.servicing.services.interest_rates import RateWindow
from arrears.servicing.services.products import product_terms


def rate_overrides_of(account: Account) -> list[RateOverride]:
    """Every override ever set on the account, oldest first (ended ones included)."""
    return list(RateOverride.objects.filter(account=account).order_by("from_on", "pk"))


def rate_windows(account_ids: Iterable[int]) -> dict[int, list[RateWindow]]:
    """The overrides of many accounts as `RateWindow`s, in one query (the ids as one parameter:
    the statement run asks about a chunk at a time and most accounts have none); accounts
    without any are left out. An override withdrawn before it began (it ends before it starts)
    covers no day."""
    windows: dict[int, list[RateWindow]] = defaultdict(list)
    rows = (
        RateOverride.objects.filter(among("account_id", list(account_ids)))
        .order_by("account_id", "from_on", "pk")
        .values_list("account_id", "from_on", "until_on", "apr")
    )
    for account_id, from_on, until_on, apr in rows:
        if until_on is None or until_on >= from_on:
            windows[account_id].append(RateWindow(from_on, until_on, apr))
    return dict(windows)


def windows_of(account: Account) -> list[RateWindow]:
    return rate_windows([account.pk]).get(account.pk, [])


def override_from(account: Account, source: str) -> RateOverride | None:
    """The latest override a source (e.g. ``plan:123``) set on the account, if any."""
    return RateOverride.objects.filter(account=account, source=source).order_by("-from_on").first()


def interest_posted_through(account: Account) -> dt.date | None:
    """The last day whose contract interest the ledger has already charged: a card's last
    statement date, a loan's last instalment whose interest was posted (its period ends on its
    due date, even when charged ahead at a payoff). None before any."""
    if account.kind == ProductKind.CARD:
        last: dt.date | None = Statement.objects.filter(account=account).aggregate(
            last=Max("statement_on")
        )["last"]
        return last
    posted: dt.date | None = Obligation.objects.filter(
        account=account, kind=ObligationKind.INSTALMENT, is_posted=True
    ).aggregate(last=Max("due_on"))["last"]
    return posted


def next_interest_date(account: Account, after: dt.date) -> dt.date | None:
    """The first day after `after` on which the contract charges interest: a card's next
    statement date, a loan's next instalment not yet charged (None when none is left)."""
    if account.kind == ProductKind.CARD:
        terms = product_terms(account.product)
        assert isinstance(terms, CardTerms)
        day = account.statement_day or terms.statement_day
        candidate = day_in_month(after.year, after.month, day)
        if candidate <= after:
            following = add_months(after.replace(day=1), 1)
            candidate = day_in_month(following.year, following.month, day)
        return candidate
    found: dt.date | None = (
        Obligation.objects.filter(
            account=account, kind=ObligationKind.INSTALMENT, is_posted=False, due_on__gt=after
        )
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    return found


def scheduled_interest_of(account: Account, source: str | None = None) -> list[ScheduledInterest]:
    """The account's scheduled interest charges (of one source), in due order."""
    rows = ScheduledInterest.objects.filter(account=account)
    if source is not None:
        rows = rows.filter(source=source)
    return list(rows.order_by("due_on", "number"))
