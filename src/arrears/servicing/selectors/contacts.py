"""Who is reached at a number or address (threading inbound replies to a borrower)."""

from __future__ import annotations

from arrears.servicing.models import Borrower


def borrowers_reached_at(value: str) -> list[Borrower]:
    """The borrowers with this number (E.164) or e-mail address among their contact points."""
    return list(
        Borrower.objects.filter(contact_points__value__iexact=value.strip())
        .distinct()
        .order_by("pk")
    )
