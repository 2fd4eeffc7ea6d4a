"""What the desk passes to collection: a dispute puts a hold, a hardship request the plan flow."""

from __future__ import annotations

import datetime as dt

from arrears.care.models import Ticket


def pass_to_collection(*, ticket: Ticket, at: dt.datetime) -> None:
    """Placeholder until the hand-off is built (helper h1)."""
