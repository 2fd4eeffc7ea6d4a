"""Model fields shared by every app."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class MinorUnitsField(models.BigIntegerField):
    """Money in integer minor units (cents, fen); its currency lives in a sibling column."""

    description = "Money in integer minor units"


def staff_member(verbose_name: Any) -> models.ForeignKey[Any, Any]:
    """Who did it: a staff user; the link is cleared, not the row, if the user is removed."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=verbose_name,
    )
