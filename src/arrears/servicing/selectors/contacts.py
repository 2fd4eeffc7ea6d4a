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


def borrower_for_user(user: object) -> Borrower | None:
    """The borrower a portal login belongs to, or None for a login that is not a borrower's."""
    user_id = getattr(user, "pk", None)
    if not getattr(user, "is_authenticated", False) or user_id is None:
        return None
    return Borrower.objects.filter(user_id=user_id).first()
