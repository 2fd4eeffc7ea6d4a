"""Model fields shared by every app."""

from __future__ import annotations

from django.db import models


class MinorUnitsField(models.BigIntegerField):
    """Money in integer minor units (cents, fen); its currency lives in a sibling column."""

    description = "Money in integer minor units"
