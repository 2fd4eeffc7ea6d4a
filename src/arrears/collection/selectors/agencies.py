"""How the agencies compare: what was placed with each, what each collected, at what cost."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from arrears.collection.models import Agency, Placement
from arrears.core.errors import ValidationError
from arrears.core.money import Money

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class AgencyPerformance:
    """One agency over a period, in one currency: comparable with the others.

    `liquidation_rate` = collected ÷ placed (回收率), a Decimal to four places; `commission` is
    what the collected amounts earn the agency at each placement's own rate (rounded down to the
    minor unit, per placement).
    """

    agency: Agency
    currency: str
    placements: int
    live: int
    placed: Money
    collected: Money
    commission: Money
    liquidation_rate: Decimal


def agency_performance(*, start_on: dt.date, end_on: dt.date) -> list[AgencyPerformance]:
    """Placements made from `start_on` to `end_on` (inclusive), per agency and currency, the
    best liquidation rate first. What each collected is as of the last nightly review."""
    if end_on < start_on:
        raise ValidationError("end_on", _("is before start_on"))
    placements = Placement.objects.filter(placed_on__gte=start_on, placed_on__lte=end_on)
    rows = (
        placements.values("agency_id", "currency")
        .annotate(
            placements=Count("id"),
            live=Count("id", filter=Q(status="placed")),
            placed=Sum("placed_minor"),
            collected=Sum("collected_minor"),
        )
        .order_by("agency_id", "currency")
    )
    commission: dict[tuple[int, str], int] = {}
    for agency_id, currency, collected, bp in placements.values_list(
        "agency_id", "currency", "collected_minor", "commission_bp"
    ):
        key = (agency_id, currency)
        commission[key] = commission.get(key, 0) + int(collected) * int(bp) // BASIS_POINTS
    agencies = Agency.objects.in_bulk({row["agency_id"] for row in rows})
    found = []
    for row in rows:
        placed, collected = int(row["placed"] or 0), int(row["collected"] or 0)
        rate = (
            (Decimal(collected) / Decimal(placed)).quantize(Decimal("0.0001"))
            if placed
            else Decimal(0)
        )
        currency = row["currency"]
        found.append(
            AgencyPerformance(
                agency=agencies[row["agency_id"]],
                currency=currency,
                placements=row["placements"],
                live=row["live"],
                placed=Money.from_minor(placed, currency),
                collected=Money.from_minor(collected, currency),
                commission=Money.from_minor(commission[(row["agency_id"], currency)], currency),
                liquidation_rate=rate,
            )
        )
    return sorted(found, key=lambda p: (-p.liquidation_rate, p.agency.code, p.currency))
