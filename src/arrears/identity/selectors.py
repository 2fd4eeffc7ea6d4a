"""Reads of the identity app: who a signed-in person is for the consoles."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def is_staff_member(user: Any) -> bool:
    """Staff hold a role (a group) or are superusers; a borrower's login holds neither."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.groups.exists())


def landing_url_for(user: Any) -> str:
    """Where a person lands after signing in: the console for staff, the portal for borrowers."""
    if is_staff_member(user):
        return reverse("console:home")
    return reverse("portal:home")
