"""The satisfaction survey sent after a ticket is solved (per queue)."""

from __future__ import annotations

import datetime as dt

from arrears.care.models import Ticket


def after_solve(*, ticket: Ticket, at: dt.datetime) -> None:
    """Placeholder until surveys are built (helper h6)."""
