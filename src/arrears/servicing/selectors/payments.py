"""Payments received, in bulk: what apps above servicing match against their own schedules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection

from arrears.servicing.choices import PaymentStatus
from arrears.servicing.models import CardCharge, Payment


def posted_payments_in_bulk(
    account_ids: Collection[int], *, received_from: dt.date, received_through: dt.date
) -> dict[int, list[tuple[dt.date, int]]]:
    """(received_on, minor units) of each posted (not reversed) payment of these accounts
    received in [received_from, received_through], by account, oldest first. One query."""
    found: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    if not account_ids:
        return found
    rows = (
        Payment.objects.filter(
            account_id__in=list(account_ids),
            status=PaymentStatus.POSTED,
            received_on__gte=received_from,
            received_on__lte=received_through,
        )
        .order_by("account_id", "received_on", "id")
        .values_list("account_id", "received_on", "amount_minor")
    )
    for account_id, received_on, minor in rows:
        found[account_id].append((received_on, int(minor)))
    return found


def card_charges_tried(account_id: int, *, limit: int = 20) -> list[CardCharge]:
    """The account's card payments tried in the portal, newest first: charged or declined,
    with the reason."""
    return list(
        CardCharge.objects.filter(account_id=account_id).order_by("-tried_at", "-id")[:limit]
    )
